// A Go program to capture live traces from in tests: it serves net/http/pprof on
// 127.0.0.1 (a free port, printed on the first line of stdout), keeps a few
// goroutines busy (channels, a mutex, allocation, sleeps), and exits when its
// stdin is closed.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

var sink []byte

func work() {
	var mu sync.Mutex
	ch := make(chan int)
	for i := 0; i < 4; i++ {
		go func(i int) {
			for n := 0; ; n++ {
				mu.Lock()
				sink = make([]byte, 1024*(i+1))
				mu.Unlock()
				select {
				case ch <- n:
				case <-time.After(time.Millisecond):
				}
			}
		}(i)
	}
	for range ch {
		time.Sleep(100 * time.Microsecond)
	}
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	go work()
	panic(http.Serve(ln, nil))
}
