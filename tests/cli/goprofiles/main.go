// Command goprofiles writes the profiles runtime/pprof makes, as a Go program writes
// them (gzip-compressed profile.proto, debug=0), into the directory given as its
// argument: cpu, heap, allocs, goroutine, block, mutex and threadcreate.
// tests/cli/test_profiles.py checks that tracetui recognises every one of them.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var sink [][]byte

func spin(d time.Duration) int {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			n += i * i
		}
	}
	return n
}

func contend() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				mu.Lock()
				sink = append(sink, make([]byte, 1024))
				time.Sleep(10 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	go func() {
		for i := 0; i < 100; i++ {
			time.Sleep(50 * time.Microsecond)
			ch <- i
		}
		close(ch)
	}()
	for range ch {
	}
	wg.Wait()
}

func write(dir, name string, fn func(f *os.File) error) {
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		panic(err)
	}
	if err := fn(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func main() {
	dir := os.Args[1]
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	write(dir, "cpu", func(f *os.File) error {
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		spin(300 * time.Millisecond)
		contend()
		pprof.StopCPUProfile()
		return nil
	})
	runtime.GC()
	for _, name := range []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"} {
		name := name
		write(dir, name, func(f *os.File) error { return pprof.Lookup(name).WriteTo(f, 0) })
	}
	fmt.Println("ok")
}
