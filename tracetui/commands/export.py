"""`tracetui export`: the trace in another tool's format (Perfetto's protobuf trace, Chrome
trace-event JSON)."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import TRACE_HELP, UsageError, default_output, load_model, output_file


_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000}


def duration(text: str) -> int:
    """A duration like Go writes them (1.5s, 250ms, 80us, 100ns; a bare number is seconds) in ns."""
    t = text.strip()
    unit = next((u for u in ("ns", "us", "µs", "ms", "s") if t.endswith(u)), "")
    try:
        value = float(t[: len(t) - len(unit)])
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (write e.g. 1.5s, 250ms, 80us)") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (must not be negative)")
    return round(value * _UNITS[unit or "s"])


class ExportCommand:
    """Export a trace for Perfetto or chrome://tracing.

    `--format perfetto` writes Perfetto's native protobuf trace (TrackEvent),
    which https://ui.perfetto.dev opens at sizes its JSON loader cannot: a
    track per goroutine (states, regions nested under it, logs, CPU samples
    with stacks, flows from a wait to the goroutine that unblocked it), per P,
    per thread, GC cycles and stop-the-world pauses, tasks, and counters for
    goroutine states, heap, heap goal and GOMAXPROCS. Compressed, streamed.

    `--format chrome` writes Chrome trace-event JSON: one track per goroutine
    with its states (running, runnable, waiting: REASON, syscall), a track of
    its user regions under it, GC cycles and stop-the-world pauses, and
    counters for goroutine states, heap in use, heap goal and GOMAXPROCS.
    Open it at https://ui.perfetto.dev or chrome://tracing.

    --from and --to keep a time window (durations since the trace's first
    event, like 1.5s, 250ms, 80us): what overlaps it, clipped to it. Perfetto
    and Chrome load JSON of a few hundred MB at most; a window keeps a big
    trace's export small; a JSON export past about 1 GB gets a warning (use
    --format perfetto).

    A truncated or broken trace is exported as far as it can be read, with a
    warning, as `go tool trace` shows it. Without -o the output goes to
    TRACE.json; `-o -` writes to stdout.

    examples:
      tracetui export trace.out                      # writes trace.out.json
      tracetui export big.trace --format perfetto    # writes big.trace.pftrace
      tracetui export trace.out --format chrome -o run.json
      tracetui export trace.out.gz -o - | gzip > run.json.gz
      tracetui export big.trace --from 2s --to 2.5s -o slice.json
    """

    name = "export"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("trace", help=TRACE_HELP)
        p.add_argument("--format", choices=tuple(FORMATS), default="chrome",
                       help="output format: chrome (the Trace Event Format JSON, the default) or perfetto "
                            "(Perfetto's protobuf trace)")
        p.add_argument("-o", "--output", metavar="FILE",
                       help="output file ('-' for stdout; default TRACE.json or TRACE.pftrace)")
        p.add_argument("--from", dest="start", type=duration, metavar="DURATION",
                       help="start of the window, since the trace's first event (e.g. 1.5s)")
        p.add_argument("--to", dest="end", type=duration, metavar="DURATION",
                       help="end of the window, since the trace's first event (e.g. 2s)")

    def run(self, args) -> int:
        if args.start is not None and args.end is not None and args.end < args.start:
            raise UsageError("--to is before --from")
        model = load_model(args.trace)  # a truncated trace is salvaged, with a warning, as go tool trace does
        window = None
        if args.start is not None or args.end is not None:
            times = model.trace.time
            t0, last = (int(times[0]), int(times[-1])) if len(times) else (0, 0)
            if t0 + (args.start or 0) > last:
                raise UsageError(f"--from is past the end of the trace (it lasts {(last - t0) / 1e9:.9g}s)")
            window = (t0 + (args.start or 0), last if args.end is None else min(last, t0 + args.end))
        suffix, write = FORMATS[args.format]
        out = args.output or default_output(args.trace, suffix)
        with output_file(out) as f:
            what = write()(model, f, window)
        if out != "-":
            print(f"tracetui: wrote {what} to {out}", file=sys.stderr)
        return 0


def _chrome():
    from tracetui.exports.chrome import JSON_LIMIT, write_chrome

    def warn(size: int) -> None:
        print(f"tracetui: warning: the JSON is past {JSON_LIMIT / 2**30:.0f} GB, more than Perfetto's UI loads: "
              "use --format perfetto, or --from/--to for a window", file=sys.stderr, flush=True)
    return lambda model, f, window: f"{write_chrome(model, f, window, warn)} events"


def _perfetto():
    from tracetui.exports.perfetto import write_perfetto

    def write(model, f, window):
        n = write_perfetto(model, f, window)
        return ", ".join(f"{v} {k}" for k, v in n.items())
    return write


# --format NAME: (default output suffix, the writer's loader: (model, binary stream, window) -> what it wrote)
FORMATS = {"chrome": ("json", _chrome), "perfetto": ("pftrace", _perfetto)}
