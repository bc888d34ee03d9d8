# Included by _core.pyx: the two ways a trace marks generation boundaries, as
# Go's readGeneration (1.26+: an EndOfGeneration marker) and
# readGenerationWithSpill (before 1.26: the first batch of the next generation)
# read them. Errors surface exactly where Go's Reader would return them: after a
# Sync event and every event of the generations before.

cdef int run_eog(Decoder self) except -1:
    """Go 1.26+: generations end with an EndOfGeneration marker."""
    cdef Batch b
    cdef int rc
    cdef _Generation g
    while True:
        g = self.new_gen()
        self.gen = g
        while True:
            rc = read_batch(self.r, &b)
            if rc == 1:
                if g.batch_ms.size() > 0:  # Go counts only event batches here
                    self._sync(None)
                    raise _Fail("incomplete generation found; trace likely truncated", self.r.pos)
                self.gen = None
                self._sync(None)
                return 0
            if rc == 2:
                self._sync(None)
                raise _Fail(self.r.err, b.hdr)
            if g.gen == 0:
                g.gen = b.gen
            if b.exp == -1:
                break
            if b.gen == 0:
                self._sync(None)
                raise _Fail(f"invalid generation number {b.gen}", b.hdr)
            if b.gen != g.gen:
                self._sync(None)
                raise _Fail("broken trace: missing end-of-generation event, or generations are interleaved", b.hdr)
            if g.min_ts == 0 or b.time < g.min_ts:
                g.min_ts = b.time
            self._process(g, &b)
        g.end_offset = self.r.pos
        self._finish_gen(g)
        self._walk(g)
        self.valid_bytes = g.end_offset
        self._done_with(g)


cdef int run_spill(Decoder self) except -1:
    """Go 1.22-1.25: a batch of generation N+1 ends generation N (the "spill")."""
    cdef Batch b, spill
    cdef bint has_spill = False
    cdef str spill_err = None
    cdef Py_ssize_t spill_err_off = 0
    cdef int rc
    cdef _Generation g
    while True:
        g = self.new_gen()
        self.gen = g
        if has_spill:
            g.gen = spill.gen
            g.min_ts = spill.time
            g.start_offset = spill.hdr
            self._process(g, &spill)
            has_spill = False
        while True:
            rc = read_batch(self.r, &b)
            if rc == 1:
                break
            if rc == 2:
                if g.gen != 0:
                    spill_err = self.r.err
                    spill_err_off = b.hdr
                    break
                self._sync(None)
                raise _Fail(self.r.err, b.hdr)
            if b.exp == -1:
                b.gen = 0  # EndOfGeneration is not a batch before 1.26
            if b.gen == 0:
                self._sync(None)
                raise _Fail(f"invalid generation number {b.gen}", b.hdr)
            if g.gen == 0:
                g.gen = b.gen
            if b.gen == g.gen + 1:
                spill = b
                has_spill = True
                break
            if b.gen != g.gen:
                self._sync(None)
                raise _Fail("generations out of order", b.hdr)
            if g.min_ts == 0 or b.time < g.min_ts:
                g.min_ts = b.time
            self._process(g, &b)
        g.end_offset = spill.hdr if has_spill else self.r.pos
        if spill_err is not None:
            g.end_offset = spill_err_off
        self._finish_gen(g)
        self._walk(g)
        if spill_err is not None:
            self._sync(None)
            raise _Fail(spill_err, spill_err_off)
        self.valid_bytes = g.end_offset
        self._done_with(g)
        if not has_spill:
            self.gen = None
            self._sync(None)
            return 0
