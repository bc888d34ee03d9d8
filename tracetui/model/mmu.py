"""Mutator utilization and minimum mutator utilization (MMU), after Go's
internal/trace gc.go (MutatorUtilizationV2, MMUCurve.MMU).

`mutator_utilization(trace)` is the system-wide utilization function with the flags
`go tool trace`'s MMU page uses by default (STW, background mark workers, mark
assists; not sweeps; not per-proc): a step function (times, utils) whose value from
times[i] on is utils[i], the fraction of GOMAXPROCS procs available to the program.
A proc is taken by GC while a mark assist or a GC worker (a goroutine labelled
"GC ...", not "GC (idle)") runs on it; a GC stop-the-world takes every proc. It
reproduces Go's bookkeeping exactly, including its quirks (a GC worker counts again
each time it is relabelled; a proc's count is kept per proc index across GOMAXPROCS
changes), so the numbers equal `go tool trace`'s.

Go evaluates every event; only events that can change the value matter, so numpy
picks those (syncs, GOMAXPROCS changes, GC STW, assists, GC labels, state
transitions of the goroutines that ever assist or work for the GC) and the first
event after each (where Go records a value a same-timestamp minimum had hidden),
and a loop runs over that short list.

`mmu(times, utils, windows)`: for each window w, the minimum over every w-long window
inside the trace of the mean utilization. The mean over [t, t+w) is linear in t
between the points where t or t+w crosses a step, so the minimum is at one of those
points: evaluated for all of them at once with a cumulative integral (Go's band
search finds the same minimum). As Go, a window longer than the trace is clamped to
it, and windows starting at Go's band starts are evaluated too even where they reach
past the end (where the function is 0): that lowers Go's MMU of very short windows on
traces with few steps, and the numbers stay equal to Go's.
"""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S

_TARGET = (S.EvGoCreate, S.EvGoCreateSyscall, S.EvGoStart, S.EvGoUnblock, S.EvGoSwitch, S.EvGoSwitchDestroy,
           S.EvGoCreateBlocked, S.EvGoStatus, S.EvGoStatusStack)
_SELF = (S.EvGoDestroy, S.EvGoDestroySyscall, S.EvGoStop, S.EvGoBlock, S.EvGoSyscallBegin, S.EvGoSyscallEnd,
         S.EvGoSyscallEndBlocked)
_ASSIST = (S.EvGCMarkAssistBegin, S.EvGCMarkAssistActive, S.EvGCMarkAssistEnd)
_EXECUTING = ("Running", "Syscall")


def _gc_strings(trace) -> tuple[np.ndarray, np.ndarray]:
    """String indices of GC STW kinds and of GC worker labels."""
    s = trace.strings
    stw = [i for i, v in enumerate(s) if "GC" in v]
    labels = [i for i, v in enumerate(s) if v.startswith("GC ") and v != "GC (idle)"]
    return np.array(stw, np.int64), np.array(labels, np.int64)


def _rows_to_visit(trace) -> np.ndarray:
    typ, aux, g = trace.type, trace.aux, trace.g
    stw_kinds, gc_labels = _gc_strings(trace)
    stw = np.isin(typ, (S.EvSTWBegin, S.EvSTWEnd)) & np.isin(aux, stw_kinds)
    assist = np.isin(typ, _ASSIST)
    label = (typ == S.EvGoLabel) & np.isin(aux, gc_labels)
    gc_goroutines = np.unique(np.concatenate([
        g[assist & (typ != S.EvGCMarkAssistActive)], aux[typ == S.EvGCMarkAssistActive],  # assist scopes
        g[typ == S.EvGCMarkAssistActive],  # goroutines whose state an Active event asks about
        g[label]]).astype(np.int64))
    resource = np.where(np.isin(typ, _TARGET), aux, np.where(np.isin(typ, _SELF), g, -1))
    transition = (resource >= 0) & np.isin(resource, gc_goroutines)
    keep = stw | assist | label | transition | np.isin(typ, (S.EvSyncPublic, S.EvProcsChange))
    rows = np.flatnonzero(keep)
    after = np.searchsorted(trace.time, trace.time[rows], side="right")
    after = after[after < len(trace)]
    return np.union1d(rows, after)


def mutator_utilization(trace) -> tuple[np.ndarray, np.ndarray]:
    """Go's MutatorUtilizationV2(events, UtilSTW|UtilBackground|UtilAssist): (times ns, utils)."""
    from tracetui.format.event import Event

    if len(trace) == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    typ, aux, gcol = trace.type, trace.aux, trace.g
    proc_ids, times = trace.proc_ids, trace.time
    stw_kinds, gc_labels = (set(a.tolist()) for a in _gc_strings(trace))
    out: list[list] = []            # [time, util] steps (Go's addUtil keeps it minimal)
    gc_on: list[int] = []           # per proc index: GC activity count (Go's perP.gc)
    procs: list[tuple[int, int]] = []   # (time, GOMAXPROCS) changes
    stw = n_sync = 0
    in_gc: set[int] = set()
    bg_mark: set[int] = set()
    executing: dict[int, bool] = {}

    def add(t: int, u: float) -> None:
        if out:
            last = out[-1]
            if u == last[1]:
                return
            if t == last[0]:
                if u < last[1]:
                    last[1] = u
                return
        out.append([t, u])

    def proc_of(r: int) -> int:
        p = int(trace.p[r])
        pid = int(proc_ids[p]) if p >= 0 else -1
        return pid if 0 <= pid < len(gc_on) else -1

    for r in _rows_to_visit(trace).tolist():
        t, ty = int(times[r]), int(typ[r])
        if ty == S.EvSyncPublic:
            n_sync = int(trace.arg_of(r))
        elif ty == S.EvProcsChange:
            n = int(trace.arg_of(r))
            del gc_on[n:]
            while len(gc_on) < n:
                if not out:
                    out.append([t, 1.0])
                gc_on.append(0)
            if not procs or procs[-1][1] != n:
                procs.append((t, n))
        if not gc_on:
            continue
        if ty in _ASSIST:
            scope = int(aux[r]) if ty == S.EvGCMarkAssistActive else int(gcol[r])
            begin = ty == S.EvGCMarkAssistBegin
            if ty == S.EvGCMarkAssistActive and n_sync <= 1:
                begin = True
                if executing.get(int(gcol[r]), False):
                    _assist_since_start(out, procs)
            p = proc_of(r)
            if begin:
                if p >= 0:
                    gc_on[p] += 1
                if scope >= 0:
                    in_gc.add(scope)
            elif ty == S.EvGCMarkAssistEnd:
                if p >= 0:
                    gc_on[p] -= 1
                in_gc.discard(scope)
        elif ty in (S.EvSTWBegin, S.EvSTWEnd) and int(aux[r]) in stw_kinds:
            stw += 1 if ty == S.EvSTWBegin else -1
        elif ty == S.EvGoLabel and int(aux[r]) in gc_labels:
            bg_mark.add(int(gcol[r]))
            p = proc_of(r)
            if p >= 0:
                gc_on[p] += 1
        elif ty in _TARGET or ty in _SELF:
            _, _, frm, to, _, _ = Event(trace, r).state_transition()
            g = int(aux[r]) if ty in _TARGET else int(gcol[r])
            was, now = frm in _EXECUTING, to in _EXECUTING
            if (g in in_gc or g in bg_mark) and was != now:
                p = proc_of(r)
                if p >= 0:
                    gc_on[p] += 1 if now else -1
            executing[g] = now
        busy = len(gc_on) if stw > 0 else sum(1 for c in gc_on if c > 0)
        add(t, 1 - busy / len(gc_on))
    if gc_on:
        add(int(times[-1]), 0.0)
    steps = np.array(out, dtype=np.float64).reshape(-1, 2)
    return steps[:, 0].astype(np.int64), steps[:, 1].copy()


def _assist_since_start(out: list[list], procs: list[tuple[int, int]]) -> None:
    """An assist found running at the trace's start: take 1/GOMAXPROCS off every step so far."""
    pi = 0
    i = 0
    while i < len(out):
        if pi < len(procs) - 1 and procs[pi + 1][0] < out[i][0]:
            pi += 1
            continue
        out[i][1] = max(out[i][1] - 1 / procs[pi][1], 0.0)
        i += 1


def mmu(times: np.ndarray, utils: np.ndarray, windows, as_go: bool = True) -> np.ndarray:
    """The minimum mutator utilization for each window (ns) of the step function
    (as_go=False: by the definition alone, without Go's windows past the end)."""
    windows = np.asarray(windows, np.int64)
    if len(times) == 0:
        return np.ones(len(windows))
    t = np.asarray(times, np.int64)
    u = np.asarray(utils, np.float64)
    # Go's running sums: sums[j] = integral of the steps from times[0] to times[j].
    sums = np.concatenate([[0.0], np.cumsum(u[:-1] * np.diff(t))])
    t0, t1 = int(t[0]), int(t[-1])
    n_bands = min(1000, len(t))          # Go's bandsPerSeries
    band = max(-(-(t1 - t0) // n_bands), 1)

    def integral(x: np.ndarray) -> np.ndarray:
        j = np.searchsorted(t, x, side="right") - 1
        return sums[j] + np.where(x != t[j], u[j] * (x - t[j]), 0.0)

    out = np.empty(len(windows))
    for k, w in enumerate(windows.tolist()):
        if w <= 0:
            out[k] = 0.0
            continue
        w = min(w, t1 - t0)
        if w <= 0:
            out[k] = 1.0
            continue
        # Go's search also starts a window at each of its bands' starts, unclipped: near
        # the end such a window reaches past the last step (utilization 0 there).
        max_bands = (w + 2 * (band - 1)) // band
        band_starts = t0 + band * np.arange(max(n_bands + 2 - max_bands, 0) if as_go else 0, dtype=np.int64)
        starts = np.unique(np.concatenate([np.clip(np.concatenate([t, t - w]), t0, t1 - w), band_starts]))
        means = (integral(starts + w) - integral(starts)) / w
        out[k] = min(1.0, float(means.min()))
    return out
