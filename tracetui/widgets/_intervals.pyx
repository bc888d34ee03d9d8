"""The timeline's compiled passes, for lanes of up to tens of millions of spans:

- `by_category`: the compiled half of `tracetui.widgets.cells.Intervals`, intervals
  split by category, each with its starts and the running sum of its durations, in
  two passes and no temporaries;
- `span_columns`: a lane's time per category per screen column read straight from the
  model's goroutine spans in view (the first frame of a big lane, before it is indexed);
- `nesting_depths`: each region's nesting depth within its goroutine, one walk."""
import numpy as np

from libc.stdint cimport int32_t, int64_t, uint8_t


def by_category(start, end, cat, bint clamp):
    """[(category, starts, cum)] for each category present, in category order: the starts
    of its intervals in their order, and cum[i] = the total duration of its first i
    intervals (cum[0] = 0; with `clamp`, a negative duration counts as 0). With a single
    category, `starts` is `start` itself."""
    cdef const int64_t[::1] s = start
    cdef const int64_t[::1] e = end
    cdef const uint8_t[::1] c = cat
    cdef Py_ssize_t n = s.shape[0], i
    cdef Py_ssize_t count[256]
    cdef Py_ssize_t pos[256]
    cdef int64_t total[256]
    cdef int64_t* starts_of[256]
    cdef int64_t* cum_of[256]
    cdef int k
    cdef int64_t d
    for k in range(256):
        count[k] = 0
        pos[k] = 0
        total[k] = 0
        starts_of[k] = NULL
    with nogil:
        for i in range(n):
            count[c[i]] += 1
    present = [k for k in range(256) if count[k]]
    parts = []
    cdef int64_t[::1] view
    for k in present:
        ks = start if len(present) == 1 else np.empty(count[k], np.int64)
        cum = np.empty(count[k] + 1, np.int64)
        if len(present) > 1:
            view = ks
            starts_of[k] = &view[0]
        view = cum
        cum_of[k] = &view[0]
        cum_of[k][0] = 0
        parts.append((k, ks, cum))
    with nogil:
        for i in range(n):
            k = c[i]
            d = e[i] - s[i]
            if clamp and d < 0:
                d = 0
            total[k] += d
            pos[k] += 1
            cum_of[k][pos[k]] = total[k]
            if starts_of[k] != NULL:
                starts_of[k][pos[k] - 1] = s[i]
    return parts


def span_columns(time, begin_row, end_flags, x_span, x_row, Py_ssize_t lo, Py_ssize_t hi, spans, cat,
                 bounds, int ncat):
    """(times, left, right) of a lane of goroutine spans, read straight from the model's
    columns, for the columns between consecutive `bounds`: the time of each category in
    each column (ncat, ncols), and the category at each column's first and last instant
    (0 = none). Only the spans in view are read: the first frame of a lane of ten
    million spans needs no per-span arrays.

    The lane is spans lo..hi-1 (one goroutine's) or, if `spans` is given, those span
    indices (a P's); either way in time order, not overlapping, with cat[j] the
    category of the lane's j-th span. Span s begins at row begin_row[s] and ends where
    span s+1 begins, except: end_flags[s] & 2, at row x_row[i] where x_span[i] == s
    (-1: at the trace's last event); else end_flags[s] & 1 (a goroutine's last span),
    at the trace's last event."""
    cdef const int64_t[::1] t = time
    cdef const int32_t[::1] br = begin_row
    cdef const uint8_t[::1] fl = end_flags
    cdef const int32_t[::1] xs = x_span
    cdef const int32_t[::1] xr = x_row
    cdef const int32_t[::1] sp
    cdef bint indexed = spans is not None
    if indexed:
        sp = spans
        lo, hi = 0, sp.shape[0]
    cdef const uint8_t[::1] c = cat
    cdef const int64_t[::1] b = bounds
    cdef Py_ssize_t ncols = b.shape[0] - 1, nx = xs.shape[0]
    out = np.zeros((ncat, max(ncols, 0)), np.int64)
    left_arr = np.zeros(max(ncols, 0), np.uint8)
    right_arr = np.zeros(max(ncols, 0), np.uint8)
    if hi <= lo or ncols <= 0 or t.shape[0] == 0:
        return out, left_arr, right_arr
    cdef int64_t[:, ::1] times = out
    cdef uint8_t[::1] left = left_arr
    cdef uint8_t[::1] right = right_arr
    cdef int64_t t0 = b[0], t1 = b[ncols], last = t[t.shape[0] - 1], st, en, lo_t, hi_t
    cdef Py_ssize_t a = lo, z = hi, mid, j, s, col = 0, cc
    cdef int32_t er
    cdef uint8_t k
    with nogil:
        while a < z:  # the last span that starts at or before t0
            mid = (a + z) // 2
            if t[br[sp[mid] if indexed else mid]] <= t0:
                a = mid + 1
            else:
                z = mid
        j = a - 1 if a > lo else lo
        while j < hi:
            s = sp[j] if indexed else j
            st = t[br[s]]
            if st >= t1:
                break
            if fl[s] & 2:
                a, z = 0, nx
                while a < z:
                    mid = (a + z) // 2
                    if xs[mid] < s:
                        a = mid + 1
                    else:
                        z = mid
                er = xr[a]
                en = t[er] if er >= 0 else last
            elif fl[s] & 1:
                en = last
            else:
                en = t[br[s + 1]]
            k = c[j - lo]
            j += 1
            if en <= st or en <= t0 or k >= ncat:
                continue
            lo_t = st if st > t0 else t0
            hi_t = en if en < t1 else t1
            while col < ncols and b[col + 1] <= lo_t:
                col += 1
            cc = col
            while cc < ncols and b[cc] < hi_t:
                times[k, cc] += (hi_t if hi_t < b[cc + 1] else b[cc + 1]) - (lo_t if lo_t > b[cc] else b[cc])
                if st <= b[cc] < en:
                    left[cc] = k
                if st <= b[cc + 1] - 1 < en:
                    right[cc] = k
                cc += 1
    return out, left_arr, right_arr


def nesting_depths(goroutine, begin, end, pre, begins, ends, Py_ssize_t ngoroutines):
    """The nesting depth of each region within its goroutine (regions nest like a stack):
    the regions open in that goroutine when it began. Region i belongs to goroutine
    goroutine[i] and spans rows begin[i]..end[i]. The regions are walked in order: first
    `pre` (those begun before the trace, the outer one first), then the begins (indices
    in `begins`, ascending by row) merged with the ends (`ends`, ascending by row); a
    region never ended stays open."""
    cdef const int64_t[::1] g = goroutine
    cdef const int64_t[::1] b = begin
    cdef const int64_t[::1] e = end
    cdef const int64_t[::1] p = pre
    cdef const int64_t[::1] bi = begins
    cdef const int64_t[::1] ei = ends
    depth_arr = np.zeros(g.shape[0], np.int64)
    open_arr = np.zeros(max(ngoroutines, 1), np.int64)
    cdef int64_t[::1] depth = depth_arr
    cdef int64_t[::1] opened = open_arr
    cdef Py_ssize_t k, i, x = 0, y = 0, nb = bi.shape[0], ne = ei.shape[0]
    with nogil:
        for k in range(p.shape[0]):
            i = p[k]
            depth[i] = opened[g[i]]
            opened[g[i]] += 1
        while x < nb or y < ne:
            if y >= ne or (x < nb and b[bi[x]] < e[ei[y]]):
                i = bi[x]
                x += 1
                depth[i] = opened[g[i]]
                opened[g[i]] += 1
            else:
                i = ei[y]
                y += 1
                if opened[g[i]] > 0:
                    opened[g[i]] -= 1
    return depth_arr
