package main

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// gc: garbage-collector pressure. A heap that grows to tens of MB, several
// goroutines churning short-lived objects (so the GC runs concurrently with
// them and drafts them into mark assists), explicit runtime.GC() calls
// (stop-the-world phases) and a debug.FreeOSMemory(). Produces GC cycles,
// STW events, sweeps, mark assists and HeapAlloc/HeapGoal metrics.

func init() {
	register("gc", &Scenario{
		Doc: "GC cycles, STW, sweeps, mark assists, heap metrics",
		Run: gcRun,
	})
}

type node struct {
	left, right *node
	payload     [48]byte
	name        string
}

func buildTree(depth int) *node {
	if depth == 0 {
		return &node{name: "leaf"}
	}
	return &node{left: buildTree(depth - 1), right: buildTree(depth - 1)}
}

// churn allocates short-lived garbage for about d.
func churn(d time.Duration, seed int) int {
	deadline := time.Now().Add(d)
	total := 0
	for i := 0; time.Now().Before(deadline); i++ {
		t := buildTree(6 + (i+seed)%4)
		m := make(map[int]string, 32)
		for k := 0; k < 32; k++ {
			m[k] = string(rune('a' + k%26))
		}
		b := make([]byte, 4096+(i%8)*1024)
		total += len(b) + len(m) + len(t.left.name)
	}
	return total
}

func gcRun(*Env) {
	old := debug.SetGCPercent(50) // more frequent cycles
	defer debug.SetGCPercent(old)

	// A growing, long-lived heap.
	var retained [][]byte
	var mu sync.Mutex
	stop := make(chan struct{})
	var grow sync.WaitGroup
	grow.Add(1)
	go func() {
		defer grow.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			chunk := make([]byte, 256<<10)
			for i := 0; i < len(chunk); i += 4096 {
				chunk[i] = byte(i)
			}
			mu.Lock()
			retained = append(retained, chunk)
			mu.Unlock()
			time.Sleep(500 * time.Microsecond)
		}
	}()

	// Allocation churn on all Ps.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			sink = churn(60*time.Millisecond, g)
		}(g)
	}

	time.Sleep(25 * time.Millisecond)
	runtime.GC() // forced, blocking cycle in the middle of the churn
	wg.Wait()

	close(stop)
	grow.Wait()
	mu.Lock()
	n := len(retained)
	retained = retained[:n/2] // drop half: the next cycles free memory
	mu.Unlock()
	runtime.GC()
	debug.FreeOSMemory()
	sink = churn(10*time.Millisecond, 0)
	sink = len(retained)
}
