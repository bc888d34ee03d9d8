package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"net"
	"os"
	"runtime/trace"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// busy: a server-like load that runs until the trace reaches TARGET_BYTES
// (default 8 MB). Load generators feed requests to 32 handler goroutines;
// each request is a task with regions and logs, reads a RWMutex-protected
// cache, borrows a connection from a pool (channel) to a loopback TCP
// backend, allocates and hashes a response, sometimes appends to a log file
// under a mutex, sometimes sleeps on a "downstream" call; results go to an
// aggregator through a channel; search requests fan out to short-lived
// per-shard goroutines. A background goroutine churns garbage, so
// the GC runs all the time. Used by benchmarks/bigtrace.py.

func init() {
	register("busy", &Scenario{
		Doc: "server-like load until the trace reaches TARGET_BYTES (benchmark)",
		Run: busyRun,
	})
}

type busyReq struct {
	id   int64
	kind string
}

func busyRun(env *Env) {
	limit := env.Limit
	if limit == 0 {
		limit = 8 << 20
	}
	stop := make(chan struct{})
	var stopped atomic.Bool

	// Loopback backend.
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
				w := bufio.NewWriter(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					spin(20 * time.Microsecond)
					fmt.Fprintf(w, "OK %d\n", len(line))
					if w.Flush() != nil {
						return
					}
				}
			}()
		}
	}()
	const poolSize = 8
	pool := make(chan *bufio.ReadWriter, poolSize)
	for i := 0; i < poolSize; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		defer c.Close()
		pool <- bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c))
	}

	logf, err := os.CreateTemp("", "traceprog-busy-")
	if err != nil {
		panic(err)
	}
	defer os.Remove(logf.Name())
	defer logf.Close()
	var logMu sync.Mutex
	logged := 0

	var cacheMu sync.RWMutex
	cache := make(map[int64][]byte)

	reqs := make(chan busyReq, 64)
	results := make(chan int, 64)
	var handlers sync.WaitGroup

	// Aggregator.
	var total atomic.Int64
	go func() {
		for n := range results {
			total.Add(int64(n))
		}
	}()

	// Load generators.
	var gens sync.WaitGroup
	var nextID atomic.Int64
	kinds := []string{"GET /users", "GET /orders", "POST /orders", "GET /search"}
	for g := 0; g < 4; g++ {
		gens.Add(1)
		go func(g int) {
			defer gens.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			for {
				req := busyReq{id: nextID.Add(1), kind: kinds[rng.Intn(len(kinds))]}
				select {
				case reqs <- req:
				case <-stop:
					return
				}
				if rng.Intn(16) == 0 {
					time.Sleep(time.Duration(rng.Intn(200)) * time.Microsecond)
				}
			}
		}(g)
	}

	// Handlers.
	for h := 0; h < 32; h++ {
		handlers.Add(1)
		go func(h int) {
			defer handlers.Done()
			rng := rand.New(rand.NewSource(int64(1000 + h)))
			for req := range reqs {
				ctx, task := trace.NewTask(context.Background(), "handleRequest")
				trace.Logf(ctx, "request", "%d %s", req.id, req.kind)

				var body []byte
				trace.WithRegion(ctx, "decode", func() {
					body = make([]byte, 256+rng.Intn(4096))
					for i := 0; i < len(body); i += 64 {
						body[i] = byte(req.id)
					}
				})
				key := req.id % 512
				var hit bool
				trace.WithRegion(ctx, "cache.get", func() {
					cacheMu.RLock()
					_, hit = cache[key]
					cacheMu.RUnlock()
				})
				if !hit || strings.HasPrefix(req.kind, "POST") {
					trace.WithRegion(ctx, "db.query", func() {
						conn := <-pool
						fmt.Fprintf(conn, "%s %d\n", req.kind, req.id)
						conn.Flush()
						line, err := conn.ReadString('\n')
						pool <- conn
						if err != nil && !stopped.Load() {
							panic(err)
						}
						trace.WithRegion(ctx, "cache.put", func() {
							cacheMu.Lock()
							cache[key] = []byte(line)
							cacheMu.Unlock()
						})
					})
				}
				if req.kind == "GET /search" {
					// Fan out to short-lived goroutines, one per shard.
					var shards sync.WaitGroup
					for sh := 0; sh < 3; sh++ {
						shards.Add(1)
						go func(sh int) {
							defer shards.Done()
							trace.WithRegion(ctx, "search.shard", func() {
								sink = checksum(body[sh*len(body)/3 : (sh+1)*len(body)/3])
							})
						}(sh)
					}
					shards.Wait()
				}
				trace.WithRegion(ctx, "compute", func() {
					sink = checksum(body)
					if rng.Intn(8) == 0 {
						spin(50 * time.Microsecond)
					}
				})
				if rng.Intn(10) == 0 {
					trace.WithRegion(ctx, "downstream", func() {
						time.Sleep(time.Duration(100+rng.Intn(400)) * time.Microsecond)
					})
				}
				if rng.Intn(20) == 0 {
					trace.WithRegion(ctx, "log.append", func() {
						logMu.Lock()
						fmt.Fprintf(logf, "%d %s %d\n", req.id, req.kind, len(body))
						logged++
						if logged%16 == 0 {
							logf.Sync()
						}
						logMu.Unlock()
					})
				}
				trace.Log(ctx, "status", "200")
				task.End()
				select {
				case results <- len(body):
				case <-stop:
				}
			}
		}(h)
	}

	// Background garbage.
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			sink = churn(2*time.Millisecond, 3)
			time.Sleep(3 * time.Millisecond)
		}
	}()

	// Stop when the trace is big enough.
	for env.Out.Count() < limit {
		time.Sleep(2 * time.Millisecond)
	}
	stopped.Store(true)
	close(stop)
	gens.Wait()
	close(reqs)
	handlers.Wait()
	sink = total.Load()
}
