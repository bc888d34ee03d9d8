// Command traceoracle prints, as one JSON object, what Go's own trace reader and
// summarizer (internal/trace) make of a trace file: the event count, counts by
// kind, the first and last event times, every region of every goroutine with its
// interval as cmd/trace computes it, per-goroutine execution stats, and tasks.
//
// Usage: traceoracle TRACE
//
// A region with no begin in the trace starts at the first event's time, one with no
// end ends at the last event's time. A read error stops the read; the summary of
// what was read is still printed, with "error" set. internal/trace is internal to
// the Go tree, so tests/goref.py builds this file as a package of GOROOT/src/cmd
// (through a -overlay, without writing into GOROOT).
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"internal/trace"
	"io"
	"os"
	"slices"
	"time"
)

type regionJSON struct {
	Name      string `json:"name"`
	Goroutine int64  `json:"goroutine"`
	Task      uint64 `json:"task"`
	Start     int64  `json:"start"`
	End       int64  `json:"end"`
	HasStart  bool   `json:"has_start"`
	HasEnd    bool   `json:"has_end"`
}

type goroutineJSON struct {
	ID             int64            `json:"id"`
	Name           string           `json:"name"`
	ExecNs         int64            `json:"exec_ns"`
	SchedWaitNs    int64            `json:"sched_wait_ns"`
	SyscallNs      int64            `json:"syscall_ns"`
	SyscallBlockNs int64            `json:"syscall_block_ns"`
	TotalNs        int64            `json:"total_ns"`
	BlockNs        map[string]int64 `json:"block_ns"`
	RangeNs        map[string]int64 `json:"range_ns"`
	Regions        int              `json:"regions"`
}

type taskJSON struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	Parent     uint64 `json:"parent"`
	Complete   bool   `json:"complete"`
	Logs       int    `json:"logs"`
	Regions    int    `json:"regions"`
	Goroutines int    `json:"goroutines"`
}

type report struct {
	Events     int             `json:"events"`
	Kinds      map[string]int  `json:"kinds"`
	Start      int64           `json:"start"`
	End        int64           `json:"end"`
	Regions    []regionJSON    `json:"regions"`
	Goroutines []goroutineJSON `json:"goroutines"`
	Tasks      []taskJSON      `json:"tasks"`
	Error      string          `json:"error,omitempty"`
}

func nanos(m map[string]time.Duration) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	return out
}

// summarize reads every event it can, feeding Go's summarizer.
func summarize(data []byte) report {
	rep := report{Kinds: map[string]int{}}
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	sum := trace.NewSummarizer()
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF { // exactly io.EOF: the end; a wrapped EOF is a truncated trace
			break
		} else if err != nil {
			rep.Error = err.Error()
			break
		}
		t := int64(ev.Time())
		if rep.Events == 0 {
			rep.Start = t
		}
		rep.End = t
		rep.Events++
		rep.Kinds[ev.Kind().String()]++
		sum.Event(&ev)
	}
	s := sum.Finalize()

	for id, g := range s.Goroutines {
		rep.Goroutines = append(rep.Goroutines, goroutineJSON{
			ID: int64(id), Name: g.Name,
			ExecNs: int64(g.ExecTime), SchedWaitNs: int64(g.SchedWaitTime),
			SyscallNs: int64(g.SyscallTime), SyscallBlockNs: int64(g.SyscallBlockTime),
			TotalNs: int64(g.TotalTime),
			BlockNs: nanos(g.BlockTimeByReason), RangeNs: nanos(g.RangeTime),
			Regions: len(g.Regions),
		})
		for _, reg := range g.Regions {
			rj := regionJSON{Name: reg.Name, Goroutine: int64(id), Task: uint64(reg.TaskID), Start: rep.Start, End: rep.End}
			if reg.Start != nil {
				rj.Start, rj.HasStart = int64(reg.Start.Time()), true
			}
			if reg.End != nil {
				rj.End, rj.HasEnd = int64(reg.End.Time()), true
			}
			rep.Regions = append(rep.Regions, rj)
		}
	}
	for id, t := range s.Tasks {
		tj := taskJSON{ID: uint64(id), Name: t.Name, Complete: t.Complete(), Logs: len(t.Logs),
			Regions: len(t.Regions), Goroutines: len(t.Goroutines)}
		if t.Parent != nil {
			tj.Parent = uint64(t.Parent.ID)
		}
		rep.Tasks = append(rep.Tasks, tj)
	}

	// Map order is random: sort everything by a total order so the output is stable.
	slices.SortFunc(rep.Goroutines, func(a, b goroutineJSON) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(rep.Tasks, func(a, b taskJSON) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(rep.Regions, func(a, b regionJSON) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Goroutine, b.Goroutine),
			cmp.Compare(a.End, b.End), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Task, b.Task))
	})
	return rep
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: traceoracle TRACE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(summarize(data)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
