"""The critical path (tracetui.model.critical).

Ground truth: traces/go1.*/critical.trace (traces/programs/critical.go) has causal
chains known by construction, asserted within a stated tolerance. Invariants on
every committed trace, for random regions, tasks and goroutine intervals: the path
tiles the interval to the nanosecond; each segment's state is the lane's state
there; every edge the walk follows is an unblock (or creation) event in Go's own
parsed output (`go tool trace -d=parsed`)."""
from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import goref
from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.model.critical import Walker, critical_path, lifetime
from tracetui.model.lanes import RUNNABLE, RUNNING, SYSCALL, WAITING
from tracetui.reports.why import region_target, task_target, why

CRITICAL = [p for p in TRACES if p.name == "critical.trace"]
LANE_STATE = {"running": RUNNING, "assist": RUNNING, "stw": RUNNING, "runnable": RUNNABLE,
              "waiting": WAITING, "syscall": SYSCALL}


def _regions(model, name):
    R, tr = model.summary.regions, model.trace
    return [int(i) for i in np.flatnonzero(R["in_summary"]) if tr.strings[int(R["name"][i])] == name]


def _walk_region(model, ri):
    R = model.summary.regions
    return critical_path(model, int(R["goroutine"][ri]), int(R["start"][ri]), int(R["end"][ri]))


def _share(model, path, pred) -> float:
    got = sum(b - a for g, s, r, a, b in zip(path.g, path.state, path.reason, path.seg_start, path.seg_end)
              if pred(model.trace.strings[int(model.summary.goroutines["name"][g])], s, r))
    return got / (path.end - path.start)


@pytest.mark.parametrize("path", CRITICAL, ids=trace_id)
def test_handler_waits_on_the_sleep_behind_the_mutex(path):
    """handler -> (chan receive) db -> (sync) the goroutine sleeping 8 ms with the mutex:
    at least 80% of every handler region is that goroutine's sleep, reached through
    exactly those two unblock edges."""
    m = model_of(path)
    regions = _regions(m, "handler")
    assert len(regions) == 3
    for ri in regions:
        p = _walk_region(m, ri)
        assert _share(m, p, lambda name, s, r: name == "main.criticalChain.func2" and (s, r) == ("waiting", "sleep")) >= 0.8
        names = m.summary.goroutines["name"]
        chain = [(m.trace.strings[int(names[w])], m.trace.strings[int(names[u])]) for w, u, *_ in p.edges]
        assert ("main.criticalChain.func3", "main.criticalChain.func1") in chain   # handler waited for db
        assert ("main.criticalChain.func1", "main.criticalChain.func2") in chain   # db waited for the sleeper
        rep = why(m, region_target(m, "handler"))
        assert rep["summary"][0]["state"] == "waiting" and rep["summary"][0]["reason"] == "sleep"


@pytest.mark.parametrize("path", CRITICAL, ids=trace_id)
def test_wakeup_behind_hogs_is_scheduler_wait(path):
    """At GOMAXPROCS=1 the woken goroutine queues behind the hogs: at least 80% of the
    region is scheduler wait, and the Ps were held by the hogs."""
    from tracetui.model.critical import scheduler_wait

    m = model_of(path)
    (ri,) = _regions(m, "woken")
    p = _walk_region(m, ri)
    assert _share(m, p, lambda name, s, r: s == "runnable") >= 0.8
    longest = int(np.argmax(p.durations()))
    assert p.state[longest] == "runnable" and p.g[longest] == m.summary.regions["goroutine"][ri]
    holders = scheduler_wait(m, p.seg_start[longest], p.seg_end[longest])["holders"]
    names = {m.trace.strings[int(m.summary.goroutines["name"][g])] for g, _ in holders}
    assert names <= {"main.criticalHog.func2", "main.criticalHog.func3"} and names
    assert sum(ns for _, ns in holders) >= 0.9 * (p.seg_end[longest] - p.seg_start[longest])


def check_path(model, p, t0, t1) -> None:
    """The invariants of one path."""
    L = model.lanes
    assert p.end == t1 and t0 <= p.start <= t1
    if p.start > t0:   # only where the known history of the goroutine the walk was on begins
        sp = L.spans(p.g[0]) if len(p) else L.spans(p.goroutine)
        assert not ((sp["start"] < p.start) & (sp["end"] >= p.start)).any()
    assert sum(p.durations()) == t1 - p.start
    bounds = [p.start] + p.seg_end
    assert p.seg_start == bounds[:-1] and all(b > a for a, b in zip(p.seg_start, p.seg_end))
    for g, state, a, b in zip(p.g, p.state, p.seg_start, p.seg_end):
        sp = L.spans(g)
        mid = (a + b) / 2   # inside one span: segments never cross a span boundary
        k = np.flatnonzero((sp["start"] <= a) & (sp["end"] >= b))
        assert len(k) >= 1, (g, state, a, b)
        assert sp["state"][k[-1]] == LANE_STATE[state], (g, state, a, b)
        if state in ("assist", "stw"):
            t = model.gc.assists if state == "assist" else model.gc.stw
            sel = t["goroutine"] == g
            assert ((t["start"][sel] <= a) & (t["end"][sel] >= b)).any()
        assert sp["start"][k[-1]] <= mid <= sp["end"][k[-1]]


@functools.cache
def _go_events(path):
    from tests.tui.goparsed import go_events

    return go_events(path)


def check_edges_in_go(path, model, p) -> None:
    """Every edge is a state transition of the waiter, emitted by the unblocker (or
    creator), at that row of Go's own parsed event stream."""
    events = _go_events(path)
    ids = model.trace.goroutine_ids
    for waiter, u, row, t, kind in p.edges:
        ev = events[row]
        f = ev.fields
        assert ev.kind == "StateTransition" and int(f["G"]) == ids[u] and int(f["GoID"]) == ids[waiter], ev.line
        assert int(f["Time"]) == t
        if kind == "unblock":
            assert "Waiting->Runnable" in ev.line or "Waiting->Running" in ev.line, ev.line
        else:
            assert "NotExist->" in ev.line, ev.line


def _random_targets(model, rng, n=12):
    """(g, t0, t1) of random regions, tasks and goroutine stretches."""
    R = model.summary.regions
    out = []
    regions = np.flatnonzero(R["in_summary"])
    for ri in rng.choice(regions, min(n, len(regions)), replace=False) if len(regions) else []:
        g = int(R["goroutine"][ri])
        a, b = lifetime(model, g)
        lo, hi = max(int(R["start"][ri]), a), min(int(R["end"][ri]), b)
        if hi > lo:
            out.append((g, lo, hi))
    T = model.summary.tasks
    names = sorted({model.trace.strings[int(x)] for x in np.asarray(T["name"])} - {""})
    for name in names[:3]:
        try:
            tg = task_target(model, name)
        except ValueError:
            continue
        a, b = lifetime(model, tg.goroutine)
        if min(tg.end, b) > tg.start:
            out.append((tg.goroutine, tg.start, min(tg.end, b)))
    counts = np.diff(model.lanes.offsets)
    for g in rng.choice(np.flatnonzero(counts > 0), min(n, int((counts > 0).sum())), replace=False):
        a, b = lifetime(model, int(g))
        x, y = sorted(rng.integers(a, b + 1, 2).tolist()) if b > a else (a, b)
        if y > x:
            out.append((int(g), x, y))
    return out


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_invariants_on_every_committed_trace(path):
    m = model_of(path)
    rng = np.random.default_rng(13)
    walker = Walker(m)
    for g, a, b in _random_targets(m, rng):
        p = walker.walk(g, a, b)
        check_path(m, p, a, b)
        if goref.find_go() is not None:
            check_edges_in_go(path, m, p)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([p for p in TRACES if p.parent.name == "go1.27" and p.name in (
    "mixed.trace", "contention.trace", "critical.trace", "net.trace", "iter.trace")]),
    st.floats(0, 1), st.floats(0, 1), st.integers(0, 10**6))
def test_any_interval_of_any_goroutine_tiles(path, x, y, pick):
    m = model_of(path)
    live = np.flatnonzero(np.diff(m.lanes.offsets) > 0)
    g = int(live[pick % len(live)])
    a, b = lifetime(m, g)
    lo, hi = sorted((a + int(x * (b - a)), a + int(y * (b - a))))
    if hi == lo:
        return
    p = critical_path(m, g, lo, hi)
    check_path(m, p, lo, hi)


@pytest.mark.parametrize("path", CRITICAL, ids=trace_id)
def test_a_wait_open_at_the_end_is_followed_to_its_eventual_unblocker(path):
    """Cut the handler region 4 ms in, while the handler still waits for db: the walk
    follows the wait to db (which unblocks it later) and on to the sleeper, so the cut
    interval is still mostly the sleep; a goroutine stretch that ends before its wait
    began is only its own."""
    m = model_of(path)
    R = m.summary.regions
    for ri in _regions(m, "handler"):
        g, a = int(R["goroutine"][ri]), int(R["start"][ri])
        p = critical_path(m, g, a, a + 4_000_000)
        check_path(m, p, a, a + 4_000_000)
        assert _share(m, p, lambda name, s, r: (s, r) == ("waiting", "sleep")) >= 0.8
        first = critical_path(m, g, a, a + 50_000)    # inside the handler's own spin
        assert set(first.g) == {g} and not first.edges
