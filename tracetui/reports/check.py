"""Budgets for CI (`tracetui check`): a small grammar, its parser and its evaluation
against the other reports.

    BUDGET  = SUBJECT ":" STAT "=" VALUE  |  "gc:mmu@" DURATION "=" FRACTION
    SUBJECT = "region:" NAME | "task:" NAME | "goroutine:" NAME | "gc:stw" | "gc:assist"
            | "gc:cycles" | "gc:heap"

- region:NAME, task:NAME: regions / tasks of that exact name (`*`: all of them);
  STAT is count or a duration statistic: total, min, mean, p50, p90, p99, max (task
  durations are those of complete tasks, as in `tracetui tasks`).
- goroutine:NAME: goroutines whose start function is NAME (`*`: all); STAT is count
  or a summed time: exec, sched_wait, block, syscall, syscall_block, assist, total.
- gc:stw, gc:assist: STW pauses / mark assists; count or a duration statistic.
- gc:cycles:count; gc:heap:max and gc:heap:end (heap in use, bytes).
- gc:mmu@WINDOW: the minimum mutator utilization for that window, a fraction
  (0.5) or a percentage (50%); usually a --min budget.

A VALUE may also be relative, `+N%` or `-N%` (`check --baseline`, `diff --fail-on`):
the limit is the baseline's measured value times (1 + N/100); `resolve` sets it.

NAME may itself contain ':' (the STAT is after the last one). VALUEs: durations
take a unit (ns, us or µs, ms, s, m); counts are integers; bytes take B, KB, MB, GB
(powers of 1000) or KiB, MiB, GiB. With --max a budget holds when the measured
value is <= VALUE, with --min when it is >= VALUE. A subject with nothing in the
trace (no region of that name) measures count 0 and breaks any other budget.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from tracetui.reports.durations import STATS

DURATION_STATS = STATS[1:]
GOROUTINE_TIMES = ("exec", "sched_wait", "block", "syscall", "syscall_block", "assist", "total")
_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
             "m": 60_000_000_000}
_UNITS_BYTES = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"


class BudgetError(ValueError):
    """A budget that does not parse; the message says what is wrong."""


def parse_duration(text: str) -> int:
    """"5ms" -> 5000000 (ns). A unit is required."""
    m = re.fullmatch(_NUMBER + r"\s*([a-zµμ]+)", text.strip())
    if not m or m.group(2) not in _UNITS_NS:
        raise ValueError(f"{text!r} is not a duration (a number and a unit: ns, us, µs, ms, s, m)")
    return round(float(m.group(1)) * _UNITS_NS[m.group(2)])


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
        allowed = {"count": "count", **{s: "ns" for s in DURATION_STATS}}
    elif subject == "goroutine":
        allowed = {"count": "count", **{s: "ns" for s in GOROUTINE_TIMES}}
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
    elif unit == "bytes":
        limit = parse_bytes(value)
    elif value.strip().isdigit():
        limit = int(value)
    else:
        raise BudgetError(f"{value!r} is not a count (a whole number)")
    return Budget(text, bound, subject, name, stat, unit, limit)


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

    out: list[float | None] = []
    for b in budgets:
        if b.subject == "region":
            names, d = regions()
            st = stats_of(d if b.name == "*" else d[names == b.name])
        elif b.subject == "task":
            rows = [r for r in tasks() if b.name == "*" or r["name"] == b.name]
            st = stats_of([r["duration_ns"] for r in rows if r["complete"]])
            st["count"] = len(rows)
        elif b.subject == "goroutine":
            groups = cache.setdefault("goroutines", goroutine_groups(model))
            rows = [r for r in groups if b.name == "*" or r["name"] == b.name]
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
