"""What the details panel says about a goroutine span or a region, and where its links go.

`span_details(rows, g, t)` and `region_details(rows, g, depth, t)` return a `Details`:
markup text for the panel (goroutine, state, reason, start, end, duration, the
stacks at the span's begin and end rows) and its links (key -> where it leads):
the goroutine that unblocked the span (the goroutine of the GoUnblock, or GoSwitch
for iter.Pull coroutines, at the span's end row), the proc it ran on, its region and its task.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from textual.markup import escape

from tracetui.format import spec as S
from tracetui.model.lanes import RUNNING, STATE_NAMES, WAITING
from tracetui.widgets.timescale import fmt_dur, fmt_time


# Events that end a wait, made by the goroutine that woke the waiter (event.py: g at the end row).
_WAKERS = (S.EvGoUnblock, S.EvGoSwitch, S.EvGoSwitchDestroy)


@dataclass(frozen=True)
class Link:
    """Where a link leads: a goroutine at a time, a time range, or a proc."""

    label: str
    goroutine: int | None = None
    t0: int | None = None
    t1: int | None = None
    cursor: int | None = None
    proc: int | None = None


@dataclass
class Details:
    title: str
    lines: list[str]
    links: dict[str, Link] = field(default_factory=dict)

    def markup(self) -> str:
        out = [f"[b]{escape(self.title)}[/b]", *self.lines]
        if self.links:
            out.append("")
            out += [f"[b]{k}[/b] [@click=app.follow('{k}')][u]{escape(v.label)}[/u][/]" for k, v in self.links.items()]
        return "\n".join(out)


def _stack_lines(trace, stack: int, title: str) -> list[str]:
    if stack <= 0:
        return []
    out = ["", f"[b]{title}[/b]"]
    for fn, file, line, pc in trace.frames(stack):
        out.append(f"  {escape(fn) if fn else f'@ {pc:#x}'}")  # a frame without a name: its pc, as Go prints it
        out.append(f"    [dim]{escape(short_path(file))}:{line}[/dim]")
    return out


def short_path(file: str, width: int = 34) -> str:
    """The end of a long file path (the panel is narrow): …/programs/main.go."""
    if len(file) <= width:
        return file
    parts = file.split("/")
    out = parts[-1]
    for p in reversed(parts[:-1]):
        if len(out) + len(p) + 3 > width:
            break
        out = f"{p}/{out}"
    return "…/" + out


def _times(rows, start: int, end: int, open_end: bool) -> list[str]:
    rel = rows.t_first
    return [f"start     {fmt_time(start - rel, 1)}",
            f"end       {fmt_time(end - rel, 1)}" + (" (still open at the end of the trace)" if open_end else ""),
            f"duration  {fmt_dur(end - start, 4)}"]


def _region_at(rows, g: int, t: int) -> int | None:
    """The innermost region of goroutine g in force at t (index into summary.regions)."""
    r = rows.model.summary.regions
    idx = rows.region_idx
    hit = idx[(r["goroutine"][idx] == g) & (r["start"][idx] <= t) & (r["end"][idx] > t)]
    if len(hit) == 0:
        return None
    return int(hit[np.argmax(r["start"][hit])])


def _task_link(rows, task_id: int) -> tuple[str, Link | None]:
    tasks = rows.model.summary.tasks
    tr = rows.trace
    where = np.flatnonzero(tasks["id"] == task_id)
    if task_id in (0, S.NO_TASK) or len(where) == 0:
        return "", None
    k = int(where[0])
    name = tr.strings[int(tasks["name"][k])]
    b, e = int(tasks["start_row"][k]), int(tasks["end_row"][k])
    t0 = int(tr.time[b]) if b >= 0 else rows.t_first
    t1 = int(tr.time[e]) if e >= 0 else rows.t_last
    g = int(tr.g[b]) if b >= 0 else None
    return f"task {task_id} {name!r}", Link(f"task {task_id} {name}", g, *_padded(t0, t1), cursor=t0)


def _padded(t0: int, t1: int) -> tuple[int, int]:
    pad = max((t1 - t0) // 10, 1000)
    return t0 - pad, t1 + pad


def span_details(rows, g: int, t: int) -> Details | None:
    """The span of goroutine g in force at t (or the nearest one before it)."""
    model, tr = rows.model, rows.trace
    sp = model.lanes.spans(g)
    if len(sp["start"]) == 0:
        return None
    k = max(int(np.searchsorted(sp["start"], t, side="right")) - 1, 0)
    b, e = int(sp["begin_row"][k]), int(sp["end_row"][k])
    state = int(sp["state"][k])
    start, end = int(sp["start"][k]), int(sp["end"][k])
    name = STATE_NAMES.get(state, "?")
    reason = ""
    if tr.type[b] in (S.EvGoBlock, S.EvGoStop):
        reason = tr.strings[int(tr.aux[b])]
    lines = [f"state     {name}" + (f" ({escape(reason)})" if reason else ""), *_times(rows, start, end, e < 0)]
    links: dict[str, Link] = {}
    if state == RUNNING and tr.p[b] >= 0:
        p = int(tr.p[b])
        lines.append(f"proc      P{int(tr.proc_ids[p])}")
        links["p"] = Link(f"P{int(tr.proc_ids[p])}", proc=p, cursor=start)
    if state == WAITING and e >= 0 and tr.type[e] in _WAKERS and tr.g[e] >= 0:
        u = int(tr.g[e])
        how = "unblocked by" if tr.type[e] == S.EvGoUnblock else "switched to by (iter.Pull)"
        lines.append(f"{how} {escape(rows.label_of(u))}")
        links["u"] = Link(f"unblocker {rows.label_of(u)}", goroutine=u, cursor=end)
    ri = _region_at(rows, g, start)
    if ri is not None:
        r = model.summary.regions
        rname = tr.strings[int(r["name"][ri])]
        lines.append(f"region    {escape(rname)}")
        links["r"] = Link(f"region {rname}", g, *_padded(int(r["start"][ri]), int(r["end"][ri])),
                          cursor=int(r["start"][ri]))
        text, link = _task_link(rows, int(r["task"][ri]))
        if link is not None:
            lines.append(f"task      {escape(text)}")
            links["t"] = link
    lines += _stack_lines(tr, int(tr.stack[b]), "began at")
    if e >= 0:
        lines += _stack_lines(tr, int(tr.stack[e]), "ended at")
    return Details(rows.label_of(g), lines, links)


def region_details(rows, g: int, depth: int, t: int) -> Details | None:
    """The region of goroutine g at a nesting depth in force at t (or the nearest one before it)."""
    iv, idx = rows.region_intervals(g, depth)
    if len(iv) == 0:
        return None
    k = max(int(np.searchsorted(iv.start, t, side="right")) - 1, 0)
    ri = int(idx[k])
    r, tr = rows.model.summary.regions, rows.trace
    name = tr.strings[int(r["name"][ri])]
    start, end = int(r["start"][ri]), int(r["end"][ri])
    lines = [f"goroutine {escape(rows.label_of(g))}", *_times(rows, start, end, r["end_row"][ri] < 0),
             f"running   {fmt_dur(int(r['exec'][ri]), 4)}",
             f"sched wait {fmt_dur(int(r['sched_wait'][ri]), 4)}",
             f"syscall   {fmt_dur(int(r['syscall'][ri]), 4)}"]
    links = {"g": Link(rows.label_of(g), goroutine=g, cursor=start)}
    text, link = _task_link(rows, int(r["task"][ri]))
    if link is not None:
        lines.append(f"task      {escape(text)}")
        links["t"] = link
    if r["start_row"][ri] >= 0:
        lines += _stack_lines(tr, int(tr.stack[int(r["start_row"][ri])]), "began at")
    if r["end_row"][ri] >= 0:
        lines += _stack_lines(tr, int(tr.stack[int(r["end_row"][ri])]), "ended at")
    return Details(f"region {name}", lines, links)
