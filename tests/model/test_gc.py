"""GC facts from the model against an independent reading of Go's parsed events:
the stop-the-world pauses, mark phases, sweeps and mark assists that
`go tool trace -d=parsed` prints as RangeBegin/RangeActive/RangeEnd lines, paired
here by (name, scope), must equal the model's intervals on every committed trace."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.model import build

LINE = re.compile(rb'^M=\S+ P=\S+ G=\S+ (RangeBegin|RangeActive|RangeEnd) Time=(\d+) Name="([^"]*)" Scope=(\S+)')
FIRST = re.compile(rb"Time=(\d+)")


def go_ranges(text: bytes) -> set[tuple[str, str, int, int]]:
    times = [int(m.group(1)) for m in FIRST.finditer(text)]
    first, last = min(times), max(times)
    open_, out = {}, set()
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        kind, t, name, scope = m.group(1).decode(), int(m.group(2)), m.group(3).decode(), m.group(4).decode()
        key = (name, scope)
        if kind == "RangeEnd":
            out.add((name, scope, open_.pop(key, first), t))
        elif key not in open_:  # an Active re-states an open range
            open_[key] = t
    out.update((name, scope, t, last) for (name, scope), t in open_.items())
    return out


def our_ranges(path) -> set[tuple[str, str, int, int]]:
    tr = read(path)
    gc = build(tr).gc
    gid = lambda i: int(tr.goroutine_ids[i]) if i >= 0 else -1
    pid = lambda i: int(tr.proc_ids[i]) if i >= 0 else -1
    out = set()
    for s, e, kind, g in zip(gc.stw["start"], gc.stw["end"], gc.stw["kind"], gc.stw["goroutine"]):
        out.add((f"stop-the-world ({tr.strings[kind]})", f"Goroutine({gid(g)})", int(s), int(e)))
    for s, e in zip(gc.cycles["start"], gc.cycles["end"]):
        out.add(("GC concurrent mark phase", "None", int(s), int(e)))
    for s, e, p in zip(gc.sweeps["start"], gc.sweeps["end"], gc.sweeps["proc"]):
        out.add(("GC incremental sweep", f"Proc({pid(p)})", int(s), int(e)))
    for s, e, g in zip(gc.assists["start"], gc.assists["end"], gc.assists["goroutine"]):
        out.add(("GC mark assist", f"Goroutine({gid(g)})", int(s), int(e)))
    return out


@pytest.mark.parametrize("path", goref.committed_traces(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_gc_ranges_equal_go(path):
    goref.require_go()
    text, _, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0
    assert our_ranges(path) == go_ranges(text)


def test_gc_trace_has_cycles_and_metrics():
    path = next(p for p in goref.committed_traces() if p.parent.name == "go1.27" and p.name == "gc.trace")
    tr = read(path)
    gc = build(tr).gc
    assert len(gc.cycles["start"]) >= 10
    assert (gc.cycles["end"] > gc.cycles["start"]).all()
    t, heap = gc.heap_alloc
    assert len(t) > 100 and (np.diff(t) > 0).all() and heap.min() > 0
    _, goal = gc.heap_goal
    assert len(goal) >= len(gc.cycles["start"]) - 1
    assert gc.gomaxprocs[1].tolist()[:1] == [4]  # the programs set GOMAXPROCS=4
