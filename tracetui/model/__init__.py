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

from functools import cached_property

from tracetui.model import points
from tracetui.model.gc import GC, gc_facts
from tracetui.model.lanes import GoroutineLanes, goroutine_lanes_of
from tracetui.model.procs import GoroutineCounts, ProcLanes, ThreadLanes
from tracetui.model.summary import Summary, summarize


class Model:
    """The model of one trace. Its parts are computed on first use, each by one pass
    over the columns, and kept: a report that reads only the summary never builds the
    GC facts or the lanes (`build(trace)` makes them all at once, for the TUI)."""

    def __init__(self, trace):
        self.trace = trace

    @cached_property
    def gc(self) -> GC:
        return gc_facts(self.trace)

    @cached_property
    def summary(self) -> Summary:
        return summarize(self.trace)

    @cached_property
    def _lane_parts(self) -> tuple[GoroutineLanes, ProcLanes, ThreadLanes, GoroutineCounts]:
        return goroutine_lanes_of(self.trace)

    @property
    def lanes(self) -> GoroutineLanes:
        return self._lane_parts[0]

    @property
    def procs(self) -> ProcLanes:
        return self._lane_parts[1]

    @property
    def threads(self) -> ThreadLanes:
        return self._lane_parts[2]

    @property
    def counts(self) -> GoroutineCounts:
        return self._lane_parts[3]

    @cached_property
    def logs(self):
        return points.logs(self.trace)

    @cached_property
    def cpu_samples(self):
        return points.cpu_samples(self.trace)


def build(trace, lazy: bool = False) -> Model:
    """The model of `trace`: every part now, or with `lazy` each part when first read."""
    model = Model(trace)
    if not lazy:
        # GC facts first (small, with short-lived temporaries), then the summarizer, whose
        # working state is the largest and is freed before the lanes exist.
        model.gc, model.summary, model._lane_parts  # noqa: B018
    return model


__all__ = ["GC", "GoroutineCounts", "GoroutineLanes", "Model", "ProcLanes", "Summary", "ThreadLanes", "build"]
