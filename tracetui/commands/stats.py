"""`tracetui stats`: what a trace holds, in one table or JSON object."""
from __future__ import annotations

import argparse

from tracetui.commands.common import add_report_options, load_trace
from tracetui.commands.multi import add_by_trace, dispatch


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
      tracetui stats trace.out --format csv
      tracetui stats --strict trace.out   # in CI: fail on a damaged trace
    """

    name = "stats"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_report_options(p)
        add_by_trace(p)

    def run(self, args) -> int:
        if (code := dispatch(self.name, args)) is not None:  # several traces
            return code
        from tracetui.format.stats import trace_stats
        from tracetui.reports.output import emit
        from tracetui.reports.stats import stats_table

        trace, report = load_trace(args.trace, args.strict, args.save)
        stats = trace_stats(trace)
        if report is not None:
            stats["salvage"] = report.as_dict()
        emit(stats_table(stats), args.format)
        return 0
