// goregionblock prints, as JSON, every region Go's summarizer lists per goroutine
// with its interval (cmd/trace's regionInterval: a missing begin is the trace's first
// event, a missing end its last) and its block time by reason
// (UserRegionSummary.GoroutineExecStats.BlockTimeByReason), for tests/reports.
// Built inside a Go toolchain's GOROOT/src/cmd so it may import internal/trace.
package main

import (
	"bytes"
	"encoding/json"
	"internal/trace"
	"io"
	"os"
)

type region struct {
	Name      string           `json:"name"`
	Goroutine int64            `json:"goroutine"`
	Task      uint64           `json:"task"`
	Start     int64            `json:"start"`
	End       int64            `json:"end"`
	Block     map[string]int64 `json:"block_ns"`
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		panic(err)
	}
	s := trace.NewSummarizer()
	var first, last int64
	n := 0
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			break // as traceoracle: summarize what was read
		}
		if n == 0 {
			first = int64(ev.Time())
		}
		last = int64(ev.Time())
		n++
		s.Event(&ev)
	}
	out := []region{}
	for _, g := range s.Finalize().Goroutines {
		for _, rg := range g.Regions {
			y := region{Name: rg.Name, Goroutine: int64(g.ID), Task: uint64(rg.TaskID), Start: first, End: last,
				Block: map[string]int64{}}
			if rg.Start != nil {
				y.Start = int64(rg.Start.Time())
			}
			if rg.End != nil {
				y.End = int64(rg.End.Time())
			}
			for k, v := range rg.BlockTimeByReason {
				y.Block[k] = int64(v)
			}
			out = append(out, y)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
