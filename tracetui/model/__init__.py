"""tracetui.model: the trace model the reports and the TUI read.

    from tracetui.model import build
    model = build(trace)               # trace: tracetui.format.Trace
    model.summary.goroutines["exec"]   # Go's summarizer numbers, per goroutine index
    model.gc.stw["end"] - model.gc.stw["start"]

Built so far: Go's summarizer numbers (goroutines, regions, tasks) and GC facts.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracetui.model.gc import GC, gc_facts
from tracetui.model.summary import Summary, summarize


@dataclass(eq=False)
class Model:
    trace: object
    summary: Summary
    gc: GC


def build(trace) -> Model:
    return Model(trace=trace, summary=summarize(trace), gc=gc_facts(trace))


__all__ = ["GC", "Model", "Summary", "build"]
