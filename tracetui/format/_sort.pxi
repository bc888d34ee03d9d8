# Included by _core.pyx: Go's slices.SortFunc (pattern-defeating quicksort,
# zsortanyfunc.go), ported so that elements with equal keys end up in exactly the
# order Go leaves them. The reader sorts its frontier and each generation's CPU
# samples this way, and with equal timestamps the order decides which event comes
# first. Sorts `d[a:b]` (element ids) by `k[id]` ascending.

DEF MAX_INSERTION = 12


cdef inline bint _lt(int* d, const int64_t* k, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    return k[d[i]] < k[d[j]]


cdef inline void _swap(int* d, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef int t = d[i]
    d[i] = d[j]
    d[j] = t


cdef inline int _bit_len(uint64_t n) noexcept nogil:
    cdef int b = 0
    while n:
        b += 1
        n >>= 1
    return b


cdef void _insertion_sort(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t i, j
    for i in range(a + 1, b):
        j = i
        while j > a and _lt(d, k, j, j - 1):
            _swap(d, j, j - 1)
            j -= 1


cdef void _sift_down(int* d, const int64_t* k, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t first) noexcept nogil:
    cdef Py_ssize_t root = lo, child
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and _lt(d, k, first + child, first + child + 1):
            child += 1
        if not _lt(d, k, first + root, first + child):
            return
        _swap(d, first + root, first + child)
        root = child


cdef void _heap_sort(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t first = a, hi = b - a, i
    i = (hi - 1) // 2
    while i >= 0:
        _sift_down(d, k, i, hi, first)
        i -= 1
    i = hi - 1
    while i >= 0:
        _swap(d, first, first + i)
        _sift_down(d, k, 0, i, first)
        i -= 1


cdef Py_ssize_t _partition(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b, Py_ssize_t pivot,
                           bint* already) noexcept nogil:
    _swap(d, a, pivot)
    cdef Py_ssize_t i = a + 1, j = b - 1
    while i <= j and _lt(d, k, i, a):
        i += 1
    while i <= j and not _lt(d, k, j, a):
        j -= 1
    if i > j:
        _swap(d, j, a)
        already[0] = True
        return j
    _swap(d, i, j)
    i += 1
    j -= 1
    while True:
        while i <= j and _lt(d, k, i, a):
            i += 1
        while i <= j and not _lt(d, k, j, a):
            j -= 1
        if i > j:
            break
        _swap(d, i, j)
        i += 1
        j -= 1
    _swap(d, j, a)
    already[0] = False
    return j


cdef Py_ssize_t _partition_equal(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b,
                                 Py_ssize_t pivot) noexcept nogil:
    _swap(d, a, pivot)
    cdef Py_ssize_t i = a + 1, j = b - 1
    while True:
        while i <= j and not _lt(d, k, a, i):
            i += 1
        while i <= j and _lt(d, k, a, j):
            j -= 1
        if i > j:
            break
        _swap(d, i, j)
        i += 1
        j -= 1
    return i


cdef bint _partial_insertion_sort(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t i = a + 1, j, step
    for step in range(5):
        while i < b and not _lt(d, k, i, i - 1):
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        _swap(d, i, i - 1)
        if i - a >= 2:
            j = i - 1
            while j >= 1:
                if not _lt(d, k, j, j - 1):
                    break
                _swap(d, j, j - 1)
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b:
                if not _lt(d, k, j, j - 1):
                    break
                _swap(d, j, j - 1)
                j += 1
    return False


cdef void _break_patterns(int* d, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t length = b - a, idx, other
    cdef uint64_t r, modulus
    if length >= 8:
        r = <uint64_t>length
        modulus = (<uint64_t>1) << _bit_len(<uint64_t>length)
        idx = a + (length // 4) * 2 - 1
        while idx <= a + (length // 4) * 2 + 1:
            r ^= r << 13
            r ^= r >> 7
            r ^= r << 17
            other = <Py_ssize_t>(r & (modulus - 1))
            if other >= length:
                other -= length
            _swap(d, idx, a + other)
            idx += 1


cdef inline Py_ssize_t _median(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b, Py_ssize_t c,
                               int* swaps) noexcept nogil:
    cdef Py_ssize_t t
    if _lt(d, k, b, a):
        swaps[0] += 1
        t = a
        a = b
        b = t
    if _lt(d, k, c, b):
        swaps[0] += 1
        t = b
        b = c
        c = t
    if _lt(d, k, b, a):
        swaps[0] += 1
        t = a
        a = b
        b = t
    return b


# choosePivot hints
DEF HINT_UNKNOWN = 0
DEF HINT_INCREASING = 1
DEF HINT_DECREASING = 2


cdef Py_ssize_t _choose_pivot(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b, int* hint) noexcept nogil:
    cdef Py_ssize_t l = b - a
    cdef int swaps = 0
    cdef Py_ssize_t i = a + l // 4 * 1, j = a + l // 4 * 2, kk = a + l // 4 * 3
    if l >= 8:
        if l >= 50:
            i = _median(d, k, i - 1, i, i + 1, &swaps)
            j = _median(d, k, j - 1, j, j + 1, &swaps)
            kk = _median(d, k, kk - 1, kk, kk + 1, &swaps)
        j = _median(d, k, i, j, kk, &swaps)
    if swaps == 0:
        hint[0] = HINT_INCREASING
    elif swaps == 12:
        hint[0] = HINT_DECREASING
    else:
        hint[0] = HINT_UNKNOWN
    return j


cdef void _pdqsort(int* d, const int64_t* k, Py_ssize_t a, Py_ssize_t b, int limit) noexcept nogil:
    cdef bint was_balanced = True, was_partitioned = True, already
    cdef Py_ssize_t length, pivot, mid, i, j
    cdef int hint
    while True:
        length = b - a
        if length <= MAX_INSERTION:
            _insertion_sort(d, k, a, b)
            return
        if limit == 0:
            _heap_sort(d, k, a, b)
            return
        if not was_balanced:
            _break_patterns(d, a, b)
            limit -= 1
        pivot = _choose_pivot(d, k, a, b, &hint)
        if hint == HINT_DECREASING:
            i = a
            j = b - 1
            while i < j:
                _swap(d, i, j)
                i += 1
                j -= 1
            pivot = (b - 1) - (pivot - a)
            hint = HINT_INCREASING
        if was_balanced and was_partitioned and hint == HINT_INCREASING:
            if _partial_insertion_sort(d, k, a, b):
                return
        if a > 0 and not _lt(d, k, a - 1, pivot):
            a = _partition_equal(d, k, a, b, pivot)
            continue
        mid = _partition(d, k, a, b, pivot, &already)
        was_partitioned = already
        if mid - a < b - mid:
            was_balanced = (mid - a) >= length // 8
            _pdqsort(d, k, a, mid, limit)
            a = mid + 1
        else:
            was_balanced = (b - mid) >= length // 8
            _pdqsort(d, k, mid + 1, b, limit)
            b = mid


cdef void go_sort(int* d, const int64_t* k, Py_ssize_t n) noexcept nogil:
    """slices.SortFunc(d[:n], func(x, y) cmp.Compare(k[x], k[y]))."""
    _pdqsort(d, k, 0, n, _bit_len(<uint64_t>n))


def go_sort_order(keys):
    """The permutation Go's slices.SortFunc leaves when sorting ids 0..n-1 by keys
    (for tests against Go)."""
    cdef cnp.ndarray[cnp.int64_t, ndim=1] k = np.ascontiguousarray(keys, dtype=np.int64)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] d = np.arange(len(k), dtype=np.int32)
    go_sort(<int*>d.data, <const int64_t*>k.data, len(k))
    return d
