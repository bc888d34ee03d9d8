package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"syscall"
	"time"
)

// mixed: a bit of everything, kept small; this is the demo trace shipped
// with tracetui. A toy service: a worker pool handles "handleRequest"
// tasks whose regions talk to a loopback TCP "database", share a
// mutex-protected cache, hash data, and append to a fsynced audit file;
// meanwhile a background goroutine makes garbage (a few GC cycles),
// the CPU profiler is on, and on Go 1.23+ an iter.Pull coroutine runs.

// mixedIter is set by iter.go when iter.Pull is available.
var mixedIter func(ctx context.Context)

func init() {
	register("mixed", &Scenario{
		Doc: "small mix of everything (the tracetui demo trace)",
		Run: mixedRun,
	})
}

func mixedRun(*Env) {
	var prof bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		panic(err)
	}
	defer pprof.StopCPUProfile()

	// Loopback "database".
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					time.Sleep(300 * time.Microsecond) // "query time"
					fmt.Fprintf(c, "ROWS %d\n", len(line))
				}
			}()
		}
	}()

	audit, err := os.CreateTemp("", "traceprog-audit-")
	if err != nil {
		panic(err)
	}
	defer os.Remove(audit.Name())
	defer audit.Close()
	var auditMu sync.Mutex

	// Background garbage.
	stopGC := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(1)
	go func() {
		defer bg.Done()
		for {
			select {
			case <-stopGC:
				return
			default:
			}
			garbage := make([][]byte, 200)
			for i := range garbage {
				garbage[i] = make([]byte, 1024)
			}
			sink = garbage
			time.Sleep(2 * time.Millisecond)
		}
	}()

	var cacheMu sync.Mutex
	cache := map[string]string{}

	ctx, server := trace.NewTask(context.Background(), "server")
	trace.Log(ctx, "listen", ln.Addr().String())
	reqs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			for id := range reqs {
				rctx, task := trace.NewTask(ctx, "handleRequest")
				trace.Logf(rctx, "requestID", "%d", id)
				key := fmt.Sprintf("user:%d", id%5)
				trace.WithRegion(rctx, "cache.lookup", func() {
					cacheMu.Lock()
					_, hit := cache[key]
					spin(50 * time.Microsecond)
					cacheMu.Unlock()
					trace.Logf(rctx, "cache", "hit=%v", hit)
				})
				var rows string
				trace.WithRegion(rctx, "db.query", func() {
					fmt.Fprintf(conn, "SELECT * FROM users WHERE id=%d\n", id)
					rows, _ = r.ReadString('\n')
				})
				trace.WithRegion(rctx, "compute", func() {
					spin(time.Duration(1000+400*(id%4)) * time.Microsecond)
					trace.WithRegion(rctx, "compute.hash", func() {
						sink = checksum([]byte(strings.Repeat(rows, 64)))
					})
				})
				cacheMu.Lock()
				cache[key] = rows
				cacheMu.Unlock()
				if id%4 == 0 {
					trace.WithRegion(rctx, "audit.write", func() {
						auditMu.Lock()
						defer auditMu.Unlock()
						fmt.Fprintf(audit, "request %d by worker %d\n", id, w)
						audit.Sync()
					})
				}
				task.End()
			}
		}(w)
	}

	// A coroutine (Go 1.23+) and a blocking syscall alongside.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if mixedIter != nil {
			mixedIter(ctx)
		}
		ts := syscall.NsecToTimespec(int64(15 * time.Millisecond))
		trace.WithRegion(ctx, "nanosleep", func() { syscall.Nanosleep(&ts, nil) })
	}()

	for i := 0; i < 72; i++ {
		reqs <- i
		if i%6 == 5 {
			time.Sleep(6 * time.Millisecond)
		}
	}
	close(reqs)
	wg.Wait()
	server.End()
	close(stopGC)
	bg.Wait()
}
