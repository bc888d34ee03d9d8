"""Reading a trace file into a `Trace`: the header, then the compiled core.

`read(source)` takes a path, a file object or bytes and returns a `Trace`: the
ordered events as numpy columns plus the string, frame and stack tables. An invalid
trace raises `TraceError`; what could be read before the error (every event Go
would have printed) is on `TraceError.partial`.
"""
from __future__ import annotations

import ctypes
import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tracetui.format import spec
from tracetui.format._core import Decoder
from tracetui.format.errors import TraceError
from tracetui.format.runs import RunColumn

# Go reads the header with fmt.Fscanf("go 1.%d trace\x00\x00\x00"): a blank in the
# format matches any run of blanks (spaces, tabs, carriage returns) in the input.
_HEADER = re.compile(rb"go[ \t\r]+1\.(\d+)[ \t\r]+trace\x00\x00\x00")



@dataclass(eq=False)
class Trace:
    """The ordered events of one trace, as columns, and its tables.

    Event columns (row i is the i-th event Go's parser returns):
    `time` (ns, int64), `type` (wire type, 255 = Sync), `m`/`p`/`g` (dense
    indices into `thread_ids`/`proc_ids`/`goroutine_ids`, -1 = none), `stack`
    (index into the stack table, 0 = none; int16 unless a trace has more than
    32767 stacks), `aux` (per-type, see `tracetui.format.event`). `m` and `p`
    are `RunColumn`s (tracetui.format.runs): int32 values stored once per change,
    indexed like arrays.

    The 64-bit payloads are sparse, since most events carry none: `arg` has one
    entry per event whose type carries one, in event order; `arg_rows` (computed
    on first use) names those rows. Likewise `arg2`/`arg2_rows`. `arg_of(rows)` /
    `arg2_of(rows)` look payloads up by row.
    """

    version: int
    size: int
    time: np.ndarray
    type: np.ndarray
    m: RunColumn
    p: RunColumn
    g: np.ndarray
    stack: np.ndarray
    aux: np.ndarray
    arg: np.ndarray
    arg2: np.ndarray
    strings: list[str]
    frame_pc: np.ndarray
    frame_func: np.ndarray
    frame_file: np.ndarray
    frame_line: np.ndarray
    stack_offsets: np.ndarray
    stack_frames: np.ndarray
    goroutine_ids: np.ndarray
    proc_ids: np.ndarray
    thread_ids: np.ndarray
    generations: list[dict]
    experimental_args: list[tuple[int, int, int]]
    valid_bytes: int
    error: TraceError | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.time)

    def __getitem__(self, i: int):
        from tracetui.format.event import Event

        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return Event(self, i)

    def __iter__(self) -> Iterator:
        for i in range(len(self)):
            yield self[i]

    @property
    def kind(self) -> np.ndarray:
        """The public event kind (spec.KindXxx) of every event."""
        if "kind" not in self._cache:
            table = np.zeros(256, np.uint8)
            for t, k in spec.TYPE_TO_KIND.items():
                table[t] = k
            self._cache["kind"] = table[self.type]
        return self._cache["kind"]

    def rows_where(self, types) -> np.ndarray:
        """Rows whose event type is one of `types`: byte comparisons, no wide temporaries."""
        types = sorted({int(t) for t in types})
        if not types:
            return np.zeros(0, np.int64)
        hit = self.type == types[0]
        for t in types[1:]:
            hit |= self.type == t
        return np.flatnonzero(hit)

    def _rows_of(self, name: str, types: list[int]) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self.rows_where(types)
        return self._cache[name]

    @property
    def arg_rows(self) -> np.ndarray:
        from tracetui.format._core import ARG_TYPES

        return self._rows_of("arg_rows", ARG_TYPES)

    @property
    def arg2_rows(self) -> np.ndarray:
        from tracetui.format._core import ARG2_TYPES

        return self._rows_of("arg2_rows", ARG2_TYPES)

    def arg_of(self, rows) -> np.ndarray:
        """The `arg` payload of the given rows (0 where a row has none)."""
        return _sparse_lookup(self.arg_rows, self.arg, rows)

    def arg2_of(self, rows) -> np.ndarray:
        """The `arg2` payload of the given rows (0 where a row has none)."""
        return _sparse_lookup(self.arg2_rows, self.arg2, rows)

    def stack_frame_ids(self, stack: int) -> np.ndarray:
        """Frame indices of a stack, innermost first."""
        return self.stack_frames[self.stack_offsets[stack]:self.stack_offsets[stack + 1]]

    def frames(self, stack: int) -> list[tuple[str, str, int, int]]:
        """(function, file, line, pc) of each frame of a stack, innermost first."""
        s = self.strings
        return [(s[self.frame_func[f]], s[self.frame_file[f]], int(self.frame_line[f]), int(self.frame_pc[f]))
                for f in self.stack_frame_ids(stack)]

    @property
    def lost_bytes(self) -> int:
        """Bytes after the last generation that was read completely."""
        return self.size - self.valid_bytes


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _malloc_trim()


def release_free_memory(events: int) -> None:
    """Hand freed heap pages back to the OS after a big pass (of `events` events): glibc
    keeps a pass's many small C++ allocations resident otherwise, under what comes next."""
    if _MALLOC_TRIM is not None and events > 1 << 20:
        _MALLOC_TRIM(0)


def _sparse_lookup(keys: np.ndarray, vals: np.ndarray, rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.int64)
    if len(keys) == 0:
        return np.zeros(rows.shape, np.int64)
    pos = np.minimum(np.searchsorted(keys, rows), len(keys) - 1)
    return np.where(keys[pos] == rows, vals[pos], 0)


def _open(source) -> tuple[object, int]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return source, len(source)
    if hasattr(source, "read"):
        data = source.read()
        return data, len(data)
    path = Path(os.fspath(source))
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            if size == 0:
                return b"", 0
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), size
    except OSError as e:
        raise file_error(path, e) from None


def file_error(path, e: OSError) -> TraceError:
    """The TraceError for a trace file that cannot be read."""
    if isinstance(e, IsADirectoryError):
        return TraceError(f"{path} is a directory, not a trace file")
    if isinstance(e, FileNotFoundError):
        return TraceError(f"{path}: no such file")
    if isinstance(e, PermissionError):
        return TraceError(f"{path}: permission denied")
    return TraceError(f"{path}: {e.strerror or e}")


def read_header(data) -> int:
    """The format version named by the header, or TraceError."""
    head = bytes(data[:32])
    if not head:
        raise TraceError("empty file: not a Go execution trace", offset=0)
    m = _HEADER.match(head)
    if not m:
        if head.startswith(b"\x1f\x8b"):
            raise TraceError("bad file format: gzip-compressed data, not a Go execution trace "
                             "(a pprof profile? read it with `go tool pprof`)", offset=0)
        raise TraceError("bad file format: not a Go execution trace?", offset=0)
    v = int(m.group(1))
    supported = ", ".join(f"go 1.{x}" for x in spec.OLD_VERSIONS + spec.SUPPORTED_VERSIONS)
    if v not in spec.SUPPORTED_VERSIONS and v not in spec.OLD_VERSIONS:
        raise TraceError(f"unknown or unsupported trace version go 1.{v} (supported: {supported})", offset=0)
    return v


def read(source, progress=None) -> Trace:
    """Decode, order and validate a trace; see the module docstring.

    `progress(bytes_done, bytes_total, generations_done)` is called after each generation.
    """
    data, size = _open(source)
    version = read_header(data)
    start = _HEADER.match(bytes(data[:32])).end()
    if version in spec.OLD_VERSIONS:
        from tracetui.format.v1 import read_v1

        try:
            return read_v1(data, size, version, start, Trace, progress)
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
    dec = Decoder(data, version, start, progress, isinstance(data, mmap.mmap))
    dec.run()
    out = dec.finish()
    cols = out["columns"]
    n = len(cols["time"])
    cols.update({name: RunColumn(starts, values, n) for name, (starts, values) in out["runs"].items()})
    pc, func, file, line = out["frames"]
    trace = Trace(
        version=version, size=size, **cols, strings=out["strings"],
        frame_pc=pc, frame_func=func, frame_file=file, frame_line=line,
        stack_offsets=out["stack_offsets"], stack_frames=out["stack_frames"],
        goroutine_ids=out["goroutine_ids"], proc_ids=out["proc_ids"], thread_ids=out["thread_ids"],
        generations=dec.generations, experimental_args=dec.exp_args, valid_bytes=dec.valid_bytes,
    )
    error = dec.error
    del dec
    if isinstance(data, mmap.mmap):
        data.close()
    release_free_memory(n)
    if error is not None:
        msg, offset, gen = error
        trace.error = TraceError(msg, offset=offset, generation=gen)
        trace.error.partial = trace
        raise trace.error
    return trace
