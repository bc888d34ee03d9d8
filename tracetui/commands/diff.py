"""`tracetui diff BASE NEW`: what changed between two runs, and relative budgets for CI."""
from __future__ import annotations

import argparse


def _fraction(text: str) -> float:
    t = text.strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a fraction: {text!r} (write 10% or 0.1)") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return v


def _alpha(text: str) -> float:
    v = _fraction(text)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a significance level between 0 and 1")
    return v


def _cell(metric: str, value) -> str:
    from tracetui.reports.output import cell

    if value is None:
        return "-"
    if metric.endswith("_ns"):
        return cell(value, "ns")
    if metric.endswith("share") or metric.startswith("mmu@"):
        return cell(value, "pct")
    if metric == "per_s":
        return f"{value:.3g}/s"
    return cell(value, "int")


def change_text(row: dict) -> str:
    r = row["ratio"]
    if r is None:
        return "new"
    return f"{100 * (r - 1):+.1f}%" if r < 10 else f"x{r:.3g}"


def diff_table(rows: list[dict], show_all: bool, base: str, new: str, fmt: str | None = None):
    """The diff as a Table: readable cells on a terminal and in text; the raw fields
    (the module docstring of tracetui.reports.diff) in JSON and CSV."""
    from tracetui.reports.output import Column, Table

    shown = rows if show_all else [r for r in rows if r["changed"]]
    hidden = len(rows) - len(shown)
    raw = [Column("section", "section"), Column("name", "name"), Column("metric", "metric"),
           Column("base", "base", "float"), Column("new", "new", "float"), Column("ratio", "ratio", "float"),
           Column("p_value", "p_value", "float"), Column("changed", "changed"), Column("test", "test"),
           Column("n_base", "n_base", "int"), Column("n_new", "n_new", "int")]
    if fmt in ("json", "csv"):
        cols = raw + [Column("base_worst", "base_worst", "json"), Column("new_worst", "new_worst", "json")]
        return Table("diff", cols, shown)
    for r in shown:
        r["base_text"], r["new_text"] = _cell(r["metric"], r["base"]), _cell(r["metric"], r["new"])
        r["change"] = change_text(r)
        r["real"] = "yes" if r["changed"] else ""
        r["p_text"] = "-" if r["p_value"] is None else f"{r['p_value']:.2g}"
    cols = [Column("real", "real"), Column("section", "section"), Column("name", "name"),
            Column("metric", "metric"), Column("base_text", "base"), Column("new_text", "new"),
            Column("change", "change"), Column("p_text", "p", drop=2), Column("test", "test", drop=3)]
    changed = sum(r["changed"] for r in rows)
    text = [f"{changed} of {len(rows)} comparisons changed (base {base}, new {new})"
            + (f"; {hidden} unchanged hidden (--all shows them)" if hidden else "")]
    return Table("diff", cols, shown, text=text, empty="no real change (--all shows every comparison)")


class DiffCommand:
    """Compare two runs: what changed, really, between BASE and NEW.

    Sections: region and task types (count, p50, p90, p99, max; regions'
    blocked time by reason), goroutine groups by start function (count, and per
    goroutine: execution, scheduler wait, syscall, block by reason), GC (cycles
    per second, STW count, total and max by kind, mark-assist share, MMU at 1,
    10 and 100 ms), scheduler latency (runnable->running waits: p50, p99, max)
    and CPU samples by function (flat and cumulative share) when both have them.

    A change is real when a test on the per-instance values says it is
    significant (p < --alpha, default 0.01: Mann-Whitney U for p50 and means,
    a quantile test for p90 and p99, a rate test for counts, totals and shares,
    a two-proportion test for CPU shares; max and MMU are shown, not tested)
    AND the ratio new/base differs from 1 by more than --min-change (default
    10%). Only real changes are listed, the largest first, unless --all.

    BASE and NEW are each a trace, a directory of traces or a glob: several
    traces on one side are pooled (all their instances).

    --fail-on BUDGET (repeatable) makes diff a CI gate: a `tracetui check`
    budget with `<=` (at most) or `>=` (at least) and a value relative to
    BASE (+N%, -N%) or absolute; exit 1 naming each one NEW broke.

    examples:
      tracetui diff base.trace new.trace
      tracetui diff base.trace new.trace --all --format json | jq '.[] | select(.section == "gc")'
      tracetui diff 'main/*.trace' 'branch/*.trace' --fail-on 'region:query:p99<=+10%'
      tracetui diff base.trace new.trace --fail-on 'gc:mmu@10ms>=-5%' --fail-on 'gc:stw:max<=1ms'
    """

    name = "diff"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.commands.common import TRACE_HELP
        from tracetui.reports.output import add_format_option

        p.add_argument("base", help="the baseline: " + TRACE_HELP + "; or a directory or glob of traces")
        p.add_argument("new", help="the run to compare with it (the same forms)")
        add_format_option(p)
        p.add_argument("--all", action="store_true", help="also list the comparisons that did not change")
        p.add_argument("--min-change", type=_fraction, default=0.10, metavar="FRACTION",
                       help="smallest change reported as real (default 10%%)")
        p.add_argument("--alpha", type=_alpha, default=0.01, metavar="P",
                       help="significance level of the tests (default 0.01)")
        p.add_argument("--section", action="append", choices=("region", "task", "goroutine", "gc", "sched", "cpu"),
                       help="only these sections (repeatable)")
        p.add_argument("--fail-on", action="append", default=[], metavar="BUDGET",
                       help="exit 1 if NEW breaks this budget, e.g. 'region:query:p99<=+10%%' (repeatable)")
        p.add_argument("--strict", action="store_true", help="exit 1 on a broken or truncated trace")
        p.add_argument("--tui", action="store_true", help="browse the changes in the terminal (Enter opens a trace)")

    def run(self, args) -> int:
        from tracetui.commands.common import UsageError
        from tracetui.commands.multi import expand, load_facts
        from tracetui.reports.baseline import budget_rows, budgets_table, measure_facts, mmu_windows, parse_fail_on
        from tracetui.reports.check import BudgetError
        from tracetui.reports.diff import diff_rows
        from tracetui.reports.facts import pool
        from tracetui.reports.output import emit

        try:
            budgets = [parse_fail_on(t) for t in args.fail_on]
        except BudgetError as e:
            raise UsageError(str(e)) from None
        base_paths, new_paths = expand([args.base]), expand([args.new])
        facts = load_facts(base_paths + new_paths, args.strict, mmu_windows(budgets))
        base, new = pool(facts[:len(base_paths)]), pool(facts[len(base_paths):])
        rows = diff_rows(base, new, args.min_change, args.alpha)
        if args.section:
            rows = [r for r in rows if r["section"] in args.section]
        if args.tui:
            return _browse(rows, args.base, args.new)
        tables = [diff_table(rows, args.all, args.base, args.new, args.format)]
        broke = False
        if budgets:
            table, broke = budgets_table(budget_rows(budgets, measure_facts(new, budgets),
                                                     measure_facts(base, budgets)))
            tables.append(table)
        emit(tables, args.format)
        return 1 if broke else 0


def _browse(rows: list[dict], base: str, new: str) -> int:
    """--tui: the table of changes; a picked row opens its trace's timeline at the worst
    instance; quitting the timeline returns to the table."""
    import threading

    from tracetui.commands.common import UsageError
    from tracetui.commands.tui import interactive

    if not interactive():
        raise UsageError("--tui needs a terminal (without it diff prints a table)")
    from tracetui.app import TraceApp
    from tracetui.screens.diff import DiffApp, target_message

    cursor = 0
    while True:
        picked = DiffApp(rows, base, new, cursor).run()
        if not picked:
            return 0
        _, cursor, worst = picked
        app = TraceApp(worst["trace"])

        def jump(app=app, worst=worst):
            if app.loaded.wait(600) and getattr(app, "model", None) is not None:
                app.call_from_thread(app.post_message, target_message(app.model, worst))
        threading.Thread(target=jump, daemon=True).start()
        app.run()
