"""tracetui.model: the trace model the reports and the TUI read.

    from tracetui.model import build
    model = build(trace)               # trace: tracetui.format.Trace
    model.summary.goroutines["exec"]   # Go's summarizer numbers, per goroutine index
    model.gc.stw["end"] - model.gc.stw["start"]

    model.lanes.dominant(g, t0, t1, ncols)   # what goroutine g did in each screen column
    model.procs.dominant(p, t0, t1, ncols)   # which goroutine span ran on P p per column
    model.threads.spans(m)                   # what thread m did
    model.counts.peaks(t0, t1, ncols)        # goroutines running/runnable/waiting/syscall
    model.logs, model.cpu_samples            # tables of rows (tracetui.model.points)

Go's summarizer numbers (goroutines, regions, tasks), GC facts, per-goroutine
state lanes, and the proc and thread lanes and goroutine counts of the same pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tracetui.model import points
from tracetui.model.gc import GC, gc_facts
from tracetui.model.lanes import GoroutineLanes, goroutine_lanes_of
from tracetui.model.procs import GoroutineCounts, ProcLanes, ThreadLanes
from tracetui.model.summary import Summary, summarize


@dataclass(eq=False)
class Model:
    trace: object
    summary: Summary
    gc: GC
    lanes: GoroutineLanes
    procs: ProcLanes
    threads: ThreadLanes
    counts: GoroutineCounts

    @cached_property
    def logs(self):
        return points.logs(self.trace)

    @cached_property
    def cpu_samples(self):
        return points.cpu_samples(self.trace)


def build(trace) -> Model:
    # GC facts first (small, with short-lived temporaries), then the summarizer, whose
    # working state is the largest and is freed before the lanes exist.
    gc = gc_facts(trace)
    summary = summarize(trace)
    lanes, procs, threads, counts = goroutine_lanes_of(trace)
    return Model(trace=trace, summary=summary, gc=gc, lanes=lanes, procs=procs, threads=threads, counts=counts)


__all__ = ["GC", "GoroutineCounts", "GoroutineLanes", "Model", "ProcLanes", "Summary", "ThreadLanes", "build"]
