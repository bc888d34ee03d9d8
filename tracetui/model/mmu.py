"""Mutator utilization and minimum mutator utilization (MMU), after Go's
internal/trace gc.go (MutatorUtilizationV2, MMUCurve.MMU).

`mutator_utilization(trace)` is the system-wide utilization function with the flags
`go tool trace`'s MMU page uses by default (STW, background mark workers, mark
assists; not sweeps; not per-proc): a step function (times, utils) whose value from
times[i] on is utils[i], the fraction of GOMAXPROCS procs available to the program.
A proc is taken by GC while a mark assist or a GC worker (a goroutine labelled
"GC ...", not "GC (idle)") runs on it; a GC stop-the-world takes every proc.

`as_go=True` reproduces Go's bookkeeping exactly (tests/model/test_mmu.py compares
it with Go's on every committed trace), bugs included: Go counts a GC worker's proc
twice at each start (the start and the label the runtime writes at every start) and
gives back one at the stop, so procs stay taken: on a trace with a few GC cycles
Go's utilization sinks to 0 for good, and its function, which ends at its last
change, then stops short of the trace's end (on traces/go1.27/gc.trace Go's MMU
covers the first 12 of its 82 ms). On a trace where an event has no proc Go panics. The default
counts a worker's proc from its GC label to its stop and always ends at the last event.

Every step is computed with numpy: per-proc GC counts from +1/-1 deltas (assists,
labels, GC goroutines starting and stopping), the number of procs with a positive
count, STW nesting; only the rows where the value changes (and the first event at a
later time after each, where Go records a value a same-timestamp minimum had
hidden) go through Go's addUtil in a loop.

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
           S.EvGoCreateBlocked, S.EvGoStatus, S.EvGoStatusStack)   # the transition's goroutine is aux
_SELF = (S.EvGoDestroy, S.EvGoDestroySyscall, S.EvGoStop, S.EvGoBlock, S.EvGoSyscallBegin, S.EvGoSyscallEnd,
         S.EvGoSyscallEndBlocked)                                   # ... the event's goroutine
# Whether the goroutine executes (Running or Syscall) before and after each transition type.
_EXEC_BEFORE = np.zeros(256, np.int8)
_EXEC_AFTER = np.zeros(256, np.int8)
for _t in (S.EvGoDestroy, S.EvGoDestroySyscall, S.EvGoStop, S.EvGoBlock, S.EvGoSyscallBegin, S.EvGoSyscallEnd,
           S.EvGoSyscallEndBlocked):
    _EXEC_BEFORE[_t] = 1
for _t in (S.EvGoCreateSyscall, S.EvGoStart, S.EvGoSyscallBegin, S.EvGoSyscallEnd):
    _EXEC_AFTER[_t] = 1
_EXECUTING_STATES = (3, 5)   # GoState Running, Syscall
_IS_TARGET = np.zeros(256, bool)
_IS_TARGET[list(_TARGET)] = True


def _gc_strings(trace) -> tuple[np.ndarray, np.ndarray]:
    """String indices of GC STW kinds and of GC worker labels."""
    s = trace.strings
    stw = [i for i, v in enumerate(s) if "GC" in v]
    labels = [i for i, v in enumerate(s) if v.startswith("GC ") and v != "GC (idle)"]
    return np.array(stw, np.int64), np.array(labels, np.int64)


def _ffill(at_rows: np.ndarray, values: np.ndarray, rows: np.ndarray, default) -> np.ndarray:
    """The value of the last of `at_rows` (ascending) at or before each of `rows`."""
    i = np.searchsorted(at_rows, rows, side="right") - 1
    return np.where(i >= 0, values[np.maximum(i, 0)] if len(values) else default, default)


def _last_of_same(owner, rows, probe_owner, probe_rows, scale: int) -> np.ndarray:
    """For each probe, the index of the last of `rows` before it with the same owner
    (goroutine), or -1."""
    if len(rows) == 0:
        return np.full(len(probe_rows), -1, np.int64)
    keys = owner.astype(np.int64) * scale + rows
    order = np.argsort(keys, kind="stable")
    i = np.searchsorted(keys[order], probe_owner.astype(np.int64) * scale + probe_rows, side="left") - 1
    hit = order[np.maximum(i, 0)]
    return np.where((i >= 0) & (owner[hit] == probe_owner), hit, -1)


def _unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: numpy's hashing unique is slow on row numbers)."""
    x = np.sort(x)
    keep = np.ones(len(x), bool)
    keep[1:] = x[1:] != x[:-1]
    return x[keep]


def mutator_utilization(trace, as_go: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The system-wide mutator utilization step function: (times ns, utils).

    as_go=True: exactly Go's MutatorUtilizationV2(events, UtilSTW|UtilBackground|UtilAssist),
    including its double count of GC workers (a worker's start and its label, which
    the runtime emits at every start, both take its proc; only the stop gives one
    back, so procs stay taken and utilization falls towards 0 over a long trace) and
    its counting of idle-mode worker runs. as_go=False (the default) counts a worker's
    proc from its non-idle GC label to its next stop."""
    typ = trace.type
    pc_rows = np.flatnonzero(typ == S.EvProcsChange)
    if len(pc_rows) == 0:   # Go records nothing before it knows GOMAXPROCS
        return np.zeros(0, np.int64), np.zeros(0)
    first = int(pc_rows[0])
    n = len(trace)
    pc_n = trace.arg_of(pc_rows).astype(np.int64)
    sync_rows = np.flatnonzero(typ == S.EvSyncPublic)
    sync_n = trace.arg_of(sync_rows).astype(np.int64)
    stw_kinds, gc_labels = _gc_strings(trace)

    def rows_of(*types):  # Go ignores everything before the first GOMAXPROCS
        rows = trace.rows_where(types)
        return rows[rows >= first]

    def among(goroutines: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """goroutines (dense indices, -1 = none) that are in `wanted`."""
        mask = np.zeros(len(trace.goroutine_ids) + 1, bool)
        mask[wanted[wanted >= 0]] = True
        return mask[goroutines]

    def aux(rows):
        return trace.aux[rows].astype(np.int64)

    def g(rows):
        return trace.g[rows].astype(np.int64)

    # Mark assists: Begin and End, and Active only in the first generation (later ones re-state).
    assist = rows_of(S.EvGCMarkAssistBegin, S.EvGCMarkAssistActive, S.EvGCMarkAssistEnd)
    active = typ[assist] == S.EvGCMarkAssistActive
    assist = assist[~active | (_ffill(sync_rows, sync_n, assist, 0) <= 1)]
    a_type = typ[assist]
    a_begin = a_type != S.EvGCMarkAssistEnd
    a_scope = np.where(a_type == S.EvGCMarkAssistActive, aux(assist), g(assist))
    labels = rows_of(S.EvGoLabel)
    labels = labels[np.isin(aux(labels), gc_labels)]

    # Goroutine transitions: a goroutine in an assist (or a GC worker) starting or
    # stopping to execute takes or frees its proc.
    trans = rows_of(*_TARGET, *_SELF)
    t_type = typ[trans]
    t_g = np.where(_IS_TARGET[t_type], trace.aux[trans], trace.g[trans])   # int32, int8: 13 M of them
    before, after = _EXEC_BEFORE[t_type], _EXEC_AFTER[t_type]
    status = (t_type == S.EvGoStatus) | (t_type == S.EvGoStatusStack)
    if status.any():
        word = trace.arg_of(trans[status]).astype(np.int64)
        before[status] = np.isin(word >> 32, _EXECUTING_STATES)
        after[status] = np.isin(word & 0xFFFFFFFF, (2, 3))   # wire status running, syscall
    scale = n + 1
    # In an assist: the goroutine's last assist event before the transition is a begin.
    # (Lookups only for the transitions that can matter: the searches are the cost.)
    changes = np.flatnonzero((before != after) & among(t_g, a_scope))
    hit = _last_of_same(a_scope, assist, t_g[changes], trans[changes], scale)
    in_gc = np.zeros(len(trans), bool)
    in_gc[changes] = (hit >= 0) & (a_begin[np.maximum(hit, 0)] if len(assist) else False)
    l_g = g(labels)
    workers = _unique(l_g)
    if as_go:   # a GC worker from its first GC label on: every start and stop counts
        lg_keys, first_at = np.unique(l_g, return_index=True)
        j = np.clip(np.searchsorted(lg_keys, t_g), 0, max(len(lg_keys) - 1, 0))
        worker = (lg_keys[j] == t_g) & (labels[first_at][j] < trans) if len(lg_keys) else np.zeros(len(trans), bool)
        t_delta = np.where(in_gc | worker, after - before, 0)
    else:       # a worker's run counts from its label (the label's +1) to its stop
        mine = among(t_g, workers)
        starts = mine & (after == 1) & (before == 0)
        stops = np.flatnonzero(mine & (before == 1) & (after == 0) & ~in_gc)
        owner = np.concatenate([t_g[starts], l_g])
        at = np.concatenate([trans[starts], labels])
        is_label = np.concatenate([np.zeros(int(starts.sum()), bool), np.ones(len(labels), bool)])
        last = _last_of_same(owner, at, t_g[stops], trans[stops], scale)
        t_delta = np.where(in_gc, after - before, 0)
        t_delta[stops[(last >= 0) & is_label[np.maximum(last, 0)]]] -= 1 if len(at) else 0
    moving = t_delta != 0

    # Per-proc GC counts: +1/-1 at assists, labels and those transitions.
    d_rows = np.concatenate([assist, labels, trans[moving]])
    d_val = np.concatenate([np.where(a_begin, 1, -1), np.ones(len(labels), np.int64), t_delta[moving]])
    p = trace.p[d_rows]
    d_proc = np.where(p >= 0, trace.proc_ids.astype(np.int64)[np.maximum(p, 0)], -1)
    # Go would index a proc that does not exist here (and panic); such events are skipped.
    ok = (d_proc >= 0) & (d_proc < _ffill(pc_rows, pc_n, d_rows, 0))
    busy_rows, busy_delta = _busy_changes(d_rows[ok], d_val[ok], d_proc[ok], pc_rows, pc_n)

    stw = rows_of(S.EvSTWBegin, S.EvSTWEnd)
    stw = stw[np.isin(aux(stw), stw_kinds)]
    stw_delta = np.where(typ[stw] == S.EvSTWBegin, 1, -1)
    # Assists found running at the trace's start take 1/GOMAXPROCS off the utilization so far.
    fix = assist[a_type == S.EvGCMarkAssistActive]
    theirs = np.flatnonzero(among(t_g, g(fix)))
    prev = _last_of_same(t_g[theirs], trans[theirs], g(fix), fix, scale)
    fix = fix[(prev >= 0) & (after[theirs][np.maximum(prev, 0)] == 1)] if len(theirs) else fix[:0]

    rows = _unique(np.concatenate([[first], pc_rows, busy_rows, stw, fix]))
    busy = _ffill(*_cumulative(busy_rows, busy_delta), rows, 0)
    stws = _ffill(*_cumulative(stw, stw_delta), rows, 0)
    procs = _ffill(pc_rows, pc_n, rows, 0)
    util = np.where(stws > 0, 0.0, 1 - busy / np.maximum(procs, 1))
    change = np.ones(len(rows), bool)
    change[1:] = util[1:] != util[:-1]
    change |= np.isin(rows, fix)
    # Go records the value at every event; after a change, the first event at a later
    # time matters (at equal times Go keeps the lowest value).
    flush = np.searchsorted(trace.time, trace.time[rows[change]], side="right")
    visit = _unique(np.concatenate([rows[change], flush[flush < n]]))
    return _record(trace, visit, rows, util, set(fix.tolist()), pc_rows, pc_n, first, as_go)


def _cumulative(rows: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, running sum of delta) with one entry per distinct row."""
    order = np.argsort(rows, kind="stable")
    rows, total = rows[order], np.cumsum(delta[order])
    last = np.ones(len(rows), bool)
    last[:-1] = rows[1:] != rows[:-1]
    return rows[last], total[last]


def _busy_changes(d_rows, d_val, d_proc, pc_rows, pc_n) -> tuple[np.ndarray, np.ndarray]:
    """Rows where the number of procs with a positive GC count changes, and by how much.

    A proc's count starts at 0 and restarts at 0 when GOMAXPROCS drops to it or below."""
    rows_out, delta_out = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for p in _unique(d_proc).tolist():
        sel = np.flatnonzero(d_proc == p)
        sel = sel[np.argsort(d_rows[sel], kind="stable")]
        r, v = d_rows[sel], d_val[sel]
        resets = pc_rows[pc_n <= p]
        seg = np.searchsorted(resets, r, side="right")   # resets[seg] ends the segment
        starts = np.ones(len(r), bool)
        starts[1:] = seg[1:] != seg[:-1]
        cs = np.cumsum(v)
        begin = np.maximum.accumulate(np.where(starts, np.arange(len(r)), 0))
        positive = cs - np.where(begin > 0, cs[np.maximum(begin - 1, 0)], 0) > 0
        was = np.concatenate([[False], positive[:-1]]) & ~starts
        ends = _segment_ends(seg) & positive & (seg < len(resets))
        rows_out += [r, resets[seg[ends]]]
        delta_out += [positive.astype(np.int64) - was, -np.ones(int(ends.sum()), np.int64)]
    return np.concatenate(rows_out), np.concatenate(delta_out)


def _segment_ends(seg: np.ndarray) -> np.ndarray:
    end = np.ones(len(seg), bool)
    end[:-1] = seg[1:] != seg[:-1]
    return end


def _record(trace, visit, rows, util, fix, pc_rows, pc_n, first, as_go) -> tuple[np.ndarray, np.ndarray]:
    """Go's addUtil over the visited rows (and its fix-up for assists running at the start).

    Go ends the function with a 0 at the last event, unless it is 0 already: then its
    last step, and with it the span MMU windows may cover, ends earlier. Unless as_go,
    the function always ends at the last event."""
    times = trace.time
    at = np.searchsorted(rows, visit, side="right") - 1
    values = util[at].tolist()
    procs: list[tuple[int, int, int]] = []   # (row, time, GOMAXPROCS) changes
    for pr, t, m in zip(pc_rows.tolist(), times[pc_rows].tolist(), pc_n.tolist()):
        if not procs or procs[-1][2] != m:
            procs.append((pr, t, m))
    out: list[list] = [[int(times[first]), 1.0]]
    for r, u in zip(visit.tolist(), values):
        t = int(times[r])
        if r in fix:
            _assist_since_start(out, [(pt, m) for pr, pt, m in procs if pr < r])
        last = out[-1]
        if u == last[1]:
            continue
        if t == last[0]:
            if u < last[1]:
                last[1] = u
            continue
        out.append([t, u])
    t_end = int(times[-1])
    last = out[-1]
    if t_end == last[0]:
        last[1] = 0.0
    elif last[1] != 0.0 or not as_go:
        out.append([t_end, 0.0])
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


def mmu(times: np.ndarray, utils: np.ndarray, windows, as_go: bool = False) -> np.ndarray:
    """The minimum mutator utilization for each window (ns) of the step function
    (as_go=True: also Go's windows past the end, so the numbers equal Go's)."""
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
        starts = _unique(np.concatenate([np.clip(np.concatenate([t, t - w]), t0, t1 - w), band_starts]))
        means = (integral(starts + w) - integral(starts)) / w
        out[k] = min(1.0, float(means.min()))
    return out
