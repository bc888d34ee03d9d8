"""The goroutines report: Go's goroutine analysis (cmd/trace goroutines.go), per
goroutine and grouped by start function.

Numbers are Go's summarizer's (`model.summary`), for the goroutines it lists:
execution, sched wait, syscall execution, syscall block, block time by reason,
time in GC mark assist (a special range: it overlaps the others), total. Groups sum
their goroutines. Block reasons become fields `block_<reason>_ns`, the reason's
words joined by underscores ("chan receive" -> block_chan_receive_ns; an empty
reason -> block_unspecified_ns).
"""
from __future__ import annotations

import re

import numpy as np

TIMES = ("exec", "sched_wait", "syscall", "syscall_block", "block", "assist", "total")


def reason_key(reason: str) -> str:
    return "block_" + (re.sub(r"\W+", "_", reason).strip("_").lower() or "unspecified") + "_ns"


def reason_columns(rows: list[dict], drop: int = 5):
    """Output columns for the `block_<reason>_ns` fields of `rows` (each row given 0 for
    a reason it lacks), sorted by key."""
    from tracetui.reports.output import Column

    keys = sorted({k for r in rows for k in r if k.startswith("block_") and k.endswith("_ns") and k != "block_ns"})
    for r in rows:
        for k in keys:
            r.setdefault(k, 0)
    return [Column(k, k.removeprefix("block_").removesuffix("_ns").replace("_", " "), "ns", drop) for k in keys]


def _columns(model) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Live goroutine indices, their TIMES and their block time per reason key."""
    S, tr = model.summary, model.trace
    G = S.goroutines
    live = np.flatnonzero(G["live"])
    n = len(G["live"])
    times = {k: G[k].astype(np.int64) for k in ("exec", "sched_wait", "syscall", "syscall_block", "total")}
    by_reason: dict[str, np.ndarray] = {}
    block = np.zeros(n, np.int64)
    if len(S.goroutine_block):
        gb = np.array(S.goroutine_block, np.int64)
        np.add.at(block, gb[:, 0], gb[:, 2])
        for r in np.unique(gb[:, 1]).tolist():
            sel = gb[gb[:, 1] == r]
            col = by_reason.setdefault(reason_key(tr.strings[r]), np.zeros(n, np.int64))
            np.add.at(col, sel[:, 0], sel[:, 2])
    times["block"] = block
    assist = np.zeros(n, np.int64)
    if "GC mark assist" in S.range_names and len(S.goroutine_ranges):
        gr = np.array(S.goroutine_ranges, np.int64)
        sel = gr[gr[:, 1] == S.range_names.index("GC mark assist")]
        np.add.at(assist, sel[:, 0], sel[:, 2])
    times["assist"] = assist
    return live, {k: v[live] for k, v in times.items()}, {k: by_reason[k][live] for k in sorted(by_reason)}


def goroutine_rows(model) -> list[dict]:
    """One row per goroutine: id, name (start function), the TIMES as `<time>_ns` and
    block time per reason."""
    tr = model.trace
    live, times, reasons = _columns(model)
    ids = tr.goroutine_ids[live].tolist()
    names = model.summary.goroutines["name"][live].tolist()
    cols = {f"{k}_ns": v.tolist() for k, v in times.items()} | {k: v.tolist() for k, v in reasons.items()}
    return [{"id": ids[i], "name": tr.strings[names[i]], **{k: v[i] for k, v in cols.items()}}
            for i in range(len(live))]


def goroutine_groups(model) -> list[dict]:
    """One row per start function: name, count, and the sums of goroutine_rows' times,
    largest execution time first (as `go tool trace` orders them)."""
    tr = model.trace
    live, times, reasons = _columns(model)
    uniq, group = np.unique(model.summary.goroutines["name"][live], return_inverse=True)
    n = len(uniq)
    count = np.bincount(group, minlength=n)
    sums = {f"{k}_ns": np.bincount(group, weights=v, minlength=n) for k, v in times.items()}
    sums |= {k: np.bincount(group, weights=v, minlength=n) for k, v in reasons.items()}
    rows = [{"name": tr.strings[int(uniq[i])], "count": int(count[i]), **{k: int(v[i]) for k, v in sums.items()}}
            for i in range(n)]
    return sorted(rows, key=lambda r: (-r["exec_ns"], r["name"]))
