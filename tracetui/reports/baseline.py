"""Budgets (tracetui.reports.check) measured on `Facts` (one trace or several pooled)
and relative budgets against a baseline: what `check --baseline`, `check` over
several traces and `diff --fail-on` evaluate.

`measure_facts(facts, budgets)` gives the values `check.measure` gives on a model
(tests/reports/test_baseline.py compares the two on every committed trace);
`parse_fail_on("region:query:p99<=+10%")` reads diff's form (`<=`: a --max budget,
`>=`: a --min one); `budget_rows` evaluates budgets, relative ones against the
baseline's measured value, as rows of the budgets table.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from tracetui.reports.check import GOROUTINE_TIMES, BudgetError, held, parse_budget, resolve
from tracetui.reports.durations import group_stats


def parse_fail_on(text: str):
    """SUBJECT:STAT<=VALUE (a max budget) or SUBJECT:STAT>=VALUE (a min budget)."""
    for op, bound in (("<=", "max"), (">=", "min")):
        left, found, value = text.rpartition(op)
        if found and left:
            try:
                return replace(parse_budget(f"{left}={value}", bound), text=text)
            except BudgetError as e:   # its message names the --max/--min form
                raise BudgetError(f"--fail-on {text!r}: {str(e).split(': ', 1)[-1]}") from None
    raise BudgetError(f"--fail-on {text!r}: expected SUBJECT:STAT<=VALUE or SUBJECT:STAT>=VALUE, "
                      "e.g. 'region:query:p99<=+10%'")


def _select(names: np.ndarray, pattern: str) -> np.ndarray:
    """Which names a budget's NAME takes: `*` all, a pattern with `*`, `?` or `[` as fnmatch
    does, otherwise the exact name."""
    from fnmatch import fnmatchcase

    if pattern == "*":
        return np.ones(len(names), bool)
    if not any(c in pattern for c in "*?["):
        return names == pattern
    uniq, inverse = np.unique(names, return_inverse=True) if len(names) else (names, np.zeros(0, np.int64))
    hit = np.array([fnmatchcase(n, pattern) for n in uniq.tolist()], bool)
    return hit[np.asarray(inverse).reshape(-1)] if len(names) else np.zeros(0, bool)


def _stats(d) -> dict:
    d = np.asarray(d, np.int64)
    st = group_stats(np.zeros(len(d), np.int64), d, 1)
    return {k: int(v[0]) for k, v in st.items()}


def measure_facts(facts, budgets) -> list[float | None]:
    """The measured value of each budget over all of `facts`' traces (None: nothing to measure).
    The MMU of several traces is the smallest; the heap's max the largest, its end the last trace's."""
    out: list[float | None] = []
    for b in budgets:
        if b.subject in ("region", "task"):
            which = "regions" if b.subject == "region" else "tasks"
            table = facts[which]
            sel = _select(facts.names(which), b.name)
            d = table["duration"][sel & table["complete"]] if b.subject == "task" else table["duration"][sel]
            st = _stats(d)
            st["count"] = int(sel.sum())
        elif b.subject == "goroutine":
            G = facts["goroutines"]
            sel = _select(facts.names("goroutines"), b.name)
            st = {"count": int(sel.sum())}
            st |= {t: int(G[t][sel].sum()) for t in GOROUTINE_TIMES} if sel.any() else {}
        elif b.name == "mmu":
            values = [m[int(b.stat)] for m in facts.mmu if int(b.stat) in m]
            out.append(min(values) if values else None)
            continue
        elif b.name in ("stw", "assist"):
            st = _stats(facts["stw" if b.name == "stw" else "assists"]["duration"])
        elif b.name == "cycles":
            st = {"count": len(facts["cycles"]["duration"])}
        else:  # heap
            ends = [v for v in facts.heap_end if v is not None]
            maxes = [v for v in facts.heap_max if v is not None]
            st = {"max": max(maxes), "end": ends[-1]} if ends else {}
        value = st.get(b.stat)
        out.append(None if value is None or (b.stat != "count" and st.get("count", 1) == 0) else value)
    return out


def mmu_windows(budgets) -> list[int]:
    """The MMU windows (ns) the budgets ask about."""
    return [int(b.stat) for b in budgets if b.name == "mmu"]


def budget_rows(budgets, measured, baseline=None) -> list[dict]:
    """One row per budget: budget, bound, limit (relative ones resolved against
    `baseline`, the baseline's measured values), baseline, measured, held, status, line."""
    from tracetui.reports.output import cell

    kinds = {"ns": "ns", "bytes": "bytes", "fraction": "pct", "count": "int"}
    rows = []
    for i, (b, value) in enumerate(zip(budgets, measured)):
        base = baseline[i] if baseline is not None else None
        r = resolve(b, base)
        ok = held(r, value)
        kind = kinds[b.unit]
        shown = "nothing to measure" if value is None else cell(value, kind)
        limit = r.limit if b.unit != "ns" or b.relative is None else round(r.limit)
        rel = "" if b.relative is None else f" (baseline {cell(base, kind)} {100 * b.relative:+g}%)"
        rows.append({"budget": b.text, "bound": b.bound, "limit": limit, "baseline": base, "measured": value,
                     "held": ok, "status": "ok" if ok else "BROKE",
                     "line": f"{'<=' if b.bound == 'max' else '>='} {cell(limit, kind)}{rel}, measured {shown}"})
    return rows


def budgets_table(rows):
    """The budgets table `check` prints, with the baseline column; its summary line."""
    from tracetui.reports.output import Column, Table

    broke = [r for r in rows if not r["held"]]
    summary = (f"all {len(rows)} budgets held" if not broke else
               f"{len(broke)} of {len(rows)} budgets broke: " + ", ".join(r["budget"] for r in broke))
    return Table("budgets", [Column("status", "status", in_json=False), Column("budget", "budget"),
                             Column("line", "result", in_json=False), Column("bound", "bound", "json"),
                             Column("limit", "limit", "json"), Column("baseline", "baseline", "json"),
                             Column("measured", "measured", "json"), Column("held", "held", "json")],
                 rows, text=[summary]), bool(broke)
