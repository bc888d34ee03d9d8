package main

import (
	"bytes"
	"crypto/sha256"
	"math"
	"runtime/pprof"
	"sort"
	"sync"
	"time"
)

// cpuprofile: CPU-bound work on all Ps while pprof.StartCPUProfile runs, so
// the trace carries CPU samples (StackSample events) with stacks in
// recognisable functions: findPrimes, hashChain, mandelbrot, sortShuffle.

func init() {
	register("cpuprofile", &Scenario{
		Doc: "CPU-bound work with the CPU profiler on (CPU samples)",
		Run: cpuprofileRun,
	})
}

func cpuprofileRun(*Env) {
	var prof bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		panic(err)
	}
	defer pprof.StopCPUProfile()

	const d = 250 * time.Millisecond
	var wg sync.WaitGroup
	for _, f := range []func(time.Duration) int{findPrimes, hashChain, mandelbrot, sortShuffle} {
		wg.Add(1)
		go func(f func(time.Duration) int) {
			defer wg.Done()
			sink = f(d)
		}(f)
	}
	wg.Wait()
}

func findPrimes(d time.Duration) int {
	deadline := time.Now().Add(d)
	count := 0
	for n := 3; ; n += 2 {
		prime := true
		for k := 3; k*k <= n; k += 2 {
			if n%k == 0 {
				prime = false
				break
			}
		}
		if prime {
			count++
		}
		if n%1001 == 0 && time.Now().After(deadline) {
			return count
		}
	}
}

func hashChain(d time.Duration) int {
	deadline := time.Now().Add(d)
	h := sha256.Sum256([]byte("seed"))
	n := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 256; i++ {
			h = sha256.Sum256(h[:])
		}
		n++
	}
	return n + int(h[0])
}

func mandelbrot(d time.Duration) int {
	deadline := time.Now().Add(d)
	inside := 0
	for frame := 0; time.Now().Before(deadline); frame++ {
		for y := 0; y < 64; y++ {
			for x := 0; x < 64; x++ {
				c := complex(float64(x)/32-1.5, float64(y)/32-1)
				z := complex(0, 0)
				i := 0
				for ; i < 200 && real(z)*real(z)+imag(z)*imag(z) < 4; i++ {
					z = z*z + c
				}
				if i == 200 {
					inside++
				}
			}
		}
	}
	return inside
}

func sortShuffle(d time.Duration) int {
	deadline := time.Now().Add(d)
	xs := make([]float64, 4096)
	rounds := 0
	for time.Now().Before(deadline) {
		for i := range xs {
			xs[i] = math.Sin(float64(i*rounds + i))
		}
		sort.Float64s(xs)
		rounds++
	}
	return rounds
}
