# Included by _v1.pyx: the V1Decoder, which holds the parser's state and the output
# columns: raw event reading (readRawEvent), the indexing pass, batch loading
# (loadBatch, parseEvent), dense ids and the columns.

cdef class V1Decoder:
    cdef object _owner
    cdef const uint8_t* buf
    cdef Py_ssize_t n
    cdef Py_ssize_t off
    cdef public int version
    # raw event state
    cdef uint8_t r_typ
    cdef vector[uint64_t] r_args
    cdef Py_ssize_t r_sarg_off
    cdef Py_ssize_t r_sarg_len
    cdef int32_t r_pid
    cdef Py_ssize_t r_batch_off
    # parser state
    cdef unordered_map[uint64_t, int32_t] str_index      # v1 string id -> our string index
    cdef public list strings
    cdef dict string_index
    cdef unordered_map[string, uint64_t] inline_index     # inline (UserLog message) -> its v1 inline id
    cdef vector[string] inline_strings                    # by inline id
    cdef vector[int32_t] procs_order
    cdef unordered_map[int32_t, vector[BatchOff]] batch_offsets
    cdef unordered_map[int32_t, size_t] batch_next
    cdef unordered_map[uint32_t, vector[uint64_t]] stacks
    cdef unordered_map[uint64_t, uint64_t] pc_fn
    cdef unordered_map[uint64_t, uint64_t] pc_file
    cdef unordered_map[uint64_t, uint64_t] pc_line
    cdef vector[uint64_t] pc_order
    cdef int64_t ticks_per_sec
    cdef vector[V1Ev] cpu
    cdef unordered_set[uint64_t] timer_goids
    cdef int64_t last_ts
    cdef uint64_t last_g
    cdef unordered_map[int32_t, uint64_t] last_gs
    cdef int32_t last_p
    cdef vector[V1Ev] events
    # columns
    cdef int64_t* c_time
    cdef uint8_t* c_type
    cdef int32_t* c_g
    cdef int32_t* c_stack
    cdef int32_t* c_aux
    cdef Py_ssize_t cap
    cdef public Py_ssize_t count
    cdef Runs m_runs
    cdef Runs p_runs
    cdef Sparse arg
    cdef Sparse arg2
    cdef int64_t out_last
    cdef unordered_map[uint64_t, int32_t] g_index
    cdef unordered_map[uint64_t, int32_t] p_index
    cdef unordered_map[uint64_t, int32_t] m_index
    cdef vector[int64_t] g_ids
    cdef vector[int64_t] p_ids
    cdef vector[int64_t] m_ids
    cdef unordered_map[uint32_t, int32_t] stack_index
    cdef vector[int64_t] stack_offsets
    cdef vector[int32_t] stack_frames
    cdef vector[uint64_t] frame_pc
    cdef vector[int32_t] frame_func
    cdef vector[int32_t] frame_file
    cdef vector[uint64_t] frame_line
    cdef int32_t[29] builtin
    cdef vector[int32_t] inline_ids
    cdef public object error     # a conversion error after some events: (message, offset)

    def __cinit__(self, buf, int version, Py_ssize_t start):
        cdef const uint8_t[::1] view = buf
        self._owner = buf
        self.n = view.shape[0]
        self.buf = &view[0] if self.n > 0 else NULL
        self.off = start
        self.version = version
        self.strings = [""]
        self.string_index = {"": 0}
        self.ticks_per_sec = 0
        self.last_p = 0
        self.cap = 0
        self.count = 0
        self.error = None

    def __dealloc__(self):
        free(self.c_time)
        free(self.c_type)
        free(self.c_g)
        free(self.c_stack)
        free(self.c_aux)
        free(self.arg.vals)
        free(self.arg2.vals)
        runs_free(&self.m_runs)
        runs_free(&self.p_runs)

    cdef int32_t intern(self, str s):
        idx = self.string_index.get(s)
        if idx is None:
            idx = len(self.strings)
            self.string_index[s] = idx
            self.strings.append(s)
        return idx

    # ---- raw events (readRawEvent) --------------------------------------
    cdef uint64_t read_val(self, int err) except? 0xFFFFFFFFFFFFFFFF:
        """A uvarint; on a bad one, V1Error with Go's wording (err: 0, or the event type
        whose argument it is, plus 1)."""
        cdef uint64_t v = 0
        cdef int nb = uvarint(self.buf + self.off, self.n - self.off, &v) if self.off < self.n else 0
        if nb <= 0:
            if err:
                raise V1Error(f"failed to read event {err - 1} argument: malformatted base-128 varint", self.off)
            raise V1Error("malformatted base-128 varint", self.off)
        self.off += nb
        return v

    cdef int read_raw(self, bint skip) except -1:
        """One raw event into r_*; returns 1 at EOF. `skip`: the indexing pass
        (skipArgs|skipStrings)."""
        cdef Py_ssize_t at = self.off
        if self.off >= self.n:
            return 1
        cdef uint8_t b = self.buf[self.off]
        self.off += 1
        cdef uint8_t typ = b & 0x3F
        cdef int narg = (b >> 6) + 1
        cdef uint64_t v, ln, id, pid
        cdef const uint8_t* p
        cdef Py_ssize_t end
        cdef int nb
        if typ == V_None or typ >= V_Count or MIN_VERSION[typ] > self.version:
            raise V1Error(f"unknown event type {typ}", at)
        self.r_args.clear()
        self.r_typ = typ
        if typ == V_String:
            id = self.read_val(0)
            if not skip and id == 0:
                raise V1Error("string has invalid id 0", at)
            if not skip and self.str_index.count(id) and self.strings[self.str_index[id]] != "":
                raise V1Error(f"string has duplicate id {id}", at)
            ln = self.read_val(0)
            if not skip and ln == 0:
                raise V1Error("string has invalid length 0", at)
            if not skip and ln > 1000000:
                raise V1Error(f"string has too large length {ln}", at)
            if ln > <uint64_t>(self.n - self.off):
                raise V1Error("failed to read trace: " + ("EOF" if skip else "unexpected EOF"), at)
            if not skip:
                s = (<const char*>(self.buf + self.off))[:ln].decode("utf-8", "surrogateescape")
                self.str_index[id] = self.intern(s)
            self.off += ln
            self.r_typ = V_None
            return 0
        if typ == V_Batch:
            if narg != 2:
                raise V1Error(f"EvBatch has wrong number of arguments: got {narg}, want 2", at)
            pid = self.read_val(0)
            if pid != U64MAX and pid > 0x7FFFFFFF:
                raise V1Error(f"processor ID {pid} is larger than maximum of {U64MAX}", at)
            self.r_pid = -1 if pid == U64MAX else <int32_t>pid
            self.r_batch_off = at
            v = self.read_val(0)
            self.r_args.push_back(pid)
            self.r_args.push_back(v)
            return 0
        cdef int i
        if narg <= 3:
            for i in range(narg):
                v = self.read_val(typ + 1)
                if not skip:
                    self.r_args.push_back(v)
            return 0
        v = self.read_val(typ + 1)
        if v > 2048:
            raise V1Error(f"failed to read event {typ} argument: length-prefixed argument too big: {v} bytes, "
                          f"limit is 2048", at)
        if not skip or typ == V_CPUSample:
            if self.off >= self.n or <uint64_t>(self.n - self.off) < v:
                raise V1Error("failed to read trace: unexpected EOF", at)
            p = self.buf + self.off
            end = self.off + <Py_ssize_t>v
            while self.off < end:
                nb = uvarint(self.buf + self.off, end - self.off, &ln)
                if nb <= 0:
                    raise V1Error("malformatted base-128 varint", self.off)
                self.off += nb
                self.r_args.push_back(ln)
        else:
            if <uint64_t>(self.n - self.off) < v:
                raise V1Error("failed to read trace: EOF", at)
            self.off += v
        if typ == V_UserLog:
            ln = self.read_val(0)
            if skip:
                if <uint64_t>(self.n - self.off) < ln:
                    return 1  # Go's indexing pass takes this for the end of the trace
                self.off += ln
            else:
                if ln > 1000000:
                    raise V1Error(f"string is too large (len={ln})", at)
                if ln > 0 and (self.off >= self.n or <uint64_t>(self.n - self.off) < ln):
                    raise V1Error("failed to read trace: unexpected EOF", at)
                self.r_sarg_off = self.off
                self.r_sarg_len = ln
                self.off += ln
        return 0

    # ---- pass 1: batches and CPU samples ---------------------------------
    cdef int collect(self) except -1:
        cdef int32_t cur_p = 0
        cdef BatchOff bo
        cdef V1Ev e
        cdef Py_ssize_t at
        cdef size_t nraw = 0
        while True:
            at = self.off
            if self.read_raw(True):
                break
            if self.r_typ == V_None:
                continue
            nraw += 1
            if self.r_typ == V_Batch:
                if not self.batch_offsets.count(self.r_pid):
                    self.procs_order.push_back(self.r_pid)
                bo.offset = self.r_batch_off
                self.batch_offsets[self.r_pid].push_back(bo)
                cur_p = self.r_pid
            if not self.batch_offsets.count(cur_p) or self.batch_offsets[cur_p].size() == 0:
                raise V1Error(f"read event {self.r_typ} with current P of {cur_p}, but P has no batches yet", at)
            if self.r_typ == V_CPUSample:
                if self.r_args.size() != 5:
                    raise V1Error(f"CPU sample has wrong number of arguments: want 5, got {self.r_args.size()}", at)
                e.typ = V_CPUSample
                e.ts = <int64_t>self.r_args[1]
                e.p = <int32_t>self.r_args[2]
                e.g = self.r_args[3]
                e.stk = <uint32_t>self.r_args[4]
                memset(&e.args[0], 0, sizeof(e.args))
                e.args[1] = self.r_args[2]
                e.args[2] = self.r_args[3]
                self.cpu.push_back(e)
        self.events.reserve(nraw)  # an upper bound: batches, stacks and tables are no events
        return 0

    # ---- pass 2: batch contents (loadBatch, parseEvent) -----------------------
    cdef int load_batch(self, int32_t pid, vector[V1Ev]* out) except -1:
        """Append the events of pid's next batch to out; 1 if it has none left."""
        cdef size_t k = self.batch_next[pid]
        cdef vector[BatchOff]* offs = &self.batch_offsets[pid]
        if k >= offs.size():
            return 1
        self.batch_next[pid] = k + 1
        self.off = deref(offs)[k].offset
        cdef bint got_header = False
        cdef V1Ev ev
        cdef Py_ssize_t at
        while True:
            at = self.off
            if self.read_raw(False):
                break
            if self.r_typ == V_None or self.r_typ == V_CPUSample:
                continue
            if self.r_typ == V_Batch:
                if got_header:
                    break
                got_header = True
            if self.parse_event(&ev, at):
                out.push_back(ev)
        return 0

    cdef bint parse_event(self, V1Ev* ev, Py_ssize_t at) except -1:
        cdef uint8_t typ = self.r_typ
        cdef size_t narg = self.r_args.size() if typ == V_Stack else <size_t>NARG[typ]
        cdef size_t i
        cdef uint64_t size, pc, id
        if self.r_args.size() != narg:
            raise V1Error(f"{NAMES[typ]} has wrong number of arguments: want {narg}, got {self.r_args.size()}", at)
        if typ == V_Batch:
            self.last_gs[self.last_p] = self.last_g
            if self.r_args[0] != U64MAX and self.r_args[0] > 0x7FFFFFFF:
                raise V1Error(f"processor ID {self.r_args[0]} is larger than maximum of 2147483647", at)
            self.last_p = -1 if self.r_args[0] == U64MAX else <int32_t>self.r_args[0]
            self.last_g = self.last_gs[self.last_p]
            self.last_ts = <int64_t>self.r_args[1]
            return False
        if typ == V_Frequency:
            self.ticks_per_sec = <int64_t>self.r_args[0]
            if self.ticks_per_sec <= 0:
                raise V1Error("time stamps out of order", at)
            return False
        if typ == V_TimerGoroutine:
            self.timer_goids.insert(self.r_args[0])
            return False
        if typ == V_Stack:
            if self.r_args.size() < 2:
                raise V1Error(f"EvStack has wrong number of arguments: want at least 2, got {self.r_args.size()}", at)
            size = self.r_args[1]
            if size > 1000:
                raise V1Error(f"EvStack has bad number of frames: {size}", at)
            if self.r_args.size() != 2 + 4 * size:
                raise V1Error(f"EvStack has wrong number of arguments: want {2 + 4 * size}, got {self.r_args.size()}", at)
            id = <uint32_t>self.r_args[0]
            if id != 0 and size > 0:
                self.stacks[<uint32_t>id].clear()
                for i in range(size):
                    pc = self.r_args[2 + i * 4]
                    self.stacks[<uint32_t>id].push_back(pc)
                    if not self.pc_fn.count(pc):
                        self.pc_fn[pc] = self.r_args[3 + i * 4]
                        self.pc_file[pc] = self.r_args[4 + i * 4]
                        self.pc_line[pc] = self.r_args[5 + i * 4]
                        self.pc_order.push_back(pc)
            return False
        ev.typ = typ
        ev.p = self.last_p
        ev.g = self.last_g
        ev.stk = 0
        memset(&ev.args[0], 0, 32)
        ev.ts = self.last_ts + <int64_t>self.r_args[0]
        self.last_ts = ev.ts
        for i in range(1, narg):
            if i == narg - 1 and HAS_STACK[typ]:
                ev.stk = <uint32_t>self.r_args[i]
            else:
                ev.args[i - 1] = self.r_args[i]
        if typ == V_GoStart or typ == V_GoStartLocal or typ == V_GoStartLabel:
            self.last_g = ev.args[0]
            ev.g = self.last_g
        elif (typ == V_GoEnd or typ == V_GoStop or typ == V_GoSched or typ == V_GoPreempt or typ == V_GoSleep
              or typ == V_GoBlock or typ == V_GoBlockSend or typ == V_GoBlockRecv or typ == V_GoBlockSelect
              or typ == V_GoBlockSync or typ == V_GoBlockCond or typ == V_GoBlockNet or typ == V_GoSysBlock
              or typ == V_GoBlockGC):
            self.last_g = 0
        elif typ == V_GoSysExit or typ == V_GoWaiting or typ == V_GoInSyscall:
            ev.g = ev.args[0]
        elif typ == V_UserLog:
            key = string(<const char*>(self.buf + self.r_sarg_off), <size_t>self.r_sarg_len)
            it = self.inline_index.find(key)
            if it == self.inline_index.end():
                ev.args[3] = self.inline_strings.size()
                self.inline_index[key] = ev.args[3]
                self.inline_strings.push_back(key)
            else:
                ev.args[3] = deref(it).second
        return True

    # ---- ids and table lookups (merge, validate: _v1_order.pxi; tables: _v1_convert.pxi)
    cdef inline int32_t sid(self, uint64_t id):
        """Our string index of a v1 string id (0, the empty string, if unknown)."""
        it = self.str_index.find(id)
        return deref(it).second if it != self.str_index.end() else 0

    cdef inline int32_t stk(self, uint64_t id):
        if id == 0:
            return 0
        it = self.stack_index.find(<uint32_t>id)
        return deref(it).second if it != self.stack_index.end() else 0

    cdef int32_t gidx(self, uint64_t raw) except -2:
        if raw == U64MAX:
            return -1
        it = self.g_index.find(raw)
        if it != self.g_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.g_ids.size()
        self.g_index[raw] = i
        self.g_ids.push_back(<int64_t>raw)
        return i

    cdef int32_t pidx(self, int64_t raw) except -2:
        if raw == -1:
            return -1
        it = self.p_index.find(<uint64_t>raw)
        if it != self.p_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.p_ids.size()
        self.p_index[<uint64_t>raw] = i
        self.p_ids.push_back(raw)
        return i

    cdef int32_t midx(self, uint64_t raw) except -2:
        if raw == U64MAX:
            return -1
        it = self.m_index.find(raw)
        if it != self.m_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.m_ids.size()
        self.m_index[raw] = i
        self.m_ids.push_back(<int64_t>raw)
        return i

    # ---- columns -----------------------------------------------------------------
    cdef int grow(self) except -1:
        cdef Py_ssize_t cap = self.cap * 2 + 4096
        resize(<void**>&self.c_time, cap, 8)
        resize(<void**>&self.c_type, cap, 1)
        resize(<void**>&self.c_g, cap, 4)
        resize(<void**>&self.c_stack, cap, 4)
        resize(<void**>&self.c_aux, cap, 4)
        self.cap = cap
        return 0

    cdef int emit(self, uint8_t typ, int64_t t, Ctx c, int32_t stack, int32_t aux, int64_t a1, int64_t a2,
                  bint clamp) except -1:
        cdef Py_ssize_t i = self.count
        if i == self.cap:
            self.grow()
        if clamp:
            if t <= self.out_last:
                t = self.out_last + 1
            self.out_last = t
        self.c_time[i] = t
        self.c_type[i] = typ
        runs_push(&self.m_runs, i, c.m)
        runs_push(&self.p_runs, i, c.p)
        self.c_g[i] = c.g
        self.c_stack[i] = stack
        self.c_aux[i] = aux
        if HAS_ARG[typ]:
            sparse_push(&self.arg, a1)
        if HAS_ARG2[typ]:
            sparse_push(&self.arg2, a2)
        self.count = i + 1
        return 0

    # ---- the whole pass, and its output --------------------------------------------
    def run(self):
        """Parse, order, validate and convert; raise V1Error on an invalid trace
        (or set .error if the conversion fails part way, as Go's Reader does)."""
        self.collect()
        merge(self)
        retime(self)
        validate(self)
        build_tables(self)
        for key in self.inline_strings:
            self.inline_ids.push_back(self.intern(key.decode("utf-8", "surrogateescape")))
        convert(self)

    cdef object take(self, void** slot, Py_ssize_t n, int itemsize, int typenum):
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

    def finish(self):
        """The columns and tables, in the form `_core.Decoder.finish` gives them."""
        cdef Py_ssize_t n = self.count
        stack = self.take(<void**>&self.c_stack, n, 4, cnp.NPY_INT32)
        if self.stack_offsets.size() <= 32767:
            stack = stack.astype(np.int16)
        cols = dict(
            time=self.take(<void**>&self.c_time, n, 8, cnp.NPY_INT64),
            type=self.take(<void**>&self.c_type, n, 1, cnp.NPY_UINT8),
            g=self.take(<void**>&self.c_g, n, 4, cnp.NPY_INT32),
            stack=stack,
            aux=self.take(<void**>&self.c_aux, n, 4, cnp.NPY_INT32),
            arg=self.take(<void**>&self.arg.vals, self.arg.n, 8, cnp.NPY_INT64),
            arg2=self.take(<void**>&self.arg2.vals, self.arg2.n, 8, cnp.NPY_INT64),
        )
        runs = dict(m=(self.take(<void**>&self.m_runs.starts, self.m_runs.n, 8, cnp.NPY_INT64),
                       self.take(<void**>&self.m_runs.values, self.m_runs.n, 4, cnp.NPY_INT32)),
                    p=(self.take(<void**>&self.p_runs.starts, self.p_runs.n, 8, cnp.NPY_INT64),
                       self.take(<void**>&self.p_runs.values, self.p_runs.n, 4, cnp.NPY_INT32)))
        self.cap = 0
        frames = (np.array(self.frame_pc, dtype=np.uint64), np.array(self.frame_func, dtype=np.int32),
                  np.array(self.frame_file, dtype=np.int32), np.array(self.frame_line, dtype=np.uint64))
        return dict(
            columns=cols, runs=runs, strings=self.strings, frames=frames,
            stack_offsets=np.array(self.stack_offsets, dtype=np.int64),
            stack_frames=np.array(self.stack_frames, dtype=np.int32),
            goroutine_ids=np.array(self.g_ids, dtype=np.int64),
            proc_ids=np.array(self.p_ids, dtype=np.int64),
            thread_ids=np.array(self.m_ids, dtype=np.int64),
            freq=self.ticks_per_sec, cpu_samples=self.cpu.size(),
        )
