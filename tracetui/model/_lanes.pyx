# distutils: language = c++
# cython: language_level=3
"""The compiled passes that cut each goroutine's life into state spans.

Two loops over the event columns (count, then fill), no Python object per event.
A span is what a goroutine was in between two of its state transitions:
running, runnable, waiting, syscall. Spans are stored per goroutine, sorted by
time, as CSR arrays: goroutine g owns spans `offsets[g]:offsets[g+1]`, each with
the row of the event that began it. A goroutine first seen through a status
event (already alive when the trace began) begins at its generation's Sync
event, where Go's summarizer begins counting it too. A span ends where the
goroutine's next one begins, so end rows are not stored: only the exceptions
(a goroutine that stopped existing, or reappeared through a status event) are
listed. Everything else about a span follows from its rows: its times, the
block reason and stack (aux and stack at the begin row), who unblocked it (g at
the end row).

Two more passes run on demand: `goroutine_counts` keeps the number of
goroutines in each state, sampled per block of COUNT_BLOCK rows (the count at
the block's end and the most it reached inside the block); `resource_spans`
lists, per proc or per thread, the spans that ran there (a running span belongs
to the P and M of the event that began it, a syscall span to its M), in time
order, as indices into the goroutine spans. `rows_of_types` and `payloads_at`
(from _columns.pxi) are the column scans the GC facts use. For the reports and
exports: `state_episodes`, the pass over goroutine transitions of
tracetui.reports.pprof's profiles, and `state_count_series`, goroutines per state
after given rows, from the spans.
"""
from libc.stdint cimport INT64_MAX, int16_t, int32_t, int64_t, uint8_t, uint64_t
from libcpp.vector cimport vector
from cython.operator cimport dereference as deref

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


cdef inline bint next_transition(const uint8_t[::1] type_, const int32_t[::1] gcol, const int32_t[::1] aux,
                                 _Narrow scol, const int64_t[::1] arg, Py_ssize_t i, Py_ssize_t* ai,
                                 Transition* tr) noexcept:
    """Read row i (advancing the arg cursor); true if it changes a goroutine's state."""
    cdef uint8_t typ = type_[i]
    cdef int64_t a = 0
    if HAS_ARG[typ]:
        a = arg[ai[0]]
        ai[0] += 1
    if not IS_GO_TRANSITION[typ]:
        return False
    go_transition_of(typ, gcol[i], aux[i], scol.at(i), a, tr)
    return tr.id >= 0 and tr.old != tr.new


def _set_arg_types():
    from tracetui.format._core import ARG_TYPES

    for ty in ARG_TYPES:
        HAS_ARG[ty] = True


def goroutine_lanes(trace):
    """Spans of every goroutine.

    Returns offsets int64[ngoroutines+1], begin_row int32, state uint8, the end
    exceptions (span int32[k], end_row int32[k]: every span whose end is not the
    next span's begin row, or -1 for a goroutine's last span).
    """
    _set_arg_types()
    cdef Py_ssize_t n = len(trace), i
    if n >= 2**31 - 1:
        raise ValueError("traces of 2^31 events or more are not supported by the goroutine lanes yet")
    cdef Py_ssize_t ng = len(trace.goroutine_ids)
    cdef const uint8_t[::1] type_ = trace.type
    cdef const int32_t[::1] gcol = trace.g
    cdef _Narrow scol = _Narrow(trace.stack)
    cdef const int32_t[::1] aux = trace.aux
    cdef const int64_t[::1] arg = trace.arg
    cdef cnp.ndarray[cnp.int64_t] offsets = np.zeros(ng + 1, np.int64)
    cdef int64_t[::1] off = offsets
    cdef Transition tr
    cdef Py_ssize_t ai = 0, nexc = 0
    # pass 1: how many spans each goroutine has, and at most how many end exceptions
    for i in range(n):
        if next_transition(type_, gcol, aux, scol, arg, i, &ai, &tr):
            if tr.new != GoNotExist:
                off[tr.id + 1] += 1
            if tr.new == GoNotExist or tr.old == GoUndetermined:
                nexc += 1
    np.cumsum(offsets, out=offsets)
    cdef Py_ssize_t total = off[ng]
    begin = np.empty(total, np.int32)
    state = np.empty(total, np.uint8)
    exc_span = np.empty(nexc, np.int32)
    exc_row = np.empty(nexc, np.int32)
    cdef int32_t[::1] b = begin
    cdef uint8_t[::1] st = state
    cdef int32_t[::1] xs = exc_span
    cdef int32_t[::1] xr = exc_row
    cdef cnp.ndarray[cnp.int64_t] fill_arr = offsets[:ng].copy()
    cdef int64_t[::1] fill = fill_arr
    cdef cnp.ndarray[cnp.int64_t] open_arr = np.full(max(ng, 1), -1, np.int64)
    cdef int64_t[::1] opened = open_arr
    cdef int32_t sync_row = 0
    cdef int64_t k
    # pass 2: fill them in, in time order per goroutine
    ai = 0
    nexc = 0
    for i in range(n):
        if type_[i] == EvSyncPublic:
            sync_row = <int32_t>i
        if next_transition(type_, gcol, aux, scol, arg, i, &ai, &tr):
            if opened[tr.id] >= 0:
                if tr.new == GoNotExist or tr.old == GoUndetermined:
                    # not ended by the begin of the goroutine's next span
                    xs[nexc] = <int32_t>opened[tr.id]
                    xr[nexc] = <int32_t>i
                    nexc += 1
                opened[tr.id] = -1
            if tr.new != GoNotExist:
                k = fill[tr.id]
                fill[tr.id] += 1
                b[k] = sync_row if tr.old == GoUndetermined else <int32_t>i
                st[k] = tr.new
                opened[tr.id] = k
    order = np.argsort(exc_span[:nexc], kind="stable")
    return offsets, begin, state, (exc_span[:nexc][order], exc_row[:nexc][order])


def goroutine_counts(trace):
    """Goroutines in each state, per block of COUNT_BLOCK rows: (end int32[nblocks, 6],
    peak int32[nblocks, 6]) indexed by state: the count at the block's last row and
    the most it reached inside the block."""
    _set_arg_types()
    cdef Py_ssize_t n = len(trace), i
    cdef const uint8_t[::1] type_ = trace.type
    cdef const int32_t[::1] gcol = trace.g
    cdef _Narrow scol = _Narrow(trace.stack)
    cdef const int32_t[::1] aux = trace.aux
    cdef const int64_t[::1] arg = trace.arg
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    count_end = np.zeros((nblocks, 6), np.int32)
    count_peak = np.zeros((nblocks, 6), np.int32)
    cdef int32_t[:, ::1] cend = count_end
    cdef int32_t[:, ::1] cpeak = count_peak
    cdef int32_t[6] cnt = [0, 0, 0, 0, 0, 0]
    cdef int32_t[6] peak = [0, 0, 0, 0, 0, 0]
    cdef Transition tr
    cdef Py_ssize_t ai = 0
    cdef int s
    for i in range(n):
        if next_transition(type_, gcol, aux, scol, arg, i, &ai, &tr):
            if tr.old >= GoRunnable:
                cnt[tr.old] -= 1
            if tr.new != GoNotExist:
                cnt[tr.new] += 1
                if cnt[tr.new] > peak[tr.new]:
                    peak[tr.new] = cnt[tr.new]
        if i % BLOCK == BLOCK - 1 or i == n - 1:
            for s in range(6):
                cend[i // BLOCK, s] = cnt[s]
                cpeak[i // BLOCK, s] = peak[s]
                peak[s] = cnt[s]
    return count_end, count_peak


def resource_spans(trace, const int64_t[::1] offsets, bint threads):
    """Per proc (or per thread): (offsets int64[n+1], spans int32, labels int32,
    assist_offsets int64[n+1], assist_rows int64[k, 2]): the goroutine spans that ran
    there in time order, found by a third pass that numbers spans as goroutine_lanes
    does; the GoLabel string index given to each while it ran (0 = none; the last label
    of a span wins); and, for procs, the GC mark assists done there, as (begin row, end
    row; -1: at the trace's end) pieces cut at the assisting goroutine's running spans
    (cmd/trace's proc view). One pass, into lists per resource."""
    _set_arg_types()
    cdef Py_ssize_t n = len(trace), i
    cdef Py_ssize_t ng = len(offsets) - 1
    cdef const uint8_t[::1] type_ = trace.type
    cdef const int32_t[::1] gcol = trace.g
    cdef _Narrow scol = _Narrow(trace.stack)
    cdef _Runs rcol = _Runs(trace.m if threads else trace.p)
    cdef Py_ssize_t nres = len(trace.thread_ids if threads else trace.proc_ids)
    cdef const int32_t[::1] aux = trace.aux
    cdef const int64_t[::1] arg = trace.arg
    cdef vector[vector[int32_t]] listed = vector[vector[int32_t]](nres)
    cdef vector[vector[int32_t]] labelled = vector[vector[int32_t]](nres)
    cdef int64_t[::1] fill = np.asarray(offsets[:ng]).copy()
    cdef int32_t[::1] cur_r = np.full(max(ng, 1), -1, np.int32)  # where each goroutine's current span is listed
    cdef int64_t[::1] cur_k = np.zeros(max(ng, 1), np.int64)
    # GC mark assists while running on a proc: (begin row, end row) pieces per resource,
    # cut at the goroutine's running spans as cmd/trace's proc view cuts them
    cdef vector[vector[int64_t]] assist_begin = vector[vector[int64_t]](nres)
    cdef vector[vector[int64_t]] assist_end = vector[vector[int64_t]](nres)
    cdef uint8_t[::1] assisting = np.zeros(max(ng, 1), np.uint8)
    cdef int64_t[::1] span_row = np.zeros(max(ng, 1), np.int64)  # where the current span began
    cdef int64_t sync_row = 0
    cdef int32_t[::1] open_r = np.full(max(ng, 1), -1, np.int32)  # an assist piece open on that resource
    cdef int64_t[::1] open_k = np.zeros(max(ng, 1), np.int64)
    cdef Transition tr
    cdef Py_ssize_t ai = 0
    cdef int32_t r, g
    cdef int64_t k
    cdef uint8_t t
    for i in range(n):
        if next_transition(type_, gcol, aux, scol, arg, i, &ai, &tr):
            g = tr.id
            _close_piece(&assist_end, open_r, open_k, g, i)
            cur_r[g] = -1
            if tr.new == GoNotExist:
                assisting[g] = 0
                continue
            k = fill[g]
            fill[g] += 1
            span_row[g] = sync_row if tr.old == GoUndetermined else i  # as goroutine_lanes begins it
            if tr.new == GoRunning or (threads and tr.new == GoSyscall):
                r = rcol.at(i)
                if 0 <= r < nres:
                    cur_r[g] = r
                    cur_k[g] = listed[r].size()
                    listed[r].push_back(<int32_t>k)
                    labelled[r].push_back(0)
                    if assisting[g] and not threads:
                        _open_piece(&assist_begin, &assist_end, open_r, open_k, g, r, span_row[g])
            continue
        t = type_[i]
        if t == EvSyncPublic:
            sync_row = i
        elif t == EvGoLabel:
            g = gcol[i]
            if 0 <= g < ng and cur_r[g] >= 0:
                labelled[cur_r[g]][cur_k[g]] = aux[i]
        elif t == EvGCMarkAssistBegin or t == EvGCMarkAssistActive:
            g = aux[i] if t == EvGCMarkAssistActive else gcol[i]
            if 0 <= g < ng:
                assisting[g] = 1
                if not threads and cur_r[g] >= 0 and open_r[g] < 0:
                    # Active (a generation's start): from when the goroutine began running
                    _open_piece(&assist_begin, &assist_end, open_r, open_k, g, cur_r[g],
                                span_row[g] if t == EvGCMarkAssistActive else i)
        elif t == EvGCMarkAssistEnd:
            g = gcol[i]
            if 0 <= g < ng:
                assisting[g] = 0
                _close_piece(&assist_end, open_r, open_k, g, i)
    res_offsets = np.zeros(nres + 1, np.int64)
    for r in range(nres):
        res_offsets[r + 1] = res_offsets[r] + <int64_t>listed[r].size()
    spans = np.empty(res_offsets[nres], np.int32)
    labels = np.empty(res_offsets[nres], np.int32)
    cdef int32_t[::1] out = spans
    cdef int32_t[::1] lab = labels
    cdef Py_ssize_t at = 0, m
    for r in range(nres):
        for m in range(<Py_ssize_t>listed[r].size()):
            out[at + m] = listed[r][m]
            lab[at + m] = labelled[r][m]
        at += listed[r].size()
        listed[r].clear()
        listed[r].shrink_to_fit()
        labelled[r].clear()
        labelled[r].shrink_to_fit()
    assist_offsets = np.zeros(nres + 1, np.int64)
    for r in range(nres):
        assist_offsets[r + 1] = assist_offsets[r] + <int64_t>assist_begin[r].size()
    assist_rows = np.empty((assist_offsets[nres], 2), np.int64)
    cdef int64_t[:, ::1] ar = assist_rows
    at = 0
    for r in range(nres):
        for m in range(<Py_ssize_t>assist_begin[r].size()):
            ar[at + m, 0] = assist_begin[r][m]
            ar[at + m, 1] = assist_end[r][m]
        at += assist_begin[r].size()
    return res_offsets, spans, labels, assist_offsets, assist_rows


cdef inline void _open_piece(vector[vector[int64_t]]* begin, vector[vector[int64_t]]* end, int32_t[::1] open_r,
                             int64_t[::1] open_k, int32_t g, int32_t r, int64_t row) noexcept:
    """Open goroutine g's assist piece on resource r at `row` (its end: -1, still open)."""
    open_r[g] = r
    open_k[g] = deref(begin)[r].size()
    deref(begin)[r].push_back(row)
    deref(end)[r].push_back(-1)


cdef inline void _close_piece(vector[vector[int64_t]]* end, int32_t[::1] open_r, int64_t[::1] open_k, int32_t g,
                              int64_t row) noexcept:
    """End goroutine g's open assist piece, if any, at `row`."""
    if open_r[g] >= 0:
        deref(end)[open_r[g]][open_k[g]] = row
        open_r[g] = -1



def state_episodes(trace, const uint8_t[::1] is_transition, const uint8_t[::1] is_own,
                   const uint8_t[::1] new_state, const uint8_t[::1] status_state,
                   const uint8_t[::1] has_reason, const uint8_t[::1] reason_ok, int state):
    """Each completed episode of `state`, grouped by goroutine, in event order within one (the
    pass of tracetui.reports.pprof.episodes): a dict of int64 columns goroutine, begin_row,
    end_row, start, end (ns) and stack (at the begin row).

    Per row of a type with is_transition[type]: the goroutine is g (is_own[type]) or aux; its
    new state new_state[type], or for 0 status_state[(arg & 0xFFFFFFFF) % 5]; its reason aux
    where has_reason[type], else string 0. An episode begins at a goroutine's first transition
    into `state` with reason_ok[reason] since it last left `state`, and ends at its next
    transition to another state. Two passes (count per goroutine, then fill)."""
    _set_arg_types()
    cdef Py_ssize_t n = len(trace), ng = len(trace.goroutine_ids), i, k
    cdef const uint8_t[::1] type_ = trace.type
    cdef const int32_t[::1] gcol = trace.g
    cdef const int32_t[::1] aux = trace.aux
    cdef const int64_t[::1] arg = trace.arg
    cdef const int64_t[::1] time = trace.time
    cdef _Narrow scol = _Narrow(trace.stack)
    cdef Py_ssize_t ai, nreason = reason_ok.shape[0]
    cdef int64_t[::1] opened = np.empty(max(ng, 1), np.int64)
    cdef int64_t[::1] at = np.zeros(ng + 1, np.int64)
    cdef int64_t g, a, reason, o
    cdef uint8_t typ, new
    cols = {}
    cdef int64_t[::1] go, bo, eo, so, to, sto
    cdef int fill
    for fill in range(2):
        opened[:] = -1
        ai, a = 0, 0
        for i in range(n):
            typ = type_[i]
            if HAS_ARG[typ]:
                a = arg[ai]
                ai += 1
            if not is_transition[typ]:
                continue
            g = gcol[i] if is_own[typ] else aux[i]
            if g < 0 or g >= ng:
                continue
            new = new_state[typ]
            if new == 0:
                new = status_state[(<uint64_t>a & 0xFFFFFFFF) % 5]
            if new == state:
                if opened[g] < 0:
                    reason = aux[i] if has_reason[typ] else 0
                    if 0 <= reason < nreason and reason_ok[reason]:
                        opened[g] = i
            elif opened[g] >= 0:
                o = opened[g]
                opened[g] = -1
                if not fill:
                    at[g + 1] += 1
                    continue
                k = at[g]
                at[g] += 1
                go[k], bo[k], eo[k], so[k], to[k], sto[k] = g, o, i, time[o], time[i], scol.at(o)
        if not fill:
            for k in range(ng):
                at[k + 1] += at[k]
            for name in ("goroutine", "begin_row", "end_row", "start", "end", "stack"):
                cols[name] = np.empty(at[ng], np.int64)
            go, bo, eo = cols["goroutine"], cols["begin_row"], cols["end_row"]
            so, to, sto = cols["start"], cols["end"], cols["stack"]
    return cols


def state_count_series(const int32_t[::1] begin_row, const int32_t[::1] end_row, const uint8_t[::1] state,
                       const int64_t[::1] rows, Py_ssize_t n):
    """Goroutines in each state (rows 0-3: runnable, running, waiting, syscall) after each of
    `rows` (ascending, < n): per state, the spans that began at or before the row and did not
    end by it (end_row -1: still open). One pass over the spans, one over the rows."""
    delta_arr = np.zeros((n + 1, 4), np.int32)
    cdef int32_t[:, ::1] delta = delta_arr
    cdef Py_ssize_t k, r, j = 0, m = rows.shape[0]
    cdef int s
    for k in range(begin_row.shape[0]):
        s = state[k] - GoRunnable
        if 0 <= s < 4:
            delta[begin_row[k], s] += 1
            if end_row[k] >= 0:
                delta[end_row[k], s] -= 1
    out = np.empty((4, m), np.int64)
    cdef int64_t[:, ::1] o = out
    cdef int64_t[4] cnt = [0, 0, 0, 0]
    for r in range(n):
        if j >= m:
            break
        for s in range(4):
            cnt[s] += delta[r, s]
        if rows[j] == r:
            for s in range(4):
                o[s, j] = cnt[s]
            j += 1
    return out
