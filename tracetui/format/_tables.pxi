# Included by _core.pyx: one generation's structure (generation.go): its batches
# grouped by M, its string and stack tables, CPU samples and sync data. Strings,
# frames and stacks are interned into trace-wide tables so that ids in the event
# columns mean the same thing in every generation.

cdef class _Generation:
    cdef public uint64_t gen
    cdef uint64_t min_ts
    cdef double freq
    cdef bint has_snapshot
    cdef uint64_t snap_time
    cdef uint64_t snap_mono
    cdef uint64_t snap_sec
    cdef uint64_t snap_nsec
    cdef vector[uint64_t] batch_ms          # Ms in order of first appearance
    cdef unordered_map[uint64_t, vector[Batch]] batches
    cdef vector[CPUSample] cpu
    cdef unordered_map[uint64_t, int32_t] strings   # id -> global string index
    cdef unordered_map[uint64_t, vector[uint64_t]] stacks  # id -> pcs
    cdef vector[uint64_t] stack_order
    cdef unordered_map[uint64_t, FrameInfo] pcs
    cdef unordered_map[uint64_t, int32_t] stack_map  # id -> global stack index
    cdef int exp_batches
    cdef Py_ssize_t start_offset
    cdef Py_ssize_t end_offset

    cdef inline int64_t mul(self, uint64_t t) noexcept nogil:
        return <int64_t>(<double>t * self.freq)


cdef int _fail(str msg, Py_ssize_t offset) except -1:
    raise _Fail(msg, offset)


cdef class _Tables:
    """Trace-wide interned strings, frames and stacks."""
    cdef list strings
    cdef dict string_index
    cdef unordered_map[string, int32_t] frame_index
    cdef vector[uint64_t] frame_pc
    cdef vector[int32_t] frame_func
    cdef vector[int32_t] frame_file
    cdef vector[uint64_t] frame_line
    cdef unordered_map[string, int32_t] stack_index
    cdef vector[int64_t] stack_offsets
    cdef vector[int32_t] stack_frames

    def __cinit__(self):
        self.strings = [""]
        self.string_index = {b"": 0}
        self.stack_offsets.push_back(0)
        self.stack_offsets.push_back(0)  # stack 0: no stack

    cdef int32_t intern_string(self, bytes s):
        idx = self.string_index.get(s)
        if idx is None:
            idx = len(self.strings)
            self.string_index[s] = idx
            self.strings.append(s.decode("utf-8", "surrogateescape"))
        return idx

    cdef int32_t intern_frame(self, uint64_t pc, int32_t func, int32_t file, uint64_t line):
        cdef string key
        key.resize(24)
        cdef char* p = &key[0]
        (<uint64_t*>p)[0] = pc
        (<int32_t*>(p + 8))[0] = func
        (<int32_t*>(p + 12))[0] = file
        (<uint64_t*>(p + 16))[0] = line
        it = self.frame_index.find(key)
        if it != self.frame_index.end():
            return deref(it).second
        cdef int32_t idx = <int32_t>self.frame_pc.size()
        self.frame_index[key] = idx
        self.frame_pc.push_back(pc)
        self.frame_func.push_back(func)
        self.frame_file.push_back(file)
        self.frame_line.push_back(line)
        return idx

    cdef int32_t intern_stack(self, vector[int32_t]& frames):
        cdef string key
        if frames.size() == 0:
            key = string()
        else:
            key = string(<char*>&frames[0], frames.size() * 4)
        it = self.stack_index.find(key)
        if it != self.stack_index.end():
            return deref(it).second
        cdef int32_t idx = <int32_t>(self.stack_offsets.size() - 1)
        self.stack_index[key] = idx
        for f in frames:
            self.stack_frames.push_back(f)
        self.stack_offsets.push_back(self.stack_frames.size())
        return idx


cdef int add_strings(_Generation g, _Tables t, const uint8_t* buf, Batch* b) except -1:
    cdef _ByteReader r = _ByteReader.__new__(_ByteReader)
    r.buf = buf
    r.pos = b.off + 1
    r.n = b.off + b.size
    cdef uint64_t id, ln
    cdef int rc
    cdef Py_ssize_t at
    while r.pos < r.n:
        at = r.pos
        if buf[r.pos] != EvString:
            _fail(f"expected string event, got {buf[r.pos]}", at)
        r.pos += 1
        rc = r.read_uvarint(&id)
        if rc:
            _fail(_UVARINT_ERRS[rc], r.pos)
        rc = r.read_uvarint(&ln)
        if rc:
            _fail(_UVARINT_ERRS[rc], r.pos)
        if ln > MAX_STRING_SIZE:
            _fail(f"invalid string size {ln}, maximum is {MAX_STRING_SIZE}", at)
        if <uint64_t>(r.n - r.pos) < ln:
            _fail(f"failed to read full string: read {r.n - r.pos} but wanted {ln}", at)
        s = (<const char*>(buf + r.pos))[:ln]
        r.pos += ln
        if id == 0 or g.strings.count(id):
            old = t.strings[g.strings[id]] if id != 0 else ""
            _fail(f"multiple strings with the same ID: id={id}, new={s.decode('utf-8', 'surrogateescape')}, "
                  f"existing={old}", at)
        g.strings[id] = t.intern_string(s)
    return 0


cdef int add_stacks(_Generation g, const uint8_t* buf, Batch* b) except -1:
    cdef _ByteReader r = _ByteReader.__new__(_ByteReader)
    r.buf = buf
    r.pos = b.off + 1
    r.n = b.off + b.size
    cdef uint64_t id, nframes, pc, func, file, line
    cdef uint64_t i
    cdef int rc
    cdef Py_ssize_t at
    cdef vector[uint64_t] pcs
    cdef FrameInfo fi
    while r.pos < r.n:
        at = r.pos
        if buf[r.pos] != EvStack:
            _fail(f"expected stack event, got {buf[r.pos]}", at)
        r.pos += 1
        rc = r.read_uvarint(&id)
        if rc == 0:
            rc = r.read_uvarint(&nframes)
        if rc:
            _fail(_UVARINT_ERRS[rc], r.pos)
        if nframes > MAX_FRAMES_PER_STACK:
            _fail(f"invalid stack size {nframes}, maximum is {MAX_FRAMES_PER_STACK}", at)
        pcs.clear()
        for i in range(nframes):
            rc = r.read_uvarint(&pc)
            if rc:
                _fail(f"reading frame {i + 1}'s PC for stack {id}: {_UVARINT_ERRS[rc]}", r.pos)
            rc = r.read_uvarint(&func)
            if rc:
                _fail(f"reading frame {i + 1}'s funcID for stack {id}: {_UVARINT_ERRS[rc]}", r.pos)
            rc = r.read_uvarint(&file)
            if rc:
                _fail(f"reading frame {i + 1}'s fileID for stack {id}: {_UVARINT_ERRS[rc]}", r.pos)
            rc = r.read_uvarint(&line)
            if rc:
                _fail(f"reading frame {i + 1}'s line for stack {id}: {_UVARINT_ERRS[rc]}", r.pos)
            pcs.push_back(pc)
            if not g.pcs.count(pc):
                fi.func = func
                fi.file = file
                fi.line = line
                g.pcs[pc] = fi
        if id == 0 or g.stacks.count(id):
            _fail(f"multiple stacks with the same ID: id={id}", at)
        g.stacks[id] = pcs
        g.stack_order.push_back(id)
    return 0


cdef int add_cpu_samples(_Generation g, const uint8_t* buf, Batch* b) except -1:
    cdef _ByteReader r = _ByteReader.__new__(_ByteReader)
    r.buf = buf
    r.pos = b.off + 1
    r.n = b.off + b.size
    cdef uint64_t v[5]
    cdef int rc, k
    cdef CPUSample s
    while r.pos < r.n:
        if buf[r.pos] != EvCPUSample:
            _fail(f"expected CPU sample event, got {buf[r.pos]}", r.pos)
        r.pos += 1
        for k in range(5):
            rc = r.read_uvarint(&v[k])
            if rc:
                _fail(_UVARINT_ERRS[rc], r.pos)
        s.time = <int64_t>v[0]
        s.m = v[1]
        s.p = v[2]
        s.g = v[3]
        s.stack = v[4]
        g.cpu.push_back(s)
    return 0


cdef int set_sync(_Generation g, const uint8_t* buf, Batch* b, int version) except -1:
    cdef _ByteReader r = _ByteReader.__new__(_ByteReader)
    r.buf = buf
    r.pos = b.off
    r.n = b.off + b.size
    cdef uint64_t f, tdiff, v
    cdef uint64_t last = b.time
    cdef int rc
    cdef uint8_t et
    if version >= 25:
        r.pos += 1  # the EvSync byte
    while r.pos < r.n:
        et = buf[r.pos]
        r.pos += 1
        if et == EvFrequency:
            if g.freq != 0:
                _fail("found multiple frequency events", r.pos - 1)
            rc = r.read_uvarint(&f)
            if rc:
                _fail(_UVARINT_ERRS[rc], r.pos)
            g.freq = 1.0 / (<double>f / 1e9)
        elif et == EvClockSnapshot and version >= 25:
            if g.has_snapshot:
                _fail("found multiple clock snapshot events", r.pos - 1)
            g.has_snapshot = True
            rc = r.read_uvarint(&tdiff)
            if rc:
                _fail(_UVARINT_ERRS[rc], r.pos)
            last += tdiff
            g.snap_time = last
            for k in range(3):
                rc = r.read_uvarint(&v)
                if rc:
                    _fail(_UVARINT_ERRS[rc], r.pos)
                if k == 0:
                    g.snap_mono = v
                elif k == 1:
                    g.snap_sec = v
                else:
                    g.snap_nsec = v
        else:
            _fail(f"expected frequency or clock snapshot event, got {et}", r.pos - 1)
    return 0


cdef int process_batch(_Generation g, _Tables t, const uint8_t* buf, Batch* b, int version) except -1:
    """Go's processBatch: file the batch by the kind its first data byte names."""
    cdef uint8_t first = buf[b.off] if b.size > 0 else 0
    if b.exp == 0 and b.size > 0 and first == EvStrings:
        add_strings(g, t, buf, b)
    elif b.exp == 0 and b.size > 0 and first == EvStacks:
        add_stacks(g, buf, b)
    elif b.exp == 0 and b.size > 0 and first == EvCPUSamples:
        add_cpu_samples(g, buf, b)
    elif b.exp == 0 and b.size > 0 and ((first == EvFrequency and version < 25) or (first == EvSync and version >= 25)):
        set_sync(g, buf, b, version)
    elif b.exp != 0:
        g.exp_batches += 1
    else:
        if not g.batches.count(b.m):
            g.batch_ms.push_back(b.m)
        g.batches[b.m].push_back(b[0])
    return 0


cdef int finish_generation(_Generation g, _Tables t, int version) except -1:
    """Invariants, stack validation and interning, CPU sample times (generation.go)."""
    if g.freq == 0:
        _fail("no frequency event found", g.end_offset)
    if (version >= 25) and not g.has_snapshot:
        _fail("no clock snapshot event found", g.end_offset)
    cdef vector[int32_t] frames
    cdef FrameInfo fi
    cdef int32_t fs, ls
    # Go validates its (dense) stack table in id order.
    sort(g.stack_order.begin(), g.stack_order.end())
    for sid in g.stack_order:
        frames.clear()
        for pc in g.stacks[sid]:
            fi = g.pcs[pc]
            if fi.func != 0 and not g.strings.count(fi.func):
                _fail(f"found invalid func string ID {fi.func} for stack {sid}", g.end_offset)
            if fi.file != 0 and not g.strings.count(fi.file):
                _fail(f"found invalid file string ID {fi.file} for stack {sid}", g.end_offset)
            fs = g.strings[fi.func] if fi.func != 0 else 0
            ls = g.strings[fi.file] if fi.file != 0 else 0
            frames.push_back(t.intern_frame(pc, fs, ls, fi.line))
        g.stack_map[sid] = t.intern_stack(frames)
    cdef size_t i
    for i in range(g.cpu.size()):
        g.cpu[i].time = g.mul(<uint64_t>g.cpu[i].time)
    # slices.SortFunc by time: Go's pdqsort, for Go's order among equal times.
    cdef size_t n = g.cpu.size()
    cdef vector[int] perm
    cdef vector[int64_t] keys
    cdef vector[CPUSample] sorted_cpu
    for i in range(n):
        perm.push_back(<int>i)
        keys.push_back(g.cpu[i].time)
    go_sort(perm.data(), keys.data(), n)
    for i in range(n):
        sorted_cpu.push_back(g.cpu[perm[i]])
    g.cpu.swap(sorted_cpu)
    return 0
