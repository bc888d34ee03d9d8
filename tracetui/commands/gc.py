"""`tracetui gc`: GC cycles, stop-the-world pauses, mark assists, heap and MMU."""
from __future__ import annotations

import argparse

from tracetui.commands.common import UsageError, add_report_options, load_model
from tracetui.commands.multi import add_by_trace, dispatch


class GCCommand:
    """Garbage collection: cycles, STW pauses by kind, mark assists, heap over time, MMU.

    Sections: a summary (cycles, time in the concurrent mark phase, STW pauses
    and mark assists in total); STW pauses per kind (count, total, p50, p99,
    max, ...); the heap in use and heap goal (min, max, at the end); and the
    minimum mutator utilization (MMU) for 1ms, 10ms, 100ms and 1s windows, with
    the defaults of `go tool trace`'s MMU page (STW, background workers and mark
    assists count as GC; sweeps do not). Go's own numbers double count GC
    workers and sink towards 0 on long traces; --mmu-as-go shows them anyway.
    --cycles adds one row per cycle.

    examples:
      tracetui gc trace.out
      tracetui gc trace.out --mmu 500us,2ms,50ms
      tracetui gc trace.out --cycles --format json | jq '.cycles | max_by(.duration_ns)'
    """

    name = "gc"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_report_options(p)
        add_by_trace(p)
        p.add_argument("--mmu", metavar="WINDOWS", default="1ms,10ms,100ms,1s",
                       help="comma-separated MMU windows (ns, us, ms, s; default: 1ms,10ms,100ms,1s)")
        p.add_argument("--mmu-as-go", action="store_true",
                       help="Go's MMU numbers exactly, with its double count of GC workers")
        p.add_argument("--cycles", action="store_true", help="add one row per GC cycle")

    def run(self, args) -> int:
        if (code := dispatch(self.name, args)) is not None:  # several traces
            return code
        from tracetui.reports import gc
        from tracetui.reports.durations import STATS
        from tracetui.reports.output import Column, Table, emit
        from tracetui.units import parse_duration

        try:
            windows = [parse_duration(w) for w in args.mmu.split(",")]
        except ValueError as e:
            raise UsageError(f"--mmu {args.mmu!r}: {e}") from None
        if any(w <= 0 for w in windows):
            raise UsageError(f"--mmu {args.mmu!r}: windows must be longer than 0")
        model = load_model(args.trace, args.strict, args.save)
        summary = Table("summary", [
            Column("duration_ns", "trace duration", "ns"), Column("cycles", "GC cycles", "int"),
            Column("mark_ns", "in mark phase", "ns"), Column("mark_share", "share of the trace", "pct"),
            Column("stw_count", "STW pauses", "int"), Column("stw_total_ns", "STW total", "ns"),
            Column("stw_max_ns", "STW max", "ns"), Column("assist_count", "mark assists", "int"),
            Column("assist_total_ns", "assist total", "ns"), Column("assist_max_ns", "assist max", "ns"),
        ], [gc.gc_summary(model)], title="GC", record=True)
        drop = {"min": 4, "mean": 3, "p90": 2}
        stw = Table("stw", [Column("kind", "STW kind"), Column("count", "count", "int"),
                            *(Column(f"{s}_ns", s, "ns", drop.get(s, 0)) for s in STATS[1:])],
                    gc.stw_by_kind(model), title="Stop-the-world pauses")
        heap = Table("heap", [Column("metric", "metric"), Column("samples", "samples", "int", 1),
                              Column("min_bytes", "min", "bytes"), Column("max_bytes", "max", "bytes"),
                              Column("end_bytes", "at end", "bytes")], gc.heap_series(model), title="Heap")
        mmu = Table("mmu", [Column("window_ns", "window", "ns"), Column("mmu", "MMU", "pct")],
                    gc.mmu_rows(model, windows, args.mmu_as_go), title="Minimum mutator utilization")
        tables = [summary, stw, heap, mmu]
        if args.cycles:
            tables.append(Table("cycles", [Column("seq", "cycle", "id"), Column("start_ns", "start", "time"),
                                           Column("duration_ns", "duration", "ns"),
                                           Column("assist_ns", "assists", "ns")],
                                gc.cycle_rows(model), title="GC cycles"))
        emit(tables, args.format)
        return 0
