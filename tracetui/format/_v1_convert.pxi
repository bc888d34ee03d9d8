# Included by _v1.pyx: the trace-wide tables and the conversion of every v1 event to
# the current event types (tracev1.go), emitted into the V1Decoder's columns.

cdef int build_tables(V1Decoder self) except -1:
    """Builtin strings, frames and stacks, in our trace-wide tables."""
    cdef int k
    for k in range(29):
        self.builtin[k] = self.intern(BUILTINS[k])
    cdef dict frame_index = {}
    cdef vector[uint32_t] ids
    for kv in self.stacks:
        ids.push_back(kv.first)
    sort_u32(ids)
    self.stack_offsets.push_back(0)
    self.stack_offsets.push_back(0)   # stack 0: none
    cdef uint64_t pc
    cdef int32_t fi
    cdef object key
    for sid in ids:
        for pc in self.stacks[sid]:
            key = (pc, self.pc_fn[pc], self.pc_file[pc], self.pc_line[pc])
            fi = frame_index.get(key, -1)
            if fi < 0:
                fi = <int32_t>self.frame_pc.size()
                frame_index[key] = fi
                self.frame_pc.push_back(pc)
                self.frame_func.push_back(self.sid(self.pc_fn[pc]))
                self.frame_file.push_back(self.sid(self.pc_file[pc]))
                self.frame_line.push_back(self.pc_line[pc])
            self.stack_frames.push_back(fi)
        self.stack_index[sid] = <int32_t>(self.stack_offsets.size() - 1)
        self.stack_offsets.push_back(self.stack_frames.size())
    return 0


cdef int convert(V1Decoder self) except -1:
    cdef size_t i, n = self.events.size()
    cdef vector[cbool] blocked
    blocked.resize(n)
    cdef unordered_map[uint64_t, uint8_t] next_typ
    cdef Py_ssize_t j
    for j in range(<Py_ssize_t>n - 1, -1, -1):
        if self.events[j].typ == V_GoSysCall:
            it = next_typ.find(self.events[j].g)
            blocked[j] = it != next_typ.end() and deref(it).second == V_GoSysBlock
        next_typ[self.events[j].g] = self.events[j].typ
    cdef Ctx none
    none.m = -1
    none.p = -1
    none.g = -1
    self.out_last = -1
    if n:
        self.emit(EvSyncPublic, self.events[0].ts - 1, none, 0, 0, 1, 0, False)
    cdef bint pre_init = True
    cdef unordered_set[uint64_t] created_pre
    cdef unordered_set[int32_t] seen_procs
    cdef unordered_map[int32_t, uint64_t] proc_ms
    cdef unordered_map[uint64_t, TaskInfo] tasks
    cdef int32_t last_stw = 0
    cdef V1Ev* ev
    cdef Ctx c, sc
    cdef uint8_t t, mt
    cdef int32_t aux, stack
    cdef int64_t a1, a2
    cdef TaskInfo ti
    cdef vector[uint64_t] gids
    cdef uint64_t reason
    for i in range(n):
        ev = &self.events[i]
        t = ev.typ
        # the context of the event (the end of convertEvent)
        c.m = -1
        if ev.p != -1 and t != V_CPUSample:
            it_m = proc_ms.find(ev.p)
            if it_m != proc_ms.end():
                c.m = self.midx(deref(it_m).second)
        if t == V_ProcStart:
            c.m = self.midx(ev.args[0])
        c.p = self.pidx(ev.p)
        c.g = self.gidx(ev.g) if ev.g != 0 else -1
        stack = self.stk(ev.stk)
        aux = 0
        a1 = 0
        a2 = 0
        if t == V_Gomaxprocs:
            if pre_init:
                pre_init = False
                gids.clear()
                for gid in created_pre:
                    gids.push_back(gid)
                sort_u64(gids)
                for gid in gids:
                    self.emit(EvGoStatus, ev.ts, none, 0, self.gidx(gid), 1, -1, True)
                created_pre.clear()
                continue
            self.emit(EvProcsChange, ev.ts, c, stack, 0, <int64_t>ev.args[0], 0, True)
        elif t == V_ProcStart:
            proc_ms[ev.p] = ev.args[0]
            if seen_procs.count(ev.p):
                self.emit(EvProcStart, ev.ts, c, 0, c.p, 0, 0, True)
            else:
                seen_procs.insert(ev.p)
                self.emit(EvProcStatus, ev.ts, c, 0, c.p, 0, 1, True)
        elif t == V_ProcStop:
            proc_ms.erase(ev.p)
            if seen_procs.count(ev.p):
                self.emit(EvProcStop, ev.ts, c, 0, c.p, 0, 0, True)
            else:
                seen_procs.insert(ev.p)
                self.emit(EvProcStatus, ev.ts, c, 0, c.p, 0, 2, True)
        elif t == V_GCStart:
            self.emit(EvGCBegin, ev.ts, c, stack, 0, <int64_t>ev.args[0], 0, True)
        elif t == V_GCDone:
            self.emit(EvGCEnd, ev.ts, c, 0, 0, <int64_t>ev.args[0], 0, True)
        elif t == V_STWStart:
            last_stw = self.builtin[S_STW_UNKNOWN + stw_reason(self.version, ev.args[0])]
            self.emit(EvSTWBegin, ev.ts, c, 0, last_stw, 0, 0, True)
        elif t == V_STWDone:
            self.emit(EvSTWEnd, ev.ts, c, 0, last_stw, 0, 0, True)
        elif t == V_GCSweepStart:
            self.emit(EvGCSweepBegin, ev.ts, c, stack, 0, 0, 0, True)
        elif t == V_GCSweepDone:
            self.emit(EvGCSweepEnd, ev.ts, c, 0, 0, <int64_t>ev.args[0], <int64_t>ev.args[1], True)
        elif t == V_GoCreate:
            if pre_init:
                created_pre.insert(ev.args[0])
                continue
            self.emit(EvGoCreate, ev.ts, c, stack, self.gidx(ev.args[0]), self.stk(ev.args[1]), 0, True)
        elif t == V_GoStart:
            if pre_init:
                created_pre.erase(ev.args[0])
                self.emit(EvGoStatus, ev.ts, c, 0, self.gidx(ev.args[0]), 2, -1, True)
            else:
                self.emit(EvGoStart, ev.ts, c, 0, self.gidx(ev.args[0]), 0, 0, True)
        elif t == V_GoStartLabel:
            sc.m = self.midx(proc_ms[ev.p]) if proc_ms.count(ev.p) else self.midx(0)
            sc.p = c.p
            sc.g = self.gidx(ev.g)
            self.emit(EvGoStart, ev.ts, sc, 0, self.gidx(ev.args[0]), 0, 0, True)
            self.emit(EvGoLabel, ev.ts, sc, 0, self.sid(ev.args[2]), 0, 0, True)
        elif t == V_GoEnd:
            self.emit(EvGoDestroy, ev.ts, c, 0, 0, 0, 0, True)
        elif t == V_GoUnblock:
            self.emit(EvGoUnblock, ev.ts, c, stack, self.gidx(ev.args[0]), 0, 0, True)
        elif t == V_GoSysCall:
            if blocked[i]:
                self.emit(EvGoSyscallBegin, ev.ts, c, stack, 0, 0, 0, True)
            else:
                sc.m = self.midx(proc_ms[ev.p]) if proc_ms.count(ev.p) else self.midx(0)
                sc.p = c.p
                sc.g = self.gidx(ev.g)
                self.emit(EvGoSyscallBegin, ev.ts, sc, stack, 0, 0, 0, True)
                self.emit(EvGoSyscallEnd, ev.ts + 1, sc, 0, 0, 0, 0, True)
        elif t == V_GoSysExit:
            self.emit(EvGoSyscallEndBlocked, ev.ts, c, 0, 0, 0, 0, True)
        elif t == V_GoSysBlock:
            continue
        elif t == V_GoWaiting or t == V_GoInSyscall:
            created_pre.erase(ev.args[0])
            self.emit(EvGoStatus, ev.ts, c, 0, self.gidx(ev.args[0]), 4 if t == V_GoWaiting else 3, -1, True)
        elif t == V_HeapAlloc:
            self.emit(EvHeapAlloc, ev.ts, c, 0, 0, <int64_t>ev.args[0], 0, True)
        elif t == V_HeapGoal:
            self.emit(EvHeapGoal, ev.ts, c, 0, 0, <int64_t>ev.args[0], 0, True)
        elif t == V_GCMarkAssistStart:
            self.emit(EvGCMarkAssistBegin, ev.ts, c, stack, 0, 0, 0, True)
        elif t == V_GCMarkAssistDone:
            self.emit(EvGCMarkAssistEnd, ev.ts, c, 0, 0, 0, 0, True)
        elif t == V_UserTaskCreate:
            ti.name = self.sid(ev.args[2])
            ti.parent = ev.args[1]
            tasks[ev.args[0]] = ti
            self.emit(EvUserTaskBegin, ev.ts, c, stack, ti.name, <int64_t>ev.args[0],
                      <int64_t>(ev.args[1] if ev.args[1] != 0 else U64MAX), True)
        elif t == V_UserTaskEnd:
            it_t = tasks.find(ev.args[0])
            if it_t != tasks.end():
                ti = deref(it_t).second
                tasks.erase(it_t)
            else:
                ti.name = 0
                ti.parent = U64MAX
            self.emit(EvUserTaskEnd, ev.ts, c, stack, ti.name, <int64_t>ev.args[0], <int64_t>ti.parent, True)
        elif t == V_UserRegion:
            mt = EvUserRegionBegin if ev.args[1] == 0 else EvUserRegionEnd
            self.emit(mt, ev.ts, c, stack, self.sid(ev.args[2]), <int64_t>ev.args[0], 0, True)
        elif t == V_UserLog:
            self.emit(EvUserLog, ev.ts, c, stack, self.sid(ev.args[1]), <int64_t>ev.args[0],
                      self.inline_ids[ev.args[3]], True)
        elif t == V_CPUSample:
            self.emit(EvCPUSample, ev.ts, c, stack, 0, 0, 0, True)
        else:
            reason = block_reason(t)
            if reason == U64MAX:
                # Go hands out the events before this one, then the error.
                self.error = (f"unexpected event type {t}", None)
                return 0
            self.emit(EvGoStop if t == V_GoSched or t == V_GoPreempt else EvGoBlock, ev.ts, c, stack,
                      self.builtin[reason], 0, 0, True)
    self.emit(EvSyncPublic, self.out_last + 1, none, 0, -1, 2 if n else 1, 0, False)
    return 0


cdef uint64_t block_reason(uint8_t t) noexcept:
    if t == V_GoStop:
        return S_FOREVER
    if t == V_GoSched:
        return S_GOSCHED
    if t == V_GoPreempt:
        return S_PREEMPTED
    if t == V_GoSleep:
        return S_SLEEP
    if t == V_GoBlock:
        return S_EMPTY
    if t == V_GoBlockSend:
        return S_CHANSEND
    if t == V_GoBlockRecv:
        return S_CHANRECV
    if t == V_GoBlockSelect:
        return S_SELECT
    if t == V_GoBlockSync:
        return S_SYNC
    if t == V_GoBlockCond:
        return S_SYNCCOND
    if t == V_GoBlockNet:
        return S_NETWORK
    if t == V_GoBlockGC:
        return S_MARKASSIST
    return U64MAX


cdef int stw_reason(int version, uint64_t kind) noexcept:
    """Trace.STWReason."""
    if version < 21:
        return <int>kind + 1 if kind == 0 or kind == 1 else 0
    return <int>kind if kind < NUM_STW_REASONS else 0
