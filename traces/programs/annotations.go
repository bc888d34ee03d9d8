package main

import (
	"context"
	"fmt"
	"runtime/trace"
	"sync"
	"time"
)

// annotations: user tasks, regions and logs as a small service would emit
// them.
//
//   - a task and a region that begin before tracing starts and end during it
//     (their begin events are missing from the trace);
//   - "batchJob", a task begun at the start and ended in a later phase, on a
//     different goroutine;
//   - a worker pool serving "handleRequest" tasks with nested regions
//     ("decode", "db.query" > "db.scan", "compute" > "compute.hash",
//     "encode") and trace.Log / trace.Logf;
//   - child tasks ("cache.refresh") handed to other goroutines;
//   - a region and a task still open when tracing stops.

var annHold = make(chan struct{})    // releases the pre-trace goroutine
var annRelease = make(chan struct{}) // released after trace.Stop
var annPreDone = make(chan struct{})

func init() {
	register("annotations", &Scenario{
		Doc:   "tasks, nested regions and logs from a worker pool",
		Setup: annotationsSetup,
		Run:   annotationsRun,
		After: func(*Env) { close(annRelease) },
	})
}

func annotationsSetup(*Env) {
	ready := make(chan struct{})
	go func() {
		// Begun before trace.Start: the trace sees only the ends.
		// (StartRegion returns a no-op region while tracing is off;
		// WithRegion always emits its end.)
		ctx, task := trace.NewTask(context.Background(), "session")
		trace.WithRegion(ctx, "warmup", func() {
			close(ready)
			<-annHold
			trace.Log(ctx, "phase", "warmup done")
		})
		task.End()
		close(annPreDone)
	}()
	<-ready
}

type request struct {
	id   int
	path string
	ctx  context.Context
}

func annotationsRun(*Env) {
	root := context.Background()
	batchCtx, batch := trace.NewTask(root, "batchJob")
	trace.Log(batchCtx, "batch", "start")

	// Still open at trace.Stop: a long-poll region inside a task that never ends.
	pollStarted := make(chan struct{})
	go func() {
		ctx, _ := trace.NewTask(root, "backgroundSync") // never ended
		trace.WithRegion(ctx, "connect", func() { time.Sleep(2 * time.Millisecond) })
		r := trace.StartRegion(ctx, "longPoll")
		close(pollStarted)
		<-annRelease
		r.End()
	}()
	<-pollStarted

	// Phase 1: a worker pool.
	reqs := make(chan request)
	var wg sync.WaitGroup
	var refreshes sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for req := range reqs {
				handleRequest(req, w, &refreshes)
			}
		}(w)
	}
	close(annHold) // let the pre-trace task finish now
	paths := []string{"/users", "/orders", "/search", "/health"}
	for i := 0; i < 48; i++ {
		ctx := batchCtx
		if i%3 != 0 {
			ctx = root // most requests are top-level tasks
		}
		reqs <- request{id: i, path: paths[i%len(paths)], ctx: ctx}
		if i%8 == 7 {
			time.Sleep(3 * time.Millisecond)
		}
	}
	close(reqs)
	wg.Wait()
	refreshes.Wait()
	<-annPreDone

	// Phase 2: the batch job finishes on another goroutine, with a log
	// outside any task and a region outside any task.
	done := make(chan struct{})
	go func() {
		defer close(done)
		trace.Log(root, "", "no task, empty category")
		trace.WithRegion(root, "flush", func() { spin(time.Millisecond) })
		trace.WithRegion(batchCtx, "commit", func() {
			trace.WithRegion(batchCtx, "commit.write", func() { time.Sleep(time.Millisecond) })
		})
		trace.Logf(batchCtx, "batch", "done after %d requests", 48)
		batch.End()
	}()
	<-done
	time.Sleep(2 * time.Millisecond)
}

func handleRequest(req request, worker int, refreshes *sync.WaitGroup) {
	ctx, task := trace.NewTask(req.ctx, "handleRequest")
	defer task.End()
	trace.Log(ctx, "requestID", fmt.Sprint(req.id))
	trace.Logf(ctx, "route", "GET %s (worker %d)", req.path, worker)

	var body []byte
	trace.WithRegion(ctx, "decode", func() {
		body = make([]byte, 512+req.id*16)
		for i := range body {
			body[i] = byte(i * req.id)
		}
	})
	func() {
		defer trace.StartRegion(ctx, "db.query").End()
		time.Sleep(time.Duration(200+100*(req.id%5)) * time.Microsecond)
		trace.WithRegion(ctx, "db.scan", func() { spin(100 * time.Microsecond) })
	}()
	var sum uint32
	trace.WithRegion(ctx, "compute", func() {
		trace.WithRegion(ctx, "compute.hash", func() { sum = checksum(body) })
		spin(150 * time.Microsecond)
	})
	if req.id%5 == 0 {
		// A child task that runs on another goroutine and outlives the
		// parent region (but not the trace).
		cctx, child := trace.NewTask(ctx, "cache.refresh")
		refreshes.Add(1)
		go func() {
			defer refreshes.Done()
			defer child.End()
			trace.WithRegion(cctx, "cache.load", func() { time.Sleep(500 * time.Microsecond) })
			trace.Log(cctx, "cache", "refreshed")
		}()
	}
	trace.WithRegion(ctx, "encode", func() { sink = fmt.Sprintf("%x", sum) })
	status := 200
	if req.id%11 == 0 {
		status = 503
	}
	trace.Logf(ctx, "status", "%d", status)
}
