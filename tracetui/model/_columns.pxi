# Included by the model's compiled passes: reading the event columns in place.

cdef class _Narrow:
    """An m/p/stack column read in place, int16 or int32 (no widened copy)."""
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
