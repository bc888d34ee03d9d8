"""Per-goroutine state lanes: the spans of `_lanes.pyx` and the queries the
timeline and reports ask of them.

Spans are CSR columns: `offsets`, `begin_row`, `state`. A span ends where the
goroutine's next span begins, so the end rows are derived (`end_rows(spans)`,
or the whole column `end_row`) from the begin rows and a short list of
exceptions. `lanes.spans(g)` gives one goroutine's spans with their times;
`state_time(g, boundaries)` how long it spent in each state between consecutive boundaries
(a screen row: a few searchsorted calls and a cumulative sum cached per lane,
never a scan of the trace); `dominant(g, t0, t1, ncols)` the state that filled
most of each column and whether the column mixes states.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from tracetui.format import spec as S
from tracetui.model._lanes import goroutine_lanes

# Span states (Go's GoState numbers).
RUNNABLE, RUNNING, WAITING, SYSCALL = 2, 3, 4, 5
STATES = (RUNNABLE, RUNNING, WAITING, SYSCALL)
STATE_NAMES = {RUNNABLE: "runnable", RUNNING: "running", WAITING: "waiting", SYSCALL: "syscall"}
NONE = 0  # no span in a column
# Events that end a goroutine's wait and are made by the goroutine that woke it: GoUnblock,
# or GoSwitch / GoSwitchDestroy (an iter.Pull coroutine switched to). The one definition of
# "unblocker": `unblockers(g)`, `Span.unblocker`.
WAKERS = (S.EvGoUnblock, S.EvGoSwitch, S.EvGoSwitchDestroy)


@dataclass(frozen=True)
class Span:
    """One goroutine span (`GoroutineLanes.span`): its index in the lanes, goroutine, state,
    times, the rows that began and ended it (end_row -1: still open), the reason of the
    GoBlock or GoStop that began it ("" for other events), the unblocker (dense goroutine index, -1: none) and the
    stacks at its begin and end rows (0: none)."""

    index: int
    goroutine: int
    state: int
    start: int
    end: int
    begin_row: int
    end_row: int
    reason: str
    unblocker: int
    begin_stack: int
    end_stack: int


@dataclass(eq=False)
class GoroutineLanes:
    trace: object
    offsets: np.ndarray      # int64[ngoroutines+1]: goroutine g owns spans offsets[g]:offsets[g+1]
    begin_row: np.ndarray    # int32: row of the event that began each span
    state: np.ndarray        # uint8: RUNNABLE, RUNNING, WAITING or SYSCALL
    end_exceptions: tuple[np.ndarray, np.ndarray]  # (span, end row), sorted by span: see end_rows
    _cum: dict = field(default_factory=dict, repr=False)

    def goroutine_of(self, spans: np.ndarray) -> np.ndarray:
        """Dense goroutine index of each span index."""
        return np.searchsorted(self.offsets, spans, side="right") - 1

    @property
    def end_row(self) -> np.ndarray:
        """The row that ended each span (-1: still open at the end of the trace).
        Computed on each call (keep it if you need it twice); `end_rows` for a few spans."""
        b = self.begin_row
        e = np.empty(len(b), np.int32)
        e[:-1] = b[1:]
        lasts = self.offsets[1:][np.diff(self.offsets) > 0] - 1
        e[lasts] = -1
        spans, rows = self.end_exceptions
        e[spans] = rows
        return e

    def end_rows(self, spans) -> np.ndarray:
        """End rows of a slice or an index array of spans: the begin row of the goroutine's
        next span, -1 after its last one, except where end_exceptions says otherwise."""
        b, off = self.begin_row, self.offsets
        xs, xr = self.end_exceptions
        if isinstance(spans, slice):  # a copy of the next begin rows, then the goroutine ends
            lo, hi, _ = spans.indices(len(b))
            hi = max(lo, hi)
            e = np.empty(hi - lo, np.int32)
            e[:len(b[lo + 1:hi + 1])] = b[lo + 1:hi + 1]
            ends = off[np.searchsorted(off, lo, side="right"):np.searchsorted(off, hi, side="right")] - 1
            e[ends - lo] = -1
            x0, x1 = np.searchsorted(xs, [lo, hi])
            e[xs[x0:x1] - lo] = xr[x0:x1]
            return e
        spans = np.asarray(spans)
        if len(b) == 0:
            return np.zeros(spans.shape, np.int32)
        nxt = spans + 1  # millions of spans (every P's): one wide temporary, then narrow ones
        np.minimum(nxt, len(b) - 1, out=nxt)
        e = b[nxt]
        del nxt
        flags = self.end_flags[spans]
        e[(flags & 1) != 0] = -1
        x = np.flatnonzero(flags & 2)
        e[x] = xr[np.searchsorted(xs, spans[x])]
        return e

    @cached_property
    def end_flags(self) -> np.ndarray:
        """Per span: 1 if it is its goroutine's last, 2 if it is in end_exceptions."""
        flags = np.zeros(len(self.begin_row), np.uint8)
        counts = np.diff(self.offsets)
        flags[self.offsets[1:][counts > 0] - 1] = 1
        flags[self.end_exceptions[0]] |= 2
        return flags

    def ends(self, spans: np.ndarray) -> np.ndarray:
        """End time of each span index (an open span ends at the trace's last event)."""
        tr = self.trace
        e = self.end_rows(spans)
        return np.where(e >= 0, tr.time[np.maximum(e, 0)], tr.time[-1] if len(tr) else 0)

    def _woken_by(self, g: int, state: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Per span (its state and end row) of goroutine g: its unblocker or -1 (see WAKERS)."""
        tr = self.trace
        ee = np.maximum(e, 0)
        who = tr.g[ee].astype(np.int64)
        ok = (state == WAITING) & (e >= 0) & np.isin(tr.type[ee], WAKERS) & (who >= 0) & (who != g)
        return np.where(ok, who, -1)

    def unblockers(self, g: int) -> np.ndarray:
        """Per span of g: the goroutine (dense index) that ended its wait (see WAKERS), or -1."""
        sp = self.spans(g)
        return self._woken_by(g, sp["state"], sp["end_row"])

    def span_at(self, g: int, t: int) -> int:
        """The index (into the lanes' columns) of goroutine g's span in force at t, or -1
        (before its first span or after its last one ended). A binary search over the
        begin rows' times: no per-span arrays, so cheap on a lane of millions of spans."""
        lo, hi = int(self.offsets[g]), int(self.offsets[g + 1])
        time, begin = self.trace.time, self.begin_row
        k = bisect.bisect_right(range(lo, hi), t, key=lambda j: time[begin[j]]) - 1
        if k < 0 or int(self.ends(np.array([lo + k]))[0]) <= t:
            return -1
        return lo + k

    def span(self, j: int) -> Span:
        """Span j (an index into the lanes' columns) with its reason, unblocker and stacks."""
        tr = self.trace
        g = int(self.goroutine_of(np.array([j]))[0])
        b = int(self.begin_row[j])
        e = int(self.end_rows(np.array([j]))[0])
        state = int(self.state[j])
        reason = tr.strings[int(tr.aux[b])] if tr.type[b] in (S.EvGoBlock, S.EvGoStop) else ""
        who = int(self._woken_by(g, np.array([state]), np.array([e]))[0])
        end = int(tr.time[e]) if e >= 0 else int(tr.time[-1])
        return Span(j, g, state, int(tr.time[b]), end, b, e, reason, who, int(tr.stack[b]),
                    int(tr.stack[e]) if e >= 0 else 0)

    def stacks(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Per span of g: the stack of the event that began it and of the one that ended it (0: none).

        A goroutine's stack at a block is on the event of its own transition (GoBlock,
        GoStop, GoSyscallBegin); the end event's stack is where the ender was."""
        sp = self.spans(g)
        tr = self.trace
        e = sp["end_row"]
        return tr.stack[sp["begin_row"]], np.where(e >= 0, tr.stack[np.maximum(e, 0)], 0)

    def syscall_blocked(self, g: int) -> np.ndarray:
        """Per span of g: a syscall that blocked (its P was taken; it ended with GoSyscallEndBlocked)."""
        sp = self.spans(g)
        e = sp["end_row"]
        return (sp["state"] == SYSCALL) & (e >= 0) & (self.trace.type[np.maximum(e, 0)] == S.EvGoSyscallEndBlocked)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def count(self, g: int) -> int:
        return int(self.offsets[g + 1] - self.offsets[g])

    def spans(self, g: int) -> dict[str, np.ndarray]:
        """begin_row, end_row, state, start, end (ns; an open span ends at the last event)."""
        lo, hi = self.offsets[g], self.offsets[g + 1]
        tr = self.trace
        b, e = self.begin_row[lo:hi], self.end_rows(slice(lo, hi))
        last = tr.time[-1] if len(tr) else 0
        return dict(begin_row=b, end_row=e, state=self.state[lo:hi], start=tr.time[b],
                    end=np.where(e >= 0, tr.time[np.maximum(e, 0)], last))

    def reasons(self, g: int) -> np.ndarray:
        """Block reason (string index) of each span; 0 where it is not a blocking event."""
        b = self.spans(g)["begin_row"]
        tr = self.trace
        return np.where(tr.type[b] == S.EvGoBlock, tr.aux[b], 0)

    def wait_reasons_in(self, g: int, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray]:
        """(block reason (string index; 0: not a blocking event), time inside [t0, t1]) of each
        waiting span of goroutine g that overlaps the range."""
        start, end, state, _dur, _cum = self._lane(g)
        i0 = max(int(np.searchsorted(start, t0, side="right")) - 1, 0)
        i1 = int(np.searchsorted(start, t1, side="left"))
        w = i0 + np.flatnonzero(state[i0:i1] == WAITING)
        t = np.maximum(np.minimum(end[w], t1) - np.maximum(start[w], t0), 0)
        b = self.begin_row[self.offsets[g] + w]
        tr = self.trace
        return np.where(tr.type[b] == S.EvGoBlock, tr.aux[b], 0), t

    def _lane(self, g: int):
        lane = self._cum.get(g)
        if lane is None:
            sp = self.spans(g)
            dur = sp["end"] - sp["start"]
            cum = {s: np.concatenate([[0], np.cumsum(np.where(sp["state"] == s, dur, 0))]) for s in STATES}
            lane = self._cum[g] = (sp["start"], sp["end"], sp["state"], dur, cum)
        return lane

    def state_time(self, g: int, boundaries: np.ndarray) -> dict[int, np.ndarray]:
        """Time in each state between consecutive `boundaries` (ns, ascending)."""
        start, _end, state, dur, cum = self._lane(g)
        bounds = np.asarray(boundaries, dtype=np.int64)
        if len(start) == 0:
            return {s: np.zeros(len(bounds) - 1, np.int64) for s in STATES}
        j = np.searchsorted(start, bounds, side="right") - 1
        jj = np.clip(j, 0, len(start) - 1)
        inside = np.clip(bounds - start[jj], 0, dur[jj])
        out = {}
        for s in STATES:
            f = np.where(j >= 0, cum[s][jj] + np.where(state[jj] == s, inside, 0), 0)
            out[s] = np.diff(f)
        return out

    def dominant(self, g: int, t0: int, t1: int, ncols: int) -> tuple[np.ndarray, np.ndarray]:
        """Per column of [t0, t1): the state with most time (NONE if none) and whether it mixes states."""
        bounds = np.linspace(t0, t1, ncols + 1).astype(np.int64)
        times = self.state_time(g, bounds)
        stack = np.stack([times[s] for s in STATES])
        best = np.array(STATES, np.uint8)[np.argmax(stack, axis=0)]
        busy = (stack > 0).sum(axis=0)
        return np.where(busy > 0, best, NONE).astype(np.uint8), busy > 1


def goroutine_lanes_of(trace):
    """(GoroutineLanes, ProcLanes, ThreadLanes, GoroutineCounts): the goroutine spans from
    one compiled pass; the proc and thread lanes and the counts are computed on first use."""
    from tracetui.model.procs import GoroutineCounts, ProcLanes, ThreadLanes

    lanes = GoroutineLanes(trace, *goroutine_lanes(trace))
    return lanes, ProcLanes(lanes), ThreadLanes(lanes), GoroutineCounts(trace)
