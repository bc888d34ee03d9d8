"""tracetui.model: the trace model the reports and the TUI read.

    from tracetui.model import build
    model = build(trace)               # trace: tracetui.format.Trace
    model.summary.goroutines["exec"]   # Go's summarizer numbers, per goroutine index
    model.gc.stw["end"] - model.gc.stw["start"]

    model.lanes.dominant(g, t0, t1, ncols)   # what goroutine g did in each screen column

Built so far: Go's summarizer numbers (goroutines, regions, tasks), GC facts and
per-goroutine state lanes.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.gc import GC, gc_facts
from tracetui.model.lanes import GoroutineLanes, goroutine_lanes_of
from tracetui.model.summary import Summary, summarize


@dataclass(eq=False)
class Model:
    trace: object
    summary: Summary
    gc: GC
    lanes: GoroutineLanes


def build(trace) -> Model:
    return Model(trace=trace, summary=summarize(trace), gc=gc_facts(trace), lanes=goroutine_lanes_of(trace))


__all__ = ["GC", "GoroutineLanes", "Model", "Summary", "build"]
