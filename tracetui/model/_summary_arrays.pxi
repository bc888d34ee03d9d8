# Included by _summary.pyx: turning the summarizer's C++ vectors into numpy arrays,
# and Go's IsSystemGoroutine.

def csr(owner, items, Py_ssize_t n):
    """(offsets int64[n+1], items grouped by owner, in their order within each owner)."""
    order = np.argsort(owner, kind="stable")
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=offsets[1:])
    return offsets, np.ascontiguousarray(items[order])


cdef int64_array(vector[int64_t]& v):
    out = np.empty(v.size(), np.int64)
    if v.size():
        memcpy(cnp.PyArray_DATA(out), v.data(), v.size() * sizeof(int64_t))
    return out


cdef int32_array(vector[int32_t]& v):
    out = np.empty(v.size(), np.int32)
    if v.size():
        memcpy(cnp.PyArray_DATA(out), v.data(), v.size() * sizeof(int32_t))
    return out


cdef bint is_system(str name):
    """Go's IsSystemGoroutine."""
    return name == "" or (name != "runtime.main" and name.startswith("runtime."))
