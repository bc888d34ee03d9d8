# cython: language_level=3
"""The byte loop of tracetui.exports.protowire: n records of one shape, described by a small
program in pre-order (one node per constant, varint, fixed64, text or sub-message); record
i's values are column i of `cols` (a row per value), its optional fields' presence column i
of `present`."""
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.string cimport memcpy

cdef enum:
    CONST = 0     # bytes pool[a:a+b]
    VARINT = 1    # key pool[b:b+c], then cols[a, i] as a varint
    FIXED64 = 2   # key pool[b:b+c], then cols[a, i] as 8 little-endian bytes
    MESSAGE = 4   # key pool[b:b+c], the length, then nodes k+1 .. a-1 (its children)
    TEXT = 5      # key pool[b:b+c], then table row cols[a, i] (rows from row_off[b2]) with its length


cdef inline int64_t varint_len(uint64_t v) nogil:
    cdef int64_t n = 1
    while v >= 0x80:
        v >>= 7
        n += 1
    return n


cdef inline int64_t put_varint(uint8_t* out, uint64_t v) nogil:
    cdef int64_t n = 0
    while v >= 0x80:
        out[n] = <uint8_t>((v & 0x7F) | 0x80)
        v >>= 7
        n += 1
    out[n] = <uint8_t>v
    return n + 1


def write_records(const int64_t[:, :] program, const uint64_t[:, :] cols, const uint8_t[:, :] present,
                  const uint8_t[:] pool, const int64_t[:] row_off, const int64_t[:] row_len, uint8_t[:] out):
    """Write the records into `out` (large enough); returns the bytes written. program[k] is
    (op, a, b, c, presence column or -1)."""
    cdef Py_ssize_t n = cols.shape[1], nodes = program.shape[0]
    cdef Py_ssize_t i, k, j, pos = 0
    cdef int64_t op, a, b, c, p, content, row
    cdef uint64_t v
    cdef int64_t[256] size
    cdef int64_t[256] inner
    if nodes > 256:
        raise ValueError("a record shape of more than 256 nodes")
    with nogil:
        for i in range(n):
            for k in range(nodes - 1, -1, -1):   # sizes, children before their message
                op, a, b, c, p = program[k, 0], program[k, 1], program[k, 2], program[k, 3], program[k, 4]
                if p >= 0 and present[p, i] == 0:
                    size[k] = 0
                    continue
                if op == CONST:
                    size[k] = b
                elif op == VARINT:
                    size[k] = c + varint_len(cols[a, i])
                elif op == FIXED64:
                    size[k] = c + 8
                elif op == TEXT:
                    row = program[k, 5] + <int64_t>cols[a, i]
                    size[k] = c + varint_len(<uint64_t>row_len[row]) + row_len[row]
                else:
                    content = 0
                    j = k + 1
                    while j < a:
                        content = content + size[j]
                        j = program[j, 1] if program[j, 0] == MESSAGE else j + 1
                    inner[k] = content
                    size[k] = c + varint_len(<uint64_t>content) + content
            k = 0
            while k < nodes:                       # bytes, in order
                op, a, b, c = program[k, 0], program[k, 1], program[k, 2], program[k, 3]
                if size[k] == 0:
                    k = a if op == MESSAGE else k + 1
                    continue
                if op == CONST:
                    memcpy(&out[pos], &pool[a], b)
                    pos += b
                else:
                    memcpy(&out[pos], &pool[b], c)
                    pos += c
                    if op == VARINT:
                        pos += put_varint(&out[pos], cols[a, i])
                    elif op == TEXT:
                        row = program[k, 5] + <int64_t>cols[a, i]
                        pos += put_varint(&out[pos], <uint64_t>row_len[row])
                        memcpy(&out[pos], &pool[row_off[row]], row_len[row])
                        pos += row_len[row]
                    elif op == FIXED64:
                        v = cols[a, i]
                        for j in range(8):
                            out[pos + j] = <uint8_t>(v >> (8 * j))
                        pos += 8
                    else:
                        pos += put_varint(&out[pos], <uint64_t>inner[k])
                k += 1
    return pos
