//go:build go1.23

package main

import (
	"context"
	"iter"
	"runtime/trace"
	"sync"
	"time"
)

// iter: coroutines via iter.Pull / iter.Pull2 (Go 1.23+). Each next()
// switches directly between the consumer goroutine and the iterator's
// coroutine goroutine (GoSwitch events); an iterator that runs to its end
// and one stopped early end with GoSwitchDestroy. The coroutines also
// block (time.Sleep) and run regions.

func init() {
	register("iter", &Scenario{
		Doc: "iter.Pull coroutines (GoSwitch events), Go 1.23+",
		Run: iterRun,
	})
	mixedIter = func(ctx context.Context) { pullSome(ctx, 0, 200) }
}

// fib yields Fibonacci numbers (mod 2^64) forever.
func fib() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		a, b := uint64(0), uint64(1)
		for {
			if !yield(a) {
				return
			}
			a, b = b, a+b
		}
	}
}

// chunks yields (index, chunk) pairs of a generated buffer, pausing now and
// then as if waiting on I/O.
func chunks(ctx context.Context, n int) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		for i := 0; i < n; i++ {
			var c []byte
			trace.WithRegion(ctx, "chunk.produce", func() {
				c = make([]byte, 64)
				for j := range c {
					c[j] = byte(i + j)
				}
			})
			if i%50 == 49 {
				time.Sleep(200 * time.Microsecond)
			}
			if !yield(i, c) {
				return
			}
		}
	}
}

// pullSome consumes an infinite iterator with Pull and stops it early.
func pullSome(ctx context.Context, id, n int) {
	defer trace.StartRegion(ctx, "pullFib").End()
	next, stop := iter.Pull(fib())
	defer stop()
	var s uint64
	for i := 0; i < n; i++ {
		v, ok := next()
		if !ok {
			break
		}
		s += v
	}
	sink = s + uint64(id)
}

// pullAll drains a finite Pull2 iterator to its end.
func pullAll(ctx context.Context, n int) {
	defer trace.StartRegion(ctx, "pullChunks").End()
	next, stop := iter.Pull2(chunks(ctx, n))
	defer stop()
	total := 0
	for {
		_, c, ok := next()
		if !ok {
			break
		}
		total += int(checksum(c) & 0xf)
	}
	sink = total
}

func iterRun(*Env) {
	ctx, task := trace.NewTask(context.Background(), "iterate")
	defer task.End()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 10; k++ {
				pullSome(ctx, g, 300)
			}
			pullAll(ctx, 400)
		}(g)
	}
	wg.Wait()
}
