"""`tracetui regions`: user regions grouped by type, with duration statistics."""
from __future__ import annotations

import argparse

from tracetui.commands.common import add_report_options, load_model, name_filter, sort_key
from tracetui.commands.multi import dispatch

EMPTY = "no user regions in this trace (trace.WithRegion, trace.StartRegion)"


def _table(columns, rows):
    from tracetui.reports.output import Table

    return Table("regions", columns, rows, empty=EMPTY)


class RegionsCommand:
    """Regions (trace.WithRegion, trace.StartRegion) by type: count, duration statistics and where the time went.

    One row per region type (grouped by name; --by frame groups as `go tool trace`
    does, by name and the outermost frame of the begin stack; --by task and
    --by goroutine split each name by task or goroutine id). Columns: count,
    incomplete (began before or ended after the trace; their interval is clipped
    to it, as Go does), total, min, mean, p50, p90, p99, max (nearest-rank
    percentiles), the share of region time running, runnable, blocked and in
    a syscall, and the blocked time by reason (sync, chan receive, select,
    network, sleep, ...). --instances lists single regions instead.

    examples:
      tracetui regions trace.out --sort max --top 10     # which job was longest
      tracetui regions trace.out --name '^db\\.' --histogram
      tracetui regions trace.out --instances --sort max --top 20
      tracetui regions trace.out --by frame --format json | jq '.[] | {name, p99_ns}'
    """

    name = "regions"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.reports.durations import INSTANCE_SORT_KEYS
        from tracetui.reports.regions import GROUPINGS

        add_report_options(p)
        p.add_argument("--by", choices=(*GROUPINGS, "trace"), default="name",
                       help="how to group regions (default: name; trace: per name and file)")
        p.add_argument("--sort", choices=INSTANCE_SORT_KEYS, default=None,
                       help="sort by this column, largest first (name: A to Z; default: total); with --instances "
                            "also duration, and start (earliest first)")
        p.add_argument("--name", metavar="REGEX", help="only regions whose name matches REGEX (re.search)")
        p.add_argument("--top", type=int, metavar="N", help="only the first N rows")
        p.add_argument("--histogram", action="store_true", help="add a log-scale duration histogram per type")
        p.add_argument("--instances", action="store_true",
                       help="one row per region: goroutine, task, start, duration, breakdown")

    def run(self, args) -> int:
        from tracetui.reports.durations import sort_rows
        from tracetui.reports.goroutines import reason_columns
        from tracetui.reports.output import Column, emit, histogram_lines, stat_columns
        from tracetui.reports.regions import BREAKDOWN, region_groups, region_rows

        if (code := dispatch(self.name, args)) is not None:  # several traces
            return code
        name_filter(args.name)
        sort = sort_key(args, "total")
        model = load_model(args.trace, args.strict, args.save)
        if args.instances:
            rows = sort_rows(region_rows(model, args.name), sort, args.top)
            cols = [Column("name", "region"), Column("goroutine", "goroutine", "id"), Column("task", "task", "id"),
                    Column("start_ns", "start", "time"), Column("duration_ns", "duration", "ns"),
                    *(Column(f"{b}_ns", b, "ns", 2) for b in BREAKDOWN), Column("incomplete", "incomplete", drop=3),
                    *reason_columns(rows)]
            emit(_table(cols, rows), args.format)
            return 0
        rows = sort_rows(region_groups(model, args.by, args.name, args.histogram), sort, args.top)
        cols = [Column("name", "region")]
        if args.by == "frame":
            cols += [Column("frame", "frame"), Column("pc", "pc", "json")]
        elif args.by != "name":
            cols.append(Column(args.by, args.by, "id"))
        cols += stat_columns() + [Column(f"{b}_share", b, "pct", 2) for b in BREAKDOWN] + reason_columns(rows)
        table = _table(cols, rows)
        if args.histogram:
            table.columns.append(Column("histogram", "histogram", "json"))
            for r in rows:
                label = r["name"] if args.by == "name" else f"{r['name']} ({args.by} {r[args.by]})"
                table.text += histogram_lines(label, r["histogram"])
        emit(table, args.format)
        return 0
