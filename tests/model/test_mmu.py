"""The mutator utilization function and MMU equal Go's (internal/trace gc.go,
MutatorUtilizationV2 with `go tool trace`'s default MMU flags, MMUCurve.MMU) on every
committed trace. Go's side is tests/model/gommu/main.go, built by goref.go_program
(as a package of $GOROOT/src/cmd, to import internal/trace) into ~/.cache/tracetui/gohelpers."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.model.mmu import mmu, mutator_utilization

SOURCE = Path(__file__).resolve().parent / "gommu" / "main.go"
WINDOWS = [1, 50_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10**15]


@pytest.fixture(scope="module")
def gommu():
    exe = goref.go_program(SOURCE.parent)

    def run(path):
        return json.loads(subprocess.check_output([str(exe), str(path), *map(str, WINDOWS)]))
    return run


@pytest.mark.parametrize("path", [*goref.committed_traces(), goref.REPO / "tracetui" / "data" / "demo.trace"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mmu_equals_go(gommu, path):
    go = gommu(path)
    times, utils = mutator_utilization(read(path), as_go=True)
    if not go["mmu"]:  # Go has no utilization series (an old trace without GC): nor do we
        assert len(times) == 0
        return
    steps = np.array(go["util"] or np.zeros((0, 2)))
    assert times.tolist() == steps[:, 0].astype(np.int64).tolist()
    assert utils.tolist() == steps[:, 1].tolist()
    got = mmu(times, utils, WINDOWS, as_go=True)
    want = [go["mmu"][str(w)] for w in WINDOWS]
    assert got == pytest.approx(want, rel=0, abs=1e-12)


def brute_mmu(times, utils, w):
    """The MMU by definition, on a 1 ns grid (small integer step functions only)."""
    t0, t1 = times[0], times[-1]
    w = min(w, t1 - t0)
    grid = np.repeat(utils[:-1], np.diff(times))          # utilization of each ns
    cum = np.concatenate([[0], np.cumsum(grid)])
    return min((cum[s + w] - cum[s]) / w for s in range(t1 - t0 - w + 1))


def test_mmu_by_definition():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(2, 12))
        times = np.cumsum(rng.integers(1, 20, n)).astype(np.int64)
        utils = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], n)
        for w in (1, 3, 7, 40, 1000):
            exact = brute_mmu(times, utils, w)
            assert mmu(times, utils, [w])[0] == pytest.approx(exact, abs=1e-12)
            assert mmu(times, utils, [w], as_go=True)[0] <= exact + 1e-12  # Go's extra windows only lower it


def reference_utilization(trace):
    """The default (corrected) utilization by a plain loop over every event, one
    Event object each: an independent simple computation to check the vectorised one."""
    from tracetui.format import spec as S
    from tracetui.format.event import Event

    strings = trace.strings
    out, gc_on, procs = [], [], []
    stw = n_sync = 0
    in_gc, labelled, executing = set(), set(), {}

    def add(t, u):
        if out and u == out[-1][1]:
            return
        if out and t == out[-1][0]:
            out[-1][1] = min(out[-1][1], u)
            return
        out.append([t, u])

    def proc(ev):
        return ev.proc if 0 <= ev.proc < len(gc_on) else None

    for i in range(len(trace)):
        ev = Event(trace, i)
        t, ty = ev.time, ev.type
        if ty == S.EvSyncPublic:
            n_sync = ev.arg
        elif ty == S.EvProcsChange:
            n = ev.arg
            del gc_on[n:]
            if not out:
                out.append([t, 1.0])
            gc_on += [0] * (n - len(gc_on))
            if not procs or procs[-1][1] != n:
                procs.append((t, n))
        if not gc_on:
            continue
        if ty in (S.EvGCMarkAssistBegin, S.EvGCMarkAssistActive) and not (
                ty == S.EvGCMarkAssistActive and n_sync > 1):
            if ty == S.EvGCMarkAssistActive and executing.get(ev.goroutine):
                for step in out:   # running since before the trace: 1/GOMAXPROCS off so far
                    m = [n for pt, n in procs if pt <= step[0]][-1]
                    step[1] = max(step[1] - 1 / m, 0.0)
            if proc(ev) is not None:
                gc_on[ev.proc] += 1
            in_gc.add(trace.goroutine_ids[ev.aux] if ty == S.EvGCMarkAssistActive else ev.goroutine)
        elif ty == S.EvGCMarkAssistEnd:
            if proc(ev) is not None:
                gc_on[ev.proc] -= 1
            in_gc.discard(ev.goroutine)
        elif ty in (S.EvSTWBegin, S.EvSTWEnd) and "GC" in strings[ev.aux]:
            stw += 1 if ty == S.EvSTWBegin else -1
        elif ty == S.EvGoLabel and strings[ev.aux].startswith("GC ") and strings[ev.aux] != "GC (idle)":
            labelled.add(ev.goroutine)
            if proc(ev) is not None:
                gc_on[ev.proc] += 1
        elif ev.kind == "StateTransition":
            res, g, frm, to, _, _ = ev.state_transition()
            if res == "Goroutine":
                was, now = frm in ("Running", "Syscall"), to in ("Running", "Syscall")
                if was != now and proc(ev) is not None:
                    if g in in_gc:
                        gc_on[ev.proc] += 1 if now else -1
                    elif was and g in labelled:
                        gc_on[ev.proc] -= 1
                if now and not was:
                    labelled.discard(g)
                executing[g] = now
        busy = len(gc_on) if stw > 0 else sum(c > 0 for c in gc_on)
        add(t, 1 - busy / len(gc_on))
    if out:
        if out[-1][0] == trace.time[-1]:
            out[-1][1] = 0.0
        else:
            out.append([int(trace.time[-1]), 0.0])
    steps = np.array(out, dtype=np.float64).reshape(-1, 2)
    return steps[:, 0].astype(np.int64).tolist(), steps[:, 1].tolist()


@pytest.mark.parametrize("path", [*goref.committed_traces(), goref.REPO / "tracetui" / "data" / "demo.trace"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_default_utilization_equals_a_plain_loop(path):
    trace = read(path)
    times, utils = mutator_utilization(trace)
    assert (times.tolist(), utils.tolist()) == reference_utilization(trace)
