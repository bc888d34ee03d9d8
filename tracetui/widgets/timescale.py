"""Time on screen: durations as text, and the ticks of the time axis.

Times on the axis are relative to the trace's first event; the ticks fall on round
numbers (1, 2 or 5 times a power of ten nanoseconds) spaced so that their labels
never collide, whatever the zoom.
"""
from __future__ import annotations

import math

from tracetui.units import format_duration, format_time

_UNITS = (("s", 1_000_000_000), ("ms", 1_000_000), ("µs", 1_000), ("ns", 1))


def fmt_dur(ns: int | float, sig: int = 3) -> str:
    """A duration with `sig` significant digits (tracetui.units.format_duration): 1.23ms, 456µs, 12ns."""
    return format_duration(ns, sig)


def fmt_time(ns: int, resolution: float) -> str:
    """A point in time (ns from the trace start) to the precision of `resolution` ns (tracetui.units)."""
    return format_time(ns, resolution)


def _label(t: int, step: int) -> str:
    """Tick label for t on a grid of `step`: the largest unit the step reaches a tenth of."""
    unit, div = next(((u, d) for u, d in _UNITS if step * 10 >= d), ("ns", 1))
    decimals = max(0, math.ceil(-math.log10(step / div))) if step < div else 0
    return f"{t / div:.{decimals}f}{unit}"


def _steps():
    p = 1
    while True:
        for m in (1, 2, 5):
            yield m * p
        p *= 10


def _labels(first: int, step: int, n: int) -> list[str]:
    """Labels of n ticks from `first`: absolute when short, else the first absolute and the rest +offsets."""
    last = _label(first + (n - 1) * step, step)
    if len(last) <= 8:
        return [_label(first + k * step, step) for k in range(n)]
    return [fmt_time(first, step)] + [f"+{fmt_dur(k * step)}" for k in range(1, n)]


def ticks(t0: int, t1: int, ncols: int) -> tuple[list[tuple[int, str]], int]:
    """([(column, label)], step) of the axis over [t0, t1) in ncols columns, times relative."""
    if ncols <= 0 or t1 <= t0:
        return [], 1
    per_col = (t1 - t0) / ncols
    for step in _steps():
        if step / per_col < 4:  # no label fits in fewer than 4 columns
            continue
        first = -(-t0 // step) * step
        n = max(1, int((t1 - first) // step) + 1)
        ends = _labels(first, step, n) if n <= 2 else [_labels(first, step, 2)[0], _labels(first, step, n)[-1]]
        if step / per_col >= max(map(len, ends)) + 2:
            break
    labels = _labels(first, step, n)
    cols = [int((first + k * step - t0) / per_col) for k in range(n)]
    return [(c, lab) for c, lab in zip(cols, labels) if c < ncols], step


def axis_line(t0: int, t1: int, ncols: int) -> str:
    """The axis as text: '│' at each tick, its label after it (t0, t1 relative to the trace start)."""
    line = [" "] * ncols
    for col, label in ticks(t0, t1, ncols)[0]:
        text = "│" + label
        for i, ch in enumerate(text[: ncols - col]):
            line[col + i] = ch
    return "".join(line)
