"""The stats report: `tracetui.format.stats.trace_stats` as one record table.

JSON is trace_stats' object as it is (events_by_kind nested; salvage when the trace
was salvaged); tables, text and CSV show each kind of event as its own field
(`events.<Kind>` in CSV).
"""
from __future__ import annotations

from tracetui.reports.output import Column, Table

_TITLES = {  # key: (title, kind), in the order tables show them
    "version": ("format", "text"), "file_bytes": ("file", "bytes"), "duration_ns": ("duration", "ns"),
    "start_ns": ("start", "int"), "end_ns": ("end", "int"), "wall_clock_start": ("wall-clock start", "text"),
    "generations": ("generations", "int"), "events": ("events", "int"), "events_by_kind": ("", "json"),
    "goroutines": ("goroutines", "int"), "procs": ("procs", "int"), "threads": ("threads", "int"),
    "gc_cycles": ("GC cycles", "int"), "stw_pauses": ("STW pauses", "int"), "tasks": ("tasks", "int"),
    "regions": ("regions", "int"), "logs": ("logs", "int"), "cpu_samples": ("CPU samples", "int"),
    "strings": ("strings", "int"), "stacks": ("stacks", "int"), "lost_bytes": ("lost bytes", "int"),
    "salvage": ("", "json"),
}


def stats_table(stats: dict) -> Table:
    row = dict(stats)
    cols = []
    for key in (*_TITLES, *(k for k in stats if k not in _TITLES)):
        if key not in stats:
            continue
        title, kind = _TITLES.get(key, (key, "text"))
        cols.append(Column(key, title, kind))
        if key == "events":
            for name, n in stats["events_by_kind"].items():
                row[f"events.{name}"] = n
                cols.append(Column(f"events.{name}", f"  {name}", "int", in_json=False))
    return Table("stats", cols, [row], record=True)
