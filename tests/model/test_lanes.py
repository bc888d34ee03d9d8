"""Goroutine state lanes: spans are contiguous per goroutine, their running time
equals Go's summarizer's execution time, and the per-column queries add up."""
from __future__ import annotations

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.model import build
from tracetui.model.lanes import RUNNING, STATES


@pytest.mark.parametrize("path", goref.committed_traces(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lanes_agree_with_go_summary(path):
    tr = read(path)
    m = build(tr)
    lanes, G = m.lanes, m.summary.goroutines
    for g in range(len(lanes)):
        sp = lanes.spans(g)
        if len(sp["start"]) == 0:
            continue
        assert (sp["start"][1:] == sp["end"][:-1]).all(), "spans of a goroutine must be contiguous"
        assert (sp["end"] >= sp["start"]).all()
        if G["live"][g]:
            running = int((sp["end"] - sp["start"])[sp["state"] == RUNNING].sum())
            assert running == G["exec"][g]


def test_state_time_adds_up():
    path = next(p for p in goref.committed_traces() if p.parent.name == "go1.27" and p.name == "contention.trace")
    tr = read(path)
    lanes = build(tr).lanes
    g = max(range(len(lanes)), key=lanes.count)
    sp = lanes.spans(g)
    bounds = np.linspace(sp["start"][0], sp["end"][-1], 81).astype(np.int64)
    times = lanes.state_time(g, bounds)
    assert sum(int(times[s].sum()) for s in STATES) == int(bounds[-1] - bounds[0])
    dom, mixed = lanes.dominant(g, int(bounds[0]), int(bounds[-1]), 80)
    assert len(dom) == 80 and set(dom.tolist()) <= set(STATES) and mixed.any()
