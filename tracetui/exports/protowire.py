"""Protobuf messages from numpy columns: n records of one shape encoded at once, with no
Python object per record (a writer for the few wire types Perfetto's TracePacket needs;
no protobuf dependency).

A record is a list of pieces:

- `bytes`: written as they are (a pre-encoded key or field);
- `Varint(field, values, present=None)`: a varint field (uint64; int64 values are written
  as their two's-complement, as protobuf does), left out where `present` is False;
- `Fixed64(field, values, present=None)`: a fixed64 field;
- `Message(field, pieces, present=None)`: a length-delimited sub-message;
- `Text(field, table, index, present=None)`: a string/bytes field, per record one of `table`.

`encode(n, pieces)` returns the n records' bytes, concatenated: the shape is compiled to a
small program of nodes, the values gathered into columns, and a compiled loop
(tracetui/exports/_protowire.pyx) sizes each record's sub-messages and writes its bytes.

`key(field, wire)`, `varint(n)`, `field_varint`, `field_bytes` encode single values.
"""
from __future__ import annotations

import numpy as np

VARINT, FIXED64, LEN = 0, 1, 2
_CONST, _VARINT, _FIXED64, _MESSAGE, _TEXT = 0, 1, 2, 4, 5  # node kinds of the compiled writer


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


_KEYS = [[key(f, w) for w in range(3)] for f in range(16)]  # one-byte keys, looked up


def field_varint(field_no: int, n: int) -> bytes:
    return (_KEYS[field_no][VARINT] if field_no < 16 else key(field_no, VARINT)) + (
        _SMALL[n] if 0 <= n < 0x80 else varint(n))


def field_bytes(field_no: int, payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    n = len(payload)
    return (_KEYS[field_no][LEN] if field_no < 16 else key(field_no, LEN)) + (
        _SMALL[n] if n < 0x80 else varint(n)) + payload


class Varint:
    def __init__(self, field_no: int, values, present=None):
        self.key, self.values, self.present = key(field_no, VARINT), values, present


class Fixed64:
    def __init__(self, field_no: int, values, present=None):
        self.key, self.values, self.present = key(field_no, FIXED64), values, present


class Message:
    def __init__(self, field_no: int, pieces: list, present=None):
        self.key, self.pieces, self.present = key(field_no, LEN), pieces, present


class Text:
    """A length-delimited field whose payload is, per record, one of the byte strings `table`."""
    def __init__(self, field_no: int, table: list[bytes], index, present=None):
        self.key, self.table, self.index, self.present = key(field_no, LEN), table, index, present


def _as_u64(values, n: int) -> np.ndarray:
    v = np.asarray(values)
    if v.ndim == 0:
        v = np.full(n, v)
    return v.astype(np.int64, copy=False).view(np.uint64) if v.dtype.kind == "i" else v.astype(np.uint64, copy=False)


class _Program:
    """A record shape compiled for the byte loop: nodes (op, a, b, c, presence column) in
    pre-order, the value and presence columns, a pool of constant bytes and text tables."""

    def __init__(self, n: int, pieces: list) -> None:
        self.n, self.nodes, self.cols, self.present = n, [], [], []
        self.pool, self.offsets = bytearray(), {}
        self.row_off, self.row_len = [], []  # arrays per table
        self.bound = 0   # the most bytes one record can take
        self._add(pieces)

    def _bytes(self, b: bytes) -> int:
        at = self.offsets.get(b)
        if at is None:
            at = self.offsets[b] = len(self.pool)
            self.pool += b
        return at

    def _table(self, table: list[bytes]) -> tuple[int, int]:
        """Append a table's rows to the pool: (its first row number, its longest row)."""
        lens = np.fromiter(map(len, table), np.int64, len(table))
        at = len(self.pool)
        self.pool += b"".join(table)
        base = sum(len(t) for t in self.row_len)
        self.row_off.append(at + np.cumsum(lens) - lens)
        self.row_len.append(lens)
        return base, int(lens.max(initial=0))

    def _presence(self, present) -> int:
        if present is None:
            return -1
        self.present.append(np.broadcast_to(np.asarray(present, bool), (self.n,)))
        return len(self.present) - 1

    def _column(self, values) -> int:
        self.cols.append(_as_u64(values, self.n))
        return len(self.cols) - 1

    def _add(self, pieces: list) -> None:
        for p in pieces:
            if isinstance(p, bytes):
                self.nodes.append([_CONST, self._bytes(p), len(p), 0, -1, 0])
                self.bound += len(p)
            elif isinstance(p, Text):
                base, longest = self._table(p.table)
                col = self._column(np.broadcast_to(np.asarray(p.index, np.int64), (self.n,)))
                self.nodes.append([_TEXT, col, self._bytes(p.key), len(p.key), self._presence(p.present), base])
                self.bound += len(p.key) + 10 + longest
            else:
                pres = self._presence(p.present)
                key_at, key_len = self._bytes(p.key), len(p.key)
                if isinstance(p, Message):
                    k = len(self.nodes)
                    self.nodes.append([_MESSAGE, 0, key_at, key_len, pres, 0])
                    self.bound += key_len + 10
                    self._add(p.pieces)
                    self.nodes[k][1] = len(self.nodes)
                else:
                    op = _VARINT if isinstance(p, Varint) else _FIXED64
                    self.nodes.append([op, self._column(p.values), key_at, key_len, pres, 0])
                    self.bound += key_len + 10


def encode(n: int, pieces: list) -> bytes:
    """The bytes of n records of shape `pieces`, one after another (the compiled loop:
    tracetui/exports/_protowire.pyx)."""
    from tracetui.exports._protowire import write_records

    if n == 0:
        return b""
    prog = _Program(n, pieces)
    cols = np.empty((max(len(prog.cols), 1), n), np.uint64)   # a row per value: contiguous copies
    for j, c in enumerate(prog.cols):
        cols[j] = c
    present = np.empty((max(len(prog.present), 1), n), np.uint8)
    for j, c in enumerate(prog.present):
        present[j] = c
    out = np.empty(n * prog.bound, np.uint8)
    rows = [np.concatenate(t) if t else np.zeros(1, np.int64) for t in (prog.row_off, prog.row_len)]
    size = write_records(np.array(prog.nodes, np.int64).reshape(-1, 6), cols, present,
                         np.frombuffer(bytes(prog.pool) or b"\0", np.uint8), rows[0], rows[1], out)
    return out[:size].tobytes()
