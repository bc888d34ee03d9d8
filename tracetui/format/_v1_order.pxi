# Included by _v1.pyx: merging the batches into one stream (parseEventBatches and
# order.go), re-timing it and validating it (parse, postProcessTrace).

cdef int merge(V1Decoder self) except -1:
    """parseEventBatches: the frontier of ready events, smallest time first."""
    sort_cpu_samples(self.cpu)
    cdef size_t nprocs = self.procs_order.size() + 1
    cdef vector[vector[V1Ev]] bufs
    cdef vector[size_t] pos
    cdef vector[int32_t] pids
    bufs.resize(nprocs)
    pos.resize(nprocs)
    cdef size_t i
    for i in range(nprocs - 1):
        pids.push_back(self.procs_order[i])
    pids.push_back(ProfileP)
    bufs[nprocs - 1] = self.cpu
    cdef vector[int] avail
    cdef vector[cbool] done
    done.resize(nprocs)
    for i in range(nprocs):
        avail.push_back(<int>i)
    cdef vector[int] frontier       # heap of proc indices; their event is bufs[k][pos[k]-1]
    cdef vector[V1Ev] fev           # the frontier events, parallel to frontier
    cdef unordered_map[uint64_t, GState] gs
    cdef int k, ii
    cdef V1Ev* ev
    cdef V1Ev f
    cdef uint64_t g
    cdef GState init, nxt, curr
    cdef int rc
    curr.seq = 0
    curr.status = 0
    while True:
        ii = 0
        while ii < <int>avail.size():
            k = avail[ii]
            while pos[k] >= bufs[k].size():
                if pids[k] == ProfileP:
                    rc = 1
                else:
                    bufs[k].clear()
                    pos[k] = 0
                    rc = self.load_batch(pids[k], &bufs[k])
                if rc == 1:
                    done[k] = True
                    avail[ii] = avail[avail.size() - 1]
                    avail.pop_back()
                    break
            else:
                ev = &bufs[k][pos[k]]
                state_transition(ev, &g, &init, &nxt)
                if not transition_ready(g, gs[g] if g != UNORDERED else curr, init):
                    ii += 1
                    continue
                pos[k] += 1
                avail[ii] = avail[avail.size() - 1]
                avail.pop_back()
                frontier.push_back(k)
                fev.push_back(ev[0])
                heap_up(frontier, fev, <int>frontier.size() - 1)
                continue
            # the proc was exhausted: look at index ii again
        if frontier.size() == 0:
            for i in range(nprocs):
                if not done[i]:
                    raise V1Error("no consistent ordering of events possible", None)
            break
        k = frontier[0]
        f = fev[0]
        heap_pop(frontier, fev)
        state_transition(&f, &g, &init, &nxt)
        if f.typ == V_GoStartLocal:
            f.typ = V_GoStart
        elif f.typ == V_GoUnblockLocal:
            f.typ = V_GoUnblock
        elif f.typ == V_GoSysExitLocal:
            f.typ = V_GoSysExit
        self.events.push_back(f)
        if g != UNORDERED:
            curr = gs[g]
            if not transition_ready(g, curr, init):
                raise V1Error("encountered impossible goroutine state transition", None)
            if nxt.seq == NOSEQ:
                nxt.seq = curr.seq
            elif nxt.seq == SEQINC:
                nxt.seq = curr.seq + 1
            gs[g] = nxt
        avail.push_back(k)
    cdef size_t n = self.events.size()
    for i in range(1, n):
        if self.events[i].ts < self.events[i - 1].ts:
            raise V1Error("time stamps out of order", None)
    cdef unordered_map[uint64_t, int64_t] last_block
    cdef int64_t ts, block
    cdef vector[size_t] moved
    for i in range(n):
        ev = &self.events[i]
        if ev.typ == V_GoSysBlock or ev.typ == V_GoInSyscall:
            last_block[ev.g] = ev.ts
        elif ev.typ == V_GoSysExit:
            ts = <int64_t>ev.args[2]
            if ts == 0:
                continue
            block = last_block[ev.g]
            if block == 0:
                raise V1Error("stray syscall exit", None)
            if ts < block:
                raise V1Error("time stamps out of order", None)
            ev.ts = ts
            moved.push_back(i)
    resort(self.events, moved)
    return 0


cdef int retime(V1Decoder self) except -1:
    if self.ticks_per_sec == 0:
        raise V1Error("no EvFrequency event", None)
    cdef size_t i, n = self.events.size()
    if n == 0:
        return 0
    cdef int64_t min_ts = self.events[0].ts
    cdef double freq = 1e9 / <double>self.ticks_per_sec
    cdef V1Ev* ev
    for i in range(n):
        ev = &self.events[i]
        ev.ts = <int64_t>(<double>(ev.ts - min_ts) * freq)
        if ev.typ == V_GoUnblock and self.timer_goids.count(ev.g):
            ev.p = TimerP
        if ev.typ == V_GoSysExit:
            ev.p = SyscallP
    return 0


cdef int validate(V1Decoder self) except -1:
    cdef unordered_map[uint64_t, GDesc] gs
    cdef unordered_map[int32_t, PDesc] ps
    cdef unordered_set[uint64_t] tasks
    cdef unordered_map[uint64_t, vector[pair[uint64_t, uint64_t]]] regions
    cdef GDesc zero_g
    zero_g.state = G_RUNNING
    zero_g.ev_typ = 0
    zero_g.has_create = False
    zero_g.mark_assist = False
    gs[0] = zero_g
    cdef bint in_gc = False, in_stw = False
    cdef size_t i, n = self.events.size()
    cdef V1Ev* ev
    cdef GDesc* g
    cdef GDesc* g1
    cdef PDesc* p
    cdef uint8_t t
    cdef uint64_t mode
    cdef pair[uint64_t, uint64_t] top
    for i in range(n):
        ev = &self.events[i]
        t = ev.typ
        if t == V_ProcStart:
            p = &ps[ev.p]
            if p.running:
                raise V1Error(f"p {ev.p} is running before start (time {ev.ts})", None)
            p.running = True
        elif t == V_ProcStop:
            p = &ps[ev.p]
            if not p.running:
                raise V1Error(f"p {ev.p} is not running before stop (time {ev.ts})", None)
            if p.g != 0:
                raise V1Error(f"p {ev.p} is running a goroutine {p.g} during stop (time {ev.ts})", None)
            p.running = False
        elif t == V_GCStart:
            if in_gc:
                raise V1Error(f"previous GC is not ended before a new one (time {ev.ts})", None)
            in_gc = True
            ev.p = GCP
        elif t == V_GCDone:
            if not in_gc:
                raise V1Error(f"bogus GC end (time {ev.ts})", None)
            in_gc = False
        elif t == V_STWStart:
            if in_stw:
                raise V1Error(f"previous STW is not ended before a new one (time {ev.ts})", None)
            in_stw = True
        elif t == V_STWDone:
            if not in_stw:
                raise V1Error(f"bogus STW end (time {ev.ts})", None)
            in_stw = False
        elif t == V_GCSweepStart:
            p = &ps[ev.p]
            if p.sweep:
                raise V1Error(f"previous sweeping is not ended before a new one (time {ev.ts})", None)
            p.sweep = True
        elif t == V_GCMarkAssistStart:
            g = &gs[ev.g]
            if g.mark_assist:
                raise V1Error(f"previous mark assist is not ended before a new one (time {ev.ts})", None)
            g.mark_assist = True
        elif t == V_GCMarkAssistDone:
            gs[ev.g].mark_assist = False
        elif t == V_GCSweepDone:
            p = &ps[ev.p]
            if not p.sweep:
                raise V1Error(f"bogus sweeping end (time {ev.ts})", None)
            p.sweep = False
        elif t == V_GoWaiting or t == V_GoInSyscall:
            g = &gs[ev.g]
            if g.state != G_RUNNABLE:
                raise V1Error(f"g {ev.g} is not runnable before {NAMES[t].replace('Go', 'EvGo', 1)} (time {ev.ts})", None)
            g.state = G_WAITING
            g.ev_typ = t
        elif t == V_GoCreate:
            check_running(ps[ev.p], gs[ev.g], ev, True)
            if gs.count(ev.args[0]):
                raise V1Error(f"g {ev.args[0]} already exists (time {ev.ts})", None)
            g = &gs[ev.args[0]]
            g.state = G_RUNNABLE
            g.ev_typ = t
            g.has_create = True
            g.create_stack = ev.args[1]
            g.mark_assist = False
        elif t == V_GoStart or t == V_GoStartLabel:
            g = &gs[ev.g]
            p = &ps[ev.p]
            if g.state != G_RUNNABLE:
                raise V1Error(f"g {ev.g} is not runnable before start (time {ev.ts})", None)
            if p.g != 0:
                raise V1Error(f"p {ev.p} is already running g {p.g} while start g {ev.g} (time {ev.ts})", None)
            g.state = G_RUNNING
            p.g = ev.g
            if g.has_create:
                ev.stk = <uint32_t>g.create_stack
                g.has_create = False
            g.ev_typ = 0
        elif t == V_GoEnd or t == V_GoStop:
            g = &gs[ev.g]
            p = &ps[ev.p]
            check_running(p[0], g[0], ev, False)
            g.state = G_DEAD
            p.g = 0
            if t == V_GoEnd:
                regions.erase(ev.g)
        elif t == V_GoSched or t == V_GoPreempt:
            g = &gs[ev.g]
            p = &ps[ev.p]
            check_running(p[0], g[0], ev, False)
            g.state = G_RUNNABLE
            p.g = 0
            g.ev_typ = t
        elif t == V_GoUnblock:
            g = &gs[ev.g]
            p = &ps[ev.p]
            if g.state != G_RUNNING:
                raise V1Error(f"g {ev.g} is not running while unpark (time {ev.ts})", None)
            if ev.p != TimerP and p.g != ev.g:
                raise V1Error(f"p {ev.p} is not running g {ev.g} while unpark (time {ev.ts})", None)
            g1 = &gs[ev.args[0]]
            if g1.state != G_WAITING:
                raise V1Error(f"g {ev.args[0]} is not waiting before unpark (time {ev.ts})", None)
            if g1.ev_typ == V_GoBlockNet:
                ev.p = NetpollP
            g1.state = G_RUNNABLE
            g1.ev_typ = t
        elif t == V_GoSysCall:
            g = &gs[ev.g]
            check_running(ps[ev.p], g[0], ev, False)
            g.ev_typ = t
        elif t == V_GoSysBlock:
            g = &gs[ev.g]
            p = &ps[ev.p]
            check_running(p[0], g[0], ev, False)
            g.state = G_WAITING
            p.g = 0
        elif t == V_GoSysExit:
            g = &gs[ev.g]
            if g.state != G_WAITING:
                raise V1Error(f"g {ev.g} is not waiting during syscall exit (time {ev.ts})", None)
            g.state = G_RUNNABLE
            g.ev_typ = t
        elif (t == V_GoSleep or t == V_GoBlock or t == V_GoBlockSend or t == V_GoBlockRecv
              or t == V_GoBlockSelect or t == V_GoBlockSync or t == V_GoBlockCond or t == V_GoBlockNet
              or t == V_GoBlockGC):
            g = &gs[ev.g]
            p = &ps[ev.p]
            check_running(p[0], g[0], ev, False)
            g.state = G_WAITING
            g.ev_typ = t
            p.g = 0
        elif t == V_UserTaskCreate:
            if tasks.count(ev.args[0]):
                raise V1Error(f"task id conflicts (id:{ev.args[0]})", None)
            tasks.insert(ev.args[0])
        elif t == V_UserTaskEnd:
            tasks.erase(ev.args[0])
        elif t == V_UserRegion:
            mode = ev.args[1]
            if mode == 0:
                regions[ev.g].push_back(pair[uint64_t, uint64_t](ev.args[0], ev.args[2]))
            elif mode == 1:
                if regions.count(ev.g) and regions[ev.g].size() > 0:
                    top = regions[ev.g].back()
                    if top.first != ev.args[0] or top.second != ev.args[2]:
                        raise V1Error(f"misuse of region in goroutine {ev.g}: span end when the inner-most "
                                      f"active span start event is different", None)
                    regions[ev.g].pop_back()
                    if regions[ev.g].size() == 0:
                        regions.erase(ev.g)
            else:
                raise V1Error("invalid user region mode", None)
        if ev.stk != 0:
            it = self.stacks.find(ev.stk)
            if it == self.stacks.end() or deref(it).second.size() == 0:
                ev.stk = 0
    return 0


cdef void sort_cpu_samples(vector[V1Ev]& cpu) noexcept:
    """slices.SortFunc by time, with Go's own pdqsort (equal times keep Go's order)."""
    cdef size_t i, n = cpu.size()
    cdef vector[int] perm
    cdef vector[int64_t] keys
    cdef vector[V1Ev] out
    for i in range(n):
        perm.push_back(<int>i)
        keys.push_back(cpu[i].ts)
    go_sort(perm.data(), keys.data(), n)
    for i in range(n):
        out.push_back(cpu[perm[i]])
    cpu.swap(out)


cdef int check_running(PDesc p, GDesc g, V1Ev* ev, bint allow_g0) except -1:
    if g.state != G_RUNNING:
        name = NAMES[ev.typ]
        raise V1Error(f"g {ev.g} is not running while {name} (time {ev.ts})", None)
    if p.g != ev.g:
        raise V1Error(f"p {ev.p} is not running g {ev.g} while {NAMES[ev.typ]} (time {ev.ts})", None)
    if not allow_g0 and ev.g == 0:
        raise V1Error(f"g 0 did {NAMES[ev.typ]} (time {ev.ts})", None)
    return 0


cdef inline void _st(GState* init, GState* nxt, uint64_t s0, int st0, uint64_t s1, int st1) noexcept:
    init.seq = s0
    init.status = st0
    nxt.seq = s1
    nxt.status = st1


cdef void state_transition(V1Ev* ev, uint64_t* g, GState* init, GState* nxt) noexcept:
    """order.go's stateTransition."""
    cdef uint8_t t = ev.typ
    g[0] = UNORDERED
    if t == V_GoCreate:
        g[0] = ev.args[0]
        _st(init, nxt, 0, G_DEAD, 1, G_RUNNABLE)
    elif t == V_GoWaiting or t == V_GoInSyscall:
        g[0] = ev.g
        _st(init, nxt, 1, G_RUNNABLE, 2, G_WAITING)
    elif t == V_GoStart or t == V_GoStartLabel:
        g[0] = ev.g
        _st(init, nxt, ev.args[1], G_RUNNABLE, ev.args[1] + 1, G_RUNNING)
    elif t == V_GoStartLocal:
        g[0] = ev.g
        _st(init, nxt, NOSEQ, G_RUNNABLE, SEQINC, G_RUNNING)
    elif (t == V_GoBlock or t == V_GoBlockSend or t == V_GoBlockRecv or t == V_GoBlockSelect or t == V_GoBlockSync
          or t == V_GoBlockCond or t == V_GoBlockNet or t == V_GoSleep or t == V_GoSysBlock or t == V_GoBlockGC):
        g[0] = ev.g
        _st(init, nxt, NOSEQ, G_RUNNING, NOSEQ, G_WAITING)
    elif t == V_GoSched or t == V_GoPreempt:
        g[0] = ev.g
        _st(init, nxt, NOSEQ, G_RUNNING, NOSEQ, G_RUNNABLE)
    elif t == V_GoUnblock or t == V_GoSysExit:
        g[0] = ev.args[0]
        _st(init, nxt, ev.args[1], G_WAITING, ev.args[1] + 1, G_RUNNABLE)
    elif t == V_GoUnblockLocal or t == V_GoSysExitLocal:
        g[0] = ev.args[0]
        _st(init, nxt, NOSEQ, G_WAITING, SEQINC, G_RUNNABLE)
    elif t == V_GCStart:
        g[0] = GARBAGE
        _st(init, nxt, ev.args[0], G_DEAD, ev.args[0] + 1, G_DEAD)


cdef inline bint transition_ready(uint64_t g, GState curr, GState init) noexcept:
    return g == UNORDERED or ((init.seq == NOSEQ or init.seq == curr.seq) and init.status == curr.status)


cdef void heap_up(vector[int]& h, vector[V1Ev]& e, int j) noexcept:
    cdef int i
    while True:
        i = (j - 1) // 2
        if i == j or not (e[j].ts < e[i].ts):
            break
        h[i], h[j] = h[j], h[i]
        e[i], e[j] = e[j], e[i]
        j = i


cdef void heap_pop(vector[int]& h, vector[V1Ev]& e) noexcept:
    cdef int n = <int>h.size() - 1
    h[0], h[n] = h[n], h[0]
    e[0], e[n] = e[n], e[0]
    cdef int i = 0, j, j1, j2
    while True:
        j1 = 2 * i + 1
        if j1 >= n or j1 < 0:
            break
        j = j1
        j2 = j1 + 1
        if j2 < n and e[j2].ts < e[j1].ts:
            j = j2
        if not (e[j].ts < e[i].ts):
            break
        h[i], h[j] = h[j], h[i]
        e[i], e[j] = e[j], e[i]
        i = j
    h.pop_back()
    e.pop_back()
