"""`tracetui events`: the ordered event stream as Go's -d=parsed text, JSONL or raw batches."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import add_trace_argument, quiet_broken_pipe, source, write_lines
from tracetui.format import TraceError


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
        add_trace_argument(p)
        g = p.add_mutually_exclusive_group()
        g.add_argument("--format", choices=("text", "jsonl"), default="text", help="output format (default: text)")
        g.add_argument("--wire", action="store_true", help="dump raw batches and events (like -d=wire)")

    def run(self, args) -> int:
        if args.wire:
            from tracetui.format.wire import dump_wire
            from tracetui.source import source_bytes

            data = source_bytes(args.trace, args.save)
            if not data:
                from tracetui.format import read_header

                read_header(data)  # the reader's words for an empty file
            write_lines(line + "\n" for line in dump_wire(data))
            return 0
        from tracetui.format import read
        from tracetui.format.dump import jsonl_chunks, text_chunks

        error = None
        try:
            trace = read(source(args.trace, args.save))
        except TraceError as e:
            if e.partial is None:
                raise
            trace, error = e.partial, e
        write_chunks(jsonl_chunks(trace) if args.format == "jsonl" else text_chunks(trace))
        if error is not None:
            raise error
        return 0


def write_chunks(chunks) -> None:
    """Write byte chunks to stdout (its buffer: trace strings need not be UTF-8)."""
    out = getattr(sys.stdout, "buffer", None)
    try:
        for chunk in chunks:
            if out is None:
                sys.stdout.write(chunk.decode("utf-8", "surrogateescape"))
            else:
                out.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()
