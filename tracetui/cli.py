"""The `tracetui` command line: `tracetui TRACE` and its sibling commands.

Each command is a class with `prepare_parser(parser)` and `run(args) -> int`; its
docstring is its help. `main(argv)` turns a TraceError (or a missing file) into one
line on stderr and exit code 1, a usage error into exit code 2. Never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tracetui.format import TraceError

DEMO_TRACE = Path(__file__).parent / "data" / "demo.trace"


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


def _load(path: str):
    from tracetui.format import read

    return read(sys.stdin.buffer if path == "-" else path)


def _quiet_broken_pipe() -> None:
    """The reader went away (`| head`): send the rest of our output nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _write_lines(lines) -> None:
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
        _quiet_broken_pipe()


def _read_bytes(path: str) -> bytes:
    """A file's bytes; a directory or missing file is a TraceError worded like the reader's."""
    from tracetui.format.reader import file_error

    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise file_error(path, e) from None


def _explain(err: TraceError, path: str | None) -> str:
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


class EventsCommand:
    """Print the ordered event stream.

    The default text is exactly what `go tool trace -d=parsed TRACE` prints
    (run both with TZ=UTC to compare). `--format jsonl` prints one JSON object
    per event; `--wire` dumps the raw batches like `go tool trace -d=wire`.
    On an invalid trace it prints the events before the error, as Go does,
    then the error, and exits 1.

    examples:
      tracetui events trace.out | less
      tracetui events trace.out --format jsonl | jq 'select(.kind=="Log")'
      tracetui events trace.out --wire
    """

    name = "events"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("trace", help="trace file ('-' for stdin)")
        g = p.add_mutually_exclusive_group()
        g.add_argument("--format", choices=("text", "jsonl"), default="text", help="output format (default: text)")
        g.add_argument("--wire", action="store_true", help="dump raw batches and events (like -d=wire)")

    def run(self, args) -> int:
        if args.wire:
            from tracetui.format.wire import dump_wire

            data = sys.stdin.buffer.read() if args.trace == "-" else _read_bytes(args.trace)
            if not data or data[:2] == b"\x1f\x8b":
                from tracetui.format import read_header

                read_header(data)  # the reader's words for an empty file or gzip data
            _write_lines(line + "\n" for line in dump_wire(data))
            return 0
        from tracetui.format import read
        from tracetui.format.jsonl import event_json

        source = sys.stdin.buffer if args.trace == "-" else args.trace
        error = None
        try:
            trace = read(source)
        except TraceError as e:
            if e.partial is None:
                raise
            trace, error = e.partial, e
        if args.format == "jsonl":
            _write_lines(json.dumps(event_json(trace, i), separators=(",", ":")) + "\n" for i in range(len(trace)))
        else:
            _write_lines(f"{ev}\n" for ev in trace)
        if error is not None:
            raise error
        return 0


class StatsCommand:
    """Summarize a trace.

    Format version, time span, wall-clock start, size, generations, events by
    kind, goroutines, procs, threads, GC cycles, tasks, regions, logs and CPU samples.

    A broken or truncated trace is summarized as far as it can be read, as
    `go tool trace` does: the generations before the error, and a warning on
    stderr saying how much was lost and why (exit code 0). With --strict a broken
    trace is an error (exit code 1).

    examples:
      tracetui stats trace.out
      tracetui stats trace.out --format json
      tracetui stats --strict trace.out   # in CI: fail on a damaged trace
    """

    name = "stats"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("trace", help="trace file ('-' for stdin)")
        p.add_argument("--format", choices=("table", "json"), default="table")
        p.add_argument("--strict", action="store_true",
                       help="exit 1 on a broken or truncated trace instead of summarizing what could be read")

    def run(self, args) -> int:
        from tracetui.format.salvage import read_salvaged
        from tracetui.format.stats import format_stats, trace_stats

        if args.strict:
            trace, report = _load(args.trace), None
        else:
            trace, report = read_salvaged(sys.stdin.buffer if args.trace == "-" else args.trace)
        if report is not None:
            print(f"tracetui: warning: {report.warning()}", file=sys.stderr)
        stats = trace_stats(trace)
        if args.format == "json":
            if report is not None:
                stats["salvage"] = report.as_dict()
            print(json.dumps(stats, indent=2))
        else:
            print(format_stats(stats))
        return 0


COMMANDS = [EventsCommand(), StatsCommand()]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tracetui",
        description="Go execution traces (Go 1.22+) in the terminal.",
        epilog="Run `tracetui COMMAND --help` for a command's options. `tracetui TRACE` alone summarizes "
               "the trace (the TUI is not built yet); `tracetui --demo` uses the trace shipped in the package.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--demo", action="store_true", help="open the demo trace shipped in the package")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS:
        doc = cmd.__doc__ or ""
        sp = sub.add_parser(cmd.name, help=doc.splitlines()[0], description=doc,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.prepare_parser(sp)
        sp.set_defaults(handler=cmd)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = {c.name for c in COMMANDS}
    # `tracetui TRACE` (no command) and `tracetui --demo`: the default view.
    if argv and argv[0] not in names and not argv[0].startswith("-"):
        argv = ["stats", *argv]
    elif argv[:1] == ["--demo"]:
        argv = ["stats", str(DEMO_TRACE), *argv[1:]]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse printed the usage error or help
        return int(e.code or 0)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return args.handler.run(args)
    except TraceError as e:
        print(f"tracetui: {_explain(e, getattr(args, 'trace', None))}", file=sys.stderr)
        return 1
    except UsageError as e:
        print(f"tracetui: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _quiet_broken_pipe()
        return 0
    except OSError as e:
        print(f"tracetui: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
