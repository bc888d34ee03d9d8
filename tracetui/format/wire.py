"""The binary wire format of Go execution traces (Go 1.22+), as raw events.

Owns:
- the declarative description of the format in `construct` (header, uvarint,
  batch headers, string/stack table entries, CPU samples, sync batches, timed
  events), with `iter_batches` (batch framing, like `internal/trace/batch.go`) and
  `parse_batch_data` on top of it. These are for tools and tests, not the hot path;
- `RawEvent` and `iter_raw_events`, a reader that behaves like Go's
  `internal/trace/raw.Reader`: a flat stream of events with no validation or
  ordering, where batch headers, table entries and timed events are all events;
- `dump_wire`, the text `go tool trace -d=wire` prints (`raw.Event.String()`);
- `encode_trace`, the binary writer (Go's `raw.Writer`).

Go's raw reader and writer differ from the runtime and the real parser in three
ways this module mirrors on purpose:
- the experiment id of an ExperimentalBatch is read and written as a uvarint (the
  runtime writes one raw byte; the two agree for ids < 128), and the batch's size
  and contents are the event's data;
- the types a version knows are Go's `version.Specs()` slices: a 1.23 or 1.25 trace
  cannot hold experimental types (128+) at top level, and in a 1.26 trace the
  unnamed types 53..127 are read as events with no arguments and an empty name;
- `raw.Writer` writes every uvarint minimally, while the runtime pads the batch
  size field to 10 bytes. `encode_trace(..., pad_batch_size=True)` pads it the
  runtime's way, which reproduces runtime-written traces byte for byte.
"""
from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

import construct as cs

from . import spec as S
from .errors import TraceError
from .goquote import go_quote

__all__ = [
    "UVarint", "PaddedUVarint", "Header", "EventBatchHeader", "ExperimentalBatchHeader", "Batch",
    "StringEntry", "StringsBatch", "Frame", "StackEntry", "StacksBatch", "CPUSample", "CPUSamplesBatch",
    "Frequency", "ClockSnapshot", "sync_batch", "timed_events", "BatchInfo",
    "GO_VERSIONS", "FRAME_FIELDS", "RawEvent", "raw_specs", "read_header", "encode_header",
    "iter_batches", "parse_batch_data", "iter_raw_events", "dump_wire", "encode_trace", "uvarint",
]

U64 = 1 << 64
MAX_VARINT_LEN = 10
PADDED_VARINT_LEN = 10  # the runtime's traceBytesPerNumber
GO_VERSIONS = S.OLD_VERSIONS + S.SUPPORTED_VERSIONS  # version.Valid()
FRAME_FIELDS = ("pc", "func", "file", "line")
ERR_OVERFLOW = "binary: varint overflows a 64-bit integer"


# --- uvarints ---------------------------------------------------------------------------------

def uvarint(value: int, width: int = 0) -> bytes:
    """LEB128 encoding of `value`: minimal, or padded with continuation bytes to `width` bytes."""
    if not 0 <= value < U64:
        raise ValueError(f"uvarint out of range: {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    if width > len(out):
        out[-1] |= 0x80
        out += b"\x80" * (width - len(out) - 1) + b"\x00"
    return bytes(out)


class _UVarint(cs.Construct):
    """A uvarint read like Go's binary.ReadUvarint (non-minimal encodings accepted, at most
    10 bytes); built minimally, or padded to 10 bytes like the runtime's batch size field."""

    def __init__(self, padded: bool = False):
        super().__init__()
        self.padded = padded

    def _parse(self, stream, context, path):
        x = shift = 0
        for i in range(MAX_VARINT_LEN):
            b = stream.read(1)
            if not b:
                raise cs.StreamError("unexpected EOF" if i else "EOF", path=path)
            b = b[0]
            if b < 0x80:
                if i == MAX_VARINT_LEN - 1 and b > 1:
                    raise cs.ValidationError(ERR_OVERFLOW, path=path)
                return x | b << shift
            x |= (b & 0x7F) << shift
            shift += 7
        raise cs.ValidationError(ERR_OVERFLOW, path=path)

    def _build(self, obj, stream, context, path):
        stream.write(uvarint(obj, PADDED_VARINT_LEN if self.padded else 0))
        return obj

    def _sizeof(self, context, path):
        raise cs.SizeofError("uvarints have variable size", path=path)


UVarint = _UVarint()
PaddedUVarint = _UVarint(padded=True)

# --- header -----------------------------------------------------------------------------------

# fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v): a format space needs one or more input spaces
# (fmt's isSpace, newline excluded); %d first skips spaces (a newline, or \r\n, is an error) and
# reads ASCII digits into a uint32.
_UNICODE_SP = rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80"
_SP = rb"[\t\v\f\r ]|" + _UNICODE_SP
_SKIP = rb"(?:[\t\v\f ]|\r(?!\n)|" + _UNICODE_SP + rb")*"
_HEADER_RE = re.compile(rb"go(?:" + _SP + rb")+1\." + _SKIP + rb"([0-9]+)(?:" + _SP + rb")+trace\x00\x00\x00")


def read_header(data: bytes) -> tuple[int, int]:
    """(version, header length) of a trace, with Go's errors (version.ReadHeader)."""
    m = _HEADER_RE.match(bytes(data[:128]))
    if m is None or int(m.group(1)) >= 1 << 32:
        raise TraceError("bad file format: not a Go execution trace?", offset=0)
    version = int(m.group(1))
    if version not in GO_VERSIONS:
        raise TraceError(f"unknown or unsupported trace version go 1.{version}", offset=0)
    return version, m.end()


def encode_header(version: int) -> bytes:
    return b"go 1.%d trace\x00\x00\x00" % version


class _GoHeader(cs.Construct):
    """The file header; parses to the version number."""

    def _parse(self, stream, context, path):
        start = stream.tell()
        version, length = read_header(stream.read(128))
        stream.seek(start + length)
        return version

    def _build(self, obj, stream, context, path):
        stream.write(encode_header(obj))
        return obj


Header = _GoHeader()

# --- batches ----------------------------------------------------------------------------------

EventBatchHeader = cs.Struct(
    "type" / cs.Const(S.EvEventBatch, cs.Byte),
    "gen" / UVarint, "m" / UVarint, "time" / UVarint,
    "size" / PaddedUVarint,
)
ExperimentalBatchHeader = cs.Struct(
    "type" / cs.Const(S.EvExperimentalBatch, cs.Byte),
    "exp" / cs.Byte,  # one raw byte (the runtime's w.byte(exp))
    "gen" / UVarint, "m" / UVarint, "time" / UVarint,
    "size" / PaddedUVarint,
)
# A whole batch. Version 26 ends a generation with a bare EvEndOfGeneration byte between batches.
Batch = cs.Struct(
    "type" / cs.Peek(cs.Byte),
    "header" / cs.Switch(cs.this.type, {
        S.EvEventBatch: EventBatchHeader,
        S.EvExperimentalBatch: ExperimentalBatchHeader,
        S.EvEndOfGeneration: cs.Const(S.EvEndOfGeneration, cs.Byte),
    }, cs.Error),
    "data" / cs.If(cs.this.type != S.EvEndOfGeneration, cs.Bytes(cs.this.header.size)),
)

# --- batch contents ---------------------------------------------------------------------------

StringEntry = cs.Struct("type" / cs.Const(S.EvString, cs.Byte), "id" / UVarint,
                        "len" / UVarint, "data" / cs.Bytes(cs.this.len))
StringsBatch = cs.Struct("type" / cs.Const(S.EvStrings, cs.Byte),
                         "strings" / cs.GreedyRange(StringEntry), cs.Terminated)
Frame = cs.Struct("pc" / UVarint, "func" / UVarint, "file" / UVarint, "line" / UVarint)
StackEntry = cs.Struct("type" / cs.Const(S.EvStack, cs.Byte), "id" / UVarint,
                       "nframes" / UVarint, "frames" / cs.Array(cs.this.nframes, Frame))
StacksBatch = cs.Struct("type" / cs.Const(S.EvStacks, cs.Byte),
                        "stacks" / cs.GreedyRange(StackEntry), cs.Terminated)
CPUSample = cs.Struct("type" / cs.Const(S.EvCPUSample, cs.Byte), "time" / UVarint, "m" / UVarint,
                      "p" / UVarint, "g" / UVarint, "stack" / UVarint)
CPUSamplesBatch = cs.Struct("type" / cs.Const(S.EvCPUSamples, cs.Byte),
                            "samples" / cs.GreedyRange(CPUSample), cs.Terminated)
Frequency = cs.Struct("type" / cs.Const(S.EvFrequency, cs.Byte), "freq" / UVarint)
ClockSnapshot = cs.Struct("type" / cs.Const(S.EvClockSnapshot, cs.Byte), "dt" / UVarint,
                          "mono" / UVarint, "sec" / UVarint, "nsec" / UVarint)


def sync_batch(version: int) -> cs.Construct:
    """The sync batch: before 1.25 a lone Frequency, since 1.25 EvSync then Frequency and ClockSnapshot."""
    if version < S.GO125:
        return cs.Struct("entries" / cs.GreedyRange(Frequency), cs.Terminated)
    return cs.Struct("type" / cs.Const(S.EvSync, cs.Byte),
                     "entries" / cs.GreedyRange(cs.Select(Frequency, ClockSnapshot)), cs.Terminated)


@cache
def timed_events(version: int) -> cs.Construct:
    """The contents of an ordinary batch of one M: timed events, `type dt args...`."""
    specs = raw_specs(version)
    nargs = {t: len(s.args) for t, s in enumerate(specs) if s.timed}
    event = cs.Struct(
        "type" / cs.OneOf(cs.Byte, set(nargs)),
        "args" / cs.Array(lambda ctx: nargs[ctx.type], UVarint),
    )
    return cs.Struct("events" / cs.GreedyRange(event), cs.Terminated)


class BatchInfo(NamedTuple):
    """One batch as Go's readBatch returns it. `end_of_generation` marks a bare EvEndOfGeneration."""

    offset: int
    gen: int
    m: int
    time: int
    exp: int
    data: bytes
    end_of_generation: bool = False


def iter_batches(data: bytes) -> Iterator[BatchInfo]:
    """The batches of a trace, with the errors of internal/trace/batch.go's readBatch."""
    version, pos = read_header(data)
    if version in S.OLD_VERSIONS:
        raise TraceError(f"trace version go 1.{version} has the pre-1.22 format, which has no such batches", offset=0)
    stream = io.BytesIO(data)
    n = len(data)
    fields = ("gen", "M ID", "timestamp", "size")
    while pos < n:
        t = data[pos]
        if t == S.EvEndOfGeneration:
            yield BatchInfo(pos, 0, S.U64_MAX, 0, 0, bytes([t]), True)
            pos += 1
            continue
        if t not in (S.EvEventBatch, S.EvExperimentalBatch):
            raise TraceError(f"expected batch event, got event {t}", offset=pos)
        hdr = EventBatchHeader if t == S.EvEventBatch else ExperimentalBatchHeader
        stream.seek(pos)
        try:
            h = hdr.parse_stream(stream)
        except cs.ConstructError as e:
            # Name the field being read when the stream failed, as Go does.
            path = str(e.path or "")
            which = next((f for p, f in zip(("gen", "m", "time", "size"), fields) if path.endswith("-> " + p)), None)
            if which is None:  # the experiment byte: Go returns the bare read error
                raise TraceError("EOF", offset=stream.tell()) from None
            raise TraceError(f"error reading batch {which}: {_go_err(e)}", offset=stream.tell()) from None
        if h.size > S.MAX_BATCH_SIZE:
            raise TraceError(f"invalid batch size {h.size}, maximum is {S.MAX_BATCH_SIZE}", offset=pos,
                             generation=h.gen)
        start = stream.tell()
        body = data[start:start + h.size]
        if len(body) != h.size:
            raise TraceError(f"failed to read full batch: read {len(body)} but wanted {h.size}",
                             offset=start, generation=h.gen)
        yield BatchInfo(pos, h.gen, h.m, h.time, h.get("exp", 0), bytes(body))
        pos = start + h.size


def _go_err(e: cs.ConstructError) -> str:
    msg = str(e)
    for word in (ERR_OVERFLOW, "unexpected EOF", "EOF"):
        if word in msg:
            return word
    return msg


def parse_batch_data(batch: BatchInfo, version: int):
    """The construct parse of a batch's contents, chosen by its first byte like Go does:
    strings, stacks, CPU samples, sync, or timed events. None for experimental batches
    and EndOfGeneration. Raises TraceError when the contents do not fit the description."""
    d = batch.data
    if batch.exp or batch.end_of_generation or not d:
        return None
    first = d[0]
    if first == S.EvStrings:
        desc = StringsBatch
    elif first == S.EvStacks:
        desc = StacksBatch
    elif first == S.EvCPUSamples:
        desc = CPUSamplesBatch
    elif (first == S.EvFrequency and version < S.GO125) or (first == S.EvSync and version >= S.GO125):
        desc = sync_batch(version)
    else:
        desc = timed_events(version)
    try:
        return desc.parse(d)
    except cs.ConstructError as e:
        raise TraceError(f"malformed batch: {e}", offset=batch.offset, generation=batch.gen) from None


# --- raw events (internal/trace/raw) ----------------------------------------------------------

_GAP = S.EventSpec("")
# How many types Go's version.Specs() slice holds: tracev2.Specs()[:N].
_GO_SPECS_LEN = {11: 0, 19: 0, 21: 0, S.GO122: S.EvUserLog + 1, S.GO123: S.EvExperimentalBatch + 1,
                 S.GO125: S.EvClockSnapshot + 1, S.GO126: S.MAX_EXPERIMENTAL_EVENT}


@cache
def raw_specs(version: int) -> tuple[S.EventSpec, ...]:
    """Go's version.Specs() for `version`, indexed by event type; unnamed slots have name ""."""
    return tuple(S.SPECS.get(t, _GAP) if t else _GAP for t in range(_GO_SPECS_LEN[version]))


@dataclass(slots=True)
class RawEvent:
    """A raw event (Go's raw.Event). For stack events `args` holds id, nframes and then
    4 values per frame (pc, func, file, line). `data` is None when Go's would be nil:
    for events without data, and when the wire data is empty. `offset` is the byte
    offset of the event's type byte in the trace, -1 if unknown; it is not compared."""

    version: int
    type: int
    args: tuple[int, ...] = ()
    data: bytes | None = None
    offset: int = field(default=-1, compare=False)

    @property
    def spec(self) -> S.EventSpec:
        return raw_specs(self.version)[self.type]

    @property
    def name(self) -> str:
        return self.spec.name

    def frames(self) -> list[tuple[int, int, int, int]]:
        """(pc, func string id, file string id, line) per frame of a Stack event."""
        f = self.args[len(self.spec.args):]
        return [tuple(f[i:i + 4]) for i in range(0, len(f), 4)]

    def __str__(self) -> str:
        """raw.Event.String(): the canonical text form, one line or more."""
        spec = self.spec
        args = self.args
        parts = [spec.name]
        for i, a in enumerate(spec.args):
            parts.append(f" {a}={args[i]}")
        if spec.is_stack:
            for i, v in enumerate(args[len(spec.args):]):
                parts.append(("\n\t" if i % 4 == 0 else " ") + f"{FRAME_FIELDS[i % 4]}={v}")
        if self.data is not None:
            parts.append("\n\tdata=" + go_quote(self.data))
        return "".join(parts)

    def encoded_size(self) -> int:
        """raw.Event.EncodedSize(): the minimal encoded size."""
        size = 1 + sum(len(uvarint(a)) for a in self.args)
        if self.spec.has_data:
            d = self.data or b""
            size += len(uvarint(len(d))) + len(d)
        return size


class _CleanEOF(Exception):
    """EOF where Go's raw.Reader returns io.EOF (and `go tool trace -d=wire` stops quietly)."""


def _shape_table(version: int) -> list[tuple[int, bool, bool]]:
    return [(len(s.args), s.is_stack, s.has_data) for s in raw_specs(version)]


def iter_raw_events(data: bytes, *, truncated_ok: bool = False) -> Iterator[RawEvent]:
    """Raw events of a binary trace, as Go's raw.Reader reads them.

    Errors raise TraceError with the byte offset: a bad header, "invalid event type: N",
    "unexpected EOF" (a uvarint cut short), the uvarint overflow. Go's reader ends the
    stream without error when the data stops at a uvarint boundary or inside an event's
    data; with `truncated_ok` this does the same, otherwise it raises "unexpected EOF".
    """
    data = bytes(data) if not isinstance(data, bytes) else data
    version, pos = read_header(data)
    shapes = _shape_table(version)
    nspecs = len(shapes)
    n = len(data)

    def varint(pos: int) -> tuple[int, int]:
        x = shift = 0
        for i in range(MAX_VARINT_LEN):
            if pos >= n:
                if i:
                    raise TraceError("unexpected EOF", offset=pos)
                raise _CleanEOF(pos)
            b = data[pos]
            pos += 1
            if b < 0x80:
                if i == MAX_VARINT_LEN - 1 and b > 1:
                    raise TraceError(ERR_OVERFLOW, offset=pos - 1)
                return x | b << shift, pos
            x |= (b & 0x7F) << shift
            shift += 7
        raise TraceError(ERR_OVERFLOW, offset=pos - 1)

    while pos < n:
        start = pos
        t = data[pos]
        pos += 1
        if t == 0 or t >= nspecs:
            raise TraceError(f"invalid event type: {t}", offset=start)
        nargs, is_stack, has_data = shapes[t]
        try:
            args = []
            for _ in range(nargs):
                b = data[pos] if pos < n else 0x80
                if b < 0x80:
                    args.append(b)
                    pos += 1
                else:
                    v, pos = varint(pos)
                    args.append(v)
            if is_stack and args[1] < 1 << 63:  # Go: int(args[1]), a negative count reads no frames
                for _ in range(4 * args[1]):
                    v, pos = varint(pos)
                    args.append(v)
            payload = None
            if has_data:
                length, pos = varint(pos)
                if length >= 1 << 63:
                    pass  # Go: int(len) < 0 reads nothing, data stays nil
                elif pos + length > n:
                    raise _CleanEOF(n)
                elif length:
                    payload = data[pos:pos + length]
                    pos += length
        except _CleanEOF as e:
            if truncated_ok:
                return
            raise TraceError("unexpected EOF", offset=e.args[0]) from None
        yield RawEvent(version, t, tuple(args), payload, start)


def dump_wire(data) -> Iterator[str]:
    """What `go tool trace -d=wire` prints, one string per event (each one Println):
    `"".join(s + "\\n" for s in dump_wire(data))` is its stdout. `data` is the trace's
    bytes or a path. When Go would fail, TraceError is raised after the events it prints,
    with Go's message as `.message`."""
    if isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as f:
            data = f.read()
    for ev in iter_raw_events(data, truncated_ok=True):
        yield str(ev)


def encode_trace(version: int, events: Iterable[RawEvent], *, pad_batch_size: bool = False) -> bytes:
    """The binary trace of raw events (Go's raw.Writer): the header, then each event's type
    byte, its args as uvarints, and for events with data its length and bytes.

    Like raw.Writer every uvarint is minimal; with `pad_batch_size` the size of each
    EventBatch and ExperimentalBatch is padded to 10 bytes as the runtime writes it.
    Stricter than raw.Writer: an event must have exactly its spec's args (stacks: 4 per
    frame as nframes says), all in 0..2^64-1; otherwise TraceError.
    """
    if version not in GO_VERSIONS:
        raise TraceError(f"unknown or unsupported trace version go 1.{version}")
    specs = raw_specs(version)
    out = bytearray(encode_header(version))
    for i, ev in enumerate(events):
        if ev.version != version:
            raise TraceError(f"mismatched version between writer (go 1.{version}) and event (go 1.{ev.version})")
        t = ev.type
        if not 0 < t < len(specs):
            raise TraceError(f"invalid event type: {t}")
        spec = specs[t]
        args = ev.args
        nargs = len(spec.args)
        want = nargs
        if spec.is_stack and len(args) >= 2 and args[1] < 1 << 63:  # Go's int(nframes) < 0 means none
            want += 4 * args[1]
        if len(args) != want:
            raise TraceError(f"event {i} ({spec.name or t}): {len(args)} args, want {want}")
        out.append(t)
        for a in args:
            if 0 <= a < 0x80:
                out.append(a)
            else:
                out += uvarint(a)
        if pad_batch_size and t == S.EvEventBatch:
            del out[len(out) - len(uvarint(args[3])):]
            out += uvarint(args[3], PADDED_VARINT_LEN)
        if spec.has_data:
            d = ev.data or b""
            out += uvarint(len(d), PADDED_VARINT_LEN if pad_batch_size and t == S.EvExperimentalBatch else 0)
            out += d
    return bytes(out)
