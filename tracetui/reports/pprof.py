"""The four pprof-like profiles `go tool trace -pprof=KIND` computes, from the
event columns (cmd/trace pprof.go, makeComputePprofFunc):

- sync: time goroutines wait blocked on chan, sync or select (reason contains one of those);
- net: time waiting on the network (reason "network");
- syscall: time in syscalls;
- sched: time runnable, waiting to be scheduled.

For each goroutine, in event order, an episode begins at the first transition
into the kind's state (with a matching reason) and ends at the next transition
to another state; episodes still open at the end of the trace are not counted.
Its time is the part of it inside the goroutine's life as Go's summarizer sees it
[start of first run, end or the trace's last event] (so a new goroutine's wait for
its first run counts nothing, as in Go), and it is attributed to the stack of the
event that began it. Samples are per distinct stack (as Go deduplicates them,
quirks included: see profile_records): contentions/count and delay/nanoseconds.

Kind "cpu" is the trace's CPU samples (CPUSample events: where the CPU profiler caught each
goroutine), one sample each, CPU_PERIOD ns apiece, merged per stack as runtime/pprof does.

`profile_records(model, kind)` returns the samples as numpy arrays; `stacks_of(model, kind)` as
function stacks for tracetui.reports.profile_tree (the -top table, folded stacks, flame graphs);
`pprof_profile(model, kind)` the gzipped profile.proto bytes.
"""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S
from tracetui.model._lanes import state_episodes
from tracetui.reports.profile_proto import Profile
from tracetui.reports.profile_tree import MAX_STACK, function_stacks

KINDS = ("sync", "net", "syscall", "sched")
PROFILE_KINDS = ("cpu", *KINDS)
# The CPU profiler's default rate is 100 Hz (runtime/pprof); a trace does not record the rate.
CPU_PERIOD = 10_000_000

_RUNNABLE, _RUNNING, _WAITING, _SYSCALL = 2, 3, 4, 5
_KIND_STATE = {"sync": _WAITING, "net": _WAITING, "syscall": _SYSCALL, "sched": _RUNNABLE}
_STATUS_TO_STATE = np.array([0, _RUNNABLE, _RUNNING, _SYSCALL, _WAITING], np.uint8)  # wire GoStatus -> GoState

# Goroutine transition types: is the goroutine the event's own (else aux names it), and the new state
# (0: from the GoStatus payload).
_OWN, _OTHER = True, False
_TRANSITIONS = {
    S.EvGoCreate: (_OTHER, _RUNNABLE), S.EvGoCreateBlocked: (_OTHER, _WAITING),
    S.EvGoCreateSyscall: (_OTHER, _SYSCALL), S.EvGoStart: (_OTHER, _RUNNING),
    S.EvGoUnblock: (_OTHER, _RUNNABLE), S.EvGoSwitch: (_OTHER, _RUNNABLE), S.EvGoSwitchDestroy: (_OTHER, _RUNNABLE),
    S.EvGoDestroy: (_OWN, 1), S.EvGoDestroySyscall: (_OWN, 1), S.EvGoStop: (_OWN, _RUNNABLE),
    S.EvGoBlock: (_OWN, _WAITING), S.EvGoSyscallBegin: (_OWN, _SYSCALL), S.EvGoSyscallEnd: (_OWN, _RUNNING),
    S.EvGoSyscallEndBlocked: (_OWN, _RUNNABLE), S.EvGoStatus: (_OTHER, 0), S.EvGoStatusStack: (_OTHER, 0),
}
_IS_TRANSITION = np.zeros(256, np.uint8)
_IS_OWN = np.zeros(256, np.uint8)
_NEW_STATE = np.zeros(256, np.uint8)
for _t, (_own, _new) in _TRANSITIONS.items():
    _IS_TRANSITION[_t], _IS_OWN[_t], _NEW_STATE[_t] = True, _own, _new
_HAS_REASON = np.zeros(256, np.uint8)  # the blocking reason is the event's aux
_HAS_REASON[[S.EvGoStop, S.EvGoBlock]] = True


def _reason_matches(kind: str, strings: list[str]) -> np.ndarray:
    """Per string index: does a blocking reason with that text count for `kind`."""
    if kind == "sync":
        test = lambda r: "chan" in r or "sync" in r or "select" in r  # noqa: E731
    elif kind == "net":
        test = lambda r: r == "network"  # noqa: E731
    else:
        return np.ones(len(strings), bool)
    return np.array([test(s) for s in strings], bool)


def episodes(trace, kind: str) -> dict[str, np.ndarray]:
    """Every completed episode of the kind's state, grouped by goroutine, in event order within
    one: per goroutine, an episode begins at the first transition into the state with a matching
    reason since the goroutine last left it, and ends at its next transition to another state.
    Columns (int64): goroutine, begin_row, end_row, start, end (ns), stack (at the begin row);
    one compiled pass over the events (tracetui.model._lanes.state_episodes)."""
    return state_episodes(trace, _IS_TRANSITION, _IS_OWN, _NEW_STATE, _STATUS_TO_STATE, _HAS_REASON,
                          _reason_matches(kind, trace.strings).view(np.uint8), _KIND_STATE[kind])


def goroutine_intervals(model, name: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(goroutine, start, end) of each goroutine Go's summarizer lists (named `name`, if given):
    from its first run (0 if it never ran) to its end or the trace's last event."""
    G, time = model.summary.goroutines, model.trace.time
    live = G["live"]
    if name is not None:
        strings = model.trace.strings
        named = np.array([s == name for s in strings], bool)
        live = live & named[G["name"]]
    g = np.flatnonzero(live)
    last = time[-1] if len(time) else 0
    return g, G["start"][g], np.where(G["end"][g] == 0, last, G["end"][g])


def region_intervals(model, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(goroutine, start, end) of the outermost regions named `name` on each goroutine (Go's
    pprofMatchingRegions: sorted by start then end, a region starting before the last kept one
    ended is dropped)."""
    R, strings = model.summary.regions, model.trace.strings
    named = np.array([s == name for s in strings], bool)
    ri = np.flatnonzero(R["in_summary"] & (R["goroutine"] >= 0) & named[R["name"]])
    order = np.lexsort((R["end"][ri], R["start"][ri], R["goroutine"][ri]))
    g, start, end = R["goroutine"][ri][order].astype(np.int64), R["start"][ri][order], R["end"][ri][order]
    keep = np.zeros(len(g), bool)
    last_g, last_end = -1, 0
    for i, (gi, s, e) in enumerate(zip(g.tolist(), start.tolist(), end.tolist())):  # sequential by nature
        if gi != last_g or last_end <= s:
            keep[i], last_g, last_end = True, gi, e
    return g[keep], start[keep], end[keep]


def _overlap(intervals, g: np.ndarray, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """For each k: how long goroutine g[k]'s intervals (disjoint) cover [t0[k], t1[k]]."""
    ig, istart, iend = intervals
    if len(ig) == 0 or np.bincount(ig).max() == 1:  # one interval per goroutine (the common case): index it
        n = int(max(ig.max(initial=-1), g.max(initial=-1))) + 1
        s0, s1 = np.zeros(n, np.int64), np.zeros(n, np.int64)  # [0, 0] for the goroutines without one
        s0[ig], s1[ig] = istart, iend
        lo, hi = s0[g], s1[g]
        return np.clip(t1, lo, hi) - np.clip(t0, lo, hi)
    return _covered(intervals, g, t1) - _covered(intervals, g, t0)


def _covered(intervals, g: np.ndarray, t: np.ndarray) -> np.ndarray:
    """For each (g[k], t[k]): how long goroutine g's intervals (disjoint, sorted) cover up to time t."""
    ig, istart, iend = intervals
    order = np.lexsort((istart, ig))
    ig, istart, iend = ig[order], istart[order], iend[order]
    length = iend - istart
    before = np.cumsum(length) - length
    first_of_g = np.ones(len(ig), bool)
    first_of_g[1:] = ig[1:] != ig[:-1]
    before -= np.maximum.accumulate(np.where(first_of_g, before, 0)) if len(ig) else 0
    # The last interval of the same goroutine starting at or before t: merge queries into the intervals.
    n = len(ig)
    keys_g = np.concatenate([ig, g])
    keys_t = np.concatenate([istart, t])
    is_query = np.concatenate([np.zeros(n, bool), np.ones(len(g), bool)])
    merged = np.lexsort((is_query, keys_t, keys_g))
    seen = np.maximum.accumulate(np.where(merged < n, merged, -1)) if len(merged) else merged
    at = np.empty(len(g), np.int64)
    at[merged[is_query[merged]] - n] = seen[is_query[merged]]
    ok = at >= 0
    ok[ok] &= ig[at[ok]] == g[ok]
    j = np.maximum(at, 0)
    return np.where(ok, before[j] + np.clip(t - istart[j], 0, length[j]) if n else 0, 0)


def profile_records(model, kind: str, goroutine: str | None = None, region: str | None = None,
                    intervals=None, window: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
    """One record per distinct stack: `stack` (a representative stack index), `count`, `time` (ns),
    from profile_items (same arguments)."""
    it = profile_items(model, kind, goroutine, region, intervals, window)
    rec = _merge(model.trace, it["stack"], it["value"], it["order"])
    if kind == "cpu":
        rec["time"] = rec["count"] * CPU_PERIOD
    return rec


def profile_items(model, kind: str, goroutine: str | None = None, region: str | None = None,
                  intervals=None, window: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
    """What a profile counts, one item per episode or sample: `goroutine` (dense index, -1 none),
    `start`, `end` (ns), `stack` (trace stack index), `value` (ns of the episode counted; 1 per
    CPU sample) and `order` (which item's stack a merged record shows: the latest).

    Time counts inside the goroutines' lives (Go's summarizer), or with `goroutine` only inside
    the lives of goroutines of that name, or with `region` only inside that region's outermost
    instances on each goroutine (as Go's web UI filters its profiles), or inside `intervals`
    ((goroutine, start, end) arrays, disjoint per goroutine: see scope_intervals); `window`
    (ns) clips to a time range too.

    Kind "cpu": the trace's CPU samples; the filters keep the samples of those goroutines at
    those times (without one, every sample; with only `window`, every sample inside it)."""
    if kind == "cpu":
        return _cpu_items(model, goroutine, region, intervals, window)
    if kind not in KINDS:
        raise ValueError(f"unknown profile kind {kind!r} (one of {', '.join(PROFILE_KINDS)})")
    ep = episodes(model.trace, kind)
    g, start, end = ep["goroutine"], ep["start"], ep["end"]
    if intervals is None:
        if region is not None:
            intervals = region_intervals(model, region)
        elif goroutine is not None or window is None:
            intervals = goroutine_intervals(model, goroutine)
        else:
            intervals = scope_intervals(model, window)
    if window is not None:
        intervals = _clip(intervals, window)
    overlap = _overlap(intervals, g, start, end)
    c = overlap > 0
    return dict(goroutine=g[c], start=start[c], end=end[c], stack=ep["stack"][c], value=overlap[c],
                order=ep["end_row"][c])


def _cpu_items(model, goroutine, region, intervals, window) -> dict[str, np.ndarray]:
    from tracetui.model.points import cpu_samples

    cpu = cpu_samples(model.trace)
    rows, g, t = cpu["row"], cpu["goroutine"].astype(np.int64), cpu["time"]
    keep = np.ones(len(rows), bool)
    if goroutine is not None or region is not None or intervals is not None:
        if intervals is None:
            intervals = region_intervals(model, region) if region is not None else goroutine_intervals(model, goroutine)
        gg = np.maximum(g, 0)
        keep &= (g >= 0) & (_overlap(intervals, gg, t, t + 1) > 0)
    if window is not None:
        keep &= (t >= window[0]) & (t <= window[1])
    rows, g, t = rows[keep], g[keep], t[keep]
    return dict(goroutine=g, start=t, end=t, stack=model.trace.stack[rows].astype(np.int64),
                value=np.ones(len(rows), np.int64), order=rows)


def _clip(intervals, window):
    g, start, end = intervals
    start, end = np.maximum(start, window[0]), np.minimum(end, window[1])
    keep = start < end
    return g[keep], start[keep], end[keep]


def scope_intervals(model, window: tuple[int, int] | None = None, goroutines=None):
    """(goroutine, start, end) for a profile's scope: the goroutines' lives (Go's summarizer), only
    of the goroutines in `goroutines` (dense indices) if given, clipped to `window` (ns) if given."""
    g, start, end = goroutine_intervals(model)
    if goroutines is not None:
        keep = np.isin(g, np.asarray(goroutines, np.int64))
        g, start, end = g[keep], start[keep], end[keep]
    if window is not None:
        g, start, end = _clip((g, start, end), window)
    return g.astype(np.int64), start, end


def _merge(trace, stacks: np.ndarray, values: np.ndarray, order: np.ndarray) -> dict[str, np.ndarray]:
    """Records per distinct stack. Go merges stacks by their first 128 program counters, padded
    with zeros (so a stack of one frame at pc 0 merges with "no stack"), and a merged record shows
    the stack seen last: that of the item with the greatest `order` (for an episode, its end)."""
    uniq, inv = np.unique(stacks, return_inverse=True)
    pcs = {}
    key = np.array([pcs.setdefault(_pc_key(trace, int(s)), len(pcs)) for s in uniq], np.int64)[inv]
    keys, group = np.unique(key, return_inverse=True)
    last = np.full(len(keys), -1, np.int64)
    np.maximum.at(last, group, order)
    shown = np.empty(len(keys), np.int64)
    is_last = order == last[group]
    shown[group[is_last]] = stacks[is_last]
    time = np.zeros(len(keys), np.int64)
    np.add.at(time, group, values)  # exact int64 sums
    return dict(stack=shown, count=np.bincount(group, minlength=len(keys)).astype(np.int64), time=time)


def _pc_key(trace, stack: int) -> tuple[int, ...]:
    pcs = trace.frame_pc[trace.stack_frame_ids(stack)[:MAX_STACK]].tolist()
    while pcs and pcs[-1] == 0:
        pcs.pop()
    return tuple(pcs)


def sample_types(kind: str) -> list[tuple[str, str]]:
    """The profile's sample types (pprof's default is the last)."""
    return [("samples", "count"), ("cpu", "nanoseconds")] if kind == "cpu" else [("contentions", "count"),
                                                                                    ("delay", "nanoseconds")]


def stacks_of(model, kind: str, **scope):
    """The profile as function stacks (tracetui.reports.profile_tree.Stacks)."""
    rec = profile_records(model, kind, **scope)
    return function_stacks(model.trace, rec["stack"], np.stack([rec["count"], rec["time"]], axis=1),
                           sample_types(kind))


def pprof_profile(model, kind: str, goroutine: str | None = None, region: str | None = None) -> bytes:
    """The kind's profile as gzip-compressed profile.proto, as BuildProfile in Go's traceviewer writes
    it; for "cpu", as runtime/pprof writes a CPU profile (period CPU_PERIOD)."""
    rec = profile_records(model, kind, goroutine, region)
    trace = model.trace
    if kind == "cpu":
        t = trace.time
        prof = Profile(sample_types=sample_types(kind), period_type=("cpu", "nanoseconds"), period=CPU_PERIOD,
                       duration=int(t[-1] - t[0]) if len(t) else 0)
    else:
        prof = Profile(sample_types=sample_types(kind), period_type=("trace", "count"))
    locations: dict[int, int] = {}   # pc -> location id
    functions: dict[tuple[int, int], int] = {}  # (file, func) string -> function id
    strings = trace.strings
    for stack, count, ns in zip(rec["stack"].tolist(), rec["count"].tolist(), rec["time"].tolist()):
        ids = []
        for f in trace.stack_frame_ids(stack)[:MAX_STACK].tolist():
            pc = int(trace.frame_pc[f])
            loc = locations.get(pc)
            if loc is None:
                fkey = (int(trace.frame_file[f]), int(trace.frame_func[f]))
                fid = functions.get(fkey)
                if fid is None:
                    fid = functions[fkey] = prof.function(strings[fkey[1]], strings[fkey[0]])
                loc = locations[pc] = prof.location(pc, fid, int(trace.frame_line[f]))
            ids.append(loc)
        prof.sample(ids, (count, ns))
    return prof.encode()
