"""Goroutine state lanes: spans are contiguous per goroutine, their running time
equals Go's summarizer's execution time, and the per-column queries add up."""
from __future__ import annotations

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.format import spec as S
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
        # Contiguous, except where the goroutine stopped existing in between (a cgo
        # callback goroutine is destroyed and created again with the same id).
        gaps = np.flatnonzero(sp["start"][1:] != sp["end"][:-1])
        assert np.isin(tr.type[sp["end_row"][gaps]], [S.EvGoDestroy, S.EvGoDestroySyscall, S.EvGoSwitchDestroy]).all()
        assert (sp["end"] >= sp["start"]).all()
        if G["live"][g]:
            # Go's summary holds a goroutine's last life only (a new one replaces it).
            last = gaps[-1] + 1 if len(gaps) else 0
            dur, state = (sp["end"] - sp["start"])[last:], sp["state"][last:]
            running = int(dur[state == RUNNING].sum())
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
