"""`tracetui check`: budgets for CI; exit 1 when one breaks."""
from __future__ import annotations

import argparse


class CheckCommand:
    """Check budgets for CI: exit 1 naming each budget that broke, 0 when all held.

    A budget is SUBJECT:STAT=VALUE; --max holds when the measured value is at
    most VALUE, --min when it is at least VALUE:

      region:NAME:STAT      STAT: count, total, min, mean, p50, p90, p95, p99,
                            p999, max
      task:NAME:STAT        (the same; durations of complete tasks)
      goroutine:NAME:STAT   NAME: start function; STAT: count, exec, sched_wait,
                            block, syscall, syscall_block, assist, total (sums)
      gc:stw:STAT           STW pauses: count or a duration statistic
      gc:assist:STAT        mark assists: the same
      gc:cycles:count       GC cycles
      gc:heap:max, gc:heap:end   heap in use (bytes: B, KB, MB, GB, KiB, MiB, GiB)
      gc:mmu@WINDOW=FRACTION     minimum mutator utilization (0.5 or 50%)

    NAME is exact, or a pattern with * ? [ ] ('*' for all, 'db.*'); it may
    contain ':'. An exact NAME the trace does not have is a usage error (exit 2)
    that lists the names it has; a pattern that matches nothing has nothing to
    check (its count is 0; other statistics are skipped, not broken).
    Durations need a unit: ns, us (or µs), ms, s, m, h (1.5s, 250ms, 1m30s).
    A malformed budget is a usage error (exit 2).

    With --baseline BASE a VALUE may be relative: +N% or -N% of what BASE
    measures (region:*:p99=+10%: at most 10% above the baseline's p99). Several
    traces (or a directory, a glob) are checked as one: their instances pooled.

    examples:
      tracetui check trace.out --max 'region:compute:p99=5ms' --max 'gc:stw:max=1ms'
      tracetui check trace.out --min 'gc:mmu@10ms=50%' --max 'gc:heap:max=512MiB'
      tracetui check trace.out --max 'goroutine:main.worker:sched_wait=200ms' --format json
      tracetui check new.trace --baseline base.trace --max 'region:*:p99=+10%' --min 'gc:mmu@10ms=-5%'
    """

    name = "check"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.commands.common import add_report_options

        add_report_options(p)
        p.add_argument("--max", action="append", default=[], metavar="BUDGET",
                       help="a budget the measured value must not exceed (repeatable)")
        p.add_argument("--min", action="append", default=[], metavar="BUDGET",
                       help="a budget the measured value must reach, e.g. gc:mmu@10ms=0.5 (repeatable)")
        p.add_argument("--by", choices=("name", "trace"), default="name",
                       help="trace: check each budget on each file (several traces are pooled otherwise)")
        p.add_argument("--baseline", metavar="BASE",
                       help="a trace (directory, glob) that relative budgets (+10%%, -5%%) compare with")

    def run(self, args) -> int:
        from tracetui.commands.common import UsageError, load_model
        from tracetui.reports.check import BudgetError, check_names, held, measure, parse_budget
        from tracetui.reports.output import Column, Table, cell, emit

        try:
            budgets = [parse_budget(t, "max") for t in args.max] + [parse_budget(t, "min") for t in args.min]
        except BudgetError as e:
            raise UsageError(str(e)) from None
        if not budgets:
            raise UsageError("check: no budgets given (use --max or --min, see `tracetui check --help`)")
        if any(b.relative is not None for b in budgets) and not args.baseline:
            raise UsageError("check: a relative budget (+N%, -N%) needs --baseline BASE")
        from tracetui.commands import multi
        if args.baseline or multi.is_many(args):
            return multi.run_check(args, budgets)
        model = load_model(args.trace, args.strict, args.save)
        try:
            matched = check_names(model, budgets)
        except BudgetError as e:
            raise UsageError(str(e)) from None
        kinds = {"ns": "ns", "bytes": "bytes", "fraction": "pct", "count": "int"}
        rows = []
        for b, value, hit in zip(budgets, measure(model, budgets), matched):
            kind = kinds[b.unit]
            checked = hit or b.stat == "count"  # a pattern that matches nothing still counts 0
            ok = held(b, value) if checked else True
            shown = "nothing to measure" if value is None else cell(value, kind)
            line = (f"{'<=' if b.bound == 'max' else '>='} {cell(b.limit, kind)}, "
                    + (f"measured {shown}" if checked else f"no {b.subject} matches {b.name!r}"))
            rows.append({"budget": b.text, "bound": b.bound, "unit": b.unit, "limit": b.limit,
                         "measured": value if checked else None, "held": ok, "checked": checked,
                         "status": "BROKE" if not ok else "ok" if checked else "nothing to check", "line": line})
        broke = [r for r in rows if not r["held"]]
        unchecked = sum(not r["checked"] for r in rows)
        if unchecked == len(rows):
            summary = "nothing to check: no budget's pattern matches anything in this trace"
        elif broke:
            summary = f"{len(broke)} of {len(rows)} budgets broke: " + ", ".join(r["budget"] for r in broke)
        else:
            summary = f"all {len(rows)} budgets held" + (f" ({unchecked} with nothing to check)" if unchecked else "")
        table = Table("budgets", [Column("status", "status", in_json=False), Column("budget", "budget"),
                                  Column("line", "result", in_json=False),
                                  *(Column(k, k, in_table=False) for k in ("bound", "unit", "limit", "measured",
                                                                           "held", "checked"))],
                      rows, text=[summary])
        emit(table, args.format)
        return 1 if broke else 0
