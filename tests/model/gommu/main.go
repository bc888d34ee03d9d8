// gommu prints, as JSON, Go's mutator utilization function and minimum mutator
// utilization (MMU) for a trace, with the flags `go tool trace`'s MMU page uses by
// default (system view; STW, background workers and mark assists; no sweep):
//
//	gommu TRACE WINDOW_NS...
//	{"util": [[time, util], ...], "mmu": {"WINDOW_NS": mmu, ...}}
//
// It must be built inside GOROOT/src/cmd to import internal/trace
// (tests/model/test_mmu.py does that and caches the binary).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"internal/trace"
	"io"
	"os"
	"strconv"
	"time"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var events []trace.Event
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		events = append(events, ev)
	}
	flags := trace.UtilSTW | trace.UtilBackground | trace.UtilAssist
	util := trace.MutatorUtilizationV2(events, flags)
	out := struct {
		Util [][2]float64      `json:"util"`
		MMU  map[string]float64 `json:"mmu"`
	}{MMU: map[string]float64{}}
	if len(util) > 0 {
		for _, u := range util[0] {
			out.Util = append(out.Util, [2]float64{float64(u.Time), u.Util})
		}
		curve := trace.NewMMUCurve(util)
		for _, a := range os.Args[2:] {
			w, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			out.MMU[a] = curve.MMU(time.Duration(w))
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
