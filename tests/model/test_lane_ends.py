"""The derived end rows of goroutine spans (`lanes.end_rows`, `lanes.end_row`)
against an independent reconstruction: each span ends at the next state
transition of its goroutine (Event.state_transition, one Python object per event)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.goref import committed_traces
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.model import build

TRACES = [p for p in committed_traces() if p.stat().st_size < 400_000]


def expected_ends(trace) -> dict[int, list[int]]:
    """Per real goroutine id: the row ending each of its spans, in order (-1: open at the end)."""
    ends: dict[int, list[int]] = {}
    is_open: dict[int, bool] = {}
    for row in np.flatnonzero(trace.kind == S.KindStateTransition).tolist():
        res, gid, frm, to, _, _ = trace[row].state_transition()
        if res != "Goroutine" or frm == to:
            continue
        lst = ends.setdefault(gid, [])
        if is_open.get(gid):
            lst[-1] = row
        is_open[gid] = to != "NotExist"
        if is_open[gid]:
            lst.append(-1)
    return ends


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_end_rows_match_transitions(path):
    try:
        trace = read(path)
    except Exception as e:  # a committed trace meant to be rejected: nothing to model
        pytest.skip(f"not a valid trace: {e}")
    L = build(trace).lanes
    want = expected_ends(trace)
    full = L.end_row
    for g in range(len(L)):
        lo, hi = L.offsets[g], L.offsets[g + 1]
        got = L.end_rows(slice(lo, hi))
        assert got.tolist() == want.get(int(trace.goroutine_ids[g]), []), g
        assert (full[lo:hi] == got).all()
    rng = np.random.default_rng(0)
    idx = rng.integers(0, max(len(full), 1), size=min(len(full), 300))
    assert (L.end_rows(idx) == full[idx]).all()
    for lo, hi in [(0, len(full)), *np.sort(rng.integers(0, len(full) + 1, size=(20, 2)), axis=1).tolist()]:
        assert (L.end_rows(slice(lo, hi)) == full[lo:hi]).all(), (lo, hi)
