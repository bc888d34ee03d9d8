"""Trace-level facts for `tracetui stats`, computed from the event columns.

Plain data first (`trace_stats` -> dict with stable keys, durations in ns with an
`_ns` suffix), then a rich table (`format_stats`).
"""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S
from tracetui.format.event import wall_time
from tracetui.units import format_duration


def wall_clock_start(trace) -> str | None:
    """RFC 3339 wall-clock time of the first event, from the first clock snapshot (Go 1.25+ traces)."""
    for g in trace.generations:
        if g["has_snapshot"] and len(trace):
            ns = g["snap_sec"] * 1_000_000_000 + g["snap_nsec"] - (g["snap_trace"] - int(trace.time[0]))
            return wall_time(ns // 1_000_000_000, ns % 1_000_000_000)
    return None


def trace_stats(trace) -> dict:
    kinds = np.bincount(trace.kind, minlength=len(S.EVENT_KINDS))
    types = np.bincount(trace.type, minlength=256)
    start = int(trace.time[0]) if len(trace) else 0
    end = int(trace.time[-1]) if len(trace) else 0
    return {
        "version": f"go 1.{trace.version}",
        "file_bytes": trace.size,
        "events": len(trace),
        "start_ns": start,
        "end_ns": end,
        "duration_ns": end - start,
        "wall_clock_start": wall_clock_start(trace),
        "generations": len(trace.generations),
        "events_by_kind": {S.EVENT_KINDS[k]: int(n) for k, n in enumerate(kinds) if n},
        "goroutines": len(trace.goroutine_ids),
        "procs": len(trace.proc_ids),
        "threads": len(trace.thread_ids),
        "gc_cycles": int(types[S.EvGCBegin]),
        "stw_pauses": int(types[S.EvSTWBegin]),
        "tasks": int(types[S.EvUserTaskBegin]),
        "regions": int(types[S.EvUserRegionBegin]),
        "logs": int(types[S.EvUserLog]),
        "cpu_samples": int(types[S.EvCPUSample]),
        "strings": len(trace.strings),
        "stacks": len(trace.stack_offsets) - 1,
        "lost_bytes": trace.lost_bytes,
    }


def format_stats(stats: dict) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold")
    t.add_column()
    rows = [
        ("format", stats["version"]),
        ("file", f"{stats['file_bytes']:,} bytes"),
        ("duration", format_duration(stats["duration_ns"])),
        ("wall-clock start", stats["wall_clock_start"] or "(not recorded before Go 1.25)"),
        ("generations", stats["generations"]),
        ("events", f"{stats['events']:,}"),
        *((f"  {k}", f"{v:,}") for k, v in stats["events_by_kind"].items()),
        ("goroutines", stats["goroutines"]), ("procs", stats["procs"]), ("threads", stats["threads"]),
        ("GC cycles", stats["gc_cycles"]), ("STW pauses", stats["stw_pauses"]),
        ("tasks", stats["tasks"]), ("regions", stats["regions"]), ("logs", stats["logs"]),
        ("CPU samples", stats["cpu_samples"]),
    ]
    for k, v in rows:
        t.add_row(k, str(v))
    buf = StringIO()
    Console(file=buf, width=100, no_color=True).print(t)
    return buf.getvalue().rstrip("\n")
