"""Protobuf messages from numpy columns: n records of one shape encoded at once, with no
Python object per record (a writer for the few wire types Perfetto's TracePacket needs;
no protobuf dependency).

A record is a list of pieces:

- `bytes`: written as they are (a pre-encoded key or field);
- `Varint(field, values, present=None)`: a varint field (uint64; int64 values are written
  as their two's-complement, as protobuf does), left out where `present` is False;
- `Fixed64(field, values, present=None)`: a fixed64 field;
- `Message(field, pieces, present=None)`: a length-delimited sub-message;
- `Choice(table, index)`: per record, one of the pre-encoded byte strings `table`.

`encode(n, pieces)` returns the n records' bytes, concatenated. It works in two passes:
every leaf's width per record in numpy (a sub-message's length is the sum of its
children's), then a compiled loop writes the records (tracetui/exports/_protowire.pyx).

`key(field, wire)`, `varint(n)`, `field_varint`, `field_bytes` encode single values.
"""
from __future__ import annotations

import numpy as np

VARINT, FIXED64, LEN = 0, 1, 2
_POOL, _VARINT, _FIXED64 = 0, 1, 2  # leaf kinds of the compiled writer
_LIMITS = np.array([1 << (7 * k) for k in range(1, 10)], np.uint64)


def varint(n: int) -> bytes:
    if 0 <= n < 0x80:
        return _SMALL[n]
    n &= (1 << 64) - 1
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_SMALL = [bytes((i,)) for i in range(0x80)]


def key(field_no: int, wire: int) -> bytes:
    return varint(field_no << 3 | wire)


def field_varint(field_no: int, n: int) -> bytes:
    return key(field_no, VARINT) + varint(n)


def field_bytes(field_no: int, payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    return key(field_no, LEN) + varint(len(payload)) + payload


class Varint:
    def __init__(self, field_no: int, values, present=None):
        self.key, self.values, self.present = key(field_no, VARINT), values, present


class Fixed64:
    def __init__(self, field_no: int, values, present=None):
        self.key, self.values, self.present = key(field_no, FIXED64), values, present


class Message:
    def __init__(self, field_no: int, pieces: list, present=None):
        self.key, self.pieces, self.present = key(field_no, LEN), pieces, present


class Choice:
    def __init__(self, table: list[bytes], index):
        self.table, self.index = table, index


def _as_u64(values, n: int) -> np.ndarray:
    v = np.asarray(values)
    if v.ndim == 0:
        v = np.full(n, v)
    return v.astype(np.int64, copy=False).view(np.uint64) if v.dtype.kind == "i" else v.astype(np.uint64, copy=False)


def _varint_widths(v: np.ndarray) -> np.ndarray:
    w = np.ones(len(v), np.uint8)
    top = v.max(initial=0)
    for limit in _LIMITS:
        if top < limit:
            break
        w += v >= limit
    return w.astype(np.int64)


def _mask(present, n: int) -> np.ndarray | None:
    if present is None:
        return None
    return np.broadcast_to(np.asarray(present, bool), (n,))


def _and(a, b):
    return b if a is None else a if b is None else a & b


def _leaves(pieces: list, n: int, present) -> list[tuple]:
    """(kind, data, widths) per leaf, widths 0 where the leaf is absent."""
    out = []
    for p in pieces:
        if isinstance(p, bytes):
            w = np.full(n, len(p), np.int64) if present is None else np.where(present, len(p), 0)
            out.append(("const", p, w))
        elif isinstance(p, Choice):
            idx = np.broadcast_to(np.asarray(p.index, np.int64), (n,))
            lens = np.array([len(b) for b in p.table], np.int64)
            w = lens[idx] if present is None else np.where(present, lens[idx], 0)
            out.append(("choice", (p.table, idx), w))
        else:
            pres = _and(present, _mask(p.present, n))
            kw = np.full(n, len(p.key), np.int64) if pres is None else np.where(pres, len(p.key), 0)
            out.append(("const", p.key, kw))
            if isinstance(p, Varint):
                v = _as_u64(p.values, n)
                w = _varint_widths(v)
                out.append(("varint", v, w if pres is None else np.where(pres, w, 0)))
            elif isinstance(p, Fixed64):
                v = _as_u64(p.values, n)
                out.append(("fixed64", v, np.full(n, 8, np.int64) if pres is None else np.where(pres, 8, 0)))
            else:
                kids = _leaves(p.pieces, n, pres)
                length = np.zeros(n, np.uint64)
                for *_, w in kids:
                    length += w.astype(np.uint64)
                w = _varint_widths(length)
                out.append(("varint", length, w if pres is None else np.where(pres, w, 0)))
                out.extend(kids)
    return out


def encode(n: int, pieces: list) -> bytes:
    """The bytes of n records of shape `pieces`, one after another: leaf widths in numpy,
    the bytes by a compiled loop (tracetui.exports._protowire)."""
    from tracetui.exports._protowire import write_leaves

    if n == 0:
        return b""
    leaves = _leaves(pieces, n, None)
    kinds = np.empty(len(leaves), np.int64)
    values = np.empty((len(leaves), n), np.uint64)
    widths = np.empty((len(leaves), n), np.int64)
    pool, at = [], 0
    for l, (kind, data, w) in enumerate(leaves):
        widths[l] = w
        if kind == "const":
            kinds[l], values[l] = _POOL, at
            pool.append(data)
            at += len(data)
        elif kind == "choice":
            table, idx = data
            offsets = np.cumsum([0] + [len(b) for b in table])[:-1] + at
            kinds[l], values[l] = _POOL, offsets[idx]
            pool.extend(table)
            at += sum(len(b) for b in table)
        else:
            kinds[l], values[l] = (_VARINT if kind == "varint" else _FIXED64), data
    out = np.empty(int(widths.sum()), np.uint8)
    written = write_leaves(kinds, values, widths, np.frombuffer(b"".join(pool) or b"\0", np.uint8), out)
    assert written == len(out)
    return out.tobytes()
