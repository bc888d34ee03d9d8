"""Proc and thread lanes and goroutine counts, against a plain re-derivation from
Go's state transitions.

The reference walks the events one by one in Python through `Event.state_transition()`
(the view whose output is checked against `go tool trace -d=parsed`), so it shares
no code with the compiled pass: a goroutine runs on the P (and M) of the event that
made it Running until its next transition; a syscall span belongs to the M of the
event that entered it; counts are kept after every event."""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.model import build
from tracetui.model._lanes import COUNT_BLOCK
from tracetui.model.lanes import RUNNING

STATES = {"Runnable": 2, "Running": 3, "Waiting": 4, "Syscall": 5}
TRACES = goref.committed_traces()


def reference(tr):
    """({p: [(g, start, end)]}, {m: [(g, state, start, end)]}, counts[n, 6]) from single events."""
    last = int(tr.time[-1])
    open_at, procs, threads = {}, defaultdict(list), defaultdict(list)
    counts = np.zeros((len(tr), 6), np.int32)
    cnt = [0] * 6
    sync_t = 0
    for i in range(len(tr)):
        typ = int(tr.type[i])
        if typ == S.EvSyncPublic:
            sync_t = int(tr.time[i])
        elif S.TYPE_TO_KIND.get(typ) == S.KindStateTransition:
            ev = tr[i]
            kind, gid, frm, to, _, _ = ev.state_transition()
            if kind == "Goroutine" and frm != to:
                if gid in open_at:
                    st, p, m, t0 = open_at.pop(gid)
                    if st == "Running" and p is not None:
                        procs[p].append((gid, t0, int(tr.time[i])))
                    if st in ("Running", "Syscall") and m is not None:
                        threads[m].append((gid, STATES[st], t0, int(tr.time[i])))
                if frm in STATES:
                    cnt[STATES[frm]] -= 1
                if to in STATES:
                    cnt[STATES[to]] += 1
                    t0 = sync_t if frm == "Undetermined" else int(tr.time[i])
                    p = ev.proc if ev.proc >= 0 else None
                    m = ev.thread if ev.thread >= 0 else None
                    open_at[gid] = (to, p, m, t0)
        counts[i] = cnt
    for gid, (st, p, m, t0) in open_at.items():
        if st == "Running" and p is not None:
            procs[p].append((gid, t0, last))
        if st in ("Running", "Syscall") and m is not None:
            threads[m].append((gid, STATES[st], t0, last))
    return procs, threads, counts


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_procs_threads_counts_match_reference(path):
    tr = read(path)
    m = build(tr)
    procs, threads, counts = reference(tr)
    gid = tr.goroutine_ids
    got_p = {}
    for p in range(len(m.procs)):
        sp = m.procs.spans(p)
        got_p[int(tr.proc_ids[p])] = sorted(zip(gid[sp["g"]].tolist(), sp["start"].tolist(), sp["end"].tolist()))
        assert (np.diff(sp["begin_row"]) >= 0).all(), "a P's spans are in time order"
    assert got_p == {p: sorted(v) for p, v in procs.items() if v} | {p: [] for p in got_p if p not in procs}
    got_m = {}
    for t in range(len(m.threads)):
        sp = m.threads.spans(t)
        got_m[int(tr.thread_ids[t])] = sorted(zip(gid[sp["g"]].tolist(), sp["state"].tolist(),
                                                  sp["start"].tolist(), sp["end"].tolist()))
    assert got_m == {t: sorted(v) for t, v in threads.items() if v} | {t: [] for t in got_m if t not in threads}
    # counts: the value at each block's last event, and the peak inside each block
    ends = np.minimum(np.arange(len(m.counts.end)) * COUNT_BLOCK + COUNT_BLOCK - 1, len(tr) - 1)
    assert (m.counts.end == counts[ends]).all()
    peaks = np.maximum.reduceat(counts, np.arange(0, len(tr), COUNT_BLOCK), axis=0)
    prev_end = np.vstack([np.zeros((1, 6), np.int32), m.counts.end[:-1]])
    assert (m.counts.peak == np.maximum(peaks, prev_end)).all()


def test_gc_workers_are_labelled_on_their_proc():
    path = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "gc.trace")
    tr = read(path)
    m = build(tr)
    labels = {tr.strings[i] for p in range(len(m.procs)) for i in set(m.procs.labels(p).tolist()) if i}
    expected = {tr.strings[int(a)] for a in tr.aux[tr.type == S.EvGoLabel]}
    assert expected and labels == expected
    assert any(s.startswith("GC (") for s in labels)


@pytest.mark.parametrize("path", [p for p in TRACES if p.name == "gc.trace"], ids=lambda p: p.parent.name)
def test_each_label_is_on_the_span_it_was_given_in(path):
    """Per P span, the label of the last GoLabel event of its goroutine inside the span
    (a search of each label's row among its goroutine's span begins)."""
    tr = read(path)
    m = build(tr)
    L = m.lanes
    want = np.zeros(len(L.state), np.int64)
    for row in np.flatnonzero(tr.type == S.EvGoLabel).tolist():
        g = int(tr.g[row])
        lo, hi = L.offsets[g], L.offsets[g + 1]
        k = lo + int(np.searchsorted(L.begin_row[lo:hi], row, side="right")) - 1
        if k >= lo:
            want[k] = tr.aux[row]
    assert (m.procs.gc_label == want[m.procs.span_index]).all()
    assert m.procs.gc_label.any()


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_assists_on_procs_are_cut_at_running_spans(path):
    """Each GC mark assist (Go's ranges, from the GC facts) cut at its goroutine's running
    spans, on the P each span ran on, as cmd/trace's proc view cuts them: a piece from
    the assist's begin, or from the span's start for an assist already active, to
    whichever of the assist's end and the span's end comes first."""
    tr = read(path)
    m = build(tr)
    a = m.gc.assists
    last = int(tr.time[-1])
    proc_of = {int(k): p for p in range(len(m.procs))  # the P lanes are checked above
               for k in m.procs.span_index[m.procs.offsets[p]:m.procs.offsets[p + 1]].tolist()}
    want = set()
    for g, b, start, end in zip(a["goroutine"].tolist(), a["begin_row"].tolist(), a["start"].tolist(),
                                a["end"].tolist()):
        assert b >= 0
        active = int(tr.type[b]) == S.EvGCMarkAssistActive
        sp = m.lanes.spans(g)
        first = int(m.lanes.offsets[g])
        for k in np.flatnonzero(sp["state"] == RUNNING).tolist():
            if first + k not in proc_of:
                continue
            s0, s1 = int(sp["start"][k]), int(sp["end"][k])
            if active and s0 <= start < s1:
                lo = s0
            elif s1 > start and s0 < end:
                lo = max(s0, start)
            else:
                continue
            want.add((proc_of[first + k], lo, min(s1, end) if end < last else s1))
    got = {(p, s0, s1) for p in range(len(m.procs)) for s0, s1 in zip(*(x.tolist() for x in m.procs.assists(p)))}
    assert got == want
    if path.name == "gc.trace":
        assert got


def test_dominant_and_peaks_are_consistent():
    path = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "mixed.trace")
    tr = read(path)
    m = build(tr)
    t0, t1 = int(tr.time[0]), int(tr.time[-1])
    p = max(range(len(m.procs)), key=m.procs.count)
    best, mixed = m.procs.dominant(p, t0, t1, 120)
    busy = m.procs.busy_time(p, np.linspace(t0, t1, 121).astype(np.int64))
    assert ((best >= 0) == (busy > 0)).all()
    assert mixed.any()
    peaks = m.counts.peaks(t0, t1, 120)
    assert peaks["running"].max() == m.counts.max()["running"] <= len(m.procs)
