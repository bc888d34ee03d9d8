# cython: language_level=3
"""The byte loop of tracetui.exports.protowire: records laid out as leaves (columns of
values with per-record widths, computed in numpy) written one after another."""
from libc.stdint cimport int64_t, uint8_t, uint64_t

cdef enum:
    POOL = 0      # `width` bytes of the pool, from offset value
    VARINT = 1    # value as a varint of `width` bytes
    FIXED64 = 2   # value as 8 little-endian bytes


def write_leaves(const int64_t[:] kinds, const uint64_t[:, :] values, const int64_t[:, :] widths,
                 const uint8_t[:] pool, uint8_t[:] out):
    """Write record after record, leaf after leaf (leaf l of record i: kinds[l], values[l, i],
    widths[l, i]; width 0 leaves it out) into `out`; returns the bytes written."""
    cdef Py_ssize_t n = widths.shape[1], nleaves = widths.shape[0]
    cdef Py_ssize_t i, l, k, pos = 0
    cdef int64_t w, kind
    cdef uint64_t v
    for i in range(n):
        for l in range(nleaves):
            w = widths[l, i]
            if w == 0:
                continue
            kind = kinds[l]
            v = values[l, i]
            if kind == VARINT:
                for k in range(w - 1):
                    out[pos + k] = <uint8_t>((v & 0x7F) | 0x80)
                    v >>= 7
                out[pos + w - 1] = <uint8_t>(v & 0x7F)
            elif kind == FIXED64:
                for k in range(8):
                    out[pos + k] = <uint8_t>(v >> (8 * k))
            else:
                for k in range(w):
                    out[pos + k] = pool[v + k]
            pos += w
    return pos
