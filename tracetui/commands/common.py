"""What every command shares: loading the trace, writing output, the usage error.

A command is a class with a `name`, `prepare_parser(parser)` and `run(args) -> int`;
its docstring is its help (first line: the summary; the rest, with examples: the
description). `tracetui.commands.COMMANDS` lists them in the order `--help` shows.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tracetui.format import TraceError

DEMO_TRACE = Path(__file__).parent.parent / "data" / "demo.trace"


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


def load(path: str):
    from tracetui.format import read

    return read(sys.stdin.buffer if path == "-" else path)


def quiet_broken_pipe() -> None:
    """The reader went away (`| head`): send the rest of our output nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def write_lines(lines) -> None:
    """Write text lines as bytes: trace strings need not be UTF-8 (Go prints them raw)."""
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    try:
        for line in lines:
            if out is None:
                sys.stdout.write(line)
            else:
                out.write(line.encode("utf-8", "surrogateescape"))
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()


def read_bytes(path: str) -> bytes:
    """A file's bytes; a directory or missing file is a TraceError worded like the reader's."""
    from tracetui.format.reader import file_error

    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise file_error(path, e) from None


def explain(err: TraceError, path: str | None) -> str:
    """The error line, with a better guess at what a gzip file holds than the reader's."""
    if err.offset == 0 and "gzip" in err.message and path and path != "-":
        import gzip
        import zlib

        name = f"{path}: "
        try:
            with gzip.open(path, "rb") as f:
                head = f.read(64)
        except (OSError, EOFError, zlib.error):
            head = b""
        if head.startswith(b"go 1.") and b" trace\x00\x00\x00" in head:
            return name + f"a gzip-compressed Go execution trace: decompress it first (`gunzip -k {path}`)"
        if head[:1] == b"\x0a":  # field 1 (sample_type), length-delimited: a profile.proto Profile
            return (name + "this looks like a pprof profile (gzip-compressed protobuf), not an execution "
                    f"trace: read it with `go tool pprof {path}`")
        return name + "gzip-compressed data, not a Go execution trace"
    return str(err)


def load_model(path: str, strict: bool = False):
    """The model of a trace. A truncated or broken trace is salvaged (a warning with Go's
    "Lost N%" line on stderr) unless `strict`, when it is an error."""
    from tracetui.format.salvage import read_salvaged
    from tracetui.model import build

    if strict:
        trace = load(path)
    else:
        trace, report = read_salvaged(sys.stdin.buffer if path == "-" else path)
        if report is not None:
            print(f"tracetui: warning: {report.warning()}", file=sys.stderr)
    return build(trace)


def add_report_options(p) -> None:
    """The trace argument, --format and --strict every report command takes."""
    from tracetui.reports.output import add_format_option

    p.add_argument("trace", help="trace file ('-' for stdin)")
    add_format_option(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 on a broken or truncated trace instead of reporting on what could be read")
