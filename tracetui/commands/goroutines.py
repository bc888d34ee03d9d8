"""`tracetui goroutines`: Go's goroutine analysis, grouped by start function."""
from __future__ import annotations

import argparse

from tracetui.commands.common import add_report_options, load_model, name_filter
from tracetui.commands.multi import add_by_trace, dispatch

SORTS = ("exec", "sched_wait", "block", "syscall", "syscall_block", "assist", "total", "count", "name")
TITLES = {"exec": "execution", "sched_wait": "sched wait", "block": "block", "syscall": "syscall",
          "syscall_block": "syscall block", "assist": "GC assist", "total": "total"}


class GoroutinesCommand:
    """Goroutines grouped by start function: count, execution, sched wait, block time by reason, syscall, GC assist.

    Go's goroutine analysis (the `go tool trace` Goroutines page), with the
    numbers of Go's summarizer: per group, the sums over its goroutines of
    execution time, time runnable waiting for a P (sched wait), time blocked
    (in total and by reason), syscall execution and syscall block time, time in
    GC mark assists (overlaps the others) and total time in the trace.
    --instances lists one row per goroutine instead.

    examples:
      tracetui goroutines trace.out
      tracetui goroutines trace.out --sort sched_wait --top 5
      tracetui goroutines trace.out --instances --name 'main\\.worker' --sort block
      tracetui goroutines trace.out --format csv > goroutines.csv
    """

    name = "goroutines"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_report_options(p)
        add_by_trace(p)
        p.add_argument("--sort", choices=SORTS, default="exec",
                       help="sort by this column, largest first (name: A to Z; default: exec)")
        p.add_argument("--name", metavar="REGEX", help="only goroutines whose start function matches REGEX")
        p.add_argument("--top", type=int, metavar="N", help="only the first N rows")
        p.add_argument("--instances", action="store_true", help="one row per goroutine")

    def run(self, args) -> int:
        from tracetui.reports.goroutines import TIMES, goroutine_groups, goroutine_rows, reason_columns
        from tracetui.reports.output import Column, Table, emit

        if (code := dispatch(self.name, args)) is not None:  # several traces
            return code
        pat = name_filter(args.name)
        model = load_model(args.trace, args.strict, args.save)
        rows = goroutine_rows(model) if args.instances else goroutine_groups(model)
        if pat is not None:
            rows = [r for r in rows if pat.search(r["name"])]
        if args.sort == "name":
            rows.sort(key=lambda r: r["name"])
        else:
            key = args.sort if args.sort == "count" else f"{args.sort}_ns"
            rows.sort(key=lambda r: r.get(key, 0), reverse=True)
        rows = rows[:args.top] if args.top is not None else rows
        cols = [Column("id", "goroutine", "id")] if args.instances else []
        cols.append(Column("name", "start function"))
        if not args.instances:
            cols.append(Column("count", "count", "int"))
        drop = {"syscall_block": 4, "assist": 3, "sched_wait": 0}
        cols += [Column(f"{t}_ns", TITLES[t], "ns", drop.get(t, 2)) for t in TIMES]
        cols += reason_columns(rows)
        emit(Table("goroutines", cols, rows), args.format)
        return 0
