"""From time intervals to terminal cells: the drawing rules of every timeline lane.

`Intervals` holds sorted, non-overlapping intervals with a category each (the spans
of one goroutine, the GC cycles, the regions at one nesting depth...) and answers
"how long was each category present in each screen column" with a few searchsorted
calls on cumulative sums, never a scan over the intervals.

`interval_cells` turns that into one character and two colours per column:

- one category fills the column: a blank cell in its colour;
- two categories meet once inside the column (a span starts or ends there): an
  eighth block splits the cell at the edge, left colour as foreground, right colour
  as background;
- anything else mixes states: the cell takes the colour of the category (other than
  the empty gap) with the most time, shaded with the runner-up ('░'), so a short
  event never vanishes however far out the view is zoomed.

`to_segments` run-length encodes the cells into rich Segments.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment

from tracetui.widgets._intervals import by_category
from tracetui.widgets.palette import GAP, style

EIGHTHS = " ▏▎▍▌▋▊▉█"
SPARK = " ▁▂▃▄▅▆▇█"
MIXED = "░"


class Intervals:
    """Sorted non-overlapping intervals [start, end) with a category (uint8, never GAP).

    Each category present keeps its own intervals' starts and the cumulative sum of their
    durations (`parts`, split by a compiled pass), so the time a category covers up to
    any instant is one searchsorted away.
    """

    def __init__(self, start: np.ndarray, end: np.ndarray, cat: np.ndarray, ncat: int, ordered: bool = False):
        """`ordered`: the caller vouches that start ascends and no end comes before its start."""
        start = np.asarray(start, np.int64)
        if not ordered and len(start) > 1 and not (start[1:] >= start[:-1]).all():
            order = np.argsort(start, kind="stable")
            start, end, cat = start[order], np.asarray(end)[order], np.asarray(cat)[order]
        self.start = np.ascontiguousarray(start)
        self.end = np.ascontiguousarray(end, np.int64)
        self.cat = np.ascontiguousarray(cat, np.uint8)
        self.ncat = ncat
        self.parts = by_category(self.start, self.end, self.cat, clamp=not ordered)

    def __len__(self) -> int:
        return len(self.start)

    def times(self, bounds: np.ndarray) -> np.ndarray:
        """(ncat, len(bounds)-1): time of each category between consecutive bounds."""
        out = np.zeros((self.ncat, len(bounds) - 1), np.int64)
        for k, start, cum in self.parts:
            j = np.searchsorted(start, bounds, side="right") - 1
            jj = np.maximum(j, 0)
            f = np.where(j >= 0, cum[jj] + np.clip(bounds - start[jj], 0, cum[jj + 1] - cum[jj]), 0)
            out[k] = np.diff(f)
        return out

    def columns(self, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times, left, right): `times(bounds)`, and the category at each column's first
        and last instant, what `column_cells` draws from."""
        return self.times(bounds), self.at(bounds[:-1]), self.at(bounds[1:] - 1)

    def at(self, t: np.ndarray) -> np.ndarray:
        """Category present at each instant (GAP where none)."""
        if len(self.start) == 0:
            return np.zeros(len(t), np.uint8)
        j = np.searchsorted(self.start, t, side="right") - 1
        jj = np.maximum(j, 0)
        inside = (j >= 0) & (t < self.end[jj])
        return np.where(inside, self.cat[jj], GAP).astype(np.uint8)

    def index_at(self, t: int) -> int:
        """Index of the interval containing t, or -1."""
        j = int(np.searchsorted(self.start, t, side="right")) - 1
        return j if j >= 0 and t < self.end[j] else -1

    def visible(self, t0: int, t1: int) -> np.ndarray:
        """Indices of the intervals that overlap [t0, t1)."""
        lo = max(int(np.searchsorted(self.start, t0, side="right")) - 1, 0)
        hi = int(np.searchsorted(self.start, t1, side="left"))
        idx = np.arange(lo, hi)
        return idx[self.end[idx] > t0]


def column_bounds(t0: int, t1: int, ncols: int) -> np.ndarray:
    return np.linspace(t0, t1, ncols + 1).round().astype(np.int64)


def interval_cells(times: np.ndarray, width: np.ndarray, left: np.ndarray, right: np.ndarray):
    """Characters (code points) and fg/bg categories of each column.

    times: (ncat, ncols) time per category; width: each column's duration;
    left/right: the category at each column's first and last instant.
    """
    times = times.copy()
    times[GAP] = np.maximum(width - times[1:].sum(axis=0), 0)
    ncols = times.shape[1]
    present = (times > 0).sum(axis=0)
    chars = np.full(ncols, ord(" "), np.uint32)
    fg = np.zeros(ncols, np.uint8)
    bg = np.zeros(ncols, np.uint8)

    solid = present <= 1
    bg[solid] = np.argmax(times[:, solid], axis=0)

    split = (present == 2) & (left != right)
    frac = times[left, np.arange(ncols)] / np.maximum(width, 1)
    eighth = np.clip(np.rint(frac * 8), 1, 7).astype(np.int64)
    chars[split] = np.array([ord(c) for c in EIGHTHS], np.uint32)[eighth[split]]
    fg[split], bg[split] = left[split], right[split]

    mixed = ~solid & ~split
    if mixed.any():
        busy = times[1:, mixed]
        primary = np.argmax(busy, axis=0) + 1
        rest = times[:, mixed].copy()
        rest[primary, np.arange(rest.shape[1])] = -1
        chars[mixed] = ord(MIXED)
        bg[mixed], fg[mixed] = primary, np.argmax(rest, axis=0)
    return chars, fg, bg


def lane_cells(iv: Intervals, bounds: np.ndarray, overlay: Intervals | None = None, under: int = -1):
    """Cells of one lane; `overlay` intervals (e.g. GC assists, same categories) take their time from `under`."""
    return column_cells(*iv.columns(bounds), bounds, overlay, under)


def column_cells(times: np.ndarray, left: np.ndarray, right: np.ndarray, bounds: np.ndarray,
                 overlay: Intervals | None = None, under: int = -1):
    """Cells of one lane from its time per category per column and the categories at
    the columns' edges (what `lane_cells` reads from Intervals), with `overlay` drawn over."""
    if overlay is not None and len(overlay):
        extra = overlay.times(bounds)
        times[under] = np.maximum(times[under] - extra.sum(axis=0), 0)
        times += extra
        for edge, t in ((left, bounds[:-1]), (right, bounds[1:] - 1)):
            o = overlay.at(t)
            edge[o != GAP] = o[o != GAP]
    return interval_cells(times, np.diff(bounds), left, right)


def spark_cells(values: np.ndarray, top: float, cat: int, high: int = -1, high_mask: np.ndarray | None = None):
    """A sparkline: each column's value in eighths of `top` (a non-zero value shows at least
    one eighth); columns of `high_mask` in the `high` colour."""
    ncols = len(values)
    fg = np.full(ncols, cat, np.uint8)
    if top <= 0:
        return np.full(ncols, ord(" "), np.uint32), fg, np.zeros(ncols, np.uint8)
    v = np.asarray(values, np.float64)
    level = np.clip(np.ceil(v / top * 8), 0, 8).astype(np.int64)
    level[(v > 0) & (level == 0)] = 1
    chars = np.array([ord(c) for c in SPARK], np.uint32)[level]
    if high_mask is not None:
        fg[high_mask] = high
    return chars, fg, np.zeros(ncols, np.uint8)


def column_max(times: np.ndarray, values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Per column, the largest value of a step series (sample i holds from times[i] on)."""
    values = np.asarray(values, np.float64)
    if len(times) == 0:
        return np.zeros(len(bounds) - 1)
    first = np.searchsorted(times, bounds[:-1], side="right") - 1
    v = np.where(first >= 0, values[np.maximum(first, 0)], 0.0)
    lo, hi = np.searchsorted(times, [bounds[0], bounds[-1]], side="left")
    col = np.searchsorted(bounds, times[lo:hi], side="right") - 1
    np.maximum.at(v, col, values[lo:hi])
    return v


def to_segments(chars: np.ndarray, fg: np.ndarray, bg: np.ndarray, bold_fg: int = -1,
                under: np.ndarray | None = None) -> list[Segment]:
    """Run-length encoded Segments of the cells (`under`: the columns drawn underlined)."""
    n = len(chars)
    if n == 0:
        return []
    key = (chars.astype(np.int64) << 16) | (fg.astype(np.int64) << 8) | bg.astype(np.int64)
    if under is not None:
        key |= under.astype(np.int64) << 40
    cut = np.flatnonzero(key[1:] != key[:-1]) + 1
    starts = np.concatenate([[0], cut]).tolist()
    ends = np.concatenate([cut, [n]]).tolist()
    ch, f, b = chars.tolist(), fg.tolist(), bg.tolist()
    u = under.tolist() if under is not None else [False] * n
    return [Segment(chr(ch[a]) * (e - a), style(f[a], b[a], f[a] == bold_fg, bool(u[a]))) for a, e in zip(starts, ends)]


def covered_columns(start: np.ndarray, end: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Per column of `bounds`, does it overlap one of the intervals [start[k], end[k])?"""
    n = len(bounds) - 1
    lo = np.clip(np.searchsorted(bounds, start, side="right") - 1, 0, n)  # the column holding the start
    hi = np.clip(np.searchsorted(bounds, end, side="left"), 0, n)         # the first column from the end on
    ok = hi > lo
    d = np.zeros(n + 1, np.int64)
    np.add.at(d, lo[ok], 1)
    np.add.at(d, hi[ok], -1)
    return np.cumsum(d[:-1]) > 0
