# Included by _core.pyx: the order.go handlers for user annotations (tasks,
# regions, logs, labels), GC, sweeps and goroutine-bound ranges (STW, mark assist).

cdef bint h_task_begin(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef uint64_t id = ev.args[0]
    if d.tasks.count(id):
        raise _Fail(f"task ID conflict: {id}")
    cdef uint64_t parent = ev.args[1]
    if parent == 0:
        parent = NO_ID
    if ev.args[2] != 0 and not d.gen.strings.count(ev.args[2]):
        raise _Fail(f"invalid string ID {ev.args[2]} for {ev.typ} event")
    cdef TaskState ts
    ts.name = d.str_(ev.args[2], ev.typ)
    ts.parent = parent
    d.tasks[id] = ts
    user_go_reqs(cur)
    d.emit(EvUserTaskBegin, ev.time, cur, d.stk(ev.args[3], ev.typ), ts.name, <int64_t>id, <int64_t>parent)
    return True


cdef bint h_task_end(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef uint64_t id = ev.args[0]
    cdef int32_t name = 0
    cdef uint64_t parent = NO_ID
    it = d.tasks.find(id)
    if it != d.tasks.end():
        name = deref(it).second.name
        parent = deref(it).second.parent
        d.tasks.erase(it)
    user_go_reqs(cur)
    d.emit(EvUserTaskEnd, ev.time, cur, d.stk(ev.args[1], ev.typ), name, <int64_t>id, <int64_t>parent)
    return True


cdef bint h_region(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    if ev.args[1] != 0 and not d.gen.strings.count(ev.args[1]):
        raise _Fail(f"invalid string ID {ev.args[1]} for {ev.typ} event")
    cdef int32_t name = d.str_(ev.args[1], ev.typ)
    if d.g_status[cur.g] == 0:
        raise _Fail(f"encountered Ev{'UserRegionBegin' if ev.typ == EvUserRegionBegin else 'UserRegionEnd'} without known state for current goroutine {d.g_ids[cur.g]}")
    cdef RegionEntry r
    r.task = ev.args[0]
    r.name = name
    cdef vector[RegionEntry]* regions = &d.g_regions[cur.g]
    if ev.typ == EvUserRegionBegin:
        regions.push_back(r)
    elif regions.size() != 0:
        top = regions.back()
        if top.task != r.task or top.name != r.name:
            raise _Fail(f"misuse of region in goroutine {d.g_ids[cur.g]}: region end {{{r.task} {d.tables.strings[name]}}} when the inner-most active region start event is {{{top.task} {d.tables.strings[top.name]}}}")
        regions.pop_back()
    d.emit(ev.typ, ev.time, cur, d.stk(ev.args[2], ev.typ), name, <int64_t>ev.args[0], 0)
    return True


cdef bint h_annotation(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    if ev.typ == EvProcsChange:
        d.emit(EvProcsChange, ev.time, cur, d.stk(ev.args[1], ev.typ), 0, <int64_t>ev.args[0], 0)
    elif ev.typ == EvGoLabel:
        d.emit(EvGoLabel, ev.time, cur, 0, d.str_(ev.args[0], ev.typ), 0, 0)
    else:
        stack = d.stk(ev.args[3], ev.typ)
        key = d.str_(ev.args[1], ev.typ)
        d.emit(EvUserLog, ev.time, cur, stack, key, <int64_t>ev.args[0], d.str_(ev.args[2], ev.typ))
    return True


cdef bint h_gc(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef uint64_t seq = ev.args[0]
    cdef uint8_t t = ev.typ
    if t == EvGCActive:
        if gen == d.initial_gen:
            if d.gc_state != GC_UNDETERMINED:
                raise _Fail("GCActive in the first generation isn't first GC event")
            d.gc_seq = seq
            d.gc_state = GC_RUNNING
            d.emit(t, ev.time, cur, 0, 0, <int64_t>seq, 0)
            return True
        if seq != d.gc_seq + 1:
            return False
        if d.gc_state != GC_RUNNING:
            raise _Fail("encountered GCActive while GC was not in progress")
        d.gc_seq = seq
        user_go_reqs(cur)
        d.emit(t, ev.time, cur, 0, 0, <int64_t>seq, 0)
        return True
    if t == EvGCBegin:
        if d.gc_state == GC_UNDETERMINED:
            d.gc_seq = seq
            d.gc_state = GC_RUNNING
            d.emit(t, ev.time, cur, d.stk(ev.args[1], t), 0, <int64_t>seq, 0)
            return True
        if seq != d.gc_seq + 1:
            return False
        if d.gc_state == GC_RUNNING:
            raise _Fail("encountered GCBegin while GC was already in progress")
        d.gc_seq = seq
        d.gc_state = GC_RUNNING
        user_go_reqs(cur)
        d.emit(t, ev.time, cur, d.stk(ev.args[1], t), 0, <int64_t>seq, 0)
        return True
    if seq != d.gc_seq + 1:
        return False
    if d.gc_state == GC_NOT_RUNNING:
        raise _Fail("encountered GCEnd when GC was not in progress")
    if d.gc_state == GC_UNDETERMINED:
        raise _Fail("encountered GCEnd when GC was in an undetermined state")
    d.gc_seq = seq
    d.gc_state = GC_NOT_RUNNING
    user_go_reqs(cur)
    d.emit(t, ev.time, cur, 0, 0, <int64_t>seq, 0)
    return True


cdef bint h_sweep(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef uint8_t t = ev.typ
    cdef int32_t p
    if t == EvGCSweepActive:
        p = d.pidx(ev.args[0])
        if p == -1 or d.p_status[p] == 0:
            raise _Fail(f"encountered GCSweepActive for unknown proc {<int64_t>ev.args[0]}")
        active_range(d.p_ranges[p], EvGCSweepBegin, gen == d.initial_gen)
        d.emit(t, ev.time, cur, 0, p, 0, 0)
        return True
    validate_ctx(cur, MUST, MUST, MAY)
    if t == EvGCSweepBegin:
        begin_range(d.p_ranges[cur.p], EvGCSweepBegin, 0)
        d.emit(t, ev.time, cur, d.stk(ev.args[0], t), 0, 0, 0)
        return True
    end_range(d.p_ranges[cur.p], t)
    d.emit(t, ev.time, cur, 0, 0, <int64_t>ev.args[0], <int64_t>ev.args[1])
    return True


cdef bint h_go_range_begin(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    cdef uint64_t desc = ev.args[0] if ev.typ == EvSTWBegin else 0
    if d.g_status[cur.g] == 0:
        raise _Fail(f"encountered event of type {ev.typ} without known state for current goroutine {d.g_ids[cur.g]}")
    begin_range(d.g_ranges[cur.g], ev.typ, desc)
    if ev.typ == EvSTWBegin:
        stack = d.stk(ev.args[1], ev.typ)
        d.emit(ev.typ, ev.time, cur, stack, d.str_(desc, ev.typ), 0, 0)
    else:
        d.emit(ev.typ, ev.time, cur, d.stk(ev.args[0], ev.typ), 0, 0, 0)
    return True


cdef bint h_go_range_active(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    cdef int32_t g = d.gidx(ev.args[0])
    if g == -1 or d.g_status[g] == 0:
        raise _Fail(f"uninitialized goroutine {<int64_t>ev.args[0]} found during {ev_name(d, ev.typ)}")
    active_range(d.g_ranges[g], EvGCMarkAssistBegin, gen == d.initial_gen)
    d.emit(ev.typ, ev.time, cur, 0, g, 0, 0)
    return True


cdef bint h_go_range_end(Decoder d, Ev* ev, uint64_t gen, Ctx cur, Ctx* new) except -1:
    user_go_reqs(cur)
    if d.g_status[cur.g] == 0:
        raise _Fail(f"encountered event of type {ev.typ} without known state for current goroutine {d.g_ids[cur.g]}")
    cdef uint64_t desc = end_range(d.g_ranges[cur.g], ev.typ)
    if ev.typ == EvSTWEnd:
        # Go resolves the Begin's string id in the End's generation.
        it = d.gen.strings.find(desc)
        if desc != 0 and it == d.gen.strings.end():
            raise _Fail(f"found invalid string ID {desc} for event STWEnd")
        d.emit(ev.typ, ev.time, cur, 0, deref(it).second if desc != 0 else 0, 0, 0)
    else:
        d.emit(ev.typ, ev.time, cur, 0, 0, 0, 0)
    return True
