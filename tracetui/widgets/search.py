"""Searches over the timeline's lanes: where the selected lane's next span starts
(`next_change`, the n/N keys) and which goroutines have a function in their stacks
(`with_function`, the f key). Binary searches and vectorised scans over the model's
columns: no per-span Python objects."""
from __future__ import annotations

import bisect
import re

import numpy as np

from tracetui.widgets.rows import GOROUTINE, REGION


def next_change(rows, kind: int, i: int, depth: int, t: int, direction: int) -> int | None:
    """The start of the next span (direction 1) after t on a lane, or (-1) of the span in
    force at t if it began before t, else of the one before; None if there is none. A
    binary search over the lane's start times (no per-span arrays)."""
    time = rows.trace.time
    if kind == REGION:
        starts = rows.region_intervals(i, depth)[0].start
        at = lambda j: int(starts[j])  # noqa: E731
        lo, hi = 0, len(starts)
    elif kind == GOROUTINE:
        L = rows.model.lanes
        lo, hi = int(L.offsets[i]), int(L.offsets[i + 1])
        at = lambda j: int(time[L.begin_row[j]])  # noqa: E731
    else:
        lanes = rows.resources(kind)
        lo, hi = int(lanes.offsets[i]), int(lanes.offsets[i + 1])
        spans, begin = lanes.span_index, rows.model.lanes.begin_row
        at = lambda j: int(time[begin[spans[j]]])  # noqa: E731
    j = bisect.bisect_right(range(lo, hi), t, key=at) + lo  # the first span starting after t
    if direction > 0:
        return at(j) if j < hi else None
    k = j - 1
    while k >= lo and at(k) >= t:
        k -= 1
    return at(k) if k >= lo else None


def with_function(rows, text: str) -> np.ndarray:
    """Goroutines with an event whose stack has a function matching the regex `text`
    (re.error on a bad one): what `f` shows."""
    pat = re.compile(text, re.I)
    tr = rows.trace
    if rows._stack_functions is None:
        ids = np.unique(tr.stack[tr.stack > 0])
        rows._stack_functions = (ids, ["\n".join(fn or "" for fn, *_ in tr.frames(int(s))) for s in ids.tolist()])
    ids, functions = rows._stack_functions
    hit = ids[[bool(pat.search(f)) for f in functions]] if len(ids) else ids
    g = tr.g[np.isin(tr.stack, hit)]
    return np.unique(g[g >= 0]).astype(np.int64)
