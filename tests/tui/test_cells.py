"""The drawing rules against a plain per-column computation: time per category per
column, eighth-block edges, mixed cells, sparkline maxima, and the axis ticks."""
from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tracetui.widgets import palette as P
from tracetui.widgets._intervals import span_columns
from tracetui.widgets.cells import EIGHTHS, MIXED, Intervals, column_bounds, column_max, lane_cells
from tracetui.widgets.timescale import ticks


def brute_times(start, end, cat, ncat, bounds):
    out = np.zeros((ncat, len(bounds) - 1), np.int64)
    for s, e, c in zip(start, end, cat):
        for k in range(len(bounds) - 1):
            out[c, k] += max(0, min(e, bounds[k + 1]) - max(s, bounds[k]))
    return out


@st.composite
def intervals(draw):
    n = draw(st.integers(0, 12))
    gaps = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    lens = draw(st.lists(st.integers(0, 80), min_size=n, max_size=n))
    cats = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    start, end, t = [], [], draw(st.integers(-100, 100))
    for g, ln in zip(gaps, lens):
        t += g
        start.append(t)
        end.append(t + ln)
        t += ln
    return np.array(start, np.int64), np.array(end, np.int64), np.array(cats, np.uint8)


@settings(max_examples=300, deadline=None)
@given(intervals(), st.integers(-150, 300), st.integers(1, 600), st.integers(1, 30))
def test_times_equal_plain_sum(iv, t0, span, ncols):
    start, end, cat = iv
    bounds = column_bounds(t0, t0 + span, ncols)
    got = Intervals(start, end, cat, 6).times(bounds)
    assert (got == brute_times(start, end, cat, 6, bounds)).all()


@settings(max_examples=300, deadline=None)
@given(intervals(), st.integers(-150, 300), st.integers(1, 600), st.integers(1, 30))
def test_cells_never_lose_an_interval(iv, t0, span, ncols):
    """Any column an interval touches shows that interval's category or another busy one; an empty
    column is blank; a column with one category throughout is solid."""
    start, end, cat = iv
    bounds = column_bounds(t0, t0 + span, ncols)
    chars, fg, bg = lane_cells(Intervals(start, end, cat, 6), bounds)
    times = brute_times(start, end, cat, 6, bounds)
    width = np.diff(bounds)
    for k in range(ncols):
        busy = times[:, k].sum()
        if busy == 0:
            assert chars[k] == ord(" ") and bg[k] == P.GAP
        elif busy == width[k] and (times[:, k] > 0).sum() == 1:
            assert chars[k] == ord(" ") and bg[k] == np.argmax(times[:, k])
        else:
            shown = {int(fg[k]), int(bg[k])} - {P.GAP}
            assert shown and shown <= set(np.flatnonzero(times[:, k]).tolist())
            assert chr(chars[k]) in EIGHTHS[1:8] + MIXED


@st.composite
def goroutine_spans(draw):
    """A goroutine lane as the model stores it: events at strictly increasing times, the
    rows where spans begin, and end exceptions: a span that ends before the next one
    begins, or the last one ending early (never overlapping: the model's spans do not)."""
    nev = draw(st.integers(1, 40))
    time = np.cumsum(np.array(draw(st.lists(st.integers(1, 30), min_size=nev, max_size=nev)), np.int64)) - 50
    rows = np.array(sorted(draw(st.sets(st.integers(0, nev - 1), max_size=nev))), np.int32)
    cat = np.array(draw(st.lists(st.integers(1, 5), min_size=len(rows), max_size=len(rows))), np.uint8)
    xs = np.array(sorted(draw(st.sets(st.integers(0, max(len(rows) - 1, 0)), max_size=3))) if len(rows) else [],
                  np.int64)
    nxt = np.append(rows[1:], -1)
    xr = np.array([draw(st.integers(int(rows[i]), int(nxt[i]) if nxt[i] >= 0 else nev - 1) | st.just(-1))
                   if nxt[i] < 0 else draw(st.integers(int(rows[i]), int(nxt[i]))) for i in xs.tolist()], np.int32)
    return time, rows, cat, xs, xr


@settings(max_examples=300, deadline=None)
@given(goroutine_spans(), st.integers(-100, 700), st.integers(0, 800), st.integers(1, 30))
def test_span_columns_equal_the_intervals(lane, t0, extra, ncols):
    """The first-frame path of a big lane (read straight from its spans) gives the time per
    category and the edge categories that the lane's Intervals give (columns of 1 ns or
    more, as the timeline's are)."""
    time, rows, cat, xs, xr = lane
    span = ncols + extra
    start = time[rows]
    end = np.append(start[1:], time[-1]) if len(rows) else start.copy()
    end[xs] = time[xr]  # row -1: the last event
    bounds = column_bounds(t0, t0 + span, ncols)
    iv = Intervals(start, end, cat, 6)
    flags = np.zeros(len(rows) + 1, np.uint8)  # + a span of another goroutine after this one
    flags[len(rows) - 1:len(rows)] = 1
    flags[xs] |= 2
    begin_row = np.append(rows, 0).astype(np.int32)
    xs32 = xs.astype(np.int32)
    for lo, spans in ((0, None), (0, np.arange(len(rows), dtype=np.int32))):  # a goroutine's lane, a P's
        times, left, right = span_columns(time, begin_row, flags, xs32, xr, lo, len(rows), spans, cat, bounds, 6)
        assert (times == iv.times(bounds)).all()
        assert (left == iv.at(bounds[:-1])).all() and (right == iv.at(bounds[1:] - 1)).all()


def test_edge_inside_a_cell_is_an_eighth_block():
    """A span from 0 to 30 over columns of 8 ns: column 3 (24..32) is 6/8 covered, left side."""
    iv = Intervals(np.array([0]), np.array([30]), np.array([P.RUN]), 6)
    chars, fg, bg = lane_cells(iv, column_bounds(0, 64, 8))
    assert "".join(map(chr, chars)) == "   " + EIGHTHS[6] + "    "
    assert (fg[3], bg[3]) == (P.RUN, P.GAP) and (bg[:3] == P.RUN).all()
    # starting inside a cell: the left part is the gap, drawn as foreground over the span's colour
    iv = Intervals(np.array([10]), np.array([64]), np.array([P.RUN]), 6)
    chars, fg, bg = lane_cells(iv, column_bounds(0, 64, 8))
    assert chr(chars[1]) == EIGHTHS[2] and (fg[1], bg[1]) == (P.GAP, P.RUN)


def test_short_event_in_a_wide_column_is_mixed_not_lost():
    iv = Intervals(np.array([500]), np.array([501]), np.array([P.STW_GC]), 13)
    chars, fg, bg = lane_cells(iv, column_bounds(0, 1000, 1))
    assert chr(chars[0]) == MIXED and bg[0] == P.STW_GC


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 10**6)), max_size=30),
       st.integers(0, 900), st.integers(1, 500), st.integers(1, 20))
def test_column_max_is_the_plain_max(samples, t0, span, ncols):
    samples = sorted(samples)
    t = np.array([s[0] for s in samples], np.int64)
    v = np.array([s[1] for s in samples], np.int64)
    bounds = column_bounds(t0, t0 + span, ncols)
    got = column_max(t, v, bounds)
    for k in range(ncols):
        lo, hi = bounds[k], bounds[k + 1]
        inside = [x for tt, x in samples if lo <= tt < hi]
        before = [x for tt, x in samples if tt <= lo]
        assert got[k] == max(inside + before[-1:], default=0)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.integers(10, 10**11), st.integers(20, 200))
def test_ticks_are_round_and_labels_do_not_collide(t0, span, ncols):
    marks, step = ticks(t0, t0 + span, ncols)
    assert re.fullmatch(r"[125]0*", str(step))
    cols = [c for c, _ in marks]
    assert cols == sorted(cols) and all(0 <= c < ncols for c in cols)
    for (c1, l1), (c2, _l2) in zip(marks, marks[1:]):
        assert c2 - c1 >= len(l1) + 1
