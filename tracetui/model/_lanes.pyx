# distutils: language = c++
# cython: language_level=3
"""The compiled pass that cuts each goroutine's life into state spans.

Two loops over the event columns (count, then fill), no Python object per event.
A span is what a goroutine was in between two of its state transitions:
running, runnable, waiting, syscall. Spans are stored per goroutine, sorted by
time, as CSR arrays: goroutine g owns spans `offsets[g]:offsets[g+1]`, each with
the row of the event that began it and the row that ended it (-1: still open at
the end of the trace). A goroutine first seen through a status event (already
alive when the trace began) begins at its generation's Sync event, where Go's
summarizer begins counting it too. Everything else about a span follows from
its rows: its times, the proc it ran on (p at the begin row), the block reason
and stack (aux and stack at the begin row), who unblocked it (g at the end row).
"""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t

import numpy as np
cimport numpy as cnp

cnp.import_array()

from tracetui.format import spec as S

include "../format/_evtypes.pxi"
include "_transition.pxi"

cdef bint[256] IS_GO_TRANSITION
cdef bint[256] HAS_ARG
for _t in range(256):
    IS_GO_TRANSITION[_t] = S.TYPE_TO_KIND.get(_t) == S.KindStateTransition and _t not in (
        S.EvProcStart, S.EvProcStop, S.EvProcSteal, S.EvProcStatus)
    HAS_ARG[_t] = False


def goroutine_lanes(trace):
    """(offsets int64[ngoroutines+1], begin_row int32, end_row int32, state uint8) of every span."""
    from tracetui.format._core import ARG_TYPES

    for ty in ARG_TYPES:
        HAS_ARG[ty] = True
    cdef Py_ssize_t n = len(trace), i
    if n >= 2**31 - 1:
        raise ValueError("traces of 2^31 events or more are not supported by the goroutine lanes yet")
    cdef Py_ssize_t ng = len(trace.goroutine_ids)
    cdef const uint8_t[::1] type_ = trace.type
    cdef cnp.ndarray g_arr = trace.g.astype(np.int32, copy=False)
    cdef cnp.ndarray s_arr = trace.stack.astype(np.int32, copy=False)
    cdef const int32_t[::1] gcol = g_arr
    cdef const int32_t[::1] scol = s_arr
    cdef const int32_t[::1] aux = trace.aux
    cdef const int64_t[::1] arg = trace.arg
    cdef cnp.ndarray[cnp.int64_t] offsets = np.zeros(ng + 1, np.int64)
    cdef int64_t[::1] off = offsets
    cdef Transition tr
    cdef Py_ssize_t ai
    cdef uint8_t typ
    cdef int64_t a
    # pass 1: how many spans each goroutine has
    ai = 0
    for i in range(n):
        typ = type_[i]
        a = 0
        if HAS_ARG[typ]:
            a = arg[ai]
            ai += 1
        if not IS_GO_TRANSITION[typ]:
            continue
        go_transition_of(typ, gcol[i], aux[i], scol[i], a, &tr)
        if tr.id >= 0 and tr.old != tr.new and tr.new != GoNotExist:
            off[tr.id + 1] += 1
    np.cumsum(offsets, out=offsets)
    cdef Py_ssize_t total = off[ng]
    begin = np.empty(total, np.int32)
    end = np.full(total, -1, np.int32)
    state = np.empty(total, np.uint8)
    cdef int32_t[::1] b = begin
    cdef int32_t[::1] e = end
    cdef uint8_t[::1] st = state
    cdef cnp.ndarray[cnp.int64_t] fill_arr = offsets[:-1].copy()
    cdef int64_t[::1] fill = fill_arr
    cdef cnp.ndarray[cnp.int64_t] open_arr = np.full(max(ng, 1), -1, np.int64)
    cdef int64_t[::1] opened = open_arr
    cdef int32_t sync_row = 0
    cdef int64_t k
    # pass 2: fill them in, in time order per goroutine
    ai = 0
    for i in range(n):
        typ = type_[i]
        a = 0
        if HAS_ARG[typ]:
            a = arg[ai]
            ai += 1
        if typ == EvSyncPublic:
            sync_row = <int32_t>i
            continue
        if not IS_GO_TRANSITION[typ]:
            continue
        go_transition_of(typ, gcol[i], aux[i], scol[i], a, &tr)
        if tr.id < 0 or tr.old == tr.new:
            continue
        if opened[tr.id] >= 0:
            e[opened[tr.id]] = <int32_t>i
            opened[tr.id] = -1
        if tr.new != GoNotExist:
            k = fill[tr.id]
            fill[tr.id] += 1
            b[k] = sync_row if tr.old == GoUndetermined else <int32_t>i
            st[k] = tr.new
            opened[tr.id] = k
    return offsets, begin, end, state
