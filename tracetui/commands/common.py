"""What every command shares: the trace argument and its loading (tracetui.loading),
writing output, the usage error.

A command is a class with a `name`, `prepare_parser(parser)` and `run(args) -> int`;
its docstring is its help (first line: the summary; the rest, with examples: the
description). `tracetui.commands.COMMANDS` lists them in the order `--help` shows.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

DEMO_TRACE = Path(__file__).parent.parent / "data" / "demo.trace"
TRACE_HELP = ("trace file (may be gzip-compressed), '-' for stdin, or a live capture URL "
              "http://HOST:PORT/debug/pprof/trace?seconds=N")


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


def source(arg: str, save: str | None = None):
    """What the reader takes for a command-line TRACE (see tracetui.source); `save`: a file
    to keep a copy in (--save)."""
    from tracetui.source import trace_source

    return trace_source(arg, save)


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


def load_trace(arg: str, strict: bool = False, save: str | None = None):
    """The trace of a command-line TRACE, salvaged unless `strict` (tracetui.loading), with
    the salvage warning on stderr."""
    from tracetui.loading import load_trace as load_source

    trace, report = load_source(source(arg, save), strict=strict)
    warn(report)
    return trace, report


def load_model(arg: str, strict: bool = False, save: str | None = None):
    """The model of a command-line TRACE. A truncated or broken trace is salvaged (a warning
    on stderr) unless `strict`, when it is an error (tracetui.loading)."""
    from tracetui.loading import load_model as load_source

    model, report = load_source(source(arg, save), strict=strict, lazy=True)  # a report builds only what it reads
    warn(report)
    return model


def warn(report) -> None:
    if report is not None:
        print(f"tracetui: warning: {report.warning()}", file=sys.stderr)


def add_trace_argument(p, many: str | None = None) -> None:
    """TRACE and --save, which every command takes. With `many` (what several traces mean
    to the command, for the help), TRACE takes several, a directory or a glob: `args.traces`
    is the list and `args.trace` its first."""
    from tracetui.commands.multi import TracesAction

    if many is None:
        p.add_argument("trace", help=TRACE_HELP)
    else:
        p.add_argument("trace", nargs="+", action=TracesAction, metavar="TRACE", help=f"{TRACE_HELP}{many}")
    p.add_argument("--save", metavar="FILE",
                   help="keep a copy of the input in FILE (a live capture or stdin, as received; a file is copied)")


def add_report_options(p) -> None:
    """The trace argument (and --save), --format and --strict every report command takes."""
    from tracetui.reports.output import add_format_option

    add_trace_argument(p, "; several traces, a directory or a glob are reported as one")
    add_format_option(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 on a broken or truncated trace instead of reporting on what could be read")


def sort_key(args, default: str) -> str:
    """--sort, or `default`; `duration` and `start` only with --instances (a group has neither)."""
    key = args.sort or default
    if key in ("duration", "start") and not args.instances:
        raise UsageError(f"--sort {key} needs --instances (a group of {args.command} has no single {key}; "
                         "sort groups by total, max, p99, ...)")
    return key


def name_filter(pattern: str | None):
    """--name REGEX compiled (None when not given); a bad expression is a usage error."""
    import re

    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as e:
        raise UsageError(f"--name {pattern!r}: not a regular expression ({e})") from None


def default_output(trace_arg: str, suffix: str) -> str:
    """TRACE.SUFFIX next to the trace; trace.SUFFIX in the working directory for stdin or a URL."""
    from tracetui.source import is_url

    return f"trace.{suffix}" if trace_arg == "-" or is_url(trace_arg) else f"{trace_arg}.{suffix}"


@contextlib.contextmanager
def output_file(path: str):
    """A binary stream for a command's output file ('-': stdout). A file is written as
    PATH.partial and renamed when complete, so an error leaves no half-written output."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    from tracetui.source import written_whole

    with written_whole(path) as f:
        yield f
