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
The same pass also lists, per proc and per thread, the spans that ran there
(a running span belongs to the P and M of the event that began it, a syscall
span to its M), in time order, as indices into the goroutine spans; and it
keeps the number of goroutines in each state, sampled per block of COUNT_BLOCK
rows (the count at the block's end and the most it reached inside the block).
"""
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint64_t

import numpy as np
cimport numpy as cnp

cnp.import_array()

from tracetui.format import spec as S

include "../format/_evtypes.pxi"
include "_transition.pxi"
include "_columns.pxi"

cdef bint[256] IS_GO_TRANSITION
cdef bint[256] HAS_ARG
for _t in range(256):
    IS_GO_TRANSITION[_t] = S.TYPE_TO_KIND.get(_t) == S.KindStateTransition and _t not in (
        S.EvProcStart, S.EvProcStop, S.EvProcSteal, S.EvProcStatus)
    HAS_ARG[_t] = False


COUNT_BLOCK = 64
DEF BLOCK = 64


def goroutine_lanes(trace):
    """Spans of every goroutine, and per proc/thread span lists and state counts.

    Returns offsets int64[ngoroutines+1], begin_row int32, end_row int32, state uint8,
    then (proc_offsets int64[nprocs+1], proc_spans int32), (thread_offsets, thread_spans),
    and counts: (end int32[nblocks, 6], peak int32[nblocks, 6]) indexed by state.
    """
    from tracetui.format._core import ARG_TYPES

    for ty in ARG_TYPES:
        HAS_ARG[ty] = True
    cdef Py_ssize_t n = len(trace), i
    if n >= 2**31 - 1:
        raise ValueError("traces of 2^31 events or more are not supported by the goroutine lanes yet")
    cdef Py_ssize_t ng = len(trace.goroutine_ids)
    cdef Py_ssize_t nprocs = len(trace.proc_ids), nthreads = len(trace.thread_ids)
    cdef const uint8_t[::1] type_ = trace.type
    cdef const int32_t[::1] gcol = trace.g
    cdef _Narrow scol = _Narrow(trace.stack)
    cdef _Narrow pcol = _Narrow(trace.p)
    cdef _Narrow mcol = _Narrow(trace.m)
    cdef const int32_t[::1] aux = trace.aux
    cdef const int64_t[::1] arg = trace.arg
    cdef cnp.ndarray[cnp.int64_t] offsets = np.zeros(ng + 1, np.int64)
    cdef int64_t[::1] off = offsets
    proc_offsets = np.zeros(nprocs + 1, np.int64)
    thread_offsets = np.zeros(nthreads + 1, np.int64)
    cdef int64_t[::1] poff = proc_offsets
    cdef int64_t[::1] moff = thread_offsets
    cdef Transition tr
    cdef Py_ssize_t ai
    cdef uint8_t typ
    cdef int64_t a
    cdef int32_t p, m
    # pass 1: how many spans each goroutine, proc and thread has
    ai = 0
    for i in range(n):
        typ = type_[i]
        a = 0
        if HAS_ARG[typ]:
            a = arg[ai]
            ai += 1
        if not IS_GO_TRANSITION[typ]:
            continue
        go_transition_of(typ, gcol[i], aux[i], scol.at(i), a, &tr)
        if tr.id >= 0 and tr.old != tr.new and tr.new != GoNotExist:
            off[tr.id + 1] += 1
            if tr.new == GoRunning or tr.new == GoSyscall:
                m = mcol.at(i)
                if 0 <= m < nthreads:
                    moff[m + 1] += 1
                p = pcol.at(i)
                if tr.new == GoRunning and 0 <= p < nprocs:
                    poff[p + 1] += 1
    np.cumsum(offsets, out=offsets)
    np.cumsum(proc_offsets, out=proc_offsets)
    np.cumsum(thread_offsets, out=thread_offsets)
    cdef Py_ssize_t total = off[ng]
    begin = np.empty(total, np.int32)
    end = np.full(total, -1, np.int32)
    state = np.empty(total, np.uint8)
    proc_spans = np.empty(poff[nprocs], np.int32)
    thread_spans = np.empty(moff[nthreads], np.int32)
    cdef int32_t[::1] b = begin
    cdef int32_t[::1] e = end
    cdef uint8_t[::1] st = state
    cdef int32_t[::1] pspans = proc_spans
    cdef int32_t[::1] mspans = thread_spans
    cdef cnp.ndarray[cnp.int64_t] fill_arr = offsets[:ng].copy()
    cdef int64_t[::1] fill = fill_arr
    cdef int64_t[::1] pfill = proc_offsets[:nprocs].copy()
    cdef int64_t[::1] mfill = thread_offsets[:nthreads].copy()
    cdef cnp.ndarray[cnp.int64_t] open_arr = np.full(max(ng, 1), -1, np.int64)
    cdef int64_t[::1] opened = open_arr
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    count_end = np.zeros((nblocks, 6), np.int32)
    count_peak = np.zeros((nblocks, 6), np.int32)
    cdef int32_t[:, ::1] cend = count_end
    cdef int32_t[:, ::1] cpeak = count_peak
    cdef int32_t[6] cnt = [0, 0, 0, 0, 0, 0]
    cdef int32_t[6] peak = [0, 0, 0, 0, 0, 0]
    cdef int32_t sync_row = 0
    cdef int64_t k
    cdef int s
    # pass 2: fill them in, in time order per goroutine, proc and thread
    ai = 0
    for i in range(n):
        typ = type_[i]
        a = 0
        if HAS_ARG[typ]:
            a = arg[ai]
            ai += 1
        if typ == EvSyncPublic:
            sync_row = <int32_t>i
        elif IS_GO_TRANSITION[typ]:
            go_transition_of(typ, gcol[i], aux[i], scol.at(i), a, &tr)
            if tr.id >= 0 and tr.old != tr.new:
                if opened[tr.id] >= 0:
                    e[opened[tr.id]] = <int32_t>i
                    opened[tr.id] = -1
                if tr.old >= GoRunnable:
                    cnt[tr.old] -= 1
                if tr.new != GoNotExist:
                    k = fill[tr.id]
                    fill[tr.id] += 1
                    b[k] = sync_row if tr.old == GoUndetermined else <int32_t>i
                    st[k] = tr.new
                    opened[tr.id] = k
                    cnt[tr.new] += 1
                    if cnt[tr.new] > peak[tr.new]:
                        peak[tr.new] = cnt[tr.new]
                    if tr.new == GoRunning or tr.new == GoSyscall:
                        m = mcol.at(i)
                        if 0 <= m < nthreads:
                            mspans[mfill[m]] = <int32_t>k
                            mfill[m] += 1
                        p = pcol.at(i)
                        if tr.new == GoRunning and 0 <= p < nprocs:
                            pspans[pfill[p]] = <int32_t>k
                            pfill[p] += 1
        if i % BLOCK == BLOCK - 1 or i == n - 1:
            for s in range(6):
                cend[i // BLOCK, s] = cnt[s]
                cpeak[i // BLOCK, s] = peak[s]
                peak[s] = cnt[s]
    return (offsets, begin, end, state, (proc_offsets, proc_spans), (thread_offsets, thread_spans),
            (count_end, count_peak))
