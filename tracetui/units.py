"""Durations and times as text: the one formatter and the one parser every layer uses
(the CLI's tables and `check`, `export --from/--to`, the TUI's status line, details,
axis and palette), the way Go has `time.Duration.String` and `time.ParseDuration`.

The rule:

- `format_duration(ns)` writes 3 significant digits in the largest unit that keeps
  the number below 1000: `12ns`, `456µs`, `12.3ms`, `1.53s`. Zeros at the end are
  written when they are significant: a rounded value keeps all 3 digits (1,500,400,000
  ns is `1.50s`), an exact one prints short (1,500,000,000 ns is `1.5s`, a 1 ms window
  `1ms`), so `1.5s` always means exactly 1.5 s. Rounding may carry into the next
  unit: 999,950 ns is `1.00ms`, never `1000µs`. Below 1µs the integer nanoseconds;
  from 1000 s on, whole seconds (`1234s`). `digits` asks for more (or fewer)
  significant digits.
- `format_time(ns, resolution)` writes a point in time (ns since the trace's first
  event) in the unit its size calls for, with as many decimals as `resolution` ns
  needs (`2.401234s` at 1µs).
- `parse_duration(text)` reads Go's duration syntax: a number and a unit, possibly
  several (`1.5s`, `250ms`, `80us`, `1m30s`), units `ns`, `us`/`µs`, `ms`, `s`, `m`,
  `h`. A bare number is an error (except `0`), everywhere: `5` could be seconds or
  milliseconds, so we make the user say.

Whatever `format_duration` writes, `parse_duration` reads back to within half a unit
of its last digit (0.5% for 3 digits).
"""
from __future__ import annotations

import math
import re

__all__ = ["DURATION_UNITS", "UNITS_HELP", "format_duration", "format_time", "parse_duration"]

# Units from the smallest, as written and as parsed (Go's spellings; µ as U+00B5 or U+03BC).
DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
                  "m": 60_000_000_000, "h": 3_600_000_000_000}
UNITS_HELP = "ns, us (or µs), ms, s, m, h"   # what errors and --help list
_SHOWN = (("ns", 1), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000))  # what the formatter writes
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-zµμ]+)")


def format_duration(ns: int | float, digits: int = 3) -> str:
    """A duration in ns as text with `digits` significant digits (see the module docstring)."""
    n = round(ns)
    if n < 0:
        return "-" + format_duration(-n, digits)
    if n < 1_000:
        return f"{n}ns"
    i = max(k for k, (_, div) in enumerate(_SHOWN) if n >= div)
    while True:
        unit, div = _SHOWN[i]
        v = n / div
        decimals = max(0, digits - 1 - max(0, math.floor(math.log10(max(v, 1)))))
        text = f"{v:.{decimals}f}"
        if decimals and float(text) >= 10 ** (digits - decimals):   # rounded up a decade (99.95 -> 100.0)
            decimals -= 1
            text = f"{v:.{decimals}f}"
        if float(text) < 1000 or i == len(_SHOWN) - 1:
            # zeros at the end only when they are significant: an exact value prints short
            exact = next((k for k in range(decimals) if n * 10 ** k % div == 0), decimals)
            return (f"{v:.{exact}f}" if exact < decimals else text) + unit
        i += 1  # rounded up to 1000: the next unit (0.9995.. of it rounds to 1.00)


def format_time(ns: int | float, resolution: float = 1) -> str:
    """A point in time (ns since the trace's first event) to the precision of `resolution` ns."""
    n = round(ns)
    if n < 0:
        return "-" + format_time(-n, resolution)
    i = max((k for k, (_, div) in enumerate(_SHOWN) if n >= div), default=0)
    while True:
        unit, div = _SHOWN[i]
        decimals = min(max(0, math.ceil(math.log10(div / max(resolution, 1)))), round(math.log10(div)))
        text = f"{n / div:.{decimals}f}"
        if float(text) < 1000 or i == len(_SHOWN) - 1:
            return text + unit
        i += 1


def parse_duration(text: str) -> int:
    """Go's duration syntax in ns: "5ms" -> 5000000, "1m30s", "-2us"; ValueError otherwise."""
    t = text.strip()
    sign = -1 if t.startswith("-") else 1
    body = t[1:].strip() if t[:1] in "+-" and t else t
    if body == "0":
        return 0
    total, pos = 0.0, 0
    for m in _PART.finditer(body):
        if m.start() != pos or m.group(2) not in DURATION_UNITS:
            break
        total += float(m.group(1)) * DURATION_UNITS[m.group(2)]
        pos = m.end()
    else:
        if pos == len(body) and pos > 0:
            return sign * round(total)
    raise ValueError(f"{text!r} is not a duration (a number and a unit: {UNITS_HELP}; e.g. 1.5s, 250ms, 1m30s)")
