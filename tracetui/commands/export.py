"""`tracetui export`: the trace in another tool's format (Chrome trace-event JSON)."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import UsageError, add_trace_argument, default_output, load_model, output_file


def duration(text: str) -> int:
    """An argparse type: a duration (tracetui.units.parse_duration, a unit required) in ns, not negative."""
    from tracetui.units import parse_duration

    try:
        value = parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must not be negative")
    return value


class ExportCommand:
    """Export a trace for Perfetto or chrome://tracing.

    `--format chrome` writes Chrome trace-event JSON: one track per goroutine
    with its states (running, runnable, waiting: REASON, syscall), a track of
    its user regions under it, GC cycles and stop-the-world pauses, and
    counters for goroutine states, heap in use, heap goal and GOMAXPROCS.
    Open it at https://ui.perfetto.dev or chrome://tracing.

    --from and --to keep a time window (durations since the trace's first
    event, like 1.5s, 250ms, 80us): what overlaps it, clipped to it. Perfetto
    and Chrome load JSON of a few hundred MB at most; a window keeps a big
    trace's export small.

    A truncated or broken trace is exported as far as it can be read, with a
    warning, as `go tool trace` shows it. Without -o the output goes to
    TRACE.json; `-o -` writes to stdout.

    examples:
      tracetui export trace.out                      # writes trace.out.json
      tracetui export trace.out --format chrome -o run.json
      tracetui export trace.out.gz -o - | gzip > run.json.gz
      tracetui export big.trace --from 2s --to 2.5s -o slice.json
    """

    name = "export"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_trace_argument(p)
        p.add_argument("--format", choices=("chrome",), default="chrome",
                       help="output format (default: chrome, the Trace Event Format JSON)")
        p.add_argument("-o", "--output", metavar="FILE", help="output file ('-' for stdout; default TRACE.json)")
        p.add_argument("--from", dest="start", type=duration, metavar="DURATION",
                       help="start of the window, since the trace's first event (e.g. 1.5s)")
        p.add_argument("--to", dest="end", type=duration, metavar="DURATION",
                       help="end of the window, since the trace's first event (e.g. 2s)")

    def run(self, args) -> int:
        from tracetui.reports.chrome import write_chrome

        if args.start is not None and args.end is not None and args.end < args.start:
            raise UsageError("--to is before --from")
        model = load_model(args.trace, save=args.save)  # a broken trace is salvaged, as go tool trace does
        window = None
        if args.start is not None or args.end is not None:
            times = model.trace.time
            t0, last = (int(times[0]), int(times[-1])) if len(times) else (0, 0)
            if t0 + (args.start or 0) > last:
                raise UsageError(f"--from is past the end of the trace (it lasts {(last - t0) / 1e9:.9g}s)")
            window = (t0 + (args.start or 0), last if args.end is None else min(last, t0 + args.end))
        out = args.output or default_output(args.trace, "json")
        with output_file(out) as f:
            n = write_chrome(model, f, window)
        if out != "-":
            print(f"tracetui: wrote {n} events to {out}", file=sys.stderr)
        return 0
