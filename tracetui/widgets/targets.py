"""Where a jump to a region or a task lands: the lane, the row and a cursor *inside* the
target, so the details panel (which describes what is under the cursor) names it.

`region_target(rows, ri)`: the region's own row (its goroutine's region row at its
depth), the cursor at its middle. `task_target(rows, k)`: the task's first region (by
start) if it has one, the cursor in the middle of that region's part inside the task;
else the goroutine that began (or ended) the task, the cursor in the task's middle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracetui.widgets.details import task_range


@dataclass(frozen=True)
class Target:
    goroutine: int | None  # dense index; None: no lane (a task without events of a goroutine)
    depth: int             # region row depth, -1: the goroutine's own lane
    t0: int                # the view
    t1: int
    cursor: int


def _padded(t0: int, t1: int) -> tuple[int, int]:
    pad = max((t1 - t0) // 10, 1000)
    return t0 - pad, t1 + pad


def region_depth(rows, ri: int) -> int:
    """The nesting depth of region ri (summary.regions index) in its goroutine (-1: not drawn)."""
    pos = np.flatnonzero(rows.region_idx == ri)
    return int(rows._rkey[pos[0]] % 1024) if len(pos) else -1


def region_target(rows, ri: int, within: tuple[int, int] | None = None) -> Target:
    r = rows.model.summary.regions
    start, end = int(r["start"][ri]), int(r["end"][ri])
    lo, hi = (max(start, within[0]), min(end, within[1])) if within else (start, end)
    if hi <= lo:
        lo, hi = start, end
    t0, t1 = _padded(start, end)
    return Target(int(r["goroutine"][ri]), region_depth(rows, ri), t0, t1, (lo + hi) // 2)


def task_regions(rows, k: int) -> np.ndarray:
    """The drawn regions of task k (summary.tasks index), by start time."""
    r = rows.model.summary.regions
    idx = rows.region_idx
    mine = idx[r["task"][idx] == rows.model.summary.tasks["id"][k]]
    return mine[np.argsort(r["start"][mine], kind="stable")]


def task_target(rows, k: int) -> Target:
    start, end = task_range(rows, k)
    regions = task_regions(rows, k)
    if len(regions):
        target = region_target(rows, int(regions[0]), (start, end))
        t0, t1 = _padded(min(start, target.t0), max(end, target.t1))
        return Target(target.goroutine, target.depth, t0, t1, target.cursor)
    tasks, tr = rows.model.summary.tasks, rows.trace
    g = None
    for row in (int(tasks["start_row"][k]), int(tasks["end_row"][k])):
        if row >= 0 and tr.g[row] >= 0:
            g = int(tr.g[row])
            break
    return Target(g, -1, *_padded(start, end), (start + end) // 2)
