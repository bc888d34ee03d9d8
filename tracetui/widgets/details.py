"""What the details panel says about the lane under the cursor, and where its links go.

`details_at(rows, kind, ident, depth, t)` is the one entry: the panel always shows what it
returns for the selected lane and the cursor, so it cannot describe anything else. For
a goroutine lane it is `span_details` (the span in force at t: state, reason, start, end,
duration, its region and task at t, the stacks at the span's begin and end rows), for a
region row `region_details` (the region at t at that depth), for a P or thread lane the
span of the goroutine running there. Every fact about a span (reason, unblocker, stacks)
comes from the model's `lanes.span` query, so the panel and the model have one definition
of each. Links (key -> `Link`): u the unblocker, p the proc, g the goroutine's lane, r the
region, t the task.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from textual.markup import escape

from tracetui.format import spec as S
from tracetui.model.lanes import RUNNING, STATE_NAMES, WAITING
from tracetui.widgets.rows import GOROUTINE, PROC, REGION
from tracetui.widgets.timescale import fmt_dur, fmt_time


@dataclass(frozen=True)
class Link:
    """Where a link leads: a goroutine at a time, a time range, a proc, a region or a task
    (`region`: index into summary.regions; `task`: index into summary.tasks)."""

    label: str
    goroutine: int | None = None
    t0: int | None = None
    t1: int | None = None
    cursor: int | None = None
    proc: int | None = None
    region: int | None = None
    task: int | None = None


@dataclass
class Details:
    """The panel's text and links, and what it describes: [start, end) (None: nothing at
    the cursor), the goroutine, the region (summary.regions index) and task (summary.tasks
    index) in force at the cursor."""

    title: str
    lines: list[str]
    links: dict[str, Link] = field(default_factory=dict)
    start: int | None = None
    end: int | None = None
    goroutine: int | None = None
    region: int | None = None
    task: int | None = None
    stacks: list[str] = field(default_factory=list)

    def markup(self) -> str:
        """Title, facts, links (near the top: a small panel shows them), then the stacks."""
        out = [f"[b]{escape(self.title)}[/b]", *self.lines]
        if self.links:
            out.append("")
            out += [f"[b]{k}[/b] [@click=app.follow('{k}')][u]{escape(v.label)}[/u][/]" for k, v in self.links.items()]
        return "\n".join(out + self.stacks)


def details_at(rows, kind: int, ident: int, depth: int, t: int) -> Details:
    """The details of the lane (kind, ident, depth) at time t."""
    if kind == REGION:
        return region_details(rows, ident, depth, t)
    if kind == GOROUTINE:
        return span_details(rows, ident, t)
    g = goroutine_on(rows, kind, ident, t)
    lane = f"P{int(rows.trace.proc_ids[ident])}" if kind == PROC else f"M{int(rows.trace.thread_ids[ident])}"
    if g is None:
        return Details(lane, ["idle at the cursor"])
    d = span_details(rows, g, t)
    d.title = f"{lane}: {d.title}"
    d.links.setdefault("g", Link(f"lane of {rows.label_of(g)}", goroutine=g, cursor=t))
    return d


def goroutine_on(rows, kind: int, i: int, t: int) -> int | None:
    """The goroutine running on P (or thread) i at time t."""
    pos = rows.resource_spans_in(kind, i, t, t + 1)
    if pos is None or len(pos) == 0:
        return None
    return int(rows.model.lanes.goroutine_of(rows.resources(kind).span_index[pos[-1:]])[0])


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


def region_at(rows, g: int, t: int) -> int | None:
    """The innermost region of goroutine g in force at t (index into summary.regions): a
    binary search in each of g's region rows, the deepest hit (no scan of every region)."""
    for depth in range(int(rows.region_rows[g]) - 1, -1, -1):
        iv, idx = rows.region_intervals(g, depth)
        k = int(np.searchsorted(iv.start, t, side="right")) - 1
        if k >= 0 and iv.end[k] > t:
            return int(idx[k])
    return None


def task_index(rows, task_id: int) -> int | None:
    """The index into summary.tasks of a task id (None: no such task)."""
    where = np.flatnonzero(rows.model.summary.tasks["id"] == task_id)
    return None if task_id in (0, S.NO_TASK) or len(where) == 0 else int(where[0])


def task_range(rows, k: int) -> tuple[int, int]:
    """[start, end] of task k (summary.tasks index); the trace's ends where it has no event."""
    tasks, tr = rows.model.summary.tasks, rows.trace
    b, e = int(tasks["start_row"][k]), int(tasks["end_row"][k])
    return (int(tr.time[b]) if b >= 0 else rows.t_first), (int(tr.time[e]) if e >= 0 else rows.t_last)


def task_at(rows, g: int, t: int, region: int | None) -> int | None:
    """The task goroutine g works for at t: its region's, else the latest task it began
    that is open at t (index into summary.tasks)."""
    if region is not None:
        return task_index(rows, int(rows.model.summary.regions["task"][region]))
    tasks, tr = rows.model.summary.tasks, rows.trace
    b, e = tasks["start_row"], tasks["end_row"]
    mine = rows.tasks_begun_by(g)
    t0 = tr.time[b[mine]]
    t1 = np.where(e[mine] >= 0, tr.time[np.maximum(e[mine], 0)], rows.t_last)
    open_ = np.flatnonzero((t0 <= t) & (t < t1))
    if len(open_) == 0:
        return None
    return int(mine[open_[np.flatnonzero(t0[open_] == t0[open_].max())[-1]]])


def _task_link(rows, k: int) -> tuple[str, Link]:
    tasks = rows.model.summary.tasks
    task_id = int(tasks["id"][k])
    name = rows.trace.strings[int(tasks["name"][k])]
    return f"task {task_id} {name!r}", Link(f"task {task_id} {name}", task=k)


def _region_lines(rows, ri: int | None, g: int, t: int, links: dict) -> tuple[list[str], int | None]:
    """The region and task lines (and links r, t) of goroutine g at t; the task index."""
    lines = []
    if ri is not None:
        rname = rows.trace.strings[int(rows.model.summary.regions["name"][ri])]
        lines.append(f"region    {escape(rname)}")
        links["r"] = Link(f"region {rname}", region=ri)
    k = task_at(rows, g, t, ri)
    if k is not None:
        text, links["t"] = _task_link(rows, k)
        lines.append(f"task      {escape(text)}")
    return lines, k


def span_details(rows, g: int, t: int) -> Details:
    """The span of goroutine g in force at t."""
    model, tr = rows.model, rows.trace
    j = model.lanes.span_at(g, t)
    label = rows.label_of(g)
    if j < 0:
        return Details(label, ["no span at the cursor (before the goroutine's first event or after its end)"],
                       goroutine=g)
    sp = model.lanes.span(j)
    name = STATE_NAMES.get(sp.state, "?")
    lines = [f"state     {name}" + (f" ({escape(sp.reason)})" if sp.reason else ""),
             *_times(rows, sp.start, sp.end, sp.end_row < 0)]
    links: dict[str, Link] = {}
    if sp.state == RUNNING and tr.p[sp.begin_row] >= 0:
        p = int(tr.p[sp.begin_row])
        lines.append(f"proc      P{int(tr.proc_ids[p])}")
        links["p"] = Link(f"P{int(tr.proc_ids[p])}", proc=p, cursor=max(sp.start, t))
    if sp.state == WAITING and sp.unblocker >= 0:
        how = "unblocked by" if tr.type[sp.end_row] == S.EvGoUnblock else "switched to by (iter.Pull)"
        lines.append(f"{how} {escape(rows.label_of(sp.unblocker))}")
        links["u"] = Link(f"unblocker {rows.label_of(sp.unblocker)}", goroutine=sp.unblocker, cursor=sp.end)
    ri = region_at(rows, g, t)
    more, task = _region_lines(rows, ri, g, t, links)
    lines += more
    stacks = _stack_lines(tr, sp.begin_stack, "began at") + _stack_lines(tr, sp.end_stack, "ended at")
    return Details(label, lines, links, sp.start, sp.end, g, ri, task, stacks)


def region_details(rows, g: int, depth: int, t: int) -> Details:
    """The region of goroutine g at a nesting depth in force at t."""
    iv, idx = rows.region_intervals(g, depth)
    k = int(np.searchsorted(iv.start, t, side="right")) - 1
    if k < 0 or iv.end[k] <= t:
        return Details(f"regions of {rows.label_of(g)}", ["no region at the cursor at this depth"],
                       {"g": Link(rows.label_of(g), goroutine=g, cursor=t)}, goroutine=g)
    ri = int(idx[k])
    r, tr = rows.model.summary.regions, rows.trace
    name = tr.strings[int(r["name"][ri])]
    start, end = int(r["start"][ri]), int(r["end"][ri])
    lines = [f"goroutine {escape(rows.label_of(g))}", *_times(rows, start, end, r["end_row"][ri] < 0),
             f"running   {fmt_dur(int(r['exec'][ri]), 4)}",
             f"sched wait {fmt_dur(int(r['sched_wait'][ri]), 4)}",
             f"syscall   {fmt_dur(int(r['syscall'][ri]), 4)}"]
    links = {"g": Link(rows.label_of(g), goroutine=g, cursor=t)}
    task = task_index(rows, int(r["task"][ri]))
    if task is not None:
        text, links["t"] = _task_link(rows, task)
        lines.append(f"task      {escape(text)}")
    stacks = []
    if r["start_row"][ri] >= 0:
        stacks += _stack_lines(tr, int(tr.stack[int(r["start_row"][ri])]), "began at")
    if r["end_row"][ri] >= 0:
        stacks += _stack_lines(tr, int(tr.stack[int(r["end_row"][ri])]), "ended at")
    return Details(f"region {name}", lines, links, start, end, g, ri, task, stacks)
