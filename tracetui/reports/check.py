"""Budgets for CI (`tracetui check`): a small grammar, its parser and its evaluation
against the other reports.

    BUDGET  = SUBJECT ":" STAT "=" VALUE  |  "gc:mmu@" DURATION "=" FRACTION
    SUBJECT = "region:" NAME | "task:" NAME | "goroutine:" NAME | "gc:stw" | "gc:assist"
            | "gc:cycles" | "gc:heap"

- region:NAME, task:NAME: regions / tasks of that name; STAT is count or a duration
  statistic: total, min, mean, p50, p90, p95, p99, p999, max (task durations are those
  of complete tasks, as in `tracetui tasks`).
- goroutine:NAME: goroutines whose start function is NAME; STAT is count
  or a summed time: exec, sched_wait, block, syscall, syscall_block, assist, total.
- gc:stw, gc:assist: STW pauses / mark assists; count or a duration statistic.
- gc:cycles:count; gc:heap:max and gc:heap:end (heap in use, bytes).
- gc:mmu@WINDOW: the minimum mutator utilization for that window, a fraction
  (0.5) or a percentage (50%); usually a --min budget.

A VALUE may also be relative, `+N%` or `-N%` (`check --baseline`, `diff --fail-on`):
the limit is the baseline's measured value times (1 + N/100); `resolve` sets it.

NAME may itself contain ':' (the STAT is after the last one). VALUEs: durations
take a unit (tracetui.units: ns, us or µs, ms, s, m, h); counts are integers; bytes take B, KB, MB, GB
(powers of 1000) or KiB, MiB, GiB. With --max a budget holds when the measured
value is <= VALUE, with --min when it is >= VALUE.

NAME is exact, or a pattern when it holds `*`, `?` or `[` (fnmatch: `*` is every
name, `db.*` every name starting with "db."). An exact NAME the trace does not have is
an error that lists the names it has (`check_names`: a typo must not pass a CI gate);
a pattern that matches nothing has nothing to check (its count is 0, and a budget on
any other statistic is skipped, not broken).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

import numpy as np

from tracetui.reports.durations import STATS
from tracetui.units import parse_duration

DURATION_STATS = STATS[1:]
GOROUTINE_TIMES = ("exec", "sched_wait", "block", "syscall", "syscall_block", "assist", "total")
_UNITS_BYTES = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"


class BudgetError(ValueError):
    """A budget that does not parse; the message says what is wrong."""


class UnknownName(BudgetError):
    """A budget naming a region type, task type or start function the trace does not have."""


def is_pattern(name: str) -> bool:
    return any(c in name for c in "*?[")


def _matching(names, pattern: str) -> list[bool]:
    """Which of `names` a budget's NAME selects: the name itself, or the names the pattern
    matches when no name is exactly `pattern`."""
    names = list(names)
    if pattern in names or not is_pattern(pattern):
        return [n == pattern for n in names]
    return [fnmatchcase(n, pattern) for n in names]


def parse_bytes(text: str) -> int:
    m = re.fullmatch(_NUMBER + r"\s*([a-zA-Z]*)", text.strip())
    unit = (m.group(2) or "b").lower() if m else ""
    if not m or unit not in _UNITS_BYTES:
        raise ValueError(f"{text!r} is not a size (a number and B, KB, MB, GB, KiB, MiB or GiB)")
    return round(float(m.group(1)) * _UNITS_BYTES[unit])


def parse_fraction(text: str) -> float:
    t = text.strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise ValueError(f"{text!r} is not a fraction (0.5) or a percentage (50%)") from None
    if not 0 <= v <= 1:
        raise ValueError(f"{text!r} is not between 0 and 1 (0% and 100%)")
    return v


@dataclass(frozen=True)
class Budget:
    text: str       # as written
    bound: str      # "max" or "min"
    subject: str    # region, task, goroutine, gc
    name: str       # region/task/goroutine name, or stw, assist, cycles, heap, mmu
    stat: str       # count, a duration statistic, a goroutine time, max/end (heap), or the MMU window
    unit: str       # ns, count, bytes or fraction
    limit: float
    relative: float | None = None   # +10% -> 0.1: limit = baseline * (1 + relative), set by resolve


def _stat_unit(subject: str, name: str, stat: str) -> str:
    """The unit of a subject's statistic, or BudgetError naming what is allowed."""
    if subject in ("region", "task") or (subject == "gc" and name in ("stw", "assist")):
        allowed = {"count": "count", **dict.fromkeys(DURATION_STATS, "ns")}
    elif subject == "goroutine":
        allowed = {"count": "count", **dict.fromkeys(GOROUTINE_TIMES, "ns")}
    elif subject == "gc" and name == "cycles":
        allowed = {"count": "count"}
    elif subject == "gc" and name == "heap":
        allowed = {"max": "bytes", "end": "bytes"}
    else:
        raise BudgetError(f"unknown gc subject {name!r} (expected stw, assist, cycles, heap or mmu@WINDOW)")
    if stat not in allowed:
        what = f"{subject}:{name}" if subject == "gc" else subject
        raise BudgetError(f"unknown statistic {stat!r} for {what} (expected one of: {', '.join(allowed)})")
    return allowed[stat]


def parse_budget(text: str, bound: str) -> Budget:
    """One --max/--min argument; BudgetError says what is wrong."""
    try:
        return _parse(text, bound)
    except ValueError as e:  # BudgetError too
        raise BudgetError(f"--{bound} {text!r}: {e}") from None


def _parse(text: str, bound: str) -> Budget:
    left, eq, value = text.rpartition("=")
    if not eq or not left:
        raise BudgetError("expected SUBJECT:STAT=VALUE, e.g. region:compute:p99=5ms")
    relative = _relative(value)
    if left.startswith("gc:mmu@"):
        window = parse_duration(left.removeprefix("gc:mmu@"))
        if window <= 0:
            raise BudgetError("the MMU window must be longer than 0")
        return Budget(text, bound, "gc", "mmu", str(window), "fraction",
                      0.0 if relative is not None else parse_fraction(value), relative)
    subject, _, rest = left.partition(":")
    name, colon, stat = rest.rpartition(":")
    if subject not in ("region", "task", "goroutine", "gc"):
        raise BudgetError(f"unknown subject {subject!r} (expected region, task, goroutine or gc)")
    if not colon or not name:
        raise BudgetError(f"expected {subject}:NAME:STAT=VALUE" if subject != "gc" else
                          "expected gc:stw|assist|cycles|heap:STAT=VALUE or gc:mmu@WINDOW=FRACTION")
    unit = _stat_unit(subject, name, stat)
    if relative is not None:
        return Budget(text, bound, subject, name, stat, unit, 0, relative)
    if unit == "ns":
        limit = parse_duration(value)
        if limit < 0:
            raise BudgetError(f"{value!r}: a duration budget must not be negative")
    elif unit == "bytes":
        limit = parse_bytes(value)
    elif value.strip().isdigit():
        limit = int(value)
    else:
        raise BudgetError(f"{value!r} is not a count (a whole number)")
    return Budget(text, bound, subject, name, stat, unit, limit)


def _known_names(model, subject: str) -> list[str]:
    """The region types, task types or goroutine start functions in the trace, sorted."""
    from tracetui.reports.goroutines import goroutine_groups
    from tracetui.reports.tasks import task_groups

    if subject == "region":
        R, strings = model.summary.regions, model.trace.strings
        return sorted({strings[n] for n in np.unique(R["name"][np.asarray(R["in_summary"], bool)]).tolist()})
    rows = task_groups(model) if subject == "task" else goroutine_groups(model)
    return sorted({r["name"] for r in rows})


def check_names(model, budgets: list[Budget]) -> list[bool]:
    """Whether each budget's NAME selects anything in the trace (gc budgets: True).
    UnknownName for an exact NAME the trace does not have, listing the names it has."""
    known: dict[str, list[str]] = {}
    out = []
    for b in budgets:
        if b.subject not in ("region", "task", "goroutine"):
            out.append(True)
            continue
        names = known.setdefault(b.subject, _known_names(model, b.subject))
        hit = any(_matching(names, b.name))
        if not hit and not is_pattern(b.name):
            what = {"region": "region type", "task": "task type", "goroutine": "goroutine start function"}[b.subject]
            shown = ", ".join(names[:30]) + (f", … ({len(names) - 30} more)" if len(names) > 30 else "")
            raise UnknownName(f"--{b.bound} {b.text!r}: no {what} {b.name!r} in this trace; "
                              + (f"it has: {shown}" if names else f"it has no {what}s")
                              + " (a pattern, such as 'db*', may match nothing)")
        out.append(hit)
    return out


def _relative(value: str) -> float | None:
    """"+10%" -> 0.1, "-5%" -> -0.05; None for an absolute value."""
    m = re.fullmatch(r"([+-])" + _NUMBER + r"\s*%", value.strip())
    if not m:
        return None
    v = float(m.group(2)) / 100
    return v if m.group(1) == "+" else -v


def resolve(b: Budget, baseline: float | None) -> Budget:
    """A relative budget with its limit from the baseline's measured value (unchanged if absolute).
    Nothing measured in the baseline counts as 0."""
    if b.relative is None:
        return b
    return replace(b, limit=(baseline or 0) * (1 + b.relative))


def measure(model, budgets: list[Budget]) -> list[float | None]:
    """The measured value of each budget (None: nothing in the trace to measure)."""
    from tracetui.reports import gc as gcr
    from tracetui.reports.durations import group_stats
    from tracetui.reports.goroutines import goroutine_groups
    from tracetui.reports.regions import region_instances
    from tracetui.reports.tasks import task_rows

    cache: dict = {}

    def stats_of(durations) -> dict:
        d = np.asarray(durations, np.int64)
        st = group_stats(np.zeros(len(d), np.int64), d, 1)
        return {k: int(v[0]) for k, v in st.items()}

    def regions():
        if "regions" not in cache:
            inst = region_instances(model)
            names = [model.trace.strings[n] for n in inst["name"].tolist()]
            cache["regions"] = (np.array(names, dtype=object), inst["duration"])
        return cache["regions"]

    def tasks():
        if "tasks" not in cache:
            cache["tasks"] = task_rows(model, with_logs=False)
        return cache["tasks"]

    def selected(rows, name):
        return [r for r, hit in zip(rows, _matching([r["name"] for r in rows], name)) if hit]

    out: list[float | None] = []
    for b in budgets:
        if b.subject == "region":
            names, d = regions()
            uniq, inverse = np.unique(names, return_inverse=True) if len(names) else (names, np.zeros(0, int))
            hit = np.asarray(_matching(uniq.tolist(), b.name), bool)
            st = stats_of(d[hit[inverse]] if len(names) else d)
        elif b.subject == "task":
            rows = selected(tasks(), b.name)
            st = stats_of([r["duration_ns"] for r in rows if r["complete"]])
            st["count"] = len(rows)
        elif b.subject == "goroutine":
            rows = selected(cache.setdefault("goroutines", goroutine_groups(model)), b.name)
            st = {"count": sum(r["count"] for r in rows)}
            st |= {t: sum(r[f"{t}_ns"] for r in rows) for t in GOROUTINE_TIMES} if rows else {}
        elif b.name == "mmu":
            out.append(gcr.mmu_rows(model, [int(b.stat)])[0]["mmu"])
            continue
        elif b.name in ("stw", "assist"):
            r = model.gc.stw if b.name == "stw" else model.gc.assists
            st = stats_of(r["end"] - r["start"])
        elif b.name == "cycles":
            st = {"count": len(model.gc.cycles["start"])}
        else:  # heap
            v = np.asarray(model.gc.heap_alloc[1], np.int64)
            st = {"max": int(v.max()), "end": int(v[-1])} if len(v) else {}
        value = st.get(b.stat)
        out.append(None if value is None or (b.stat != "count" and st.get("count", 1) == 0) else value)
    return out


def held(b: Budget, measured: float | None) -> bool:
    if measured is None:
        return False
    return measured <= b.limit if b.bound == "max" else measured >= b.limit
