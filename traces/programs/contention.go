package main

import (
	"sync"
	"time"
)

// contention: many goroutines fighting over sync.Mutex, sync.RWMutex and a
// sync.Cond queue, an unbuffered channel pipeline, select over several
// channels with timeouts, and WaitGroup joins. Produces blocking on sync,
// chan send/recv, select and the unblocks that wake goroutines up.

func init() {
	register("contention", &Scenario{
		Doc: "mutex, rwmutex, cond, channels, select, waitgroup contention",
		Run: contentionRun,
	})
}

func contentionRun(*Env) {
	var all sync.WaitGroup
	run := func(f func()) {
		all.Add(1)
		go func() { defer all.Done(); f() }()
	}

	// sync.Mutex: 16 goroutines, short critical sections with real work.
	var mu sync.Mutex
	counter := 0
	for g := 0; g < 16; g++ {
		run(func() {
			for i := 0; i < 40; i++ {
				mu.Lock()
				counter++
				spin(20 * time.Microsecond)
				mu.Unlock()
			}
		})
	}

	// sync.RWMutex: 8 readers, 2 writers.
	var rw sync.RWMutex
	table := map[int]int{}
	for g := 0; g < 8; g++ {
		run(func() {
			for i := 0; i < 50; i++ {
				rw.RLock()
				sink = table[i%10]
				spin(10 * time.Microsecond)
				rw.RUnlock()
			}
		})
	}
	for g := 0; g < 2; g++ {
		g := g
		run(func() {
			for i := 0; i < 15; i++ {
				rw.Lock()
				table[i%10] = i + g
				spin(50 * time.Microsecond)
				rw.Unlock()
				time.Sleep(200 * time.Microsecond)
			}
		})
	}

	// sync.Cond: a bounded queue with 2 producers and 6 consumers.
	var qmu sync.Mutex
	notEmpty := sync.NewCond(&qmu)
	notFull := sync.NewCond(&qmu)
	var queue []int
	const items = 240
	var consumed int
	for p := 0; p < 2; p++ {
		run(func() {
			for i := 0; i < items/2; i++ {
				qmu.Lock()
				for len(queue) >= 4 {
					notFull.Wait()
				}
				queue = append(queue, i)
				notEmpty.Signal()
				qmu.Unlock()
			}
		})
	}
	for c := 0; c < 6; c++ {
		run(func() {
			for {
				qmu.Lock()
				for len(queue) == 0 && consumed < items {
					notEmpty.Wait()
				}
				if consumed >= items {
					qmu.Unlock()
					notEmpty.Broadcast()
					return
				}
				queue = queue[1:]
				consumed++
				if consumed == items {
					notEmpty.Broadcast()
				}
				notFull.Signal()
				qmu.Unlock()
				spin(15 * time.Microsecond)
			}
		})
	}

	// Channel pipeline: generator -> 4 squarers -> collector.
	src := make(chan int)
	sq := make(chan int)
	run(func() {
		for i := 0; i < 300; i++ {
			src <- i
		}
		close(src)
	})
	var stage sync.WaitGroup
	for w := 0; w < 4; w++ {
		stage.Add(1)
		go func() {
			defer stage.Done()
			for v := range src {
				sq <- v * v
			}
		}()
	}
	go func() { stage.Wait(); close(sq) }()
	run(func() {
		s := 0
		for v := range sq {
			s += v
		}
		sink = s
	})

	// select over several channels, with a timeout and a quit channel.
	fast := make(chan int, 1)
	slow := make(chan int)
	quit := make(chan struct{})
	run(func() {
		for i := 0; i < 60; i++ {
			fast <- i
			if i%10 == 0 {
				slow <- i
			}
		}
		time.Sleep(5 * time.Millisecond)
		close(quit)
	})
	run(func() {
		timeouts := 0
		for {
			select {
			case v := <-fast:
				sink = v
			case v := <-slow:
				sink = v
			case <-time.After(time.Millisecond):
				timeouts++
			case <-quit:
				sink = timeouts
				return
			}
		}
	})

	// WaitGroup fan-out/fan-in rounds.
	run(func() {
		for round := 0; round < 5; round++ {
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					spin(100 * time.Microsecond)
				}()
			}
			wg.Wait()
		}
	})

	all.Wait()
	sink = counter
}
