"""The one output layer of the report commands: a `Table` (or several) rendered as a
rich table on a terminal, aligned plain text when piped, JSON or CSV.

A report is plain data: `Table(name, columns, rows)` where each row is a dict keyed
by the columns' `key`s. Column kinds decide how a value prints:

- "ns": a duration in integer nanoseconds; the key ends in `_ns`; human-readable
  in tables (tracetui.units.format_duration), the integer in JSON and CSV;
- "time": an instant in integer ns since the trace's first event (key ending in `_ns`);
  in tables with the digits it takes to tell the column's values apart (at least µs:
  `2.401234s`), the integer in JSON and CSV;
- "id": an id (goroutine, task, ...): digits only, no thousands separators, so it can
  be pasted into the TUI's palette;
- "pct": a fraction 0..1; a percentage in tables, the float in JSON and CSV;
- "bytes": a byte count; KiB/MiB/GiB in tables;
- "int", "float", "text": as they are;
- "json": structured data (lists, objects) that only JSON output carries.

A column with `in_json=False` shows in tables, text and CSV but not in JSON; one with
`in_table=False` in JSON and CSV only.
Booleans are `true`/`false` in JSON and CSV, yes/no in tables.

JSON: one table prints as a list of row objects; several as an object of lists keyed
by table name; a `record=True` table (one row of facts) as that object. CSV: one table
prints as a header line and rows; several as blocks, each headed by a `# name` line
and separated by an empty line. Extra lines (`Table.text`, e.g. histograms) show in
table/text output only.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import dataclass, field, replace

from tracetui.reports.durations import STATS
from tracetui.units import format_duration, format_time

FORMATS = ("table", "text", "json", "csv")


@dataclass
class Column:
    key: str
    title: str
    kind: str = "text"   # text, int, id, float, ns, time, pct, bytes, json
    drop: int = 0        # on a narrow terminal, columns with the highest `drop` go first (0: never)
    in_json: bool = True  # False: a human-readable rendering of fields JSON carries otherwise
    in_table: bool = True  # False: JSON and CSV only (the table shows it in another column)


def _shown(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.kind != "json"]


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[dict]
    title: str | None = None
    record: bool = False            # one row of facts: printed as key/value pairs
    text: list[str] = field(default_factory=list)   # lines printed after the table (not in JSON/CSV)
    empty: str = "(none)"           # printed instead of a table without rows (not in JSON/CSV)


def add_format_option(p) -> None:
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="table (rich, the default on a terminal), text (plain, the default when piped), "
                        "json (durations in integer ns, fields ending in _ns) or csv")


def human_ns(ns) -> str:
    """1.23ms, 45.6µs, 789ns, 12.3s: tracetui.units.format_duration."""
    return format_duration(int(ns))


def human_bytes(n) -> str:
    n = int(n)
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= div:
            return f"{n / div:.1f}{unit}"
    return f"{n}B"


def cell(value, kind: str, resolution: float = 1_000) -> str:
    """A value as a table shows it; `resolution` (ns) is for "time" (see time_resolution)."""
    if value is None:
        return "-"
    if isinstance(value, bool) or (hasattr(value, "dtype") and value.dtype == bool):
        return "yes" if value else "no"
    if kind == "ns":
        return human_ns(value)
    if kind == "time":
        return format_time(int(value), resolution)
    if kind == "id":
        return str(value)
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "bytes":
        return human_bytes(value)
    if kind == "float":
        return f"{value:.4g}"
    if kind == "int":
        return f"{value:,}"
    return str(value)


def time_resolution(values) -> int:
    """The resolution (a power of ten ns, at most 1µs) that tells `values` (instants) apart:
    at most the smallest gap between two different values."""
    import numpy as np

    if isinstance(values, np.ndarray):
        v = np.unique(values.astype(np.int64, copy=False))
    else:
        v = np.unique(np.asarray([x for x in values if x is not None], np.int64))
    gap = int(np.diff(v).min()) if len(v) > 1 else 1_000
    res = 1
    while res * 10 <= min(gap, 1_000):
        res *= 10
    return res


def _cells(t: Table) -> list[list[str]]:
    """Every row of `t` formatted, column by column (a "time" column at its own resolution)."""
    res = {c.key: time_resolution(r.get(c.key) for r in t.rows) for c in t.columns if c.kind == "time"}
    return [[cell(r.get(c.key), c.kind, res.get(c.key, 1_000)) for c in t.columns] for r in t.rows]


def bar(fraction: float, width: int = 30) -> str:
    """A text bar of eighth blocks, `fraction` (0..1) of `width` cells."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


def stat_columns(incomplete: bool = True) -> list[Column]:
    """count (and incomplete) and the duration statistics of tracetui.reports.durations."""
    drop = {"min": 4, "mean": 5, "p90": 3, "p95": 6, "p999": 2}
    cols = [Column("count", "count", "int")]
    if incomplete:
        cols.append(Column("incomplete", "incompl.", "int", 6))
    return cols + [Column(f"{s}_ns", s, "ns", drop.get(s, 0))
                   for s in STATS[1:]]


def histogram_lines(label: str, buckets: list[dict]) -> list[str]:
    """A log_histogram as text bars under a `label:` line."""
    if not buckets:
        return []
    most = max(b["count"] for b in buckets)
    return [f"{label}:"] + [f"  {human_ns(b['lo_ns']):>7} .. {human_ns(b['hi_ns']):<7} "
                            f"{b['count']:>7,} {bar(b['count'] / most)}" for b in buckets]


def _jsonable(v):
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def _csv_value(v):
    v = _jsonable(v)
    return ("true" if v else "false") if isinstance(v, bool) else v


def to_json(tables: list[Table]) -> str:
    def one(t: Table):
        rows = [{c.key: _jsonable(r.get(c.key)) for c in t.columns if c.in_json} for r in t.rows]
        return rows[0] if t.record and rows else rows
    if len(tables) == 1:
        return json.dumps(one(tables[0]), indent=2, ensure_ascii=False, default=_jsonable)
    return json.dumps({t.name: one(t) for t in tables}, indent=2, ensure_ascii=False, default=_jsonable)


def to_csv(tables: list[Table]) -> str:
    buf = io.StringIO()
    for i, t in enumerate(tables):
        if len(tables) > 1:
            buf.write(("\n" if i else "") + f"# {t.name}\n")
        w = csv.writer(buf, lineterminator="\n")
        cols = _shown(t.columns)
        w.writerow([c.key for c in cols])
        for r in t.rows:
            w.writerow([_csv_value(r.get(c.key, "")) for c in cols])
    return buf.getvalue()


def _visible(t: Table) -> Table:
    return replace(t, columns=[c for c in _shown(t.columns) if c.in_table])


def to_text(tables: list[Table]) -> str:
    """Aligned plain text: no colour, no box drawing (for pipes, grep and less)."""
    out = []
    for t in tables:
        t = _visible(t)
        if t.title:
            out.append(t.title)
        if not t.rows and not t.record:
            out.append(t.empty)
        elif t.record:
            row = t.rows[0] if t.rows else {}
            width = max((len(c.title) for c in t.columns), default=0)
            out += [f"{c.title:<{width}}  {cell(row.get(c.key), c.kind)}" for c in t.columns]
        else:
            cells = [[c.title for c in t.columns]] + _cells(t)
            widths = [max(len(row[i]) for row in cells) for i in range(len(t.columns))]
            right = [c.kind != "text" for c in t.columns]
            for row in cells:
                out.append("  ".join(v.rjust(w) if r else v.ljust(w)
                                     for v, w, r in zip(row, widths, right)).rstrip())
        out += t.text
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _fit(t: Table, width: int) -> tuple[Table, int]:
    """`t` without the droppable columns a terminal `width` cannot hold, and how many went."""
    cols = list(t.columns)
    cells = _cells(t)
    need = {c.key: max([len(c.title)] + [len(row[i]) for row in cells]) + 3 for i, c in enumerate(cols)}
    dropped = 0
    while 1 + sum(min(need[c.key], 27 if c.kind == "text" else 99) for c in cols) > width:
        victim = max(cols, key=lambda c: c.drop)
        if victim.drop == 0:
            break
        cols.remove(victim)
        dropped += 1
    return replace(t, columns=cols), dropped


def print_rich(tables: list[Table], file=None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(file=file or sys.stdout, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
    for t in tables:
        t, dropped = _fit(_visible(t), console.width)
        if dropped:
            t.text = [f"({dropped} columns left out to fit {console.width} columns: widen the terminal "
                      "or use --format text)", *t.text]
        if not t.rows and not t.record:
            if t.title:
                console.print(t.title, markup=False)
            console.print(t.empty, markup=False)
            console.print()
            continue
        if t.record:
            rt = RichTable(title=t.title, show_header=False, box=None, title_justify="left")
            rt.add_column(style="bold")
            rt.add_column()
            row = t.rows[0] if t.rows else {}
            for c in t.columns:
                rt.add_row(c.title, cell(row.get(c.key), c.kind))
        else:
            rt = RichTable(title=t.title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                           pad_edge=False)
            cells = _cells(t)
            for i, c in enumerate(t.columns):
                if c.kind == "text":
                    longest = max([len(c.title)] + [len(row[i]) for row in cells])
                    rt.add_column(c.title, overflow="fold", min_width=min(longest, 24))
                else:
                    rt.add_column(c.title, justify="right", no_wrap=True)
            for row in cells:
                rt.add_row(*row)
        console.print(rt)
        for line in t.text:
            console.print(line, markup=False)
        console.print()


def emit(tables: Table | list[Table], fmt: str | None) -> None:
    """Print `tables` in `fmt` (None: table on a terminal, text otherwise)."""
    tables = [tables] if isinstance(tables, Table) else list(tables)
    if fmt is None:
        fmt = "table" if sys.stdout.isatty() else "text"
    if fmt == "table":
        print_rich(tables)
        return
    text = to_json(tables) + "\n" if fmt == "json" else to_csv(tables) if fmt == "csv" else to_text(tables)
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(text)
    else:  # trace strings need not be UTF-8: write them back as they came
        out.write(text.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
