// Command traceprog runs one scenario under runtime/trace and writes the
// execution trace to a file. It is used by ../generate.py to produce the
// sample traces committed under traces/go1.NN/ and by
// benchmarks/bigtrace.py to produce a large benchmark trace.
//
// Usage:
//
//	traceprog SCENARIO OUT.trace [TARGET_BYTES]
//	traceprog -list
//
// TARGET_BYTES is only used by the "busy" scenario: it keeps running until
// that many bytes of trace have been written.
//
// Exit status: 0 on success, 2 on bad usage, 3 when the scenario is not
// available in this build (e.g. "iter" under Go 1.22, "cgo" without cgo);
// the reason is printed on stderr as "skip: REASON".
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"sort"
	"strconv"
	"sync/atomic"
)

// Env is what a scenario gets from main.
type Env struct {
	// Out counts the bytes of trace written so far.
	Out *countingWriter
	// Limit is the requested trace size in bytes (0 if none given).
	Limit int64
}

// Scenario is one workload.
type Scenario struct {
	// Doc is a one-line description.
	Doc string
	// Unsupported, if not empty, says why this build can't run it.
	Unsupported string
	// Setup runs before tracing starts (optional). It can start
	// goroutines, tasks and regions that are already in flight when the
	// trace begins.
	Setup func(env *Env)
	// Run runs while tracing. Tracing stops when it returns.
	Run func(env *Env)
	// SelfTraced scenarios write their own trace to env.Out (e.g. a
	// flight recorder's window): main does not call trace.Start/Stop.
	SelfTraced bool
	// After runs after tracing has stopped (optional), e.g. to release
	// goroutines that were kept blocked across trace.Stop.
	After func(env *Env)
}

var scenarios = map[string]*Scenario{}

func register(name string, s *Scenario) {
	if _, dup := scenarios[name]; dup {
		panic("duplicate scenario " + name)
	}
	scenarios[name] = s
}

// countingWriter counts bytes written through it. runtime/trace writes from
// its own goroutine, so the count is atomic.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Count returns the number of trace bytes written so far.
func (c *countingWriter) Count() int64 { return c.n.Load() }

func usage() {
	fmt.Fprintf(os.Stderr, "usage: traceprog SCENARIO OUT.trace [TARGET_BYTES]\n       traceprog -list\n")
	os.Exit(2)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-list" {
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			s := scenarios[n]
			status := "ok"
			if s.Unsupported != "" {
				status = "skip: " + s.Unsupported
			}
			fmt.Printf("%-12s %s [%s]\n", n, s.Doc, status)
		}
		return
	}
	if len(os.Args) < 3 || len(os.Args) > 4 {
		usage()
	}
	name, out := os.Args[1], os.Args[2]
	sc, ok := scenarios[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", name)
		os.Exit(2)
	}
	if sc.Unsupported != "" {
		fmt.Fprintf(os.Stderr, "skip: %s\n", sc.Unsupported)
		os.Exit(3)
	}
	env := &Env{}
	if len(os.Args) == 4 {
		n, err := strconv.ParseInt(os.Args[3], 10, 64)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bad TARGET_BYTES %q\n", os.Args[3])
			os.Exit(2)
		}
		env.Limit = n
	}

	// A fixed GOMAXPROCS gives every trace the same shape (4 Ps),
	// whatever machine generates it.
	runtime.GOMAXPROCS(4)

	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	env.Out = &countingWriter{w: bw}

	if sc.Setup != nil {
		sc.Setup(env)
	}
	if !sc.SelfTraced {
		if err := trace.Start(env.Out); err != nil {
			fmt.Fprintln(os.Stderr, "trace.Start:", err)
			os.Exit(1)
		}
	}
	sc.Run(env)
	if !sc.SelfTraced {
		trace.Stop()
	}
	if sc.After != nil {
		sc.After(env)
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes\n", out, env.Out.Count())
}
