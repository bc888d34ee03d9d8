"""The report commands over several traces (or a directory, a glob, or --by trace):
each command's `run` hands over to `run(name, args)` here, which reads the files in
parallel (tracetui.commands.multi), pools them (tracetui.reports.pooled) and prints
the same columns as for one trace, plus `trace` where rows are per file.

Options that need the whole model (regions --by frame/task/goroutine, tasks
--tree, gc --mmu-as-go) are for one trace only: asking for them with several is a
usage error.
"""
from __future__ import annotations

from tracetui.commands.common import UsageError, name_filter
from tracetui.commands.multi import pooled
from tracetui.reports.output import Column, Table, emit


def _trace_column(by: str, rows) -> list[Column]:
    return [Column("trace", "trace")] if by == "trace" or (rows and "trace" in rows[0]) else []


def _one_trace_only(args, what: str) -> None:
    raise UsageError(f"{args.command}: {what} reads one trace at a time")


def _regions(args) -> int:
    from tracetui.commands.regions import EMPTY
    from tracetui.reports import pooled as P
    from tracetui.reports.durations import sort_rows
    from tracetui.reports.goroutines import reason_columns
    from tracetui.reports.output import histogram_lines, stat_columns
    from tracetui.reports.regions import BREAKDOWN

    if args.by not in ("name", "trace"):
        _one_trace_only(args, f"--by {args.by}")
    name_filter(args.name)
    facts = pooled(args)
    if args.instances:
        rows = sort_rows(P.region_rows(facts, args.name), args.sort or "total", args.top)
        cols = [Column("trace", "trace"), Column("name", "region"), Column("goroutine", "goroutine", "id"),
                Column("task", "task", "id"), Column("start_ns", "start", "time"),
                Column("duration_ns", "duration", "ns"), *(Column(f"{b}_ns", b, "ns", 2) for b in BREAKDOWN),
                Column("incomplete", "incomplete", drop=3), *reason_columns(rows)]
        emit(Table("regions", cols, rows, empty=EMPTY), args.format)
        return 0
    rows = sort_rows(P.region_groups(facts, args.by, args.name, args.histogram), args.sort or "total", args.top)
    cols = [Column("name", "region"), *_trace_column(args.by, rows), *stat_columns(),
            *(Column(f"{b}_share", b, "pct", 2) for b in BREAKDOWN), *reason_columns(rows)]
    table = Table("regions", cols, rows, empty=EMPTY)
    if args.histogram:
        table.columns.append(Column("histogram", "histogram", "json"))
        for r in rows:
            label = r["name"] if args.by == "name" else f"{r['name']} ({r['trace']})"
            table.text += histogram_lines(label, r["histogram"])
    emit(table, args.format)
    return 0


def _tasks(args) -> int:
    from tracetui.reports import pooled as P
    from tracetui.reports.durations import sort_rows
    from tracetui.reports.goroutines import reason_columns
    from tracetui.reports.output import stat_columns

    if args.tree:
        _one_trace_only(args, "--tree")
    pat = name_filter(args.name)
    facts = pooled(args)
    keep = (lambda r: True) if pat is None else (lambda r: bool(pat.search(r["name"])))
    if args.instances:
        rows = sort_rows([r for r in P.task_rows(facts) if keep(r)], args.sort or "name", args.top)
        cols = [Column("trace", "trace"), Column("id", "task", "int"), Column("name", "type"),
                Column("start_ns", "start", "ns", 2), Column("duration_ns", "duration", "ns"),
                Column("complete", "complete", drop=4), Column("logs", "logs", "int"), *reason_columns(rows)]
    else:
        rows = sort_rows([r for r in P.task_groups(facts, args.by) if keep(r)], args.sort or "name", args.top)
        cols = [Column("name", "type"), *_trace_column(args.by, rows), Column("count", "count", "int"),
                Column("complete", "complete", "int"), *stat_columns(incomplete=False)[1:], Column("logs", "logs", "int"),
                *reason_columns(rows)]
    emit(Table("tasks", cols, rows, empty="no user tasks in these traces (trace.NewTask)"), args.format)
    return 0


def _goroutines(args) -> int:
    from tracetui.commands.goroutines import TITLES
    from tracetui.reports import pooled as P
    from tracetui.reports.goroutines import TIMES, reason_columns

    pat = name_filter(args.name)
    facts = pooled(args)
    rows = P.goroutine_rows(facts) if args.instances else P.goroutine_groups(facts, args.by)
    if pat is not None:
        rows = [r for r in rows if pat.search(r["name"])]
    sort = args.sort or "exec"
    if sort == "name":
        rows.sort(key=lambda r: r["name"])
    else:
        key = sort if sort == "count" else f"{sort}_ns"
        rows.sort(key=lambda r: r.get(key, 0), reverse=True)
    rows = rows[:args.top] if args.top is not None else rows
    cols = [Column("trace", "trace"), Column("id", "goroutine", "int")] if args.instances else []
    cols.append(Column("name", "start function"))
    if not args.instances:
        cols += [*_trace_column(args.by, rows), Column("count", "count", "int")]
    drop = {"syscall_block": 4, "assist": 3, "sched_wait": 0}
    cols += [Column(f"{t}_ns", TITLES[t], "ns", drop.get(t, 2)) for t in TIMES]
    cols += reason_columns(rows)
    emit(Table("goroutines", cols, rows), args.format)
    return 0


def _gc(args) -> int:
    from tracetui.reports import pooled as P
    from tracetui.reports.check import parse_duration
    from tracetui.reports.durations import STATS

    if args.mmu_as_go:
        _one_trace_only(args, "--mmu-as-go")
    try:
        windows = [parse_duration(w) for w in args.mmu.split(",")]
    except ValueError as e:
        raise UsageError(f"--mmu {args.mmu!r}: {e}") from None
    if any(w <= 0 for w in windows):
        raise UsageError(f"--mmu {args.mmu!r}: windows must be longer than 0")
    facts = pooled(args, windows)
    parts = facts.split() if args.by == "trace" else [facts]
    rows = [P.gc_summary(f) | {"trace": f.paths[0] if args.by == "trace" else f"{len(f.paths)} traces"}
            for f in parts]
    summary = Table("summary", [
        Column("trace", "trace"), Column("duration_ns", "trace duration", "ns"), Column("cycles", "GC cycles", "int"),
        Column("mark_ns", "in mark phase", "ns"), Column("mark_share", "share of the traces", "pct"),
        Column("stw_count", "STW pauses", "int"), Column("stw_total_ns", "STW total", "ns"),
        Column("stw_max_ns", "STW max", "ns"), Column("assist_count", "mark assists", "int"),
        Column("assist_total_ns", "assist total", "ns"), Column("assist_max_ns", "assist max", "ns"),
    ], rows, title="GC", record=len(rows) == 1)
    drop = {"min": 4, "mean": 3, "p90": 2}
    stw_rows = [r | {"trace": f.paths[0]} for f in parts for r in P.stw_by_kind(f)] if args.by == "trace" \
        else P.stw_by_kind(facts)
    stw = Table("stw", [Column("kind", "STW kind"), *_trace_column(args.by, stw_rows), Column("count", "count", "int"),
                        *(Column(f"{s}_ns", s, "ns", drop.get(s, 0)) for s in STATS[1:])],
                stw_rows, title="Stop-the-world pauses")
    mmu_rows = [r | {"trace": f.paths[0]} for f in parts for r in P.mmu_rows(f, windows)] if args.by == "trace" \
        else P.mmu_rows(facts, windows)
    mmu = Table("mmu", [*_trace_column(args.by, mmu_rows), Column("window_ns", "window", "ns"),
                        Column("mmu", "MMU (smallest of the traces)", "pct")], mmu_rows,
                title="Minimum mutator utilization")
    emit([summary, stw, mmu], args.format)
    return 0


_SUMMED = ("file_bytes", "duration_ns", "events", "goroutines", "gc_cycles", "stw_pauses", "tasks", "regions",
           "logs", "cpu_samples", "lost_bytes")


def _stats(args) -> int:
    facts = pooled(args, with_stats=True)
    rows = [{"trace": p, **{k: s[k] for k in ("version", *_SUMMED)}} for p, s in zip(facts.paths, facts.stats)]
    total = {"trace": f"(all {len(rows)})", **{k: sum(r[k] for r in rows) for k in _SUMMED}}
    total["version"] = ", ".join(sorted({r["version"] for r in rows}))
    kinds = {"file_bytes": "bytes", "duration_ns": "ns"}
    cols = [Column("trace", "trace"), Column("version", "format")] + \
        [Column(k, k.removesuffix("_ns").replace("_", " "), kinds.get(k, "int")) for k in _SUMMED]
    emit(Table("stats", cols, rows if args.by == "trace" else [total], record=args.by != "trace"), args.format)
    return 0


_RUN = {"regions": _regions, "tasks": _tasks, "goroutines": _goroutines, "gc": _gc, "stats": _stats}


def run(name: str, args) -> int:
    args.command = name
    return _RUN[name](args)
