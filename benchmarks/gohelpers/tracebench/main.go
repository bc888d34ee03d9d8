// Command tracebench measures Go's own trace reader (internal/trace): it reads the
// whole file into memory, then parses it three times and prints the best time.
//
// Usage: tracebench TRACE [sum]
//
// With "sum", every event also goes through Go's summarizer (what `go tool trace`
// computes for its goroutine, region and task pages), finalized inside the timing.
// Output, one line:
//
//	events=N bytes=N best=DURATION  X.XX Mev/s  Y.Y MB/s
//
// internal/trace is internal to the Go tree, so benchmarks/conftest.py builds this
// file as a package of GOROOT/src/cmd (through a -overlay, without writing into GOROOT).
package main

import (
	"bytes"
	"fmt"
	"internal/trace"
	"io"
	"os"
	"time"
)

// parse reads every event of data once; it returns the event count and the time taken.
func parse(data []byte, summarize bool) (int, time.Duration, error) {
	start := time.Now()
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		return 0, 0, err
	}
	var sum *trace.Summarizer
	if summarize {
		sum = trace.NewSummarizer()
	}
	n := 0
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF { // exactly io.EOF: the end; a wrapped EOF is a truncated trace
			break
		} else if err != nil {
			return n, 0, err
		}
		if sum != nil {
			sum.Event(&ev)
		}
		n++
	}
	if sum != nil {
		sum.Finalize()
	}
	return n, time.Since(start), nil
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 || (len(os.Args) == 3 && os.Args[2] != "sum") {
		fmt.Fprintln(os.Stderr, "usage: tracebench TRACE [sum]")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var events int
	best := time.Duration(1<<63 - 1)
	for range 3 {
		n, d, err := parse(data, len(os.Args) == 3)
		if err != nil {
			fmt.Fprintf(os.Stderr, "tracebench: %v (after %d events)\n", err, n)
			os.Exit(1)
		}
		events, best = n, min(best, d)
	}
	fmt.Printf("events=%d bytes=%d best=%v  %.2f Mev/s  %.1f MB/s\n", events, len(data), best,
		float64(events)/best.Seconds()/1e6, float64(len(data))/best.Seconds()/1e6)
}
