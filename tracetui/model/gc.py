"""GC facts from the event columns: mark phases (cycles), stop-the-world pauses,
sweeps, mark assists, and the heap and GOMAXPROCS metrics over time.

Ranges are paired per resource (goroutine for STW and assists, proc for sweeps)
with numpy; a range that began before the trace starts at the first event, one
still open at the end ends at the last event (as `go tool trace` shows them).
Every table is a dict of equal-length numpy arrays; times are ns. The GC events
are found in one compiled scan, and their payloads in one more each for arg and arg2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracetui.format import spec as S
from tracetui.model._lanes import payloads_at, rows_of_types

STW = (S.EvSTWBegin, S.EvSTWEnd)
SWEEPS = (S.EvGCSweepBegin, S.EvGCSweepActive, S.EvGCSweepEnd)
ASSISTS = (S.EvGCMarkAssistBegin, S.EvGCMarkAssistActive, S.EvGCMarkAssistEnd)
PHASES = (S.EvGCBegin, S.EvGCActive, S.EvGCEnd)
METRICS = (S.EvHeapAlloc, S.EvHeapGoal, S.EvProcsChange)


class _GCRows:
    """The rows of every GC event type, from one scan; `of(types)` picks some types."""

    def __init__(self, trace):
        self.rows = rows_of_types(trace, STW + SWEEPS + ASSISTS + PHASES + METRICS)
        self.types = trace.type[self.rows]

    def of(self, types) -> np.ndarray:
        return self.rows[_is(self.types, types)]


def _is(types_col: np.ndarray, types) -> np.ndarray:
    """Whether each entry of a (short) type column is one of `types`."""
    table = np.zeros(256, bool)
    table[list(types)] = True
    return table[types_col]


def pair_ranges(trace, rows, begin_types, key_of) -> dict[str, np.ndarray]:
    """Pair the begin and end events among `rows` that share a resource: `key_of(rows)`
    gives it per row; a row of a type not in `begin_types` is an end.

    Returns begin_row/end_row (-1 where outside the trace), start/end times and the key.
    Ranges of one kind on one resource do not nest (Go's ordering rejects that), so
    within a resource begins and ends alternate, once re-stated Actives are dropped.
    """
    k = np.asarray(key_of(rows), np.int64)
    order = np.lexsort((rows, k))
    rows, k = rows[order], k[order]
    b = _is(trace.type[rows], begin_types)
    # An Active event after a begin on the same resource re-states an open range
    # (at a generation's start): only the first begin-kind event of a run counts.
    restate = np.zeros(len(rows), bool)
    restate[1:] = b[1:] & b[:-1] & (k[1:] == k[:-1])
    rows, k, b = rows[~restate], k[~restate], b[~restate]
    same_next = np.zeros(len(rows), bool)
    same_next[:-1] = k[:-1] == k[1:]
    paired = b & same_next & np.append(~b[1:], False)
    begin_rows = rows[paired]
    end_rows = rows[np.flatnonzero(paired) + 1]
    keys = k[paired]
    taken = np.zeros(len(rows), bool)
    taken[paired] = True
    taken[np.flatnonzero(paired) + 1] = True
    open_begin = rows[b & ~taken]
    orphan_end = rows[~b & ~taken]
    begin_rows = np.concatenate([begin_rows, open_begin, np.full(len(orphan_end), -1)])
    end_rows = np.concatenate([end_rows, np.full(len(open_begin), -1), orphan_end])
    keys = np.concatenate([keys, k[b & ~taken], k[~b & ~taken]])
    first = trace.time[0] if len(trace) else 0
    last = trace.time[-1] if len(trace) else 0
    start = np.where(begin_rows >= 0, trace.time[np.maximum(begin_rows, 0)], first)
    end = np.where(end_rows >= 0, trace.time[np.maximum(end_rows, 0)], last)
    order = np.argsort(start, kind="stable")
    return dict(begin_row=begin_rows[order], end_row=end_rows[order], start=start[order], end=end[order],
                key=keys[order])


def metric(trace, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, values) of the rows of a metric event type (HeapAlloc, HeapGoal, ProcsChange)."""
    return trace.time[rows], payloads_at(trace, rows)


@dataclass(eq=False)
class GC:
    cycles: dict[str, np.ndarray]     # mark phases: start, end, begin_row, end_row, seq
    stw: dict[str, np.ndarray]        # pauses: start, end, kind (string index), goroutine
    sweeps: dict[str, np.ndarray]     # start, end, proc, swept, reclaimed
    assists: dict[str, np.ndarray]    # start, end, goroutine
    heap_alloc: tuple[np.ndarray, np.ndarray]
    heap_goal: tuple[np.ndarray, np.ndarray]
    gomaxprocs: tuple[np.ndarray, np.ndarray]

    def assists_of(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) of goroutine g's mark assists, in time order (an overlay on its lane)."""
        sel = self.assists["goroutine"] == g
        return self.assists["start"][sel], self.assists["end"][sel]


def mark_phases(trace, rows) -> dict[str, np.ndarray]:
    """GC cycles from the rows of GCBegin/GCActive/GCEnd. GCActive re-states a cycle already
    running at a generation's start: it begins a cycle only when none is open (the trace's
    first generation)."""
    begins, ends = [], []
    open_row = None
    for r in rows.tolist():  # a few per second of trace: a plain loop is clearer
        t = int(trace.type[r])
        if t == S.EvGCEnd:
            begins.append(-1 if open_row is None else open_row)
            ends.append(r)
            open_row = None
        elif open_row is None:
            open_row = r
    if open_row is not None:
        begins.append(open_row)
        ends.append(-1)
    b, e = np.array(begins, np.int64), np.array(ends, np.int64)
    first = trace.time[0] if len(trace) else 0
    last = trace.time[-1] if len(trace) else 0
    seq_rows = np.where(b >= 0, b, e)
    return dict(begin_row=b, end_row=e,
                start=np.where(b >= 0, trace.time[np.maximum(b, 0)], first),
                end=np.where(e >= 0, trace.time[np.maximum(e, 0)], last),
                seq=payloads_at(trace, seq_rows))


def _active_aux_else(trace, active_type, column):
    """Key of a range event: its resource in aux for the Active kind, else the event's own column."""
    return lambda rows: np.where(trace.type[rows] == active_type, trace.aux[rows], column[rows])


def gc_facts(trace) -> GC:
    gc = _GCRows(trace)
    stw = pair_ranges(trace, gc.of(STW), [S.EvSTWBegin], lambda rows: trace.g[rows])
    stw["kind"] = trace.aux[np.where(stw["begin_row"] >= 0, stw["begin_row"], stw["end_row"])]
    stw["goroutine"] = stw.pop("key")
    sweeps = pair_ranges(trace, gc.of(SWEEPS), [S.EvGCSweepBegin, S.EvGCSweepActive],
                         _active_aux_else(trace, S.EvGCSweepActive, trace.p))
    sweeps["proc"] = sweeps.pop("key")
    sweeps["swept"] = payloads_at(trace, sweeps["end_row"])
    sweeps["reclaimed"] = payloads_at(trace, sweeps["end_row"], second=True)
    assists = pair_ranges(trace, gc.of(ASSISTS), [S.EvGCMarkAssistBegin, S.EvGCMarkAssistActive],
                          _active_aux_else(trace, S.EvGCMarkAssistActive, trace.g))
    assists["goroutine"] = assists.pop("key")
    return GC(cycles=mark_phases(trace, gc.of(PHASES)), stw=stw, sweeps=sweeps, assists=assists,
              heap_alloc=metric(trace, gc.of([S.EvHeapAlloc])), heap_goal=metric(trace, gc.of([S.EvHeapGoal])),
              gomaxprocs=metric(trace, gc.of([S.EvProcsChange])))
