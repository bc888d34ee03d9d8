"""`tracetui tasks`: user tasks by type, one by one with their logs, or as a tree."""
from __future__ import annotations

import argparse

from tracetui.commands.common import add_report_options, load_model, name_filter, sort_key
from tracetui.commands.multi import add_by_trace, dispatch

EMPTY = "no user tasks in this trace (trace.NewTask)"


def _table(columns, rows):
    from tracetui.reports.output import Table

    return Table("tasks", columns, rows, empty=EMPTY)


class TasksCommand:
    """Tasks (trace.NewTask) by type: count, complete count, duration statistics and logs.

    As `go tool trace` (the Tasks page): a type's count includes every task the
    trace mentions, its duration statistics (total, min, mean, p50, p90, p99,
    max; nearest-rank percentiles) only complete tasks; blocked time by reason
    inside the tasks' regions. --instances lists single tasks with their logs;
    --tree shows tasks under their parents.

    examples:
      tracetui tasks trace.out
      tracetui tasks trace.out --instances --sort max --top 10
      tracetui tasks trace.out --tree
      tracetui tasks trace.out --instances --format json | jq '.[] | select(.logs > 0)'
    """

    name = "tasks"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.reports.durations import INSTANCE_SORT_KEYS

        add_report_options(p)
        add_by_trace(p)
        g = p.add_mutually_exclusive_group()
        g.add_argument("--instances", action="store_true", help="one row per task, with its logs")
        g.add_argument("--tree", action="store_true", help="every task under its parent")
        p.add_argument("--sort", choices=INSTANCE_SORT_KEYS, default=None,
                       help="sort by this column, largest first (name: A to Z, the default); with --instances "
                            "also duration, and start (earliest first)")
        p.add_argument("--name", metavar="REGEX", help="only tasks whose type matches REGEX (re.search)")
        p.add_argument("--top", type=int, metavar="N", help="only the first N rows")

    def run(self, args) -> int:
        from tracetui.reports.durations import sort_rows
        from tracetui.reports.goroutines import reason_columns
        from tracetui.reports.output import Column, cell, emit, stat_columns
        from tracetui.reports.tasks import task_groups, task_rows, task_tree

        if (code := dispatch(self.name, args)) is not None:  # several traces
            return code
        pat = name_filter(args.name)
        sort = sort_key(args, "name")
        model = load_model(args.trace, args.strict, args.save)
        keep = (lambda r: True) if pat is None else (lambda r: bool(pat.search(r["name"])))
        instance_cols = [Column("id", "task", "id"), Column("name", "type"), Column("parent", "parent", "id", 3),
                         Column("start_ns", "start", "time", 2), Column("duration_ns", "duration", "ns"),
                         Column("complete", "complete", drop=4), Column("goroutines", "goroutines", "int", 5),
                         Column("regions", "regions", "int", 5), Column("logs", "logs", "int")]
        if args.tree:
            rows = [r | {"tree": "  " * r["depth"] + f"{r['name']} ({r['id']})"} for r in task_tree(model) if keep(r)]
            cols = [Column("tree", "task", in_json=False), Column("depth", "depth", "json"), *instance_cols]
            emit(_table(cols, rows[:args.top] if args.top is not None else rows), args.format)
            return 0
        if args.instances:
            rows = sort_rows([r for r in task_rows(model) if keep(r)], sort, args.top)
            table = _table([*instance_cols, *reason_columns(rows), Column("log_list", "log list", "json")], rows)
            for r in rows:
                if r["log_list"]:
                    table.text.append(f"task {r['id']} {r['name']}:")
                    table.text += [f"  {cell(lg['time_ns'], 'time'):>10} g{lg['goroutine']} "
                                   f"[{lg['category']}] {lg['message']}" for lg in r["log_list"]]
            emit(table, args.format)
            return 0
        rows = sort_rows([r for r in task_groups(model) if keep(r)], sort, args.top)
        cols = [Column("name", "type"), Column("count", "count", "int"), Column("complete", "complete", "int"),
                *stat_columns(incomplete=False)[1:], Column("logs", "logs", "int"), *reason_columns(rows)]
        emit(_table(cols, rows), args.format)
        return 0
