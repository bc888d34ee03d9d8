"""`tracetui export`: the trace in another tool's format (Perfetto's protobuf trace, Chrome
trace-event JSON)."""
from __future__ import annotations

import argparse
import os
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
      tracetui export --format parquet -o tables/ fleet/*.trace   # tables/regions/*.parquet, ...

    `--format parquet -o DIR` writes DIR/TABLE/TRACENAME.parquet for each trace
    (goroutines, goroutine_block, states, regions, tasks, logs, gc_cycles,
    gc_pauses, metrics, cpu_samples, stacks, frames; schemas in the README),
    files read in parallel. Needs pyarrow (pip install 'tracetui[parquet]').
    """

    name = "export"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_trace_argument(p, " (several, a directory or a glob: --format parquet)")
        p.add_argument("--format", choices=(*FORMATS, "parquet"), default="chrome",
                       help="output format: chrome (the Trace Event Format JSON, the default), perfetto "
                            "(Perfetto's protobuf trace) or parquet (a directory of tables, see README)")
        p.add_argument("-o", "--output", metavar="FILE",
                       help="output file ('-' for stdout; default TRACE.json or TRACE.pftrace; a directory for parquet)")
        p.add_argument("--from", dest="start", type=duration, metavar="DURATION",
                       help="start of the window, since the trace's first event (e.g. 1.5s)")
        p.add_argument("--to", dest="end", type=duration, metavar="DURATION",
                       help="end of the window, since the trace's first event (e.g. 2s)")

    def run(self, args) -> int:
        if args.format == "parquet":
            return _parquet(args)
        if len(args.traces) > 1:
            raise UsageError(f"--format {args.format} exports one trace at a time (--format parquet takes several)")
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
        suffix, write = FORMATS[args.format]
        out = args.output or default_output(args.trace, suffix)
        with output_file(out) as f:
            what = write()(model, f, window)
        if out != "-":
            print(f"tracetui: wrote {what} to {out}", file=sys.stderr)
        return 0


def _parquet(args) -> int:
    """--format parquet: every trace's tables under -o DIR."""
    from tracetui.commands.multi import expand, export_parquet

    if not args.output or args.output == "-":
        raise UsageError("--format parquet needs -o DIR (a directory: one folder per table)")
    if args.start is not None or args.end is not None:
        raise UsageError("--format parquet exports whole traces (no --from/--to)")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UsageError("--format parquet needs pyarrow: pip install 'tracetui[parquet]'") from None
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise UsageError(f"-o {args.output}: not a directory")
    rows = export_parquet(expand(args.traces), args.output, strict=False)
    print(f"tracetui: wrote {sum(rows.values())} rows in {len(rows)} tables to {args.output}", file=sys.stderr)
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
