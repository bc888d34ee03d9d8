package main

import (
	"context"
	"math"
	"math/rand"
	"os"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

// The A/B scenarios: ground truth for `tracetui diff`. abWorkers goroutines
// (main.abWorker) each serve abRequests requests; a request is three regions
// whose durations are sleeps drawn from a seeded log-normal distribution
// (median 10 ms each, sigma 0.3: long next to the wake-up delay of a sleep on
// a busy machine):
//
//	ab-a      the baseline;
//	ab-slow   query waits 2 ms more (the true p50 ratio of query is 12/10);
//	ab-mutex  render holds a mutex all workers share for 0.5 ms (block
//	          time moves to sync);
//	ab-alloc  between requests each worker allocates 2 MiB of garbage
//	          (keeping the last 1 MiB)
//	          (GC cycles, assists).
//
// The seed comes from $TRACEPROG_SEED (default 1), so two runs of ab-a with
// different seeds are an A/A pair.

const (
	abWorkers  = 8
	abRequests = 25
	abSigma    = 0.3
)

func init() {
	for _, v := range []string{"a", "slow", "mutex", "alloc"} {
		variant := v
		register("ab-"+variant, &Scenario{
			Doc: "A/B ground truth for diff, variant " + variant + " (seed from $TRACEPROG_SEED)",
			Run: func(env *Env) { abRun(variant) },
		})
	}
}

func abSeed() int64 {
	if s, err := strconv.ParseInt(os.Getenv("TRACEPROG_SEED"), 10, 64); err == nil {
		return s
	}
	return 1
}

// abSleep sleeps a log-normal time with the given median.
func abSleep(r *rand.Rand, median time.Duration) {
	time.Sleep(time.Duration(float64(median) * math.Exp(abSigma*r.NormFloat64())))
}

var abMu sync.Mutex

var bgctx = context.Background()

func abRun(variant string) {
	seed := abSeed()
	var wg sync.WaitGroup
	for w := 0; w < abWorkers; w++ {
		wg.Add(1)
		go abWorker(variant, rand.New(rand.NewSource(seed*1000+int64(w))), &wg)
	}
	wg.Wait()
}

func abWorker(variant string, r *rand.Rand, wg *sync.WaitGroup) {
	defer wg.Done()
	var keep [][]byte
	for i := 0; i < abRequests; i++ {
		trace.WithRegion(bgctx, "parse", func() { abSleep(r, 10*time.Millisecond) })
		trace.WithRegion(bgctx, "query", func() {
			abSleep(r, 10*time.Millisecond)
			if variant == "slow" {
				time.Sleep(2 * time.Millisecond)
			}
		})
		trace.WithRegion(bgctx, "render", func() {
			abSleep(r, 10*time.Millisecond)
			if variant == "mutex" {
				abMu.Lock()
				time.Sleep(500 * time.Microsecond)
				abMu.Unlock()
			}
		})
		if variant == "alloc" {
			for j := 0; j < 2; j++ {
				b := make([]byte, 1<<20)
				b[j] = byte(i)
				keep = append(keep, b)
			}
			if len(keep) > 1 {
				keep = keep[len(keep)-1:]
			}
		}
	}
	sink = len(keep)
}
