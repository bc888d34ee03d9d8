"""The gc report against Go: STW pauses and the heap metric from
`go tool trace -d=parsed`, mark assist time from Go's summarizer (traceoracle),
MMU from the model (tests/model/test_mmu.py checks it against Go)."""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pytest

from tests import goref
from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.model.mmu import mmu, mutator_utilization
from tracetui.reports.gc import MMU_WINDOWS_NS, cycle_rows, gc_summary, heap_series, mmu_rows, stw_by_kind

RANGE = re.compile(r'^M=\S+ P=\S+ G=\S+ Range(Begin|End) Time=(\d+) Name="stop-the-world \((.*?)\)" '
                   r'Scope=Goroutine\((-?\d+)\)', re.M)
HEAP = re.compile(r'Metric Time=\d+ Name="/memory/classes/heap/objects:bytes" Value=Value\{Uint64\((\d+)\)\}')


def go_parsed(path) -> str:
    goref.require_go()
    out, _, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0
    return out.decode("utf-8", "surrogateescape")


def go_stw(text: str, first: int, last: int) -> dict[str, list[int]]:
    """STW durations per kind, pairing Go's RangeBegin/RangeEnd per goroutine."""
    open_at, out = {}, defaultdict(list)
    for kind_, t, name, g in RANGE.findall(text):
        if kind_ == "Begin":
            open_at[(g, name)] = int(t)
        else:
            out[name].append(int(t) - open_at.pop((g, name), first))
    for (g, name), t in open_at.items():
        out[name].append(last - t)
    return out


@pytest.mark.parametrize("path", [p for p in TRACES if p.name in ("gc.trace", "mixed.trace", "net.trace")],
                         ids=trace_id)
def test_stw_and_heap_equal_go(path):
    model = model_of(path)
    text = go_parsed(path)
    want = go_stw(text, int(model.trace.time[0]), int(model.trace.time[-1]))
    rows = {r["kind"]: r for r in stw_by_kind(model)}
    assert set(rows) - {"(all)"} == set(want)
    for kind, d in want.items():
        d = np.array(d)
        r = rows[kind]
        assert (r["count"], r["total_ns"], r["max_ns"], r["min_ns"]) == (len(d), d.sum(), d.max(), d.min())
        assert r["p99_ns"] == int(np.percentile(d, 99, method="inverted_cdf"))
    if want:
        everything = np.concatenate([np.array(v) for v in want.values()])
        assert (rows["(all)"]["count"], rows["(all)"]["max_ns"]) == (len(everything), everything.max())
    else:  # no stop-the-world at all (go1.21/net: a short old trace)
        assert not rows or rows["(all)"]["count"] == 0
    heap = [int(v) for v in HEAP.findall(text)]
    (in_use,) = [r for r in heap_series(model) if r["metric"] == "heap in use"]
    assert (in_use["samples"], in_use["min_bytes"], in_use["max_bytes"], in_use["end_bytes"]) == \
        (len(heap), min(heap), max(heap), heap[-1])


@pytest.mark.parametrize("path", [p for p in TRACES if p.name != "cgo.trace"], ids=trace_id)
def test_assist_time_equals_go(oracle, path):
    """Mark assist time in total equals the sum of Go's per-goroutine "GC mark assist"
    range time. (Not on cgo traces: there a cgo callback goroutine dies and is created
    again, and Go's summary keeps only its last life.)"""
    go = sum(g["range_ns"].get("GC mark assist", 0) for g in oracle(path)["goroutines"])
    assert gc_summary(model_of(path))["assist_total_ns"] == go


def test_summary_and_cycles_agree():
    path = next(p for p in TRACES if p.name == "gc.trace" and p.parent.name == "go1.27")
    model = model_of(path)
    s = gc_summary(model)
    cycles = cycle_rows(model)
    assert s["cycles"] == len(cycles) > 0
    assert s["mark_ns"] == sum(c["duration_ns"] for c in cycles)
    assert s["stw_count"] == sum(r["count"] for r in stw_by_kind(model) if r["kind"] != "(all)")
    assert all(c["assist_ns"] >= 0 for c in cycles)


def test_mmu_rows_are_the_models_mmu():
    path = next(p for p in TRACES if p.name == "gc.trace" and p.parent.name == "go1.27")
    model = model_of(path)
    rows = mmu_rows(model)
    assert [r["window_ns"] for r in rows] == list(MMU_WINDOWS_NS)
    assert [r["mmu"] for r in rows] == mmu(*mutator_utilization(model.trace), MMU_WINDOWS_NS).tolist()
    assert 0 < rows[0]["mmu"] < 1  # this trace's GC takes part, not all, of its worst 1ms
