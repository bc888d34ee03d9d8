package main

import (
	"context"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

// critical: causal chains whose critical path is known by construction, the
// ground truth of `tracetui why` (tests/model/test_critical_truth.py).
//
//  1. "handler" regions (in "request" tasks): the handler sends a query to a
//     db goroutine and waits for its answer (chan receive); the db goroutine
//     locks a mutex that a third goroutine holds while it sleeps 8 ms (sync),
//     then answers. Most of each handler region is that sleep.
//  2. a "woken" region under GOMAXPROCS=1: its goroutine waits on a channel
//     that a hog goroutine sends on after 50 µs of work; the hog then starts
//     two more hogs (each new goroutine takes the P's runnext, so the woken
//     goroutine queues behind them) and all spin until preempted: most of the
//     region is scheduler wait behind the hogs.

const criticalSleep = 8 * time.Millisecond

func init() {
	register("critical", &Scenario{
		Doc: "known critical paths: handler->db->mutex held across a sleep; a wakeup behind a hog at GOMAXPROCS=1",
		Run: criticalRun,
	})
}

func criticalRun(*Env) {
	for i := 0; i < 3; i++ {
		criticalChain()
	}
	criticalHog()
}

func criticalChain() {
	var mu sync.Mutex
	queries := make(chan int)
	answers := make(chan int)
	go func() { // db
		q := <-queries
		mu.Lock()
		spin(200 * time.Microsecond)
		mu.Unlock()
		answers <- q + 1
	}()
	locked := make(chan struct{})
	released := make(chan struct{})
	go func() { // holds the mutex across a sleep
		mu.Lock()
		close(locked)
		time.Sleep(criticalSleep)
		mu.Unlock()
		close(released)
	}()
	<-locked
	done := make(chan struct{})
	go func() { // handler
		ctx, task := trace.NewTask(context.Background(), "request")
		trace.WithRegion(ctx, "handler", func() {
			spin(100 * time.Microsecond)
			queries <- 1
			sink = <-answers
		})
		task.End()
		close(done)
	}()
	<-done
	<-released
}

func criticalHog() {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	wake := make(chan struct{})
	waiting := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // woken
		defer wg.Done()
		trace.WithRegion(context.Background(), "woken", func() {
			close(waiting)
			<-wake
		})
	}()
	<-waiting
	hog := func() {
		defer wg.Done()
		sink = spin(20 * time.Millisecond)
	}
	wg.Add(1)
	go func() { // wakes the waiter (into the P's runnext), then starts two more hogs
		defer wg.Done()
		spin(50 * time.Microsecond)
		wake <- struct{}{}
		wg.Add(2)
		go hog() // each new goroutine takes runnext: the waiter queues behind them
		go hog()
		sink = spin(20 * time.Millisecond)
	}()
	wg.Wait()
}
