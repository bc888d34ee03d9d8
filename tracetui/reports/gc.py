"""The gc report: GC cycles, stop-the-world pauses by kind, mark assists, the heap
over time and the minimum mutator utilization, from `model.gc` and `model.mmu`.

- `gc_summary`: one record: trace duration, cycles, time in the concurrent mark
  phase (and its share of the trace), STW pauses (count, total, max), mark assists
  (count, total, max);
- `stw_by_kind`: per STW kind (Go's reason, e.g. "GC mark termination"), then all
  together as kind "(all)": count and the duration statistics;
- `heap_series`: heap in use (/memory/classes/heap/objects:bytes) and the heap goal:
  min, max and last value;
- `mmu_rows`: MMU per window (default 1ms, 10ms, 100ms, 1s) with the inputs of
  `go tool trace`'s MMU page (its numbers with as_go; see tracetui.model.mmu for why
  they differ);
- `cycle_rows`: one row per GC cycle.
"""
from __future__ import annotations

import numpy as np

from tracetui.model.mmu import mmu, mutator_utilization
from tracetui.reports.durations import STATS, group_stats

MMU_WINDOWS_NS = (1_000_000, 10_000_000, 100_000_000, 1_000_000_000)


def _span(trace) -> tuple[int, int]:
    return (int(trace.time[0]), int(trace.time[-1])) if len(trace) else (0, 0)


def gc_summary(model) -> dict:
    gc = model.gc
    t0, t1 = _span(model.trace)
    mark = gc.cycles["end"] - gc.cycles["start"]
    stw = gc.stw["end"] - gc.stw["start"]
    assist = gc.assists["end"] - gc.assists["start"]
    duration = t1 - t0
    return {
        "duration_ns": duration,
        "cycles": len(mark),
        "mark_ns": int(mark.sum()),
        "mark_share": float(mark.sum() / duration) if duration else 0.0,
        "stw_count": len(stw), "stw_total_ns": int(stw.sum()), "stw_max_ns": int(stw.max(initial=0)),
        "assist_count": len(assist), "assist_total_ns": int(assist.sum()),
        "assist_max_ns": int(assist.max(initial=0)),
    }


def stw_by_kind(model) -> list[dict]:
    """Per STW kind, most total time first, then "(all)"."""
    gc, strings = model.gc, model.trace.strings
    d = gc.stw["end"] - gc.stw["start"]
    kinds, group = np.unique(gc.stw["kind"], return_inverse=True)
    group = np.asarray(group).reshape(-1)
    per = group_stats(group, d, len(kinds))
    every = group_stats(np.zeros(len(d), np.int64), d, 1)
    rows = [{"kind": strings[int(k)], **_stat_fields(per, i)} for i, k in enumerate(kinds)]
    rows.sort(key=lambda r: (-r["total_ns"], r["kind"]))
    if len(d):
        rows.append({"kind": "(all)", **_stat_fields(every, 0)})
    return rows


def _stat_fields(st: dict, i: int) -> dict:
    return {"count": int(st["count"][i]), **{f"{s}_ns": int(st[s][i]) for s in STATS[1:]}}


def heap_series(model) -> list[dict]:
    rows = []
    for name, (_times, values) in (("heap in use", model.gc.heap_alloc), ("heap goal", model.gc.heap_goal)):
        v = np.asarray(values, np.int64)
        if len(v):
            rows.append({"metric": name, "samples": len(v), "min_bytes": int(v.min()), "max_bytes": int(v.max()),
                         "end_bytes": int(v[-1])})
    return rows


def mmu_rows(model, windows=MMU_WINDOWS_NS, as_go: bool = False) -> list[dict]:
    """MMU per window; as_go: Go's numbers, bugs included (see tracetui.model.mmu)."""
    times, utils = mutator_utilization(model.trace, as_go=as_go)
    return [{"window_ns": int(w), "mmu": float(m)} for w, m in zip(windows, mmu(times, utils, windows, as_go=as_go))]


def cycle_rows(model) -> list[dict]:
    """One row per GC cycle (concurrent mark phase): seq, start_ns (from the trace's
    first event), duration_ns, and the mark assist time inside it."""
    gc = model.gc
    t0, _ = _span(model.trace)
    c = gc.cycles
    rows = []
    for seq, s, e in zip(np.asarray(c["seq"]).tolist(), c["start"].tolist(), c["end"].tolist()):
        rows.append({"seq": int(seq), "start_ns": s - t0, "duration_ns": e - s,
                     "assist_ns": _overlap(gc.assists, s, e)})
    return rows


def _overlap(ranges: dict, s: int, e: int) -> int:
    return int(np.clip(np.minimum(ranges["end"], e) - np.maximum(ranges["start"], s), 0, None).sum())
