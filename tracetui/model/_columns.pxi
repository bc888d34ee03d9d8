# Included by the model's compiled passes: reading the event columns in place.

cdef class _Narrow:
    """The stack column read in place, int16 or int32 (no widened copy)."""
    cdef const int16_t[::1] n16
    cdef const int32_t[::1] n32
    cdef bint wide

    def __init__(self, col):
        self.wide = col.dtype == np.int32
        if self.wide:
            self.n32 = col
            self.n16 = np.zeros(0, np.int16)
        else:
            self.n16 = col
            self.n32 = np.zeros(0, np.int32)

    cdef inline int32_t at(self, Py_ssize_t i) noexcept:
        return self.n32[i] if self.wide else self.n16[i]


cdef class _Runs:
    """An m/p column stored as runs (tracetui.format.runs.RunColumn) read in place.
    `at(i)` is O(1) amortised for ascending rows (it steps on to the next runs)
    and a binary search over the run starts for a far or backward jump."""
    cdef const int64_t[::1] starts
    cdef const int32_t[::1] values
    cdef Py_ssize_t nruns
    cdef Py_ssize_t k            # the run read last, covering rows [lo, hi)
    cdef int64_t lo
    cdef int64_t hi

    def __init__(self, col):
        self.starts = col.starts
        self.values = col.values
        self.nruns = len(col.values)
        self.lo = self.hi = 0
        if self.nruns:
            self.enter(0)

    cdef inline void enter(self, Py_ssize_t k) noexcept:
        self.k = k
        self.lo = self.starts[k]
        self.hi = self.starts[k + 1] if k + 1 < self.nruns else INT64_MAX

    cdef inline int32_t at(self, Py_ssize_t i) noexcept:
        if self.lo <= i < self.hi:
            return self.values[self.k]
        return self.seek(i)

    cdef int32_t seek(self, Py_ssize_t i) noexcept:
        cdef Py_ssize_t lo = 0, hi = self.nruns, mid, step
        if self.nruns == 0:
            return -1
        if i >= self.hi:
            for step in range(4):  # hi is finite: a next run exists
                self.enter(self.k + 1)
                if i < self.hi:
                    return self.values[self.k]
            lo = self.k
        while hi - lo > 1:  # the last run starting at or before i
            mid = (lo + hi) // 2
            if self.starts[mid] <= i:
                lo = mid
            else:
                hi = mid
        self.enter(lo)
        return self.values[lo]


def runs_at(col, rows):
    """The value of each row (int64, any order) of an m/p RunColumn, read through one
    _Runs cursor as the compiled passes read it (the tests check it against numpy)."""
    cdef _Runs cur = _Runs(col)
    cdef const int64_t[::1] want = np.ascontiguousarray(rows, np.int64)
    cdef Py_ssize_t i
    out = np.empty(len(want), np.int32)
    cdef int32_t[::1] o = out
    for i in range(len(want)):
        o[i] = cur.at(want[i])
    return out


cdef Py_ssize_t count_types(trace, types, bint* want):
    """How many rows have a type in `types`; fills the 256-entry table `want`."""
    cdef Py_ssize_t i, k = 0
    for i in range(256):
        want[i] = False
    for t in types:
        want[<uint8_t>t] = True
    cdef const uint8_t[::1] type_ = trace.type
    for i in range(len(type_)):
        k += want[type_[i]]
    return k


def rows_of_types(trace, types):
    """Rows (int64, ascending) whose event type is one of `types`: two compiled scans
    of the type column (count, fill), no temporary as long as the trace."""
    cdef bint[256] want
    cdef Py_ssize_t i, k = count_types(trace, types, want)
    cdef const uint8_t[::1] type_ = trace.type
    out = np.empty(k, np.int64)
    cdef int64_t[::1] o = out
    k = 0
    for i in range(len(type_)):
        if want[type_[i]]:
            o[k] = i
            k += 1
    return out


def payloads_at(trace, rows, bint second=False):
    """The sparse `arg` (or `arg2`) payload of each row (0 where it has none, or for
    a row outside the trace), found by counting payload-carrying rows in one
    compiled scan up to the last row asked for: no row index of the whole trace is kept."""
    from tracetui.format._core import ARG_TYPES, ARG2_TYPES

    cdef bint[256] has
    cdef Py_ssize_t i
    for i in range(256):
        has[i] = False
    for t in (ARG2_TYPES if second else ARG_TYPES):
        has[<uint8_t>t] = True
    rows = np.asarray(rows, np.int64)
    shape, rows = rows.shape, rows.ravel()
    order = np.argsort(rows, kind="stable")
    cdef const int64_t[::1] want = rows[order]
    cdef const int64_t[::1] vals = trace.arg2 if second else trace.arg
    cdef const uint8_t[::1] type_ = trace.type
    cdef Py_ssize_t n = len(trace), j = 0, m = len(want), ai = 0
    got = np.zeros(m, np.int64)
    cdef int64_t[::1] g = got
    while j < m and want[j] < 0:
        j += 1
    for i in range(n):
        if j >= m:
            break
        while j < m and want[j] == i:
            if has[type_[i]]:
                g[j] = vals[ai]
            j += 1
        ai += has[type_[i]]
    out = np.empty(m, np.int64)
    out[order] = got
    return out.reshape(shape)
