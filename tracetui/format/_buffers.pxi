# Included by _core.pyx: the growable buffers behind the Decoder's sparse and run
# columns, and the owner that frees a malloc'd buffer once numpy is done with it.

cdef inline int resize(void** buf, Py_ssize_t cap, int itemsize) except -1:
    cdef void* p = realloc(buf[0], cap * itemsize)
    if p == NULL:
        raise MemoryError()
    buf[0] = p
    return 0


cdef struct Sparse:
    int64_t* vals
    Py_ssize_t n
    Py_ssize_t cap


cdef inline int sparse_push(Sparse* s, int64_t val) except -1:
    if s.n == s.cap:
        s.cap = s.cap * 2 + 4096
        resize(<void**>&s.vals, s.cap, 8)
    s.vals[s.n] = val
    s.n += 1
    return 0


cdef struct Runs:
    int64_t* starts
    int32_t* values
    Py_ssize_t n
    Py_ssize_t cap


cdef inline int runs_push(Runs* r, Py_ssize_t row, int32_t val) except -1:
    """Start a new run at `row` unless `val` continues the last one."""
    if r.n and r.values[r.n - 1] == val:
        return 0
    if r.n == r.cap:
        r.cap = r.cap * 2 + 4096
        resize(<void**>&r.starts, r.cap, 8)
        resize(<void**>&r.values, r.cap, 4)
    r.starts[r.n] = row
    r.values[r.n] = val
    r.n += 1
    return 0


cdef inline void runs_truncate(Runs* r, Py_ssize_t rows) noexcept:
    """Forget the runs that start at or after `rows` (events taken back)."""
    while r.n and r.starts[r.n - 1] >= rows:
        r.n -= 1


cdef void runs_free(Runs* r) noexcept:
    free(r.starts)
    free(r.values)
    r.starts = NULL
    r.values = NULL


cdef class _Owned:
    """Frees a malloc'd column buffer when its numpy array goes away."""
    cdef void* ptr

    def __dealloc__(self):
        free(self.ptr)
