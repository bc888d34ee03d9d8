# distutils: language = c++
# cython: language_level=3
"""The compiled pass of tracetui/model: Go's trace summarizer (internal/trace
summary.go, `Summarizer.Event` and `Finalize`) run over the event columns.

One sequential loop in C over the columns, no Python object per event. It yields
per-goroutine execution stats, user regions with their stats, and tasks, exactly
as Go computes them (tests compare with Go's own summarizer). Maps keyed by
strings in Go are keyed by string index here (strings are interned trace-wide).
"""
from cython.operator cimport dereference as deref
from libc.stdint cimport INT64_MAX, int16_t, int32_t, int64_t, uint8_t, uint64_t
from libc.string cimport memcpy
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector

import numpy as np
cimport numpy as cnp

cnp.import_array()

from tracetui.format import spec as S

include "../format/_evtypes.pxi"
include "_transition.pxi"
include "_columns.pxi"

DEF ProcIdle = 3
DEF NO_ID = 0xFFFFFFFFFFFFFFFF

cdef uint8_t[5] PROC_STATUS_TO_STATE = [0, 2, 3, 2, 3]

# What a wire type means for the summarizer.
DEF T_NONE = 0
DEF T_GO = 1        # goroutine state transition
DEF T_PROC = 2      # proc state transition
DEF T_RANGE_BEGIN = 3
DEF T_RANGE_ACTIVE = 4
DEF T_RANGE_END = 5
DEF T_REGION_BEGIN = 6
DEF T_REGION_END = 7
DEF T_TASK = 8
DEF T_LOG = 9
DEF T_SYNC = 10
cdef uint8_t[256] ROLE
cdef bint[256] HAS_ARG
cdef bint[256] HAS_ARG2
for _t in range(256):
    _k = S.TYPE_TO_KIND.get(_t, 0)
    ROLE[_t] = {S.KindStateTransition: T_GO, S.KindRangeBegin: T_RANGE_BEGIN, S.KindRangeActive: T_RANGE_ACTIVE,
                S.KindRangeEnd: T_RANGE_END, S.KindRegionBegin: T_REGION_BEGIN, S.KindRegionEnd: T_REGION_END,
                S.KindTaskBegin: T_TASK, S.KindTaskEnd: T_TASK, S.KindLog: T_LOG, S.KindSync: T_SYNC}.get(_k, T_NONE)
    if _t in (S.EvProcStart, S.EvProcStop, S.EvProcSteal, S.EvProcStatus):
        ROLE[_t] = T_PROC
    HAS_ARG[_t] = False
    HAS_ARG2[_t] = False


include "_summary_state.pxi"


cdef class Summarizer:
    cdef vector[GState] gs
    cdef RegionColumns rc
    cdef Py_ssize_t nregions
    cdef dict region_arrays
    cdef vector[int64_t] region_block     # flat (region, reason, ns) triples, in the order regions end
    cdef vector[Task] tasks
    # Per-task lists as flat (task index, item) pairs, made CSR by finish(): a task
    # costs no C++ vector of its own (a trace may hold a million).
    cdef vector[int32_t] task_goroutines
    cdef vector[int32_t] task_logs
    cdef vector[int32_t] region_task    # per region: its task's index, -1 for an inherited one
    cdef unordered_map[uint64_t, int32_t] task_index
    cdef unordered_map[int32_t, int32_t] syscalling_p
    cdef unordered_map[int32_t, int32_t] syscalling_g
    cdef unordered_map[int64_t, int32_t] ranges_p     # (proc << 32 | name) -> goroutine
    cdef int64_t last_ts
    cdef int64_t first_time, final_time   # of the trace's first and last events
    cdef int64_t sync_ts
    cdef int32_t forever
    cdef unordered_map[int32_t, int32_t] stw_names    # STW kind string -> range name id
    cdef public list range_names
    # the trace's stack and frame tables, for naming goroutines
    cdef const int64_t* soff
    cdef const int32_t* sframes
    cdef const int32_t* ffunc
    cdef const uint64_t* fpc

    def __cinit__(self):
        self.range_names = ["GC concurrent mark phase", "GC incremental sweep", "GC mark assist"]

    cdef int32_t task_of(self, uint64_t id):
        it = self.task_index.find(id)
        if it != self.task_index.end():
            return deref(it).second
        cdef Task t
        t.id = id
        t.name = 0
        t.parent = -1
        t.start_row = -1
        t.end_row = -1
        t.nlogs = 0
        t.last_g = -2
        cdef int32_t i = <int32_t>self.tasks.size()
        self.tasks.push_back(t)
        self.task_index[id] = i
        return i

    cdef void task_add_g(self, int32_t ti, int32_t g) noexcept:
        """List g among task ti's goroutines (finish() drops repeats)."""
        if self.tasks[ti].last_g != g:
            self.tasks[ti].last_g = g
            self.task_goroutines.push_back(ti)
            self.task_goroutines.push_back(g)

    cdef int32_t new_region(self, int32_t g, uint64_t task, int32_t name, Py_ssize_t start_row,
                            int64_t t) noexcept:
        """A region row beginning at row start_row (-1: before the trace) and time t, with zero
        stats; returns its index."""
        cdef int32_t ri = <int32_t>self.nregions
        self.nregions += 1
        self.region_task.push_back(-1)
        self.rc.g[ri] = g
        self.rc.task[ri] = task
        self.rc.name[ri] = name
        self.rc.start_row[ri] = <int32_t>start_row
        self.rc.end_row[ri] = -1
        self.rc.start[ri] = t if start_row >= 0 else self.first_time
        self.rc.end[ri] = self.final_time
        self.rc.done[ri] = 0
        self.rc.outer[ri] = -1
        self.rc.exec_[ri] = self.rc.sched[ri] = self.rc.syscall[ri] = self.rc.sysblock[ri] = self.rc.total[ri] = 0
        return ri

    cdef void end_region(self, Active* a, Stats* now, Py_ssize_t row, int64_t t) noexcept:
        """Go: the region's stats become now.sub(stats at its begin); only nonzero block times are kept."""
        cdef int32_t ri = a.ri
        cdef int64_t d
        self.rc.exec_[ri] = now.exec_ - self.rc.exec_[ri]
        self.rc.sched[ri] = now.sched - self.rc.sched[ri]
        self.rc.syscall[ri] = now.syscall - self.rc.syscall[ri]
        self.rc.sysblock[ri] = now.sysblock - self.rc.sysblock[ri]
        self.rc.total[ri] = now.total - self.rc.total[ri]
        for kv in now.block:
            d = kv.val - kv_get(a.block, kv.key)
            if d != 0:
                self.emit_block(ri, kv.key, d)
        self.rc.end_row[ri] = <int32_t>row
        if row >= 0:
            self.rc.end[ri] = t
        self.rc.done[ri] = 1

    cdef void abandon_regions(self, GState* g) noexcept:
        """Open regions a goroutine leaves unfinished keep its stats at their begin."""
        for a in g.active:
            for kv in a.block:
                if kv.val != 0:
                    self.emit_block(a.ri, kv.key, kv.val)
        g.active.clear()

    cdef inline void emit_block(self, int32_t ri, int32_t reason, int64_t ns) noexcept:
        self.region_block.push_back(ri)
        self.region_block.push_back(reason)
        self.region_block.push_back(ns)

    cdef void finalize_g(self, int32_t gi, int64_t t, int64_t trigger_row, bint system) noexcept:
        cdef GState* g = &self.gs[gi]
        if trigger_row >= 0:
            g.end = t
        cdef Stats fin = snapshot(g, t)
        if not system:
            for a in g.active:
                self.end_region(&a, &fin, trigger_row, t)
            g.active.clear()
        else:
            self.abandon_regions(g)
        g.st = fin
        g.last_start = g.last_runnable = g.last_block = 0
        g.last_block_reason = 0
        g.last_syscall = g.last_syscall_block = 0
        g.last_range.clear()

    def run(self, trace, int32_t forever, list strings):
        """Summarize `trace` (a tracetui.format.Trace)."""
        from tracetui.format._core import ARG_TYPES, ARG2_TYPES

        for ty in ARG_TYPES:
            HAS_ARG[ty] = True
        for ty in ARG2_TYPES:
            HAS_ARG2[ty] = True
        self.forever = forever
        cdef cnp.ndarray[cnp.int64_t] time_ = trace.time
        cdef cnp.ndarray[cnp.uint8_t] type_ = trace.type
        cdef const int32_t[::1] gcol = trace.g
        cdef _Runs pcol = _Runs(trace.p)
        cdef _Narrow scol = _Narrow(trace.stack)
        cdef const int32_t[::1] aux = trace.aux
        cdef const int64_t[::1] arg = trace.arg
        cdef const int64_t[::1] arg2 = trace.arg2
        cdef const int64_t[::1] soff = trace.stack_offsets
        cdef const int32_t[::1] sframes = trace.stack_frames
        cdef const int32_t[::1] ffunc = trace.frame_func
        cdef const uint64_t[::1] fpc = trace.frame_pc
        self.soff = &soff[0]
        self.sframes = &sframes[0] if len(trace.stack_frames) else NULL
        self.ffunc = &ffunc[0] if len(trace.frame_func) else NULL
        self.fpc = &fpc[0] if len(trace.frame_pc) else NULL
        cdef Py_ssize_t n = len(trace), i
        cdef Py_ssize_t ai = 0, bi = 0
        self.first_time = time_[0] if n else 0
        self.final_time = time_[n - 1] if n else 0
        cdef int64_t a, a2, t
        cdef uint8_t typ, role
        self.gs.resize(len(trace.goroutine_ids))
        self.alloc_regions(trace)
        for i in range(n):
            typ = type_[i]
            t = time_[i]
            a = arg[ai] if HAS_ARG[typ] else 0
            a2 = arg2[bi] if HAS_ARG2[typ] else 0
            if HAS_ARG[typ]:
                ai += 1
            if HAS_ARG2[typ]:
                bi += 1
            if self.sync_ts == 0:
                self.sync_ts = t
            self.last_ts = t
            role = ROLE[typ]
            if role == T_NONE:
                continue
            if role == T_SYNC:
                self.sync_ts = t
            elif role == T_GO:
                self.go_transition(i, typ, t, gcol[i], pcol.at(i), aux[i], scol.at(i), a, strings)
            elif role == T_PROC:
                self.proc_transition(typ, t, pcol.at(i), aux[i], a, a2)
            elif role == T_RANGE_BEGIN or role == T_RANGE_ACTIVE or role == T_RANGE_END:
                self.range_event(role, typ, t, gcol[i], pcol.at(i), aux[i], strings)
            elif role == T_REGION_BEGIN:
                self.region_begin(i, t, gcol[i], <uint64_t>a, aux[i])
            elif role == T_REGION_END:
                self.region_end(i, t, gcol[i], <uint64_t>a, aux[i])
            elif role == T_TASK:
                self.task_event(i, typ, gcol[i], <uint64_t>a, <uint64_t>a2, aux[i])
            elif role == T_LOG:
                ti = self.task_of(<uint64_t>a)
                self.task_add_g(ti, gcol[i])
                self.tasks[ti].nlogs += 1
                self.task_logs.push_back(ti)
                self.task_logs.push_back(<int32_t>i)
        return self.finish(strings)

    cdef void alloc_regions(self, trace):
        """Region arrays sized for the most regions the trace can hold: one per begin, per
        end without a begin, per goroutine created inside one. Pages never written are
        never touched; finish() shrinks the arrays in place."""
        cdef bint[256] table
        cdef Py_ssize_t cap = count_types(
            trace, (EvUserRegionBegin, EvUserRegionEnd, EvGoCreate, EvGoCreateBlocked, EvGoCreateSyscall), table)
        self.region_task.reserve(cap)
        R = self.region_arrays = dict(
            goroutine=np.empty(cap, np.int32), task=np.empty(cap, np.uint64), name=np.empty(cap, np.int32),
            start_row=np.empty(cap, np.int32), end_row=np.empty(cap, np.int32), start=np.empty(cap, np.int64),
            end=np.empty(cap, np.int64), exec=np.empty(cap, np.int64),
            sched_wait=np.empty(cap, np.int64), syscall=np.empty(cap, np.int64),
            syscall_block=np.empty(cap, np.int64), total=np.empty(cap, np.int64), done=np.empty(cap, np.bool_),
            outer=np.empty(cap, np.int32))
        self.rc.g = <int32_t*>cnp.PyArray_DATA(R["goroutine"])
        self.rc.task = <uint64_t*>cnp.PyArray_DATA(R["task"])
        self.rc.name = <int32_t*>cnp.PyArray_DATA(R["name"])
        self.rc.start_row = <int32_t*>cnp.PyArray_DATA(R["start_row"])
        self.rc.end_row = <int32_t*>cnp.PyArray_DATA(R["end_row"])
        self.rc.start = <int64_t*>cnp.PyArray_DATA(R["start"])
        self.rc.end = <int64_t*>cnp.PyArray_DATA(R["end"])
        self.rc.exec_ = <int64_t*>cnp.PyArray_DATA(R["exec"])
        self.rc.sched = <int64_t*>cnp.PyArray_DATA(R["sched_wait"])
        self.rc.syscall = <int64_t*>cnp.PyArray_DATA(R["syscall"])
        self.rc.sysblock = <int64_t*>cnp.PyArray_DATA(R["syscall_block"])
        self.rc.total = <int64_t*>cnp.PyArray_DATA(R["total"])
        self.rc.done = <uint8_t*>cnp.PyArray_DATA(R["done"])
        self.rc.outer = <int32_t*>cnp.PyArray_DATA(R["outer"])

    cdef void go_transition(self, Py_ssize_t row, uint8_t typ, int64_t t, int32_t ctx_g, int32_t ctx_p,
                            int32_t aux, int32_t stack, int64_t a, list strings):
        cdef int32_t id
        cdef uint8_t old, new
        cdef int32_t reason = 0
        cdef int32_t tstack = -1
        cdef Transition tr
        go_transition_of(typ, ctx_g, aux, stack, a, &tr)
        id, old, new, reason, tstack = tr.id, tr.old, tr.new, tr.reason, tr.tstack
        if old == new or id < 0:
            return
        cdef GState* g = &self.gs[id]
        cdef int64_t dt
        cdef int32_t ri
        cdef Active inherited
        if old == GoUndetermined or old == GoNotExist:
            if old == GoNotExist and ctx_g >= 0 and self.gs[ctx_g].live and self.gs[ctx_g].active.size() > 0:
                # A goroutine created inside a region inherits it (Go: an unnamed region of the creator's task).
                ri = self.new_region(id, self.rc.task[self.gs[ctx_g].active.back().ri], 0, row, t)
            else:
                ri = -1
            self.abandon_regions(g)
            reset_g(g)
            if ri >= 0:
                inherited.ri = ri
                g.active.push_back(inherited)
            if old == GoUndetermined:
                g.creation = self.sync_ts
                dt = t - self.sync_ts
                if new == GoRunning:
                    g.st.exec_ += dt
                elif new == GoWaiting:
                    kv_add(g.st.block, reason, dt)
                elif new == GoRunnable:
                    g.st.sched += dt
                elif new == GoSyscall:
                    if ctx_p == -1:
                        g.st.sysblock += dt
                    else:
                        g.st.syscall += dt
            else:
                g.creation = t
        elif not g.live:
            return  # Go would dereference a nil summary here; such traces are rejected earlier
        elif old == GoRunning:
            g.st.exec_ += t - g.last_start
            g.last_start = 0
        elif old == GoWaiting:
            if g.last_block != 0:
                kv_add(g.st.block, g.last_block_reason, t - g.last_block)
                g.last_block = 0
        elif old == GoRunnable:
            if g.last_runnable != 0:
                g.st.sched += t - g.last_runnable
                g.last_runnable = 0
        elif old == GoSyscall:
            if g.last_syscall != 0:
                if g.last_syscall_block != 0:
                    g.st.sysblock += t - g.last_syscall_block
                    g.st.syscall += g.last_syscall_block - g.last_syscall
                else:
                    g.st.syscall += t - g.last_syscall
                g.last_syscall = 0
                g.last_syscall_block = 0
                self.syscalling_p.erase(self.syscalling_g[id])
                self.syscalling_g.erase(id)
        if not g.named and tstack >= 0 and self.soff[tstack + 1] > self.soff[tstack]:
            # Go names a goroutine after the outermost frame of its first transition stack.
            g.pc = self.fpc[self.sframes[self.soff[tstack + 1] - 1]]
            g.name = self.ffunc[self.sframes[self.soff[tstack + 1] - 1]]
            g.named = g.name != 0
        if new == GoRunning:
            g.last_start = t
            if g.start == 0:
                g.start = t
        elif new == GoRunnable:
            g.last_runnable = t
        elif new == GoWaiting and reason != self.forever:
            g.last_block = t
            g.last_block_reason = reason
        elif new == GoWaiting or new == GoNotExist:
            self.finalize_g(id, t, row, is_system(strings[g.name]))
        elif new == GoSyscall:
            self.syscalling_p[ctx_p] = id
            self.syscalling_g[id] = ctx_p
            g.last_syscall = t

    cdef void proc_transition(self, uint8_t typ, int64_t t, int32_t ctx_p, int32_t aux, int64_t a, int64_t a2):
        cdef int32_t id
        cdef uint8_t old, new
        if typ == EvProcStart:
            id, old, new = aux, 3, 2
        elif typ == EvProcStop:
            id, old, new = ctx_p, 2, 3
        elif typ == EvProcSteal:
            id, old, new = aux, (3 if a == 4 else 2), 3
        else:
            id, old, new = aux, <uint8_t>a, PROC_STATUS_TO_STATE[a2 % 5]
        if old != new and new == ProcIdle:
            it = self.syscalling_p.find(id)
            if it != self.syscalling_p.end():
                self.gs[deref(it).second].last_syscall_block = t
                self.syscalling_p.erase(it)

    cdef int32_t range_name(self, uint8_t typ, int32_t aux, list strings):
        if typ == EvSTWBegin or typ == EvSTWEnd:
            it = self.stw_names.find(aux)
            if it != self.stw_names.end():
                return deref(it).second
            self.range_names.append(f"stop-the-world ({strings[aux]})")
            self.stw_names[aux] = len(self.range_names) - 1
            return len(self.range_names) - 1
        if typ == EvGCBegin or typ == EvGCActive or typ == EvGCEnd:
            return 0
        if typ == EvGCSweepBegin or typ == EvGCSweepActive or typ == EvGCSweepEnd:
            return 1
        return 2

    cdef void range_event(self, uint8_t role, uint8_t typ, int64_t t, int32_t ctx_g, int32_t ctx_p,
                          int32_t aux, list strings):
        cdef int32_t name = self.range_name(typ, aux, strings)
        cdef int32_t gi = -1
        cdef int64_t key
        if name == 0:
            return  # GC mark phase: global scope, no goroutine
        if name == 1:   # sweep: proc scope
            scope_p = aux if typ == EvGCSweepActive else ctx_p
            key = (<int64_t>scope_p << 32) | name
            if role != T_RANGE_END:
                if ctx_g >= 0 and self.gs[ctx_g].live:
                    gi = ctx_g
                    self.ranges_p[key] = ctx_g
            else:
                it = self.ranges_p.find(key)
                if it != self.ranges_p.end():
                    if deref(it).second == ctx_g:
                        gi = ctx_g
                    self.ranges_p.erase(it)
        else:           # goroutine scope
            gi = aux if typ == EvGCMarkAssistActive else ctx_g
        if gi < 0 or not self.gs[gi].live:
            return
        cdef GState* g = &self.gs[gi]
        cdef size_t k = kv_find(g.last_range, name)
        cdef KV began
        if role == T_RANGE_END:
            if k == g.last_range.size() or g.last_range[k].val == 0:
                return
            kv_add(g.st.ranges, name, t - g.last_range[k].val)
            g.last_range.erase(g.last_range.begin() + k)
            return
        if role == T_RANGE_ACTIVE and k < g.last_range.size() and g.last_range[k].val != 0:
            kv_add(g.st.ranges, name, self.sync_ts - g.last_range[k].val)
        began.key = name
        began.val = self.sync_ts if role == T_RANGE_ACTIVE else t
        if k < g.last_range.size():
            g.last_range[k] = began
        else:
            g.last_range.push_back(began)

    cdef void region_begin(self, Py_ssize_t row, int64_t t, int32_t gi, uint64_t task, int32_t name):
        cdef Active a
        a.ri = self.new_region(gi, task, name, row, t)
        cdef Py_ssize_t k = self.gs[gi].active.size()
        while k > 0:
            k -= 1
            if self.rc.task[self.gs[gi].active[k].ri] == task:
                self.rc.outer[a.ri] = self.gs[gi].active[k].ri
                break
        cdef Stats now = snapshot(&self.gs[gi], t)
        self.rc.exec_[a.ri], self.rc.sched[a.ri], self.rc.syscall[a.ri] = now.exec_, now.sched, now.syscall
        self.rc.sysblock[a.ri], self.rc.total[a.ri] = now.sysblock, now.total
        a.block.swap(now.block)
        self.gs[gi].active.push_back(a)
        ti = self.task_of(task)
        self.region_task[a.ri] = ti
        self.task_add_g(ti, gi)

    cdef void region_end(self, Py_ssize_t row, int64_t t, int32_t gi, uint64_t task, int32_t name):
        cdef GState* g = &self.gs[gi]
        cdef Active a
        if g.active.size() > 0:
            a.ri = g.active.back().ri
            a.block.swap(g.active.back().block)
            g.active.pop_back()
        else:
            a.ri = self.new_region(gi, task, name, -1, t)
            ti = self.task_of(task)
            self.task_add_g(ti, gi)
            self.region_task[a.ri] = ti
        cdef Stats now = snapshot(g, t)
        self.end_region(&a, &now, row, t)

    cdef void task_event(self, Py_ssize_t row, uint8_t typ, int32_t gi, uint64_t id, uint64_t parent, int32_t name):
        cdef int32_t ti = self.task_of(id)
        self.tasks[ti].name = name
        self.task_add_g(ti, gi)
        if typ == EvUserTaskBegin:
            self.tasks[ti].start_row = row
        else:
            self.tasks[ti].end_row = row
        if parent != NO_ID and self.tasks[ti].parent == -1:
            pi = self.task_of(parent)
            self.tasks[ti].parent = pi

    cdef dict finish(self, list strings):
        """Go's Finalize, then everything as numpy arrays."""
        cdef size_t gi
        for gi in range(self.gs.size()):
            if self.gs[gi].live:
                self.finalize_g(<int32_t>gi, self.last_ts, -1, is_system(strings[self.gs[gi].name]))
                self.gs[gi].pending = False
        cdef size_t ng = self.gs.size(), nt = self.tasks.size()
        G = {k: np.zeros(ng, np.int64) for k in ("creation", "start", "end", "exec", "sched_wait", "syscall",
                                                "syscall_block", "total")}
        G["live"] = np.zeros(ng, bool)
        G["name"] = np.zeros(ng, np.int32)
        G["pc"] = np.zeros(ng, np.uint64)
        cdef int64_t[::1] g_creation = G["creation"], g_start = G["start"], g_end = G["end"], g_exec = G["exec"]
        cdef int64_t[::1] g_sched = G["sched_wait"], g_sys = G["syscall"], g_sysb = G["syscall_block"]
        cdef int64_t[::1] g_total = G["total"]
        cdef int32_t[::1] g_name = G["name"]
        cdef uint64_t[::1] g_pc = G["pc"]
        cdef cnp.ndarray live = G["live"]
        cdef vector[int64_t] block, ranges
        cdef GState* g
        for gi in range(ng):
            g = &self.gs[gi]
            if not g.live:
                continue
            (<uint8_t*>cnp.PyArray_DATA(live))[gi] = 1
            g_name[gi], g_pc[gi] = g.name, g.pc
            g_creation[gi], g_start[gi], g_end[gi] = g.creation, g.start, g.end
            g_exec[gi], g_sched[gi], g_sys[gi] = g.st.exec_, g.st.sched, g.st.syscall
            g_sysb[gi], g_total[gi] = g.st.sysblock, g.st.total
            for e in g.st.block:
                block.push_back(gi)
                block.push_back(e.key)
                block.push_back(e.val)
            for e in g.st.ranges:
                ranges.push_back(gi)
                ranges.push_back(e.key)
                ranges.push_back(e.val)
        self.gs.clear()
        self.gs.shrink_to_fit()
        R = self.region_arrays
        for col in R.values():
            col.resize(self.nregions, refcheck=False)
        # Region block times in region order (they were emitted as regions ended).
        rblock = int64_array(self.region_block).reshape(-1, 3)
        rblock = rblock[np.argsort(rblock[:, 0], kind="stable")]
        T = {k: np.zeros(nt, np.int32) for k in ("parent", "start_row", "end_row", "logs")}
        T["id"] = np.zeros(nt, np.uint64)
        T["name"] = np.zeros(nt, np.int32)
        cdef int32_t[::1] t_parent = T["parent"], t_start = T["start_row"], t_end = T["end_row"], t_logs = T["logs"]
        cdef uint64_t[::1] t_id = T["id"]
        cdef int32_t[::1] t_name = T["name"]
        cdef Task* tk
        cdef size_t ti
        for ti in range(nt):
            tk = &self.tasks[ti]
            t_id[ti] = tk.id
            t_name[ti] = tk.name
            t_parent[ti] = tk.parent
            t_start[ti] = tk.start_row
            t_end[ti] = tk.end_row
            t_logs[ti] = tk.nlogs
        # Per-task lists as CSR: <what>_offsets[i]:<what>_offsets[i+1] slices <what>.
        pairs = int32_array(self.task_goroutines).reshape(-1, 2)
        first = np.unique((pairs[:, 0].astype(np.int64) << 32) | (pairs[:, 1] + 1), return_index=True)[1]
        first.sort()  # each task's goroutines in the order they first appeared
        T["goroutine_offsets"], T["goroutines"] = csr(pairs[first, 0], pairs[first, 1], nt)
        rt = int32_array(self.region_task)
        listed = np.flatnonzero(rt >= 0)
        T["region_offsets"], T["regions"] = csr(rt[listed], listed.astype(np.int32), nt)
        pairs = int32_array(self.task_logs).reshape(-1, 2)
        T["log_offsets"], T["log_rows"] = csr(pairs[:, 0], pairs[:, 1], nt)
        return dict(goroutines=G, block=int64_array(block).reshape(-1, 3), ranges=int64_array(ranges).reshape(-1, 3),
                    regions=R, region_block=rblock, tasks=T, range_names=self.range_names)


include "_summary_arrays.pxi"
