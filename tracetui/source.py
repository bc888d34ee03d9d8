"""Where a trace comes from: turning a command-line TRACE argument into what
`tracetui.format.read` takes.

`trace_source(arg)` accepts

- a file path: returned as is (the reader maps the file), unless the file is
  gzip-compressed (detected by its magic bytes, not its name);
- `-`: standard input, read to the end;
- `http://host:port/debug/pprof/trace?seconds=N`: a live capture from a Go
  program serving net/http/pprof, with a progress line on stderr;

and with `save=FILE` (`--save`) keeps a copy of what came in (`save_copy`).

Compressed input is decompressed in memory with a cap (`gunzip_limit`): at most
GUNZIP_RATIO times the compressed size, and never less than GUNZIP_FLOOR, so a
gzip bomb is refused instead of taking unbounded memory. A live capture is
capped at MAX_CAPTURE bytes. Every failure is a TraceError with one line that
names the source.
"""
from __future__ import annotations

import contextlib
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tracetui.format import TraceError

GZIP_MAGIC = b"\x1f\x8b"
GUNZIP_RATIO = 32                 # Go traces compress 3-8x; gzip's own worst case is ~1000x
GUNZIP_FLOOR = 256 << 20          # small files may still decompress to this much
MAX_CAPTURE = 4 << 30             # bytes accepted from one live capture
CAPTURE_GRACE = 15.0              # seconds a capture may go quiet beyond its ?seconds=N
_CHUNK = 1 << 20


def is_url(arg: str) -> bool:
    return arg.startswith(("http://", "https://"))


def display_name(arg: str) -> str:
    return "stdin" if arg == "-" else arg


def trace_source(arg: str, save: str | None = None):
    """A path or bytes for `tracetui.format.read`. `save`: a file that gets a copy of the
    input as it came (a capture or stdin, gzip or not; a file is copied), before it is read."""
    if is_url(arg):
        data = capture(arg)
    elif arg == "-":
        if sys.stdin.isatty():
            raise TraceError("stdin is a terminal, not a trace: pipe one in "
                             "(`ssh prod cat trace.out | tracetui -`) or name a file")
        data = sys.stdin.buffer.read()
    else:
        data = None
        if _starts_with_gzip_magic(arg):
            data = Path(arg).read_bytes()
    if save:
        save_copy(save, arg if data is None else data)
    if data is not None and data[:2] == GZIP_MAGIC:
        data = gunzip_trace(data, display_name(arg))
    return arg if data is None else data


def save_copy(path: str, data) -> None:
    """Write `data` (bytes, or the path of a file to copy) to `path`, through PATH.partial so
    that a failure leaves no half-written copy."""
    import os
    import shutil

    if isinstance(data, str) and (not os.path.isfile(data) or
                                  (os.path.exists(path) and os.path.samefile(data, path))):
        return  # nothing to copy (the reader reports a missing file), or it is the copy already
    with written_whole(path) as f:
        if isinstance(data, str):
            with open(data, "rb") as src:
                shutil.copyfileobj(src, f)
        else:
            f.write(data)


@contextlib.contextmanager
def written_whole(path: str):
    """A binary file for writing `path`: it is written as PATH.partial and renamed when the
    block ends without error, so a failure leaves no half-written file (and an OSError
    names `path`)."""
    import os

    partial = f"{path}.partial"
    try:
        with open(partial, "wb") as f:
            yield f
        os.replace(partial, path)
    except OSError as e:
        e.filename = path
        raise
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def source_bytes(arg: str, save: str | None = None) -> bytes | bytearray:
    """The (decompressed, captured) bytes of a source, for commands that need them all."""
    src = trace_source(arg, save)
    if isinstance(src, str):
        from tracetui.format.reader import file_error

        try:
            return Path(src).read_bytes()
        except OSError as e:
            raise file_error(src, e) from None
    return src


def _starts_with_gzip_magic(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(2) == GZIP_MAGIC
    except OSError:
        return False  # the reader reports a missing or unreadable file in its own words


def gunzip_limit(compressed_size: int) -> int:
    return max(GUNZIP_FLOOR, GUNZIP_RATIO * compressed_size)


def gunzip_trace(data: bytes, name: str) -> bytearray:
    """Decompress gzip data (all members) within `gunzip_limit`; say what it holds if not a trace."""
    limit = gunzip_limit(len(data))
    out = bytearray()
    rest = data
    try:
        while rest[:2] == GZIP_MAGIC:
            d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            buf = rest
            while True:
                out += d.decompress(buf, limit + 1 - len(out))
                if len(out) > limit:
                    raise TraceError(f"{name}: decompresses to more than {limit} bytes ({GUNZIP_RATIO} times its "
                                     f"size, at least {GUNZIP_FLOOR >> 20} MiB): refused as a possible gzip bomb; "
                                     "decompress it yourself if it is genuine")
                if d.eof or not d.unconsumed_tail:
                    break
                buf = d.unconsumed_tail
            if not d.eof:
                raise TraceError(f"{name}: truncated gzip data")
            rest = d.unused_data
    except zlib.error as e:
        raise TraceError(f"{name}: broken gzip data ({e})") from None
    head = bytes(out[:64])
    if head.startswith(b"go 1.") or b" trace\x00\x00\x00" in head[:32]:
        return out
    kinds = profile_sample_types(out)
    if kinds is not None:
        how = f"`go tool pprof {name}`" if name != "stdin" else "`go tool pprof FILE`"
        what = f" of {', '.join(kinds)}" if kinds else ""
        raise TraceError(f"{name}: this looks like a pprof profile{what} (gzip-compressed protobuf), not an "
                         f"execution trace: read it with {how}")
    raise TraceError(f"{name}: gzip-compressed data, not a Go execution trace")


# profile.proto's Profile message (github.com/google/pprof/proto/profile.proto): the wire
# types each field may have. runtime/pprof writes them in no fixed order: time_nanos (9)
# first in a CPU profile, period_type (11) first in the others.
_PROFILE_FIELDS = {1: (2,), 2: (2,), 3: (2,), 4: (2,), 5: (2,), 6: (2,), 7: (0,), 8: (0,), 9: (0,), 10: (0,),
                   11: (2,), 12: (0,), 13: (0, 2), 14: (0,), 15: (0,)}
_PROFILE_MAX_FIELDS = 1 << 20


def _fields(data, pos: int, end: int):
    """(field, wire type, value or (start, end) of the bytes) of a protobuf message; ValueError
    where it is not one."""
    def uvarint(pos):
        x = shift = 0
        for _i in range(10):
            if pos >= end:
                raise ValueError("truncated varint")
            b = data[pos]
            pos += 1
            x |= (b & 0x7F) << shift
            if b < 0x80:
                return x, pos
            shift += 7
        raise ValueError("varint too long")

    while pos < end:
        key, pos = uvarint(pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = uvarint(pos)
            yield field, wire, value
        elif wire == 2:
            n, pos = uvarint(pos)
            if pos + n > end:
                raise ValueError("length past the end")
            yield field, wire, (pos, pos + n)
            pos += n
        else:
            raise ValueError(f"wire type {wire}")


def profile_sample_types(data) -> list[str] | None:
    """None unless `data` parses as a profile.proto Profile (every field a Profile field of
    its wire type, a string table present); then its sample types ("cpu/nanoseconds", ...)."""
    sample_types, strings, seen = [], [], 0
    try:
        for field, wire, value in _fields(data, 0, len(data)):
            if wire not in _PROFILE_FIELDS.get(field, ()):
                return None
            seen += 1
            if field == 1:
                vt = {f: v for f, w, v in _fields(data, *value) if w == 0}
                sample_types.append((vt.get(1, 0), vt.get(2, 0)))
            elif field == 6:
                strings.append(bytes(data[value[0]:value[1]]).decode("utf-8", "replace"))
            if seen >= _PROFILE_MAX_FIELDS:
                break
    except ValueError:
        return None
    if not strings or strings[0] != "":  # the string table always begins with ""
        return None

    def name(i):
        return strings[i] if 0 <= i < len(strings) else "?"
    return [f"{name(t)}/{name(u)}" for t, u in sample_types]


def _seconds_of(url: str) -> float:
    try:
        return max(float(parse_qs(urlsplit(url).query).get("seconds", ["1"])[0]), 0.0)
    except ValueError:
        return 1.0  # net/http/pprof answers a bad value itself


def capture(url: str, err=None, max_bytes: int = MAX_CAPTURE) -> bytearray:
    """Capture a trace from net/http/pprof's /debug/pprof/trace, with progress on stderr."""
    import socket
    import urllib.error
    import urllib.request

    err = sys.stderr if err is None else err
    seconds = _seconds_of(url)
    timeout = seconds + CAPTURE_GRACE  # per socket operation: the runtime flushes every generation (~1s)
    t0 = time.monotonic()
    out = bytearray()
    live = hasattr(err, "isatty") and err.isatty()
    back = "\r" if live else ""  # a terminal shows one line, updated in place
    last_report = 0.0

    def report(end: str) -> None:
        print(f"{back}tracetui: capturing {url}: {len(out) / 1e6:.1f} MB, "
              f"{time.monotonic() - t0:.1f}s/{seconds:g}s", end=end, file=err, flush=True)

    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            while chunk := resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK):
                out += chunk
                if len(out) > max_bytes:
                    raise TraceError(f"{url}: capture larger than {max_bytes} bytes: stopped")
                if live and time.monotonic() - last_report > 0.2:
                    last_report = time.monotonic()
                    report("")
    except urllib.error.HTTPError as e:
        body = e.read(300).decode("utf-8", "replace").strip().splitlines()
        hint = f": {body[0]}" if body else ""
        if e.code == 404:
            hint = " (is net/http/pprof served at this address?)"
        raise TraceError(f"{url}: HTTP {e.code} {e.reason}{hint}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(reason, (socket.timeout, TimeoutError)):
            reason = f"timed out after {timeout:g}s"
        raise TraceError(f"{url}: cannot connect: {reason}") from None
    except TimeoutError:
        raise TraceError(f"{url}: timed out after {timeout:g}s without data ({len(out)} bytes received)") from None
    except (OSError, ValueError) as e:
        raise TraceError(f"{url}: {e}") from None
    report("\n")
    if not out:
        raise TraceError(f"{url}: the server sent no data")
    return out


__all__ = ["GUNZIP_FLOOR", "GUNZIP_RATIO", "MAX_CAPTURE", "capture", "gunzip_trace", "is_url",
           "profile_sample_types", "save_copy", "source_bytes", "trace_source"]
