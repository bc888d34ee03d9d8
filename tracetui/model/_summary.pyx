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
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint64_t
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
    k = S.TYPE_TO_KIND.get(_t, 0)
    ROLE[_t] = {S.KindStateTransition: T_GO, S.KindRangeBegin: T_RANGE_BEGIN, S.KindRangeActive: T_RANGE_ACTIVE,
                S.KindRangeEnd: T_RANGE_END, S.KindRegionBegin: T_REGION_BEGIN, S.KindRegionEnd: T_REGION_END,
                S.KindTaskBegin: T_TASK, S.KindTaskEnd: T_TASK, S.KindLog: T_LOG, S.KindSync: T_SYNC}.get(k, T_NONE)
    if _t in (S.EvProcStart, S.EvProcStop, S.EvProcSteal, S.EvProcStatus):
        ROLE[_t] = T_PROC
    HAS_ARG[_t] = False
    HAS_ARG2[_t] = False


cdef struct KV:
    int32_t key
    int64_t val


cdef inline void kv_add(vector[KV]& v, int32_t key, int64_t d) noexcept:
    cdef size_t i
    for i in range(v.size()):
        if v[i].key == key:
            v[i].val += d
            return
    cdef KV e
    e.key = key
    e.val = d
    v.push_back(e)


cdef inline void kv_sub(vector[KV]& r, vector[KV]& v) noexcept:
    """r[k] -= v[k] for r's keys (Go's map subtraction over the later snapshot's keys)."""
    cdef size_t i, j
    for i in range(r.size()):
        for j in range(v.size()):
            if v[j].key == r[i].key:
                r[i].val -= v[j].val
                break


cdef struct Stats:
    int64_t exec_
    int64_t sched
    int64_t syscall
    int64_t sysblock
    int64_t total
    vector[KV] block      # reason string -> ns (a few entries: a flat map copies cheaply)
    vector[KV] ranges     # range name id -> ns


cdef struct GState:
    bint live
    bint pending       # Go's goroutineSummary != nil (not finalized by Finalize yet)
    int32_t name
    uint64_t pc
    bint named
    int64_t creation
    int64_t start
    int64_t end
    Stats st
    int64_t last_start
    int64_t last_runnable
    int64_t last_block
    int32_t last_block_reason
    int64_t last_syscall
    int64_t last_syscall_block
    unordered_map[int32_t, int64_t] last_range
    vector[int32_t] active        # region indices


cdef struct Region:
    int32_t g
    uint64_t task
    int32_t name
    int64_t start_row
    int64_t end_row
    Stats st
    bint done


cdef struct Task:
    uint64_t id
    int32_t name
    int64_t parent      # task index or -1
    int64_t start_row
    int64_t end_row
    int64_t nlogs
    vector[int32_t] goroutines
    vector[int64_t] logs
    vector[int32_t] regions


cdef void zero_stats(Stats* s) noexcept:
    s.exec_ = s.sched = s.syscall = s.sysblock = s.total = 0
    s.block.clear()
    s.ranges.clear()


cdef void reset_g(GState* g) noexcept:
    """A new goroutine summary (Go replaces the map entry)."""
    g.live = g.pending = True
    g.name = 0
    g.pc = 0
    g.named = False
    g.creation = g.start = g.end = 0
    g.st.exec_ = g.st.sched = g.st.syscall = g.st.sysblock = g.st.total = 0
    g.st.block.clear()
    g.st.ranges.clear()
    g.last_start = g.last_runnable = g.last_block = 0
    g.last_block_reason = 0
    g.last_syscall = g.last_syscall_block = 0
    g.last_range.clear()
    g.active.clear()


cdef inline Stats snapshot(GState* g, int64_t t):
    """Go's snapshotStat: the stats so far, with pending state counted up to t."""
    cdef Stats r = g.st
    if not g.pending:
        return r
    if g.st.total == 0:
        r.total = t - g.creation
    if g.last_start != 0:
        r.exec_ += t - g.last_start
    if g.last_runnable != 0:
        r.sched += t - g.last_runnable
    if g.last_block != 0:
        kv_add(r.block, g.last_block_reason, t - g.last_block)
    if g.last_syscall != 0:
        r.syscall += t - g.last_syscall
    if g.last_syscall_block != 0:
        r.sched += t - g.last_syscall_block
    for kv in g.last_range:
        kv_add(r.ranges, kv.first, t - kv.second)
    return r


cdef inline void keep_region_stats(Stats* s) noexcept:
    """A finished region keeps only its nonzero block times (its range times are not
    reported): frees the rest, since a trace may hold a million regions."""
    cdef vector[KV] block, none
    for kv in s.block:
        if kv.val != 0:
            block.push_back(kv)
    s.block.swap(block)
    s.ranges.swap(none)


cdef inline void stats_sub(Stats* r, Stats* v) noexcept:
    """r -= v, over r's keys (Go's GoroutineExecStats.sub)."""
    r.exec_ -= v.exec_
    r.sched -= v.sched
    r.syscall -= v.syscall
    r.sysblock -= v.sysblock
    r.total -= v.total
    kv_sub(r.block, v.block)
    kv_sub(r.ranges, v.ranges)


cdef class Summarizer:
    cdef vector[GState] gs
    cdef vector[Region] regions
    cdef vector[Task] tasks
    cdef unordered_map[uint64_t, int32_t] task_index
    cdef unordered_map[int32_t, int32_t] syscalling_p
    cdef unordered_map[int32_t, int32_t] syscalling_g
    cdef unordered_map[int64_t, int32_t] ranges_p     # (proc << 32 | name) -> goroutine
    cdef int64_t last_ts
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
        cdef int32_t i = <int32_t>self.tasks.size()
        self.tasks.push_back(t)
        self.task_index[id] = i
        return i

    cdef void task_add_g(self, int32_t ti, int32_t g) noexcept:
        cdef Task* t = &self.tasks[ti]
        for x in t.goroutines:
            if x == g:
                return
        t.goroutines.push_back(g)

    cdef void finalize_g(self, int32_t gi, int64_t t, int64_t trigger_row, bint system) noexcept:
        cdef GState* g = &self.gs[gi]
        if trigger_row >= 0:
            g.end = t
        cdef Stats fin = snapshot(g, t)
        cdef Region* r
        if not system:
            for ri in g.active:
                r = &self.regions[ri]
                r.end_row = trigger_row
                r.st = self._sub_copy(&fin, &r.st)
                keep_region_stats(&r.st)
                r.done = True
        g.st = fin
        g.last_start = g.last_runnable = g.last_block = 0
        g.last_block_reason = 0
        g.last_syscall = g.last_syscall_block = 0
        g.last_range.clear()
        g.active.clear()

    cdef Stats _sub_copy(self, Stats* a, Stats* b):
        cdef Stats r = a[0]
        stats_sub(&r, b)
        return r

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
        cdef _Narrow pcol = _Narrow(trace.p)
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
        cdef int64_t a, a2, t
        cdef uint8_t typ, role
        self.gs.resize(len(trace.goroutine_ids))
        # Regions: one per begin, per end without a begin, per goroutine created inside one (at most).
        self.regions.reserve(len(trace.rows_where((EvUserRegionBegin, EvUserRegionEnd, EvGoCreate,
                                                   EvGoCreateBlocked, EvGoCreateSyscall))))
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
                self.tasks[ti].logs.push_back(i)
        return self.finish(strings)

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
        cdef Region reg
        if old == GoUndetermined or old == GoNotExist:
            if old == GoNotExist and ctx_g >= 0 and self.gs[ctx_g].live and self.gs[ctx_g].active.size() > 0:
                # A goroutine created inside a region inherits it (Go: an unnamed region of the creator's task).
                reg.g = id
                reg.task = self.regions[self.gs[ctx_g].active.back()].task
                reg.name = 0
                reg.start_row = row
                reg.end_row = -1
                reg.done = False
                zero_stats(&reg.st)
                ri = <int32_t>self.regions.size()
                self.regions.push_back(reg)
            else:
                ri = -1
            g = &self.gs[id]
            reset_g(g)
            if ri >= 0:
                g.active.push_back(ri)
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
        if role == T_RANGE_ACTIVE:
            it2 = g.last_range.find(name)
            if it2 != g.last_range.end() and deref(it2).second != 0:
                kv_add(g.st.ranges, name, self.sync_ts - deref(it2).second)
            g.last_range[name] = self.sync_ts
        elif role == T_RANGE_BEGIN:
            g.last_range[name] = t
        else:
            it3 = g.last_range.find(name)
            if it3 == g.last_range.end() or deref(it3).second == 0:
                return
            kv_add(g.st.ranges, name, t - deref(it3).second)
            g.last_range.erase(it3)

    cdef void region_begin(self, Py_ssize_t row, int64_t t, int32_t gi, uint64_t task, int32_t name):
        cdef Region r
        r.g = gi
        r.task = task
        r.name = name
        r.start_row = row
        r.end_row = -1
        r.done = False
        r.st = snapshot(&self.gs[gi], t)
        cdef int32_t ri = <int32_t>self.regions.size()
        self.regions.push_back(r)
        self.gs[gi].active.push_back(ri)
        ti = self.task_of(task)
        self.tasks[ti].regions.push_back(ri)
        self.task_add_g(ti, gi)

    cdef void region_end(self, Py_ssize_t row, int64_t t, int32_t gi, uint64_t task, int32_t name):
        cdef GState* g = &self.gs[gi]
        cdef int32_t ri
        cdef Region r
        if g.active.size() > 0:
            ri = g.active.back()
            g.active.pop_back()
        else:
            r.g = gi
            r.task = task
            r.name = name
            r.start_row = -1
            r.end_row = -1
            r.done = False
            zero_stats(&r.st)
            ri = <int32_t>self.regions.size()
            self.regions.push_back(r)
            ti = self.task_of(task)
            self.task_add_g(ti, gi)
            self.tasks[ti].regions.push_back(ri)
        cdef Stats now = snapshot(&self.gs[gi], t)
        self.regions[ri].st = self._sub_copy(&now, &self.regions[ri].st)
        keep_region_stats(&self.regions[ri].st)
        self.regions[ri].end_row = row
        self.regions[ri].done = True

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
        cdef size_t ng = self.gs.size(), nr = self.regions.size(), nt = self.tasks.size()
        G = {k: np.zeros(ng, np.int64) for k in ("creation", "start", "end", "exec", "sched_wait", "syscall",
                                                "syscall_block", "total")}
        G["live"] = np.zeros(ng, bool)
        G["name"] = np.zeros(ng, np.int32)
        G["pc"] = np.zeros(ng, np.uint64)
        block, ranges = [], []
        cdef GState* g
        for gi in range(ng):
            g = &self.gs[gi]
            if not g.live:
                continue
            G["live"][gi] = True
            G["name"][gi] = g.name
            G["pc"][gi] = g.pc
            G["creation"][gi], G["start"][gi], G["end"][gi] = g.creation, g.start, g.end
            G["exec"][gi], G["sched_wait"][gi], G["syscall"][gi] = g.st.exec_, g.st.sched, g.st.syscall
            G["syscall_block"][gi], G["total"][gi] = g.st.sysblock, g.st.total
            for e in g.st.block:
                block.append((gi, e.key, e.val))
            for e in g.st.ranges:
                ranges.append((gi, e.key, e.val))
        R = {k: np.zeros(nr, np.int64) for k in ("start_row", "end_row", "exec", "sched_wait", "syscall",
                                                "syscall_block", "total")}
        R["goroutine"] = np.zeros(nr, np.int32)
        R["task"] = np.zeros(nr, np.uint64)
        R["name"] = np.zeros(nr, np.int32)
        R["done"] = np.zeros(nr, np.uint8)
        cdef int64_t[::1] r_start = R["start_row"], r_end = R["end_row"], r_exec = R["exec"]
        cdef int64_t[::1] r_sched = R["sched_wait"], r_sys = R["syscall"], r_sysb = R["syscall_block"]
        cdef int64_t[::1] r_total = R["total"]
        cdef int32_t[::1] r_g = R["goroutine"], r_name = R["name"]
        cdef uint64_t[::1] r_task = R["task"]
        cdef uint8_t[::1] r_done = R["done"]
        rblock = []
        cdef Region* r
        cdef size_t ri
        for ri in range(nr):
            r = &self.regions[ri]
            r_g[ri] = r.g
            r_task[ri] = r.task
            r_name[ri] = r.name
            r_start[ri] = r.start_row
            r_end[ri] = r.end_row
            r_done[ri] = r.done
            r_exec[ri] = r.st.exec_
            r_sched[ri] = r.st.sched
            r_sys[ri] = r.st.syscall
            r_sysb[ri] = r.st.sysblock
            r_total[ri] = r.st.total
            for e in r.st.block:
                if e.val:
                    rblock.append((ri, e.key, e.val))
        R["done"] = R["done"].astype(bool)
        T = {k: np.zeros(nt, np.int64) for k in ("parent", "start_row", "end_row", "logs")}
        T["id"] = np.zeros(nt, np.uint64)
        T["name"] = np.zeros(nt, np.int32)
        cdef int64_t[::1] t_parent = T["parent"], t_start = T["start_row"], t_end = T["end_row"], t_logs = T["logs"]
        cdef uint64_t[::1] t_id = T["id"]
        cdef int32_t[::1] t_name = T["name"]
        # Per-task lists as CSR: <what>_offsets[i]:<what>_offsets[i+1] slices <what>.
        cdef vector[int64_t] go_off, reg_off, log_off
        cdef vector[int32_t] go_flat, reg_flat
        cdef vector[int64_t] log_flat
        go_off.push_back(0)
        reg_off.push_back(0)
        log_off.push_back(0)
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
            go_flat.insert(go_flat.end(), tk.goroutines.begin(), tk.goroutines.end())
            reg_flat.insert(reg_flat.end(), tk.regions.begin(), tk.regions.end())
            log_flat.insert(log_flat.end(), tk.logs.begin(), tk.logs.end())
            go_off.push_back(go_flat.size())
            reg_off.push_back(reg_flat.size())
            log_off.push_back(log_flat.size())
        T["goroutine_offsets"] = np.array(go_off, np.int64)
        T["goroutines"] = np.array(go_flat, np.int32)
        T["region_offsets"] = np.array(reg_off, np.int64)
        T["regions"] = np.array(reg_flat, np.int32)
        T["log_offsets"] = np.array(log_off, np.int64)
        T["log_rows"] = np.array(log_flat, np.int64)
        return dict(goroutines=G, block=block, ranges=ranges, regions=R, region_block=rblock, tasks=T,
                    range_names=self.range_names)


cdef bint is_system(str name):
    """Go's IsSystemGoroutine."""
    return name == "" or (name != "runtime.main" and name.startswith("runtime."))
