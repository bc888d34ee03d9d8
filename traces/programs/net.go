package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// net: loopback networking only (127.0.0.1). A line-based TCP echo server
// with several clients doing request/response round trips (goroutines
// blocking in the netpoller), one client hitting a read deadline, and an
// HTTP server on loopback served to a few keep-alive clients.

func init() {
	register("net", &Scenario{
		Doc: "loopback TCP echo server and HTTP server with clients",
		Run: netRun,
	})
}

func netRun(*Env) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var srv sync.WaitGroup
	srv.Add(1)
	go func() {
		defer srv.Done()
		var conns sync.WaitGroup
		for {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				echoConn(c)
			}()
		}
		conns.Wait()
	}()

	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tcpClient(ln.Addr().String(), i, 20)
		}(i)
	}
	// A client whose read times out: the server never answers an empty line.
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		fmt.Fprintf(c, "\n")
		_, err = c.Read(make([]byte, 16))
		if err == nil {
			panic("expected a timeout")
		}
	}()
	wg.Wait()

	httpRound()

	ln.Close()
	srv.Wait()
}

func echoConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if line == "\n" {
			continue // no answer: lets a client time out
		}
		spin(50 * time.Microsecond)
		if _, err := io.WriteString(c, strings.ToUpper(line)); err != nil {
			return
		}
	}
}

func tcpClient(addr string, id, n int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := 0; i < n; i++ {
		fmt.Fprintf(c, "client %d message %d\n", id, i)
		if _, err := r.ReadString('\n'); err != nil {
			panic(err)
		}
		if i%5 == 4 {
			time.Sleep(time.Millisecond)
		}
	}
}

func httpRound() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/items/", func(w http.ResponseWriter, r *http.Request) {
		spin(100 * time.Microsecond)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"item": %q, "ok": true}`, r.URL.Path)
	})
	server := &http.Server{Handler: mux}
	go server.Serve(ln)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 8; j++ {
				resp, err := client.Get(fmt.Sprintf("http://%s/items/%d-%d", ln.Addr(), i, j))
				if err != nil {
					panic(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(i)
	}
	wg.Wait()
	client.CloseIdleConnections()
	server.Close()
}
