"""`tracetui export`: the trace in another tool's format (Chrome trace-event JSON)."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import TRACE_HELP, load, output_file
from tracetui.source import is_url


class ExportCommand:
    """Export a trace for Perfetto or chrome://tracing.

    `--format chrome` writes Chrome trace-event JSON: one track per goroutine
    with its states (running, runnable, waiting: REASON, syscall), a track of
    its user regions under it, GC cycles and stop-the-world pauses, and
    counters for goroutine states, heap in use, heap goal and GOMAXPROCS.
    Open it at https://ui.perfetto.dev or chrome://tracing.

    Without -o the output goes to TRACE.json; `-o -` writes to stdout.

    examples:
      tracetui export trace.out                      # writes trace.out.json
      tracetui export trace.out --format chrome -o run.json
      tracetui export trace.out.gz -o - | gzip > run.json.gz
    """

    name = "export"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("trace", help=TRACE_HELP)
        p.add_argument("--format", choices=("chrome",), default="chrome",
                       help="output format (default: chrome, the Trace Event Format JSON)")
        p.add_argument("-o", "--output", metavar="FILE", help="output file ('-' for stdout; default TRACE.json)")

    def run(self, args) -> int:
        from tracetui.model import build
        from tracetui.reports.chrome import write_chrome

        model = build(load(args.trace))
        out = args.output or ("trace.json" if args.trace == "-" or is_url(args.trace) else f"{args.trace}.json")
        with output_file(out) as f:
            n = write_chrome(model, f)
        if out != "-":
            print(f"tracetui: wrote {n} events to {out}", file=sys.stderr)
        return 0
