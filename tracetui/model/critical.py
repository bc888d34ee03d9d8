"""Critical path of an interval: which goroutine, in which state, kept the interval
from ending sooner, every nanosecond of it.

`critical_path(model, g, t0, t1)` walks backwards from t1 on goroutine g (dense
index) and returns a `CriticalPath` whose segments tile [path.start, t1) exactly:
they are contiguous, in time order, and their durations sum to t1 - path.start.
path.start is t0 unless the history the walk is on (g's, or its creator's...)
begins later. `Walker(model)` does the same with its caches kept across many walks
(the aggregate over a region type).

The walk. A cursor t moves from t1 down to t0 on a current goroutine; each step takes
the state span of the current goroutine that holds the instant just before t (the
span with start < t <= end) and clips it below at the current floor (t0 at first):

- running: the goroutine's own running, cut where it did a GC mark assist (`assist`)
  or stopped the world (`stw`, the STW ranges whose goroutine it is);
- runnable: scheduler wait (`runnable`); `scheduler_wait(model, a, b)` names the
  goroutines that held the Ps meanwhile and the overlap with STW pauses and GC;
- syscall: `syscall` (reason "blocked" when its P was taken away);
- waiting, ended by another goroutine U (a GoUnblock or GoSwitch U emitted), for a
  reason other than FOLLOW_NOT (timers, the network poller, the GC): the edge is
  followed. The walk continues on U backwards from min(t, unblock time), with a new
  floor: the later of the wait's start and the current floor. Before the wait began,
  whatever U did was not what the waiter waited for; U's own span at that moment
  may have begun earlier, and is clipped at the floor. When the cursor reaches the
  floor, the walk returns to the waiter, whose span just before is the one that
  led into the wait. A wait still going at t1 is followed to its eventual
  unblocker all the same (what U did until t1 is what the waiter was waiting for);
- waiting otherwise: `waiting` with its reason (sleep, network, select on a timer...).

Following an edge only descends in time, so the walk ends; the cycle guard is for
ties: an edge to (U, t) already followed at the same t is not followed again, and
the wait is attributed as `waiting`. A goroutine that did not exist yet at the
cursor leads to the goroutine that created it (its GoCreate event: an edge of kind
"create"), with the same floor. When a goroutine cannot explain a stretch (no
creator known, or a gap between its spans) the walk returns to the waiter, whose
wait is attributed as `waiting` from there down; on the interval's own goroutine,
the path begins there.

Each segment carries the goroutine's stack: for running (and assist, stw) the stack
of the event that ended it (where it blocked, or where it unblocked the waiter that
led the walk here); for the other states the stack where the goroutine left
running (the event that began the span, or the block before it when a wakeup by
another goroutine began the span). `depth` counts the edges followed to reach it.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import numpy as np

from tracetui.format import spec as S
from tracetui.model.lanes import RUNNABLE, RUNNING, SYSCALL, WAITING

STATE_NAMES = ("running", "runnable", "waiting", "syscall", "assist", "stw")

# Wait reasons whose wakeup is a timer, the network poller or the GC, not the work of
# the goroutine that happened to emit it.
FOLLOW_NOT = frozenset({
    "sleep", "network", "forever", "GC mark assist wait for work", "GC background sweeper wait",
    "system goroutine wait", "wait until GC ends", "GC weak to strong wait",
})
_WAKE_TYPES = (S.EvGoUnblock, S.EvGoSwitch, S.EvGoSwitchDestroy)
_CREATE_TYPES = (S.EvGoCreate, S.EvGoCreateBlocked, S.EvGoCreateSyscall)


@dataclass
class CriticalPath:
    """Segments in time order (lists of equal length) and the edges the walk followed."""
    goroutine: int          # dense index of the goroutine the walk began on
    start: int              # ns, absolute (trace clock)
    end: int
    g: list = field(default_factory=list)        # dense goroutine index per segment
    state: list = field(default_factory=list)    # one of STATE_NAMES
    reason: list = field(default_factory=list)   # str ("" for none)
    seg_start: list = field(default_factory=list)
    seg_end: list = field(default_factory=list)
    stack: list = field(default_factory=list)    # stack id (0: none)
    depth: list = field(default_factory=list)    # edges followed to reach the segment
    edges: list = field(default_factory=list)    # (waiter g, unblocker g, event row, time, kind) kind: "unblock"/"create"

    def __len__(self) -> int:
        return len(self.g)

    def durations(self) -> list[int]:
        return [e - s for s, e in zip(self.seg_start, self.seg_end)]


class _Frame:
    __slots__ = ("g", "floor", "arrive_t", "arrive_row", "no_follow")

    def __init__(self, g, floor, arrive_t=-1, arrive_row=-1):
        self.g, self.floor, self.arrive_t, self.arrive_row = g, floor, arrive_t, arrive_row
        self.no_follow = -1   # a span of this goroutine whose wait is not to be followed


class Walker:
    """Critical paths over one model; caches each goroutine's span starts and its
    assist and STW ranges across walks."""

    def __init__(self, model, cache_spans: int = 1 << 24):
        self.model = model
        self.tr = model.trace
        self.lanes = model.lanes
        self._starts: dict[int, np.ndarray] = {}
        self._cached = 0
        self._cache_spans = cache_spans   # span starts kept across walks (8 bytes each)
        self._ranges = None
        tr = self.tr
        self._last = int(tr.time[-1]) if len(tr) else 0
        self._strings = tr.strings
        self._follow_not = {i for i, s in enumerate(tr.strings) if s in FOLLOW_NOT}
        # int64 once: a searchsorted of a Python int in an int32 array converts the array each call
        self._xs = np.asarray(self.lanes.end_exceptions[0], np.int64)
        self._xr = self.lanes.end_exceptions[1]
        self._flags = self.lanes.end_flags

    # -- per-goroutine data -------------------------------------------------------------

    def _span_starts(self, g: int) -> np.ndarray:
        st = self._starts.get(g)
        if st is None:
            lo, hi = self.lanes.offsets[g], self.lanes.offsets[g + 1]
            if self._cached + (hi - lo) > self._cache_spans:
                self._starts.clear()
                self._cached = 0
            st = self._starts[g] = self.tr.time[self.lanes.begin_row[lo:hi]]
            self._cached += hi - lo
        return st

    def end_row(self, s: int) -> int:
        """The row that ended span s (global span index), -1 if open at the trace's end."""
        f = self._flags[s]
        if f & 2:
            return int(self._xr[int(np.searchsorted(self._xs, s))])
        return -1 if f & 1 else int(self.lanes.begin_row[s + 1])

    def _range_table(self):
        """g -> [(state, starts, ends)] (Python lists) for mark assists and the STW pauses g
        stopped the world for."""
        if self._ranges is None:
            gc = self.model.gc
            table: dict[int, list] = {}
            for name, t in (("stw", gc.stw), ("assist", gc.assists)):
                gs = np.asarray(t["goroutine"], np.int64)
                order = np.lexsort((t["start"], gs))
                gs, st, en = gs[order], np.asarray(t["start"])[order], np.asarray(t["end"])[order]
                cuts = np.flatnonzero(np.diff(gs)) + 1
                for a, b in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(gs)].tolist()):
                    if b > a and gs[a] >= 0:
                        table.setdefault(int(gs[a]), []).append((name, st[a:b].tolist(), en[a:b].tolist()))
            self._ranges = table
        return self._ranges

    def _running_pieces(self, g: int, a: int, t: int) -> list[tuple[str, int, int]]:
        """[a, t) of a running span of g cut into running / assist / stw, latest first."""
        cuts = []
        for name, st, en in self._range_table().get(g, ()):
            lo, hi = bisect_right(en, a), bisect_left(st, t)
            cuts += [(max(st[k], a), min(en[k], t), name) for k in range(lo, hi)]
        if not cuts:
            return [("running", a, t)]
        points = sorted({a, t, *(c[0] for c in cuts), *(c[1] for c in cuts)})
        pieces: list[list] = []
        for x, y in zip(points, points[1:]):
            kinds = {k for s, e, k in cuts if s <= x and y <= e}
            state = "stw" if "stw" in kinds else "assist" if "assist" in kinds else "running"
            if pieces and pieces[-1][0] == state:
                pieces[-1][2] = y
            else:
                pieces.append([state, x, y])
        return [tuple(p) for p in reversed(pieces)]

    # -- the walk -----------------------------------------------------------------------

    def walk(self, g: int, t0: int, t1: int) -> CriticalPath:
        """The critical path of [t0, t1) ending on goroutine g (see the module docstring).
        Where g did not exist yet and its creator is unknown, the path starts later:
        at `path.start`, g's first span (`lifetime(model, g)`)."""
        tr, L = self.tr, self.lanes
        time, types, evg, stacks, aux = tr.time, tr.type, tr.g, tr.stack, tr.aux
        t0, t1 = int(t0), int(t1)
        path = CriticalPath(goroutine=g, start=t0, end=t1)
        out = []   # (g, state, reason, start, end, stack, depth), latest first
        frames = [_Frame(g, t0)]
        seen = set()
        t = t1
        while t > t0:
            f = frames[-1]
            if t <= f.floor:
                frames.pop()
                continue
            cg = f.g
            starts = self._span_starts(cg)
            i = int(starts.searchsorted(t)) - 1
            s = int(L.offsets[cg]) + i
            er = self.end_row(s) if i >= 0 else -1
            span_end = int(time[er]) if er >= 0 else self._last
            if i < 0 or span_end < t:
                # cg has no span just before t: before its creation, or a gap.
                creator = -1
                if i < 0 and len(starts):
                    b0 = int(L.begin_row[int(L.offsets[cg])])
                    if types[b0] in _CREATE_TYPES and evg[b0] >= 0 and starts[0] == t:
                        creator = int(evg[b0])
                if creator >= 0 and (creator, t) not in seen:
                    seen.add((creator, t))
                    path.edges.append((cg, creator, b0, t, "create"))
                    frames[-1] = _Frame(creator, f.floor, t, b0)
                    continue
                if len(frames) == 1:   # the target goroutine's history starts here
                    path.start = t
                    break
                frames.pop()
                frames[-1].no_follow = self._span_at(frames[-1].g, t)
                continue
            a = max(int(starts[i]), f.floor)
            state = int(L.state[s])
            br = int(L.begin_row[s])
            depth = len(frames) - 1
            if state == RUNNING:
                if t == f.arrive_t and f.arrive_row >= 0:
                    row = f.arrive_row
                else:
                    row = er if er >= 0 and evg[er] == cg else -1
                st = int(stacks[row]) if row >= 0 else 0
                for name, x, y in self._running_pieces(cg, a, t):
                    out.append((cg, name, "", x, y, st, depth))
                t = a
                continue
            if state == WAITING and s != f.no_follow and er >= 0 and types[er] in _WAKE_TYPES:
                u = int(evg[er])
                reason = int(aux[br]) if types[br] == S.EvGoBlock else 0
                if u >= 0 and u != cg and reason not in self._follow_not and (u, t) not in seen:
                    seen.add((u, t))
                    path.edges.append((cg, u, er, int(time[er]), "unblock"))
                    frames.append(_Frame(u, a, t, er if span_end == t else -1))
                    continue
            out.append((cg, self._state_name(state), self._reason(s, state, br, er), a, t,
                        self._parked_stack(cg, s, br), depth))
            t = a
        for cg, state, reason, a, b, st, depth in reversed(out):
            path.g.append(cg)
            path.state.append(state)
            path.reason.append(reason)
            path.seg_start.append(a)
            path.seg_end.append(b)
            path.stack.append(st)
            path.depth.append(depth)
        return path

    def _span_at(self, g: int, t: int) -> int:
        i = int(np.searchsorted(self._span_starts(g), t, side="left")) - 1
        return int(self.lanes.offsets[g]) + i

    @staticmethod
    def _state_name(state: int) -> str:
        return {RUNNABLE: "runnable", WAITING: "waiting", SYSCALL: "syscall"}.get(state, "running")

    def _reason(self, s: int, state: int, br: int, er: int) -> str:
        tr = self.tr
        if state == WAITING:
            return self._strings[int(tr.aux[br])] if tr.type[br] == S.EvGoBlock else ""
        if state == SYSCALL:
            return "blocked" if er >= 0 and tr.type[er] == S.EvGoSyscallEndBlocked else ""
        if state == RUNNABLE and tr.type[br] == S.EvGoStop:
            return self._strings[int(tr.aux[br])]
        return ""

    def _parked_stack(self, g: int, s: int, br: int) -> int:
        """Where g left running for span s: the span's begin event if g emitted it,
        else the begin event of the span before (the block a wakeup ended)."""
        tr = self.tr
        if tr.g[br] == g:
            return int(tr.stack[br])
        if s > self.lanes.offsets[g]:
            pb = int(self.lanes.begin_row[s - 1])
            if tr.g[pb] == g:
                return int(tr.stack[pb])
        return 0


def critical_path(model, g: int, t0: int, t1: int) -> CriticalPath:
    """The critical path of [t0, t1) ending on goroutine g (dense index)."""
    return Walker(model).walk(g, t0, t1)


def lifetime(model, g: int) -> tuple[int, int]:
    """(first span start, last span end) of goroutine g: where a walk on g can run."""
    L = model.lanes
    lo, hi = int(L.offsets[g]), int(L.offsets[g + 1])
    if hi <= lo:
        return 0, 0
    tr = model.trace
    end = int(L.ends(np.array([hi - 1]))[0])
    return int(tr.time[L.begin_row[lo]]), end


def scheduler_wait(model, a: int, b: int, top: int = 3) -> dict:
    """Who held the Ps during [a, b) (the goroutines running on them, top `top` by time,
    as (dense g, ns)), and how much of [a, b) overlapped an STW pause or a GC mark phase."""
    procs, L, tr = model.procs, model.lanes, model.trace
    held: dict[int, int] = {}
    for p in range(len(procs)):
        idx = procs.span_index[procs.offsets[p]:procs.offsets[p + 1]]
        if not len(idx):
            continue
        lo = _first_start_at_or_after(tr.time, L.begin_row, idx, a)
        hi = _first_start_at_or_after(tr.time, L.begin_row, idx, b)
        pick = idx[max(lo - 1, 0):hi]
        if not len(pick):
            continue
        st = tr.time[L.begin_row[pick]]
        en = L.ends(pick)
        cover = np.minimum(en, b) - np.maximum(st, a)
        gs = L.goroutine_of(pick)
        for gi, c in zip(gs.tolist(), cover.tolist()):
            if c > 0:
                held[gi] = held.get(gi, 0) + c
    gc = model.gc
    return dict(holders=sorted(held.items(), key=lambda kv: -kv[1])[:top],
                stw_ns=_overlap(gc.stw["start"], gc.stw["end"], a, b),
                gc_ns=_overlap(gc.cycles["start"], gc.cycles["end"], a, b))


def _first_start_at_or_after(time, begin_row, idx, t) -> int:
    """Position in `idx` (spans in time order) of the first span starting at or after t
    (a bisection on the spans' start times, without gathering them all)."""
    lo, hi = 0, len(idx)
    while lo < hi:
        mid = (lo + hi) // 2
        if time[begin_row[idx[mid]]] < t:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _overlap(starts, ends, a: int, b: int) -> int:
    starts, ends = np.asarray(starts), np.asarray(ends)
    if not len(starts):
        return 0
    return int(np.clip(np.minimum(ends, b) - np.maximum(starts, a), 0, None).sum())
