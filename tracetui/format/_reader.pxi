# Included by _core.pyx: the Decoder. It walks generations like Go's Reader
# (reader.go): batch cursors per M in a hand-written min-heap, CPU samples
# injected by time, Sync events at generation edges, and the ordering handlers.

cdef struct Ev:
    uint8_t typ
    int64_t time
    uint64_t args[4]
    Py_ssize_t off

cdef struct Cursor:
    uint64_t m_raw
    int32_t m
    int64_t last_ts
    size_t idx
    Py_ssize_t data_off
    vector[Batch]* batches
    Ev ev

# Column buffers: 5 dense (one entry per event), 2 as runs and 2 sparse. m and p
# change value rarely (events come in per-thread batches): each is kept as runs,
# a (start row, value) pair pushed only when an event's value differs from the
# previous event's. arg and arg2 hold one entry per event whose type carries one
# (HAS_ARG/HAS_ARG2), in event order; most events carry neither. Their rows
# follow from the type column.
DEF NDENSE = 5
DEF STACK = 3            # index of the stack buffer
DEF NARROW_MAX = 32767   # stack is int16 until a trace has more stacks
DENSE_NAMES = ("time", "type", "g", "stack", "aux")
cdef int[5] BUF_TYPENUM = [cnp.NPY_INT64, cnp.NPY_UINT8, cnp.NPY_INT32, cnp.NPY_INT16, cnp.NPY_INT32]
cdef bint[256] HAS_ARG
cdef bint[256] HAS_ARG2
for _t in range(256):
    HAS_ARG[_t] = _t in (EvProcsChange, EvHeapAlloc, EvHeapGoal, EvProcSteal, EvProcStatus, EvGoCreate,
                         EvGoCreateBlocked, EvGoStatus, EvGoStatusStack, EvGCActive, EvGCBegin, EvGCEnd,
                         EvGCSweepEnd, EvUserTaskBegin, EvUserTaskEnd, EvUserRegionBegin, EvUserRegionEnd,
                         EvUserLog, EvSyncPublic) or EvSpan <= _t < NUM_SPECS
    HAS_ARG2[_t] = _t in (EvProcSteal, EvProcStatus, EvGoStatus, EvGoStatusStack, EvGCSweepEnd,
                          EvUserTaskBegin, EvUserTaskEnd, EvUserLog)
ARG_TYPES = [t for t in range(256) if HAS_ARG[t]]
ARG2_TYPES = [t for t in range(256) if HAS_ARG2[t]]


cdef class Decoder:
    # input
    cdef object _buf_owner
    cdef const uint8_t* buf
    cdef Py_ssize_t n
    cdef public int version
    cdef _ByteReader r
    cdef _Tables tables
    # columns
    cdef void* bufs[NDENSE]
    cdef int[NDENSE] size
    cdef Py_ssize_t cap
    cdef public Py_ssize_t count
    cdef bint wide_stack    # stack is int32 (more than NARROW_MAX stacks)
    cdef Runs m_runs
    cdef Runs p_runs
    cdef Sparse arg
    cdef Sparse arg2
    cdef int64_t last_ts
    # dense ids
    cdef unordered_map[uint64_t, int32_t] g_index
    cdef unordered_map[uint64_t, int32_t] p_index
    cdef unordered_map[uint64_t, int32_t] m_index
    cdef vector[int64_t] g_ids
    cdef vector[int64_t] p_ids
    cdef vector[int64_t] m_ids
    # ordering state (order.go)
    cdef vector[uint8_t] g_status
    cdef vector[uint64_t] g_seq_gen
    cdef vector[uint64_t] g_seq
    cdef vector[vector[RegionEntry]] g_regions
    cdef vector[vector[RangeEntry]] g_ranges
    cdef vector[uint8_t] p_status
    cdef vector[uint64_t] p_seq_gen
    cdef vector[uint64_t] p_seq
    cdef vector[vector[RangeEntry]] p_ranges
    cdef vector[cbool] m_exists
    cdef vector[int32_t] m_g
    cdef vector[int32_t] m_p
    cdef unordered_map[uint64_t, TaskState] tasks
    cdef uint64_t gc_seq
    cdef int gc_state
    cdef uint64_t initial_gen
    # generation walk
    cdef _Generation gen
    cdef vector[Cursor] cursors
    cdef vector[int] frontier
    cdef size_t cpu_next
    cdef int syncs
    cdef public list generations     # per generation: dict of its facts
    cdef public list exp_args        # [(a, b, c)] for experimental events
    cdef public object error         # (message, offset, generation) or None
    cdef public Py_ssize_t valid_bytes  # end offset of the last complete generation
    cdef object progress
    cdef str deferred               # a table-id error waiting for Go's point of report
    cdef bint release_pages          # buf is a file mapping: drop pages of finished generations

    def __cinit__(self, buf, int version, Py_ssize_t start, progress=None, bint release_pages=False):
        cdef const uint8_t[::1] view = buf
        self._buf_owner = buf
        self.n = view.shape[0]
        self.buf = &view[0] if self.n > 0 else NULL
        self.version = version
        self.r = _ByteReader.__new__(_ByteReader)
        self.r.buf = self.buf
        self.r.n = self.n
        self.r.pos = start
        self.tables = _Tables()
        self.generations = []
        self.exp_args = []
        self.error = None
        self.valid_bytes = start
        self.progress = progress
        self.release_pages = release_pages
        self.cap = 0
        self.count = 0
        self.last_ts = 0
        self._grow(max(1024, (self.n - start) // 5))
        # Large enough to be mapped, not carved from the heap: growing a heap
        # block leaves freed holes behind that stay resident.
        self.arg.cap = self.arg2.cap = max(4096, (self.n - start) // 32)
        self.arg.vals = <int64_t*>malloc(self.arg.cap * 8)
        self.arg2.vals = <int64_t*>malloc(self.arg2.cap * 8)
        if self.arg.vals == NULL or self.arg2.vals == NULL:
            raise MemoryError()

    # ---- columns ----------------------------------------------------------
    # Raw malloc'd buffers grown with realloc: untouched capacity is never
    # resident and large reallocs move pages (mremap) instead of copying, so
    # peak memory is the columns themselves. finish() hands them to numpy.
    cdef int _grow(self, Py_ssize_t want) except -1:
        cdef Py_ssize_t cap = max(want, self.cap + self.cap // 2 + 1024)
        cdef void* p
        cdef int k
        if self.size[0] == 0:
            self.size = [8, 1, 4, 2, 4]
        for k in range(NDENSE):
            p = realloc(self.bufs[k], cap * self.size[k])
            if p == NULL:
                raise MemoryError()
            self.bufs[k] = p
        self.cap = cap
        return 0

    cdef int _widen(self, int k) except -1:
        """Switch column k from int16 to int32, in place, from the last row down."""
        cdef Py_ssize_t i
        cdef void* p = realloc(self.bufs[k], max(1, self.cap) * 4)
        if p == NULL:
            raise MemoryError()
        self.bufs[k] = p
        for i in range(self.count - 1, -1, -1):
            (<int32_t*>p)[i] = (<int16_t*>p)[i]
        self.size[k] = 4
        return 0

    def __dealloc__(self):
        for k in range(NDENSE):
            free(self.bufs[k])
        free(self.arg.vals)
        free(self.arg2.vals)
        runs_free(&self.m_runs)
        runs_free(&self.p_runs)

    cdef object _take(self, void** slot, Py_ssize_t n, int itemsize, int typenum):
        """Give a buffer (trimmed to n entries) to a numpy array."""
        cdef cnp.npy_intp nn = n
        cdef void* p = realloc(slot[0], max(1, n) * itemsize)
        if p == NULL:
            raise MemoryError()
        slot[0] = NULL
        owner = _Owned.__new__(_Owned)
        (<_Owned>owner).ptr = p
        arr = cnp.PyArray_SimpleNewFromData(1, &nn, typenum, p)
        cnp.set_array_base(arr, owner)
        return arr

    cdef tuple _take_runs(self, Runs* r):
        return (self._take(<void**>&r.starts, r.n, 8, cnp.NPY_INT64),
                self._take(<void**>&r.values, r.n, 4, cnp.NPY_INT32))

    cdef inline int emit(self, uint8_t typ, int64_t t, Ctx c, int32_t stack, int32_t aux,
                         int64_t arg, int64_t arg2) except -1:
        cdef Py_ssize_t i = self.count
        if i == self.cap:
            self._grow(0)
        if t <= self.last_ts:
            t = self.last_ts + 1
        self.last_ts = t
        (<int64_t*>self.bufs[0])[i] = t
        (<uint8_t*>self.bufs[1])[i] = typ
        runs_push(&self.m_runs, i, c.m)
        runs_push(&self.p_runs, i, c.p)
        (<int32_t*>self.bufs[2])[i] = c.g
        if self.wide_stack:
            (<int32_t*>self.bufs[STACK])[i] = stack
        else:
            (<int16_t*>self.bufs[STACK])[i] = <int16_t>stack
        (<int32_t*>self.bufs[4])[i] = aux
        if HAS_ARG[typ]:
            sparse_push(&self.arg, arg)
        if HAS_ARG2[typ]:
            sparse_push(&self.arg2, arg2)
        self.count = i + 1
        return 0

    def finish(self):
        """Trim the columns to the events read and return them; m and p as
        (starts, values) runs."""
        cdef int k
        cols = {}
        for k, name in enumerate(DENSE_NAMES):
            typenum = BUF_TYPENUM[k] if self.size[k] != 4 else cnp.NPY_INT32
            cols[name] = self._take(&self.bufs[k], self.count, self.size[k], typenum)
        runs = dict(m=self._take_runs(&self.m_runs), p=self._take_runs(&self.p_runs))
        cols["arg"] = self._take(<void**>&self.arg.vals, self.arg.n, 8, cnp.NPY_INT64)
        cols["arg2"] = self._take(<void**>&self.arg2.vals, self.arg2.n, 8, cnp.NPY_INT64)
        self.cap = 0
        t = self.tables
        frames = (np.asarray(<uint64_t[:t.frame_pc.size()]>t.frame_pc.data()).copy() if t.frame_pc.size() else np.empty(0, np.uint64),
                  np.array(t.frame_func, dtype=np.int32), np.array(t.frame_file, dtype=np.int32),
                  np.array(t.frame_line, dtype=np.uint64))
        return dict(
            columns=cols,
            runs=runs,
            strings=t.strings,
            frames=frames,
            stack_offsets=np.array(t.stack_offsets, dtype=np.int64),
            stack_frames=np.array(t.stack_frames, dtype=np.int32),
            goroutine_ids=np.array(self.g_ids, dtype=np.int64),
            proc_ids=np.array(self.p_ids, dtype=np.int64),
            thread_ids=np.array(self.m_ids, dtype=np.int64),
        )

    # ---- dense ids -------------------------------------------------------
    cdef int32_t gidx(self, uint64_t raw) except -2:
        if raw == NO_ID:
            return -1
        it = self.g_index.find(raw)
        if it != self.g_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.g_ids.size()
        self.g_index[raw] = i
        self.g_ids.push_back(<int64_t>raw)
        self.g_status.push_back(0)
        self.g_seq_gen.push_back(0)
        self.g_seq.push_back(0)
        self.g_regions.push_back(vector[RegionEntry]())
        self.g_ranges.push_back(vector[RangeEntry]())
        return i

    cdef int32_t pidx(self, uint64_t raw) except -2:
        if raw == NO_ID:
            return -1
        it = self.p_index.find(raw)
        if it != self.p_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.p_ids.size()
        self.p_index[raw] = i
        self.p_ids.push_back(<int64_t>raw)
        self.p_status.push_back(0)
        self.p_seq_gen.push_back(0)
        self.p_seq.push_back(0)
        self.p_ranges.push_back(vector[RangeEntry]())
        return i

    cdef int32_t midx(self, uint64_t raw) except -2:
        if raw == NO_ID:
            return -1
        it = self.m_index.find(raw)
        if it != self.m_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.m_ids.size()
        self.m_index[raw] = i
        self.m_ids.push_back(<int64_t>raw)
        self.m_exists.push_back(False)
        self.m_g.push_back(-1)
        self.m_p.push_back(-1)
        return i

    # ---- table ids -------------------------------------------------------
    cdef int32_t stk(self, uint64_t id, uint8_t typ) except -2:
        if id == 0:
            return 0
        it = self.gen.stack_map.find(id)
        if it == self.gen.stack_map.end():
            self._defer(f"found invalid stack ID {id} for event {SPEC_NAMES[typ]}")
            return 0
        return deref(it).second

    cdef int32_t str_(self, uint64_t id, uint8_t typ) except -2:
        if id == 0:
            return 0
        it = self.gen.strings.find(id)
        if it == self.gen.strings.end():
            self._defer(f"found invalid string ID {id} for event {SPEC_NAMES[typ]}")
            return 0
        return deref(it).second

    cdef void _defer(self, str msg):
        """Go checks an event's table ids when it hands the event out, after it has
        read the thread's next event: keep the first such error until then."""
        if self.deferred is None:
            self.deferred = msg

    cdef bint advance(self, Ev* ev, int32_t m, uint64_t gen) except -1:
        return advance_event(self, ev, m, gen)

    # ---- generations -----------------------------------------------------
    cdef _Generation new_gen(self):
        cdef _Generation g = _Generation.__new__(_Generation)
        g.freq = 0
        g.start_offset = self.r.pos
        return g

    def run(self):
        """Read the whole trace; on an invalid trace set .error and stop."""
        try:
            if self.version >= 26:
                run_eog(self)
            else:
                run_spill(self)
        except _End:
            pass
        except _Fail as e:
            msg = e.args[0]
            off = e.args[1] if len(e.args) > 1 else None
            gen = self.gen.gen if self.gen is not None else None
            self.error = (msg, off, gen)

    cdef int _process(self, _Generation g, Batch* b) except -1:
        try:
            process_batch(g, self.tables, self.buf, b, self.version)
        except _Fail as e:
            self._sync(None)
            if e.args[0] == "EOF":
                raise _End()
            raise
        return 0

    cdef int _finish_gen(self, _Generation g) except -1:
        try:
            finish_generation(g, self.tables, self.version)
        except _Fail:
            self._sync(None)
            raise
        if self.tables.stack_offsets.size() > NARROW_MAX and not self.wide_stack:
            self._widen(STACK)
            self.wide_stack = True
        return 0

    cdef void _release(self, Batch* b) noexcept:
        """Drop the file pages that lie wholly inside a batch read to its end
        (a file mapping re-reads them from the page cache if ever touched again)."""
        if not self.release_pages:
            return
        cdef Py_ssize_t lo = ((b.off + 4095) // 4096) * 4096
        cdef Py_ssize_t hi = ((b.off + b.size) // 4096) * 4096
        if hi > lo:
            madvise(<void*>(self.buf + lo), hi - lo, MADV_DONTNEED)

    cdef int _done_with(self, _Generation g) except -1:
        """A generation is read: drop its file pages, report progress."""
        cdef Py_ssize_t upto = (g.end_offset // 4096) * 4096
        if self.release_pages and upto > 0:
            madvise(<void*>self.buf, upto, MADV_DONTNEED)
        if self.progress is not None:
            self.progress(g.end_offset, self.n, len(self.generations))
        return 0

    cdef int _sync(self, _Generation g) except -1:
        cdef Ctx c
        c.m = -1
        c.p = -1
        c.g = -1
        self.syncs += 1
        if g is None:
            self.emit(EvSyncPublic, self.last_ts, c, 0, -1, self.syncs, 0)
        else:
            self.emit(EvSyncPublic, g.mul(g.min_ts), c, 0, len(self.generations) - 1, self.syncs, 0)
        return 0

    cdef int _walk(self, _Generation g) except -1:
        """Emit one generation's events in Go's order (Reader.ReadEvent)."""
        self.generations.append(dict(
            gen=g.gen, freq=g.freq, min_ts=g.mul(g.min_ts), has_snapshot=bool(g.has_snapshot),
            snap_trace=g.mul(g.snap_time), snap_mono=g.snap_mono, snap_sec=g.snap_sec,
            snap_nsec=g.snap_nsec, offset=g.start_offset, end=g.end_offset,
            experimental_batches=g.exp_batches, cpu_samples=g.cpu.size(),
        ))
        cdef Cursor cur
        self.cursors.clear()
        self.frontier.clear()
        for mraw in g.batch_ms:
            memset(&cur, 0, sizeof(Cursor))
            cur.m_raw = mraw
            cur.m = self.midx(mraw)
            cur.batches = &g.batches[mraw]
            self.cursors.push_back(cur)
        cdef int ci
        for ci in range(<int>self.cursors.size()):
            if self.next_event(&self.cursors[ci], g):
                self.frontier.push_back(ci)
                self.sift_up(<int>self.frontier.size() - 1)
        self._sync(g)
        self.cpu_next = 0
        cdef size_t ncpu = g.cpu.size()
        cdef Ctx sc
        cdef CPUSample* s
        cdef int i
        cdef bint ok
        cdef long long steps = 0
        while self.frontier.size() or self.cpu_next < ncpu:
            steps += 1
            if (steps & 0xFFFF) == 0:
                PyErr_CheckSignals()
            if self.cpu_next < ncpu:
                s = &g.cpu[self.cpu_next]
                if self.frontier.size() == 0 or s.time < self.cursors[self.frontier[0]].ev.time:
                    sc.m = self.midx(s.m)
                    sc.p = self.pidx(s.p)
                    sc.g = self.gidx(s.g) if s.g != 0 else -1
                    self.emit(EvCPUSample, s.time, sc, self.stk(s.stack, EvCPUSample), 0, 0, 0)
                    if self.deferred is not None:
                        raise _Fail(self.deferred)
                    self.cpu_next += 1
                    continue
            if self.try_advance(0, g):
                continue
            self.sort_frontier()
            ok = False
            for i in range(1, <int>self.frontier.size()):
                if self.try_advance(i, g):
                    ok = True
                    break
            if not ok:
                raise _Fail(f"broken trace: failed to advance: frontier:\n[gen={g.gen}]\n\n{self.dump_frontier()}",
                            self.cursors[self.frontier[0]].ev.off)
        return 0

    cdef str dump_frontier(self):
        lines = []
        for ci in self.frontier:
            c = &self.cursors[ci]
            lines.append(f"M {<int64_t>c.m_raw} [{SPEC_NAMES[c.ev.typ]} time={c.ev.time}]")
        return "\n".join(lines)

    cdef bint try_advance(self, int i, _Generation g) except -1:
        cdef Cursor* c = &self.cursors[self.frontier[i]]
        cdef Py_ssize_t event_off = c.ev.off
        cdef Py_ssize_t before = self.count
        cdef Py_ssize_t before_arg = self.arg.n
        cdef Py_ssize_t before_arg2 = self.arg2.n
        try:
            if not self.advance(&c.ev, c.m, g.gen):
                return False
        except _Fail as e:
            if len(e.args) == 1:
                raise _Fail(e.args[0], c.ev.off)
            raise
        # Go queues the advanced events but returns a read error of the cursor's
        # next event before handing them out: drop them again in that case.
        try:
            more = self.next_event(c, g)
            if self.deferred is not None:
                raise _Fail(self.deferred, event_off)
        except _Fail:
            self.count = before
            runs_truncate(&self.m_runs, before)
            runs_truncate(&self.p_runs, before)
            self.arg.n = before_arg
            self.arg2.n = before_arg2
            raise
        if more:
            self.heap_update(i)
        else:
            self.heap_remove(i)
        return True

    cdef bint next_event(self, Cursor* c, _Generation g) except -1:
        """batchCursor.nextEvent."""
        cdef vector[Batch]* bs = c.batches
        while c.idx < bs.size() and deref(bs)[c.idx].size == c.data_off:
            self._release(&deref(bs)[c.idx])
            c.idx += 1
            c.data_off = 0
            c.last_ts = 0
        if c.idx == bs.size():
            return False
        cdef Batch* b = &deref(bs)[c.idx]
        if c.last_ts == 0:
            c.last_ts = g.mul(b.time)
        cdef const uint8_t* p = self.buf + b.off + c.data_off
        cdef Py_ssize_t left = b.size - c.data_off
        cdef uint8_t typ = p[0]
        cdef int k, nb, nargs
        cdef uint64_t ts
        c.ev.off = b.off + c.data_off
        if typ >= NUM_SPECS:
            raise _Fail(f"found invalid event type: {typ}", c.ev.off)
        nargs = NARGS[typ]
        if nargs < 0:
            raise _Fail(f"found event without a timestamp: type={typ}", c.ev.off)
        c.ev.typ = typ
        nb = uvarint(p + 1, left - 1, &ts)
        if nb <= 0:
            raise _Fail("found invalid uvarint for timestamp", c.ev.off)
        cdef Py_ssize_t n = 1 + nb
        for k in range(nargs):
            nb = uvarint(p + n, left - n, &c.ev.args[k])
            if nb <= 0:
                raise _Fail("found invalid uvarint", c.ev.off)
            n += nb
        for k in range(nargs, 4):
            c.ev.args[k] = 0
        c.ev.time = <int64_t>(<uint64_t>g.mul(ts) + <uint64_t>c.last_ts)
        c.last_ts = c.ev.time
        c.data_off += n
        return True

    # ---- the frontier heap (batchcursor.go) ------------------------------
    cdef inline int64_t ht(self, int i) noexcept:
        return self.cursors[self.frontier[i]].ev.time

    cdef int sift_up(self, int i) noexcept:
        cdef int par
        while i > 0 and self.ht((i - 1) // 2) > self.ht(i):
            par = (i - 1) // 2
            self.frontier[par], self.frontier[i] = self.frontier[i], self.frontier[par]
            i = par
        return i

    cdef int sift_down(self, int i) noexcept:
        cdef int m, n
        cdef int64_t mt
        n = <int>self.frontier.size()
        while True:
            m = i
            mt = self.ht(i) if i < n else 0x7FFFFFFFFFFFFFFF
            if 2 * i + 1 < n and self.ht(2 * i + 1) < mt:
                m = 2 * i + 1
                mt = self.ht(m)
            if 2 * i + 2 < n and self.ht(2 * i + 2) < mt:
                m = 2 * i + 2
            if m == i:
                return i
            self.frontier[i], self.frontier[m] = self.frontier[m], self.frontier[i]
            i = m

    cdef void heap_update(self, int i) noexcept:
        if self.sift_up(i) != i:
            return
        self.sift_down(i)

    cdef void heap_remove(self, int i) noexcept:
        cdef int par
        while i > 0:
            par = (i - 1) // 2
            self.frontier[par], self.frontier[i] = self.frontier[i], self.frontier[par]
            i = par
        cdef int last = <int>self.frontier.size() - 1
        self.frontier[0], self.frontier[last] = self.frontier[last], self.frontier[0]
        self.frontier.pop_back()
        self.sift_down(0)

    cdef void sort_frontier(self) noexcept:
        """slices.SortFunc by event time, with Go's own pdqsort."""
        cdef vector[int64_t] keys
        keys.resize(self.cursors.size())
        for ci in self.frontier:
            keys[ci] = self.cursors[ci].ev.time
        go_sort(self.frontier.data(), keys.data(), self.frontier.size())
