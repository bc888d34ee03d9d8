"""Rows' region nesting against a plain stack walk over each goroutine's region events."""
from __future__ import annotations

import numpy as np
import pytest

from tests.goref import committed_traces
from tracetui.format import read
from tracetui.model import build
from tracetui.widgets.rows import region_depths


def stack_depths(regions: dict) -> dict[int, int]:
    """Region index -> depth: per goroutine, begins push and ends pop in row order; regions begun
    before the trace (row -1) come first, the later-ending outside; never-ended ones end last."""
    events = []
    for i in range(len(regions["start"])):
        g, b, e = int(regions["goroutine"][i]), int(regions["start_row"][i]), int(regions["end_row"][i])
        if g < 0:
            continue
        end = e if e >= 0 else float("inf")
        events.append((g, b if b >= 0 else -1, -end if b < 0 else 0, 1, i))
        events.append((g, end, 0, -1, i))
    depth, open_ = {}, {}
    for g, _, _, kind, i in sorted(events, key=lambda ev: ev[:3]):
        stack = open_.setdefault(g, [])
        if kind == 1:
            depth[i] = len(stack)
            stack.append(i)
        else:
            stack.remove(i)
    return depth


@pytest.mark.parametrize("path", [p for p in committed_traces() if "annotations" in p.name or "iter" in p.name],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_region_depths_match_a_stack_walk(path):
    r = build(read(path)).summary.regions
    keep = r["goroutine"] >= 0
    got = region_depths(r, keep)
    want = stack_depths(r)
    assert len(got) > 0
    assert got.tolist() == [want[int(i)] for i in np.flatnonzero(keep)]
