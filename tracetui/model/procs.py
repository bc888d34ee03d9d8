"""Procs (Ps), threads (Ms) and goroutine counts over time, from the goroutine spans.

- `ProcLanes`: which goroutine ran on each P and when. Each P's spans are the
  running spans that began on it, in time order (indices into the goroutine
  spans, so nothing is copied), listed by a compiled pass on first use. GC
  worker goroutines carry their label ("GC (dedicated)", "GC (fractional)",
  "GC (idle)", from GoLabel events) per span, found by the same pass.
- `ThreadLanes`: what each M did: ran a goroutine (on a P) or sat in a syscall.
- `GoroutineCounts`: how many goroutines were running, runnable, waiting and in
  a syscall (computed on first use), kept per block of COUNT_BLOCK events (the
  count at the block's end and its peak inside the block), so a sparkline column
  costs a searchsorted and a max over the blocks it covers, and no spike is lost.

Time outside every span of a P or M is idle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from tracetui.model._lanes import COUNT_BLOCK, goroutine_counts, resource_spans
from tracetui.model.lanes import RUNNABLE, RUNNING, SYSCALL, WAITING, GoroutineLanes


@dataclass(eq=False)
class _ResourceLanes:
    """Spans per resource (P or M), as CSR indices into the goroutine spans
    (`offsets`, `span_index`), listed by a compiled pass when first asked for."""

    lanes: GoroutineLanes
    _cache: dict = field(default_factory=dict, repr=False)
    THREADS = False

    @cached_property
    def _csr(self) -> tuple[np.ndarray, ...]:
        return resource_spans(self.lanes.trace, self.lanes.offsets, self.THREADS)

    @property
    def offsets(self) -> np.ndarray:
        return self._csr[0]

    @property
    def span_index(self) -> np.ndarray:
        return self._csr[1]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def count(self, i: int) -> int:
        return int(self.offsets[i + 1] - self.offsets[i])

    def spans(self, i: int) -> dict[str, np.ndarray]:
        """span (index into the goroutine spans), g, state, begin_row, end_row, start, end."""
        got = self._cache.get(i)
        if got is None:
            idx = self.span_index[self.offsets[i]:self.offsets[i + 1]]
            L = self.lanes
            b = L.begin_row[idx]
            e = L.end_rows(idx)
            last = L.trace.time[-1] if len(L.trace) else 0
            got = self._cache[i] = dict(span=idx, g=L.goroutine_of(idx), state=L.state[idx], begin_row=b,
                                        end_row=e, start=L.trace.time[b],
                                        end=np.where(e >= 0, L.trace.time[np.maximum(e, 0)], last))
        return got

    def busy_time(self, i: int, bounds: np.ndarray) -> np.ndarray:
        """Time covered by spans of resource i between consecutive `bounds` (ns)."""
        sp = self.spans(i)
        bounds = np.asarray(bounds, np.int64)
        cum = np.concatenate([[0], np.cumsum(sp["end"] - sp["start"])])
        j = np.searchsorted(sp["start"], bounds, side="right") - 1
        jj = np.clip(j, 0, max(len(sp["start"]) - 1, 0))
        if len(sp["start"]) == 0:
            return np.zeros(len(bounds) - 1, np.int64)
        inside = np.clip(bounds - sp["start"][jj], 0, sp["end"][jj] - sp["start"][jj])
        f = np.where(j >= 0, cum[jj] + inside, 0)
        return np.diff(f)

    def dominant(self, i: int, t0: int, t1: int, ncols: int) -> tuple[np.ndarray, np.ndarray]:
        """Per column of [t0, t1): the span that covered most of it (-1: idle), and
        whether more than one span (or a span and idle time) shared the column."""
        sp = self.spans(i)
        start, end = sp["start"], sp["end"]
        bounds = np.linspace(t0, t1, ncols + 1).astype(np.int64)
        lo = np.searchsorted(end, bounds[:-1], side="right")   # first span ending after the column starts
        hi = np.searchsorted(start, bounds[1:], side="left")   # spans starting before it ends
        n = hi - lo
        best = np.where(n >= 1, np.minimum(lo, max(len(start) - 1, 0)), -1)
        for c in np.flatnonzero(n > 1):
            j = np.arange(lo[c], hi[c])
            cover = np.minimum(end[j], bounds[c + 1]) - np.maximum(start[j], bounds[c])
            best[c] = j[np.argmax(cover)]
        one = n == 1
        full = np.zeros(ncols, bool)
        if one.any():
            k = best[one]
            full[one] = (start[k] <= bounds[:-1][one]) & (end[k] >= bounds[1:][one])
        return best, (n > 1) | (one & ~full)


class ProcLanes(_ResourceLanes):
    """Which goroutine ran on each P (dense proc index; real id: trace.proc_ids)."""

    @property
    def gc_label(self) -> np.ndarray:
        """Per span of `span_index`: the GoLabel string index given to it while it ran
        (0 = none; the last label of a span wins), from the same compiled pass."""
        return self._csr[2]

    def assists(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of the GC mark assists done on P p, in time order: each assist cut
        at its goroutine's running spans, as cmd/trace's proc view draws them (an assist
        still going at the end of the trace ends at its last event)."""
        off, rows = self._csr[3], self._csr[4]
        piece = rows[off[p]:off[p + 1]]
        time = self.lanes.trace.time
        return time[piece[:, 0]], time[piece[:, 1]]  # row -1: the last event

    def labels(self, p: int) -> np.ndarray:
        """GoLabel string index of each span of P p (0 = none)."""
        return self.gc_label[self.offsets[p]:self.offsets[p + 1]]


class ThreadLanes(_ResourceLanes):
    """What each M did (dense thread index; real id: trace.thread_ids): spans in
    state RUNNING (on a P) or SYSCALL."""

    THREADS = True


@dataclass(eq=False)
class GoroutineCounts:
    """Goroutines per state over time, sampled per block of COUNT_BLOCK events
    (a compiled pass on first use)."""

    trace: object

    STATES = {"running": RUNNING, "runnable": RUNNABLE, "waiting": WAITING, "syscall": SYSCALL}

    @cached_property
    def _blocks(self) -> tuple[np.ndarray, np.ndarray]:
        return goroutine_counts(self.trace)

    @property
    def end(self) -> np.ndarray:
        """int32[nblocks, 6]: count per state at each block's last event."""
        return self._blocks[0]

    @property
    def peak(self) -> np.ndarray:
        """int32[nblocks, 6]: the most per state inside each block."""
        return self._blocks[1]

    @cached_property
    def block_time(self) -> np.ndarray:
        """Time of each block's last event."""
        tr = self.trace
        return tr.time[np.minimum(np.arange(len(self.end)) * COUNT_BLOCK + COUNT_BLOCK - 1, len(tr) - 1)]

    def at(self, times: np.ndarray) -> dict[str, np.ndarray]:
        """Counts per state at the end of the block holding each time (within COUNT_BLOCK events)."""
        j = np.searchsorted(self.block_time, np.asarray(times, np.int64), side="left")
        j = np.clip(j, 0, len(self.end) - 1)
        return {name: self.end[j, s] for name, s in self.STATES.items()}

    def peaks(self, t0: int, t1: int, ncols: int) -> dict[str, np.ndarray]:
        """Per column of [t0, t1): the most goroutines in each state (blocks touching the column)."""
        if len(self.end) == 0:
            return {name: np.zeros(ncols, np.int32) for name in self.STATES}
        bounds = np.linspace(t0, t1, ncols + 1).astype(np.int64)
        first = np.clip(np.searchsorted(self.block_time, bounds[:-1], side="left"), 0, len(self.end) - 1)
        last = np.clip(np.searchsorted(self.block_time, bounds[1:], side="left"), 0, len(self.end) - 1)
        out = {}
        for name, s in self.STATES.items():
            col = self.peak[:, s]
            out[name] = np.array([col[a:b + 1].max() for a, b in zip(first, last)], np.int32)
        return out

    def max(self) -> dict[str, int]:
        return {name: int(self.peak[:, s].max(initial=0)) for name, s in self.STATES.items()}
