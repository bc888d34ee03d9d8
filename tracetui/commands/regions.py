"""`tracetui regions`: user regions grouped by type, with duration statistics."""
from __future__ import annotations

import argparse
import re

from tracetui.commands.common import UsageError, add_report_options, load_model


def stat_columns(Column):
    """count, incomplete and the duration statistics, as output columns."""
    drop = {"incomplete": 6, "min": 4, "mean": 5, "p90": 3}
    return [Column("count", "count", "int"), Column("incomplete", "incompl.", "int", drop["incomplete"]),
            *(Column(f"{s}_ns", s, "ns", drop.get(s, 0)) for s in ("total", "min", "mean", "p50", "p90", "p99", "max"))]


def histogram_lines(label: str, buckets: list[dict]) -> list[str]:
    from tracetui.reports.output import bar, human_ns

    if not buckets:
        return []
    most = max(b["count"] for b in buckets)
    lines = [f"{label}:"]
    for b in buckets:
        lines.append(f"  {human_ns(b['lo_ns']):>7} .. {human_ns(b['hi_ns']):<7} "
                     f"{b['count']:>7,} {bar(b['count'] / most)}")
    return lines


def check_regex(pattern: str | None) -> None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as e:
            raise UsageError(f"--name {pattern!r}: not a regular expression ({e})") from None


class RegionsCommand:
    """Regions (trace.WithRegion, trace.StartRegion) by type: count, duration statistics and where the time went.

    One row per region type (grouped by name; --by frame groups as `go tool trace`
    does, by name and the outermost frame of the begin stack; --by task and
    --by goroutine split each name by task or goroutine id). Columns: count,
    incomplete (began before or ended after the trace; their interval is clipped
    to it, as Go does), total, min, mean, p50, p90, p99, max (nearest-rank
    percentiles) and the share of region time running, runnable, blocked and in
    a syscall. --instances lists single regions instead.

    examples:
      tracetui regions trace.out --sort max --top 10     # which job was longest
      tracetui regions trace.out --name '^db\\.' --histogram
      tracetui regions trace.out --instances --sort max --top 20
      tracetui regions trace.out --by frame --format json | jq '.[] | {name, p99_ns}'
    """

    name = "regions"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.reports.durations import SORT_KEYS
        from tracetui.reports.regions import GROUPINGS

        add_report_options(p)
        p.add_argument("--by", choices=GROUPINGS, default="name", help="how to group regions (default: name)")
        p.add_argument("--sort", choices=SORT_KEYS, default="total",
                       help="sort by this column, largest first (name: A to Z; default: total)")
        p.add_argument("--name", metavar="REGEX", help="only regions whose name matches REGEX (re.search)")
        p.add_argument("--top", type=int, metavar="N", help="only the first N rows")
        p.add_argument("--histogram", action="store_true", help="add a log-scale duration histogram per type")
        p.add_argument("--instances", action="store_true",
                       help="one row per region: goroutine, task, start, duration, breakdown")

    def run(self, args) -> int:
        from tracetui.reports.durations import sort_rows
        from tracetui.reports.output import Column, Table, emit
        from tracetui.reports.regions import BREAKDOWN, region_groups, region_rows

        check_regex(args.name)
        model = load_model(args.trace, args.strict)
        if args.instances:
            rows = sort_rows(region_rows(model, args.name), args.sort, args.top)
            cols = [Column("name", "region"), Column("goroutine", "goroutine", "int"), Column("task", "task", "int"),
                    Column("start_ns", "start", "ns"), Column("duration_ns", "duration", "ns"),
                    *(Column(f"{b}_ns", b, "ns", 2) for b in BREAKDOWN), Column("incomplete", "incomplete", drop=3)]
            emit(Table("regions", cols, rows), args.format)
            return 0
        rows = sort_rows(region_groups(model, args.by, args.name, args.histogram), args.sort, args.top)
        cols = [Column("name", "region")]
        if args.by != "name":
            cols.append(Column(args.by, args.by, "text" if args.by == "frame" else "int"))
        cols += stat_columns(Column) + [Column(f"{b}_share", b, "pct", 2) for b in BREAKDOWN]
        table = Table("regions", cols, rows)
        if args.histogram:
            table.columns.append(Column("histogram", "histogram", "json"))
            for r in rows:
                label = r["name"] if args.by == "name" else f"{r['name']} ({args.by} {r[args.by]})"
                table.text += histogram_lines(label, r["histogram"])
        emit(table, args.format)
        return 0
