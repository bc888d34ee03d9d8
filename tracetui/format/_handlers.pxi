# Included by _core.pyx: one handler per wire event type, as in Go's order.go
# (orderingDispatch). Each returns True if the event advanced (and was emitted),
# False if it is not ready yet, and raises _Fail if the trace is invalid.

cdef str ev_name(Decoder d, uint8_t typ):
    last = {22: EvUserLog, 23: EvExperimentalBatch, 25: EvClockSnapshot}.get(d.version, NUM_SPECS - 1)
    if typ <= last and SPEC_NAMES[typ]:
        return SPEC_NAMES[typ]
    return f"Invalid({typ})"


cdef bint advance_event(Decoder d, Ev* ev, int32_t m, uint64_t gen) except -1:
    cdef Ctx cur, new
    if d.initial_gen == 0:
        d.initial_gen = gen
    cur.m = m
    if m == -1:
        cur.p = -1
        cur.g = -1
    else:
        d.m_exists[m] = True
        cur.p = d.m_p[m]
        cur.g = d.m_g[m]
    new = cur
    cdef uint8_t t = ev.typ
    cdef bint ok
    if t == EvGoStart:
        ok = h_go_start(d, ev, gen, cur, &new)
    elif t == EvGoBlock or t == EvGoStop or t == EvGoDestroy:
        ok = h_go_stop_exec(d, ev, gen, cur, &new)
    elif t == EvGoUnblock:
        ok = h_go_unblock(d, ev, gen, cur, &new)
    elif t == EvGoSyscallBegin:
        ok = h_syscall_begin(d, ev, gen, cur, &new)
    elif t == EvGoSyscallEnd:
        ok = h_syscall_end(d, ev, gen, cur, &new)
    elif t == EvGoSyscallEndBlocked:
        ok = h_syscall_end_blocked(d, ev, gen, cur, &new)
    elif t == EvProcStart:
        ok = h_proc_start(d, ev, gen, cur, &new)
    elif t == EvProcStop:
        ok = h_proc_stop(d, ev, gen, cur, &new)
    elif t == EvProcSteal:
        ok = h_proc_steal(d, ev, gen, cur, &new)
    elif t == EvProcStatus:
        ok = h_proc_status(d, ev, gen, cur, &new)
    elif t == EvGoStatus or t == EvGoStatusStack:
        ok = h_go_status(d, ev, gen, cur, &new)
    elif t == EvGoCreate or t == EvGoCreateBlocked:
        ok = h_go_create(d, ev, gen, cur, &new)
    elif t == EvGoCreateSyscall:
        ok = h_go_create_syscall(d, ev, gen, cur, &new)
    elif t == EvGoDestroySyscall:
        ok = h_go_destroy_syscall(d, ev, gen, cur, &new)
    elif t == EvGoSwitch or t == EvGoSwitchDestroy:
        ok = h_go_switch(d, ev, gen, cur, &new)
    elif t == EvProcsChange or t == EvGoLabel or t == EvUserLog:
        ok = h_annotation(d, ev, gen, cur, &new)
    elif t == EvHeapAlloc or t == EvHeapGoal:
        validate_ctx(cur, MUST, MUST, MAY)
        d.emit(t, ev.time, cur, 0, 0, <int64_t>ev.args[0], 0)
        ok = True
    elif t == EvSTWBegin or t == EvGCMarkAssistBegin:
        ok = h_go_range_begin(d, ev, gen, cur, &new)
    elif t == EvSTWEnd or t == EvGCMarkAssistEnd:
        ok = h_go_range_end(d, ev, gen, cur, &new)
    elif t == EvGCMarkAssistActive:
        ok = h_go_range_active(d, ev, gen, cur, &new)
    elif t == EvGCActive or t == EvGCBegin or t == EvGCEnd:
        ok = h_gc(d, ev, gen, cur, &new)
    elif t == EvGCSweepBegin or t == EvGCSweepActive or t == EvGCSweepEnd:
        ok = h_sweep(d, ev, gen, cur, &new)
    elif t == EvUserTaskBegin:
        ok = h_task_begin(d, ev, gen, cur, &new)
    elif t == EvUserTaskEnd:
        ok = h_task_end(d, ev, gen, cur, &new)
    elif t == EvUserRegionBegin or t == EvUserRegionEnd:
        ok = h_region(d, ev, gen, cur, &new)
    elif t >= EvSpan and t < NUM_SPECS:
        validate_ctx(cur, MUST, MAY, MAY)
        d.exp_args.append((ev.args[0], ev.args[1], ev.args[2]))
        d.emit(t, ev.time, cur, 0, 0, len(d.exp_args) - 1, 0)
        ok = True
    else:
        raise _Fail(f"bad event type found while ordering: {t}")
    if ok and m != -1:
        d.m_p[m] = new.p
        d.m_g[m] = new.g
    return ok


cdef int need_g(Decoder d, int32_t g, uint8_t typ, uint8_t status) except -1:
    """The current goroutine must exist and be in `status` (GS_RUNNING or GS_SYSCALL)."""
    if g == -1 or d.g_status[g] == 0:
        gid = d.g_ids[g] if g != -1 else -1
        raise _Fail(f"event {ev_name(d, typ)} for goroutine ({gid}) that doesn't exist")
    if d.g_status[g] != status:
        raise _Fail(f"{ev_name(d, typ)} event for goroutine that's not {'Syscall' if status == GS_SYSCALL and typ == EvGoDestroySyscall else 'Running'}")
    return 0


cdef void drop_g(Decoder d, int32_t g) noexcept:
    d.g_status[g] = 0
    d.g_regions[g].clear()
    d.g_ranges[g].clear()


cdef bint h_proc_status(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t p = d.pidx(ev.args[0])
    cdef uint64_t status = ev.args[1] & 0xFF  # tracev2.ProcStatus is a uint8
    if status >= 5:
        raise _Fail(f"invalid status for proc {<int64_t>ev.args[0]}: {status}")
    cdef uint8_t old = PROC_STATUS_TO_STATE[status]
    cdef uint64_t wire = status  # what the event reports (ev.args[1] after Go's promotion)
    if p != -1 and d.p_status[p] != 0:
        if status == PS_ABANDONED and d.p_status[p] == PS_SYSCALL:
            old = ProcRunning
            wire = PS_SYSCALL
        elif status == PS_ABANDONED and d.p_status[p] == PS_ABANDONED:
            old = ProcIdle
        elif d.p_status[p] != status:
            raise _Fail(f"inconsistent status for proc {<int64_t>ev.args[0]}: old {status_name(_PROC_STATUS_NAMES, d.p_status[p])} vs. new {status_name(_PROC_STATUS_NAMES, status)}")
        d.p_seq_gen[p] = gen
        d.p_seq[p] = 0
    else:
        if p == -1:
            raise _Fail("unsupported proc ID -1")
        d.p_status[p] = <uint8_t>status
        d.p_seq_gen[p] = gen
        d.p_seq[p] = 0
        old = ProcUndetermined if gen == d.initial_gen else ProcNotExist
    if status == PS_RUNNING or status == PS_SYSCALL:
        new.p = p
    cdef bint found
    cdef size_t k
    if status == PS_ABANDONED and old == ProcRunning:
        found = False
        for k in range(d.m_ids.size()):
            if d.m_exists[k] and d.m_p[k] == p:
                cur.m = <int32_t>k
                cur.p = p
                cur.g = d.m_g[k]
                found = True
                break
        if not found:
            raise _Fail(f"failed to find sched context for proc {<int64_t>ev.args[0]} that's about to be stolen")
    d.emit(EvProcStatus, ev.time, cur, 0, p, old, <int64_t>wire)
    return True


cdef bint h_proc_start(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t p = d.pidx(ev.args[0])
    if p == -1 or d.p_status[p] != PS_IDLE or not succeeds(gen, ev.args[1], d.p_seq_gen[p], d.p_seq[p]) or cur.p != -1:
        return False
    validate_ctx(cur, MUST, MUST_NOT, MAY)
    d.p_status[p] = PS_RUNNING
    d.p_seq_gen[p] = gen
    d.p_seq[p] = ev.args[1]
    new.p = p
    d.emit(EvProcStart, ev.time, cur, 0, p, 0, 0)
    return True


cdef bint h_proc_stop(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    if cur.p == -1 or d.p_status[cur.p] == 0:
        raise _Fail(f"event {ev_name(d, ev.typ)} for proc ({d.p_ids[cur.p] if cur.p != -1 else -1}) that doesn't exist")
    if d.p_status[cur.p] != PS_RUNNING and d.p_status[cur.p] != PS_SYSCALL:
        raise _Fail(f"{ev_name(d, ev.typ)} event for proc that's not Running or Syscall")
    validate_ctx(cur, MUST, MUST, MAY)
    d.p_status[cur.p] = PS_IDLE
    new.p = -1
    d.emit(EvProcStop, ev.time, cur, 0, cur.p, 0, 0)
    return True


cdef bint h_proc_steal(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t p = d.pidx(ev.args[0])
    if p == -1 or (d.p_status[p] != PS_SYSCALL and d.p_status[p] != PS_ABANDONED) or not succeeds(gen, ev.args[1], d.p_seq_gen[p], d.p_seq[p]):
        return False
    validate_ctx(cur, MUST, MAY, MAY)
    cdef uint8_t old = d.p_status[p]
    d.p_status[p] = PS_IDLE
    d.p_seq_gen[p] = gen
    d.p_seq[p] = ev.args[1]
    if old == PS_ABANDONED:
        d.emit(EvProcSteal, ev.time, cur, 0, p, old, <int64_t>ev.args[2])
        return True
    cdef uint64_t mid_raw = ev.args[2]
    cdef int32_t mid = d.midx(mid_raw)
    if mid == cur.m:
        if cur.p != p:
            raise _Fail(f"tried to self-steal proc {<int64_t>ev.args[0]} (thread {<int64_t>mid_raw}), but got proc {d.p_ids[cur.p] if cur.p != -1 else -1} instead")
        new.p = -1
        d.emit(EvProcSteal, ev.time, cur, 0, p, old, <int64_t>mid_raw)
        return True
    if mid == -1 or not d.m_exists[mid]:
        raise _Fail(f"stole proc from non-existent thread {<int64_t>mid_raw}")
    if d.m_p[mid] != p:
        raise _Fail(f"tried to steal proc {<int64_t>ev.args[0]} from thread {<int64_t>mid_raw}, but got proc {d.p_ids[d.m_p[mid]] if d.m_p[mid] != -1 else -1} instead")
    d.m_p[mid] = -1
    d.emit(EvProcSteal, ev.time, cur, 0, p, old, <int64_t>mid_raw)
    return True


cdef bint h_go_status(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t g = d.gidx(ev.args[0])
    cdef uint64_t mid_raw = ev.args[1]
    cdef uint64_t status = ev.args[2] & 0xFF  # tracev2.GoStatus is a uint8
    if status >= 5:
        raise _Fail(f"invalid status for goroutine {<int64_t>ev.args[0]}: {status}")
    cdef uint64_t old = GO_STATUS_TO_STATE[status]
    if g == -1:
        raise _Fail("unsupported goroutine ID -1")
    if d.g_status[g] != 0:
        if d.g_status[g] != status:
            raise _Fail(f"inconsistent status for goroutine {<int64_t>ev.args[0]}: old {status_name(_GO_STATUS_NAMES, d.g_status[g])} vs. new {status_name(_GO_STATUS_NAMES, status)}")
        d.g_seq_gen[g] = gen
        d.g_seq[g] = 0
    elif gen == d.initial_gen:
        d.g_status[g] = <uint8_t>status
        d.g_seq_gen[g] = gen
        d.g_seq[g] = 0
        old = GoUndetermined
    else:
        raise _Fail(f"found goroutine status for new goroutine after the first generation: id={<int64_t>ev.args[0]} status={status_name(_GO_STATUS_NAMES, status)}")
    cdef int32_t mid
    if status == GS_RUNNING:
        new.g = g
    elif status == GS_SYSCALL:
        if mid_raw == NO_ID:
            raise _Fail(f"found goroutine {<int64_t>ev.args[0]} in syscall without a thread")
        mid = d.midx(mid_raw)
        if mid == cur.m:
            if gen != d.initial_gen and cur.g != g:
                raise _Fail(f"inconsistent thread for syscalling goroutine {<int64_t>ev.args[0]}: thread has goroutine {d.g_ids[cur.g] if cur.g != -1 else -1}")
            new.g = g
        else:
            if d.m_exists[mid]:
                if d.m_g[mid] != g:
                    raise _Fail(f"inconsistent thread for syscalling goroutine {<int64_t>ev.args[0]}: thread has goroutine {d.g_ids[d.m_g[mid]] if d.m_g[mid] != -1 else -1}")
                cur.g = d.m_g[mid]
            else:
                d.m_exists[mid] = True
                d.m_g[mid] = g
                d.m_p[mid] = -1
            cur.m = mid
    cdef int32_t stack = d.stk(ev.args[3], ev.typ) if ev.typ == EvGoStatusStack else 0
    d.emit(ev.typ, ev.time, cur, stack, g, <int64_t>((old << 32) | status), <int64_t>mid_raw)
    return True


cdef bint h_go_create(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    validate_ctx(cur, MUST, MUST, MAY)
    if cur.g != -1 and d.g_status[cur.g] != 0 and d.g_status[cur.g] != GS_RUNNING:
        raise _Fail(f"{ev_name(d, ev.typ)} event for goroutine that's not Running")
    cdef int32_t ng = d.gidx(ev.args[0])
    if ng == -1 or d.g_status[ng] != 0:
        raise _Fail(f"tried to create goroutine ({<int64_t>ev.args[0]}) that already exists")
    # (a conditional expression assigned straight into a vector element miscompiles)
    cdef uint8_t status = GS_WAITING if ev.typ == EvGoCreateBlocked else GS_RUNNABLE
    d.g_status[ng] = status
    d.g_seq_gen[ng] = gen
    d.g_seq[ng] = 0
    cdef int32_t stack = d.stk(ev.args[2], ev.typ)
    cdef int32_t new_stack = d.stk(ev.args[1], ev.typ)
    d.emit(ev.typ, ev.time, cur, stack, ng, new_stack, 0)
    return True


cdef bint h_go_stop_exec(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    need_g(d, cur.g, ev.typ, GS_RUNNING)
    if ev.typ == EvGoDestroy:
        drop_g(d, cur.g)
        new.g = -1
        d.emit(EvGoDestroy, ev.time, cur, 0, 0, 0, 0)
        return True
    cdef uint8_t status = GS_RUNNABLE if ev.typ == EvGoStop else GS_WAITING
    d.g_status[cur.g] = status
    new.g = -1
    cdef int32_t stack = d.stk(ev.args[1], ev.typ)
    d.emit(ev.typ, ev.time, cur, stack, d.str_(ev.args[0], ev.typ), 0, 0)
    return True


cdef bint h_go_start(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t g = d.gidx(ev.args[0])
    if g == -1 or d.g_status[g] != GS_RUNNABLE or not succeeds(gen, ev.args[1], d.g_seq_gen[g], d.g_seq[g]):
        return False
    validate_ctx(cur, MUST, MUST, MUST_NOT)
    d.g_status[g] = GS_RUNNING
    d.g_seq_gen[g] = gen
    d.g_seq[g] = ev.args[1]
    new.g = g
    d.emit(EvGoStart, ev.time, cur, 0, g, 0, 0)
    return True


cdef bint h_go_unblock(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t g = d.gidx(ev.args[0])
    if g == -1 or d.g_status[g] != GS_WAITING or not succeeds(gen, ev.args[1], d.g_seq_gen[g], d.g_seq[g]):
        return False
    d.g_status[g] = GS_RUNNABLE
    d.g_seq_gen[g] = gen
    d.g_seq[g] = ev.args[1]
    d.emit(EvGoUnblock, ev.time, cur, d.stk(ev.args[2], ev.typ), g, 0, 0)
    return True


cdef bint h_go_switch(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    need_g(d, cur.g, ev.typ, GS_RUNNING)
    cdef int32_t nx = d.gidx(ev.args[0])
    if nx == -1 or d.g_status[nx] != GS_WAITING or not succeeds(gen, ev.args[1], d.g_seq_gen[nx], d.g_seq[nx]):
        return False
    d.emit(ev.typ, ev.time, cur, 0, nx, 0, 0)
    if ev.typ == EvGoSwitch:
        d.g_status[cur.g] = GS_WAITING
        d.emit(EvGoBlock, ev.time, cur, 0, 0, 0, 0)
    else:
        drop_g(d, cur.g)
        d.emit(EvGoDestroy, ev.time, cur, 0, 0, 0, 0)
    d.g_status[nx] = GS_RUNNING
    d.g_seq_gen[nx] = gen
    d.g_seq[nx] = ev.args[1]
    new.g = nx
    cdef Ctx sc = cur
    sc.g = -1
    d.emit(EvGoStart, ev.time, sc, 0, nx, 0, 0)
    return True


cdef bint h_syscall_begin(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    need_g(d, cur.g, ev.typ, GS_RUNNING)
    d.g_status[cur.g] = GS_SYSCALL
    if d.p_status[cur.p] == 0:
        raise _Fail(f"uninitialized proc {d.p_ids[cur.p]} found during {ev_name(d, ev.typ)}")
    d.p_status[cur.p] = PS_SYSCALL
    if not succeeds(gen, ev.args[0], d.p_seq_gen[cur.p], d.p_seq[cur.p]):
        raise _Fail(f"failed to advance {ev_name(d, ev.typ)}: can't make sequence: {d.p_seq[cur.p]} (gen={d.p_seq_gen[cur.p]}) -> {ev.args[0]} (gen={gen})")
    d.p_seq_gen[cur.p] = gen
    d.p_seq[cur.p] = ev.args[0]
    d.emit(EvGoSyscallBegin, ev.time, cur, d.stk(ev.args[1], ev.typ), 0, 0, 0)
    return True


cdef bint h_syscall_end(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    need_g(d, cur.g, ev.typ, GS_SYSCALL)
    d.g_status[cur.g] = GS_RUNNING
    if d.p_status[cur.p] == 0:
        raise _Fail(f"uninitialized proc {d.p_ids[cur.p]} found during {ev_name(d, ev.typ)}")
    if d.p_status[cur.p] != PS_SYSCALL:
        raise _Fail(f"expected proc {d.p_ids[cur.p]} in state Syscall, but got {status_name(_PROC_STATUS_NAMES, d.p_status[cur.p])} instead")
    d.p_status[cur.p] = PS_RUNNING
    d.emit(EvGoSyscallEnd, ev.time, cur, 0, 0, 0, 0)
    return True


cdef bint h_syscall_end_blocked(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    if cur.p != -1:
        if d.p_status[cur.p] == 0:
            raise _Fail(f"uninitialized proc {d.p_ids[cur.p]} found during {ev_name(d, ev.typ)}")
        if d.p_status[cur.p] == PS_SYSCALL:
            return False
    validate_ctx(cur, MUST, MAY, MUST)
    need_g(d, cur.g, ev.typ, GS_SYSCALL)
    new.g = -1
    d.g_status[cur.g] = GS_RUNNABLE
    d.emit(EvGoSyscallEndBlocked, ev.time, cur, 0, 0, 0, 0)
    return True


cdef bint h_go_create_syscall(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    validate_ctx(cur, MUST, MAY, MUST_NOT)
    cdef int32_t ng = d.gidx(ev.args[0])
    if ng == -1 or d.g_status[ng] != 0:
        raise _Fail(f"tried to create goroutine ({<int64_t>ev.args[0]}) in syscall that already exists")
    d.g_status[ng] = GS_SYSCALL
    d.g_seq_gen[ng] = gen
    d.g_seq[ng] = 0
    new.g = ng
    d.emit(EvGoCreateSyscall, ev.time, cur, 0, ng, 0, 0)
    return True


cdef bint h_go_destroy_syscall(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    validate_ctx(cur, MUST, MAY, MUST)
    need_g(d, cur.g, ev.typ, GS_SYSCALL)
    drop_g(d, cur.g)
    new.g = -1
    if cur.p != -1:
        if d.p_status[cur.p] == 0:
            raise _Fail(f"found invalid proc {d.p_ids[cur.p]} during {ev_name(d, ev.typ)}")
        if d.p_status[cur.p] != PS_SYSCALL:
            raise _Fail(f"proc {d.p_ids[cur.p]} in unexpected state {status_name(_PROC_STATUS_NAMES, d.p_status[cur.p])} during {ev_name(d, ev.typ)}")
        d.p_status[cur.p] = PS_ABANDONED
        new.p = -1
        d.emit(EvProcSteal, ev.time, cur, 0, cur.p, PS_SYSCALL, 0)
    d.emit(EvGoDestroySyscall, ev.time, cur, 0, 0, 0, 0)
    return True
