# Included by _core.pyx: varints, batch framing and the per-generation tables
# (strings, stacks, CPU samples, sync), as Go's batch.go and generation.go read them.

class _Fail(Exception):
    """An invalid trace: (message[, byte offset])."""


class _End(Exception):
    """A bare io.EOF from a table read: Go's reader ends the trace there, cleanly."""


cdef inline int uvarint(const uint8_t* b, Py_ssize_t n, uint64_t* out) noexcept nogil:
    """binary.Uvarint: bytes used, 0 if the buffer ends, <0 on overflow."""
    cdef uint64_t x = 0
    cdef unsigned int s = 0
    cdef Py_ssize_t i
    cdef uint8_t c
    for i in range(min(n, 10)):
        c = b[i]
        if c < 0x80:
            if i == 9 and c > 1:
                return -(i + 1)
            out[0] = x | (<uint64_t>c << s)
            return i + 1
        x |= <uint64_t>(c & 0x7f) << s
        s += 7
    if n >= 10:
        return -11
    return 0


cdef struct Batch:
    uint64_t gen
    uint64_t m
    uint64_t time
    Py_ssize_t hdr      # offset of the batch header byte
    Py_ssize_t off      # offset of the data
    Py_ssize_t size
    int exp             # -1 for an EndOfGeneration marker


cdef struct CPUSample:
    int64_t time
    uint64_t m
    uint64_t p
    uint64_t g
    uint64_t stack


cdef struct FrameInfo:
    uint64_t func
    uint64_t file
    uint64_t line


cdef class _ByteReader:
    """A position in the buffer with Go's io.ByteReader/ReadUvarint semantics."""
    cdef const uint8_t* buf
    cdef Py_ssize_t n
    cdef Py_ssize_t pos
    cdef str err

    cdef int read_uvarint(self, uint64_t* out) except -1:
        """binary.ReadUvarint: 0 ok, 1 EOF before any byte, 2 unexpected EOF, 3 overflow."""
        cdef uint64_t x = 0
        cdef unsigned int s = 0
        cdef int i
        cdef uint8_t c
        for i in range(10):
            if self.pos >= self.n:
                return 1 if i == 0 else 2
            c = self.buf[self.pos]
            self.pos += 1
            if c < 0x80:
                if i == 9 and c > 1:
                    return 3
                out[0] = x | (<uint64_t>c << s)
                return 0
            x |= <uint64_t>(c & 0x7f) << s
            s += 7
        return 3


_UVARINT_ERRS = {1: "EOF", 2: "unexpected EOF", 3: "binary: varint overflows a 64-bit integer"}


cdef int read_batch(_ByteReader r, Batch* b) except -1:
    """Go's readBatch: 0 ok, 1 clean EOF, 2 error (r.err set, b.gen may be set)."""
    cdef uint64_t v
    cdef int rc
    cdef Py_ssize_t start = r.pos
    b.gen = 0
    b.hdr = start
    if r.pos >= r.n:
        return 1
    cdef uint8_t typ = r.buf[r.pos]
    r.pos += 1
    if typ == EvEndOfGeneration:
        b.m = NO_ID
        b.exp = -1
        b.off = start
        b.size = 1
        b.time = 0
        return 0
    if typ != EvEventBatch and typ != EvExperimentalBatch:
        r.err = f"expected batch event, got event {typ}"
        return 2
    b.exp = 0
    if typ == EvExperimentalBatch:
        if r.pos >= r.n:
            return 1  # Go's readBatch returns the bare io.EOF, which its callers take as the end
        b.exp = r.buf[r.pos]
        r.pos += 1
    for what in ("gen", "M ID", "timestamp", "size"):
        rc = r.read_uvarint(&v)
        if rc:
            r.err = f"error reading batch {what}: {_UVARINT_ERRS[rc]}"
            return 2
        if what == "gen":
            b.gen = v
        elif what == "M ID":
            b.m = v
        elif what == "timestamp":
            b.time = v
        else:
            if v > MAX_BATCH_SIZE:
                r.err = f"invalid batch size {v}, maximum is {MAX_BATCH_SIZE}"
                return 2
            b.size = <Py_ssize_t>v
    b.off = r.pos
    if r.n - r.pos < b.size:
        r.err = f"failed to read full batch: read {r.n - r.pos} but wanted {b.size}"
        r.pos = r.n
        return 2
    r.pos += b.size
    return 0
