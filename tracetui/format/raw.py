"""Go's raw TEXT trace format and Go's trace test files.

Owns the text form of raw events (Go's `internal/trace/raw` TextReader and
TextWriter), conversions between it and the binary wire format (via `wire`), and
the reader for the toolchain's test cases
(`$GOROOT/src/internal/trace/testdata/tests/*.test`: txtar archives with an
`expect` and a `trace` file, read the way `internal/trace/testtrace` does).

The text format, one event per line (see `raw/doc.go`):

    Trace Go1.26
    EventBatch gen=1 m=18446744073709551615 time=9 size=16
    Stack id=5 nframes=2
        pc=1241251 func=3 file=6 line=124
        pc=7534345 func=6 file=3 line=64
    String id=5
        data="hello world\\x00"

Errors are TraceError with Go's message; their `offset` is the index in the text
where the offending line starts.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from . import wire
from .errors import TraceError
from .goquote import go_is_space, go_quote, go_unquote
from .wire import FRAME_FIELDS, RawEvent

__all__ = ["read_text", "write_text", "text_to_binary", "binary_to_text", "parse_txtar",
           "parse_expectation", "TestCase", "load_test_case"]

_DIGITS = re.compile(r"[0-9]+\Z")
_SPACES = "".join(chr(c) for c in range(0x3001) if go_is_space(chr(c)))  # for strings.TrimSpace
U64 = 1 << 64


def _q(s: str) -> str:
    """Go's %q of a string."""
    return go_quote(s.encode("utf-8", "surrogateescape"))


def _parse_uint(s: str) -> int:
    """strconv.ParseUint(s, 10, 64), with Go's error text."""
    if not _DIGITS.match(s):
        raise ValueError(f"strconv.ParseUint: parsing {_q(s)}: invalid syntax")
    v = int(s)
    if v >= U64:
        raise ValueError(f"strconv.ParseUint: parsing {_q(s)}: value out of range")
    return v


def _read_token(s: str) -> tuple[str, str]:
    """readToken: the first space-separated token and the rest; "" for blank or '#' comment."""
    start = -1
    for i, ch in enumerate(s):
        if ch == "#":
            return "", ""
        if not go_is_space(ch):
            start = i
            break
    if start < 0:
        return "", ""
    for i in range(start, len(s)):
        if go_is_space(s[i]) or s[i] == "#":
            return s[start:i], s[i:]
    return s[start:], ""


def _only_space(s: str) -> bool:
    return all(go_is_space(ch) for ch in s)


def _read_args(s: str, names: Iterable[str]) -> list[int]:
    args = []
    for name in names:
        tok, rest = _read_token(s)
        if not tok:
            raise ValueError("no argument")
        arg, eq, val = tok.partition("=")
        if not eq:
            raise ValueError(f"malformed argument: {_q(tok)}")
        try:
            value = _parse_uint(val)
        except ValueError:
            raise ValueError(f"failed to parse argument value {_q(val)} for arg {_q(arg)}") from None
        if arg != name:
            raise ValueError(f"expected argument {_q(name)}, but got {_q(arg)}")
        args.append(value)
        s = rest
    if not _only_space(s):
        raise ValueError(f"encountered unexpected non-space at the end of an event: {_q(s)}")
    return args


def _read_data(line: str) -> bytes:
    key, eq, val = line.partition("=")
    if not eq or key.strip(_SPACES) != "data":
        raise ValueError(f"malformed data: {_q(line)}")
    try:
        return go_unquote(val.strip(_SPACES))
    except ValueError as e:
        raise ValueError(f"failed to parse data: {_q(line)}: {e}") from None


def _go_list(args: list[int]) -> str:
    return "[" + " ".join(map(str, args)) + "]"


class _Lines:
    """bufio.Scanner(ScanLines) plus nextLine: skips blank and comment lines."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.i = 0
        self.pos = 0  # start of the next line in text
        self.start = 0  # start of the line last returned

    def next(self) -> str | None:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            self.i += 1
            self.start = self.pos
            self.pos += len(line) + 1
            if line.endswith("\r"):
                line = line[:-1]
            if _read_token(line)[0]:
                return line
        return None


def read_text(text: str | bytes) -> tuple[int, list[RawEvent]]:
    """Parse a text trace (Go's raw.TextReader) into (version, raw events)."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", "surrogateescape")
    lines = _Lines(text)

    def fail(msg: str):
        raise TraceError(msg, offset=lines.start)

    line = lines.next()
    if line is None:
        raise TraceError("EOF", offset=len(text))
    tok, line = _read_token(line)
    if tok != "Trace":
        fail("failed to parse header")
    gover, line = _read_token(line)
    if not gover.startswith("Go1."):
        fail("failed to parse header Go version")
    try:
        version = _parse_uint(gover[len("Go1."):]) & 0xFFFFFFFF  # version.Version is a uint32
    except ValueError as e:
        fail(f"failed to parse header Go version: {e}")
    if version not in wire.GO_VERSIONS:
        fail(f"unknown or unsupported Go version 1.{version}")
    if not _only_space(line):
        fail(f"encountered unexpected non-space at the end of the header: {_q(line)}")

    specs = wire.raw_specs(version)
    names = {s.name: t for t, s in enumerate(specs)}
    events = []
    while (line := lines.next()) is not None:
        start = lines.start
        name, line = _read_token(line)
        t = names.get(name)
        if t is None:
            fail(f"unidentified event: {name}")
        spec = specs[t]
        try:
            args = _read_args(line, spec.args)
        except ValueError as e:
            fail(f"reading args for {name}: {e}")
        if spec.is_stack and args[1] < 1 << 63:
            for _ in range(args[1]):
                frame = lines.next()
                if frame is None:
                    fail(f"unexpected EOF while reading stack: args={_go_list(args)}")
                try:
                    args += _read_args(frame, FRAME_FIELDS)
                except ValueError as e:
                    fail(str(e))
        data = None
        if spec.has_data:
            dline = lines.next()
            if dline is None:
                fail(f"unexpected EOF while reading data for {name}: args={_go_list(args)}")
            try:
                data = _read_data(dline)
            except ValueError as e:
                fail(str(e))
        events.append(RawEvent(version, t, tuple(args), data, start))
    return version, events


def write_text(version: int, events: Iterable[RawEvent]) -> str:
    """The text form of raw events (Go's raw.TextWriter): a header line, then String() per event."""
    out = [f"Trace Go1.{version}\n"]
    for ev in events:
        if ev.version != version:
            raise TraceError(f"mismatched version between writer (go 1.{version}) and event (go 1.{ev.version})")
        out.append(str(ev))
        out.append("\n")
    return "".join(out)


def text_to_binary(text: str | bytes) -> bytes:
    """A text trace as a binary trace, like Go's test harness builds it (raw.Writer:
    minimal uvarints, batch sizes as the text states them)."""
    version, events = read_text(text)
    return wire.encode_trace(version, events)


def binary_to_text(data: bytes) -> str:
    """A binary trace as text (raw.Reader into raw.TextWriter). Like Go's reader this stops
    quietly when the data ends at an event boundary's uvarint or inside event data.

    Not every binary trace round-trips through text: Go's reader leaves the data of a
    String with no bytes nil, which String() does not print, so the text lacks the data
    line the text reader wants (this is Go's behaviour too)."""
    version, _ = wire.read_header(data)
    return write_text(version, wire.iter_raw_events(data, truncated_ok=True))


# --- Go's trace test files ----------------------------------------------------------------------

def _marker(data: bytes) -> tuple[str, bytes]:
    """txtar isMarker: ("name", rest) when data starts with a '-- name --' line, else ("", b"")."""
    if not data.startswith(b"-- "):
        return "", b""
    nl = data.find(b"\n")
    line, after = (data[:nl], data[nl + 1:]) if nl >= 0 else (data, b"")
    if not (line.endswith(b" --") and len(line) >= 6):
        return "", b""
    return line[3:-3].decode("utf-8", "surrogateescape").strip(_SPACES), after


def _fix_nl(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def _find_marker(data: bytes) -> tuple[bytes, str, bytes]:
    i = 0
    while True:
        name, after = _marker(data[i:])
        if name:
            return data[:i], name, after
        j = data.find(b"\n-- ", i)
        if j < 0:
            return _fix_nl(data), "", b""
        i = j + 1


def parse_txtar(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A txtar archive (Go's internal/txtar.Parse): (comment, [(file name, contents)])."""
    comment, name, data = _find_marker(data)
    files = []
    while name:
        contents, next_name, data = _find_marker(data)
        files.append((name, contents))
        name = next_name
    return comment, files


def parse_expectation(data: bytes) -> tuple[bool, str | None]:
    """The `expect` file (testtrace.ParseExpectation): (expect success, error regexp).

    Only the first line counts: `SUCCESS`, or `FAILURE "<Go-quoted regexp>"`, which the
    error message must match somewhere (Go's MatchString; Python's re.search agrees on
    the patterns Go's tests use). No line at all means success."""
    text = data.decode("utf-8", "surrogateescape")
    if not text:
        return True, None
    line = text.split("\n", 1)[0]
    if line.endswith("\r"):
        line = line[:-1]
    head, sep, rest = line.partition(" ")
    if head == "SUCCESS":
        return True, None
    if head != "FAILURE":
        raise TraceError(f"bad header line: {_q(line)}")
    if not sep:
        raise TraceError(f"bad header line for FAILURE: {_q(line)}")
    try:
        pattern = go_unquote(rest).decode("utf-8", "surrogateescape")
    except ValueError as e:
        raise TraceError(f"malformed pattern: not correctly quoted: {rest}: {e}") from None
    try:
        re.compile(pattern)
    except re.error as e:
        raise TraceError(f"malformed pattern: not a valid regexp: {pattern}: {e}") from None
    return False, pattern


@dataclass(frozen=True)
class TestCase:
    """One of Go's trace test cases: the trace as Go's harness feeds it to the parser, and
    whether parsing must succeed or fail with an error matching `expect_error_regex`."""

    __test__: ClassVar[bool] = False  # not a pytest class

    name: str
    expect_success: bool
    expect_error_regex: str | None
    trace_bytes: bytes
    version: int = 0
    trace_text: str = ""

    def check(self, error: BaseException | str | None) -> str | None:
        """Expectation.Check: None if `error` (None for success) is what the case expects,
        else Go's complaint."""
        msg = None if error is None else str(error.message if isinstance(error, TraceError) else error)
        if self.expect_success and msg is not None:
            return f"unexpected error while reading the trace: {msg}"
        if not self.expect_success and msg is None:
            return ("expected error while reading the trace: want something matching "
                    f"{_q(self.expect_error_regex or '')}, got none")
        if not self.expect_success and not re.search(self.expect_error_regex or "", msg):
            return ("unexpected error while reading the trace: want something matching "
                    f"{_q(self.expect_error_regex or '')}, got {msg}")
        return None


def load_test_case(path: str | os.PathLike) -> TestCase:
    """Read a `*.test` file like testtrace.ParseFile: exactly two files, `expect` then
    `trace`; the trace text becomes binary through the raw text reader and writer."""
    path = Path(path)
    _, files = parse_txtar(path.read_bytes())
    if len(files) != 2:
        raise TraceError(f"malformed test {path}: wrong number of files")
    if files[0][0] != "expect":
        raise TraceError(f"malformed test {path}: bad filename {files[0][0]}")
    if files[1][0] != "trace":
        raise TraceError(f"malformed test {path}: bad filename {files[1][0]}")
    text = files[1][1].decode("utf-8", "surrogateescape")
    try:
        version, events = read_text(text)
    except TraceError as e:
        raise TraceError(f"malformed test {path}: bad trace file: {e.message}", offset=e.offset) from None
    trace_bytes = wire.encode_trace(version, events)
    success, regex = parse_expectation(files[0][1])
    return TestCase(path.name.removesuffix(".test"), success, regex, trace_bytes, version, text)

