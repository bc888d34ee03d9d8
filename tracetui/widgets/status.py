"""The status line under the timeline: cursor, mark→cursor, the selected lane's state at
the cursor, how many goroutines run, the view's width, and the lane set's notes (sort,
highlight, filter, idle or runtime goroutines hidden, pinned lanes, how many lanes).

`status_parts(app)` gives (essential, notes) as markup pieces; `StatusLine.show(app)`
joins them in the width it has: at 80 columns the separators shrink, the notes and then
the values take their short forms, then whole pieces are dropped, the least important
first (KEEP: the goroutine count first, the cursor never) — a value is never cut.
"""
from __future__ import annotations

from rich.text import Text
from textual.markup import escape
from textual.widgets import Static

from tracetui.model.lanes import RUNNABLE, RUNNING, SYSCALL
from tracetui.widgets.details import goroutine_on
from tracetui.widgets.palette import NAMES, reason_family
from tracetui.widgets.rows import GOROUTINE, PROC, THREAD
from tracetui.widgets.timescale import fmt_dur, fmt_time

_STATE_CAT = {RUNNING: "running", RUNNABLE: "runnable", SYSCALL: "syscall"}


def state_at(rows, g: int, t: int) -> str:
    """'G12 main.f: blocked: sync 1.2ms': goroutine g's span at t, named as in the legend."""
    L = rows.model.lanes
    j = L.span_at(g, t)
    label = rows.label_of(g)
    if j < 0:
        return f"{label}: —"
    sp = L.span(j)
    name = _STATE_CAT.get(sp.state) or NAMES[reason_family(sp.reason)]
    return f"{label}: {name} {fmt_dur(sp.end - sp.start)}"


def status_parts(app) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """([(long, short, kind)] values, [(long, short, kind)] notes), as markup; kind: a KEEP key."""
    tl, rows = app.timeline, app.rows
    rel = rows.t_first
    parts = [(f"cursor [b]{fmt_time(tl.cursor - rel, tl.ns_per_col)}[/b]",
              f"[b]{fmt_time(tl.cursor - rel, tl.ns_per_col)}[/b]", "cursor")]
    if tl.mark is not None:
        d = fmt_dur(tl.cursor - tl.mark, 4)
        parts.append((f"mark→cursor [b]{d}[/b]", f"Δ[b]{d}[/b]", "mark"))
    sel = tl.selected()
    if sel is not None and sel[0] == GOROUTINE:
        text = state_at(rows, sel[1], tl.cursor)
        short = f"G{int(rows.ids[sel[1]])}:" + text.split(":", 1)[1]  # the lane's label names the function
        parts.append((escape(text), escape(short), "lane"))
    elif sel is not None and sel[0] in (PROC, THREAD):
        g = goroutine_on(rows, sel[0], sel[1], tl.cursor)
        text = f"{escape(rows.label(tl.sel))}: " + (escape(rows.label_of(g)) if g is not None else "idle")
        parts.append((text, text, "lane"))
    counts = app.model.counts.at([tl.cursor])
    run, ready = int(counts["running"][0]), int(counts["runnable"][0])
    parts.append((f"Gs {run} running, {ready} runnable", f"{run} run {ready} rdy", "counts"))
    span = fmt_dur(tl.t1 - tl.t0)
    parts.append((f"view {span}", f"view {span}", "view"))
    notes = []
    if rows.sort_key != "id":
        notes.append((f"sort: {rows.sort_key}", f"s:{rows.sort_key}", "sort"))
    if tl.highlight is not None:
        notes.append((f"highlight: {NAMES[tl.highlight]}", f"x:{NAMES[tl.highlight]}", "highlight"))
    if app.hide_idle:
        notes.append(("idle hidden", "idle hidden", "idle"))
    if rows.hide_runtime:
        notes.append(("runtime Gs hidden (R)", "runtime hidden", "runtime"))
    if rows.pinned:
        notes.append((f"+{len(rows.pinned)} pinned", f"+{len(rows.pinned)} pinned", "pinned"))
    if rows.pattern is not None:
        p = escape(rows.pattern.pattern)
        notes.append((f"filter: {p}", f"/{p}", "filter"))
    n = len(rows.order)
    notes.append((f"{n:,} goroutines", f"{n:,} Gs", "goroutines"))
    return parts, notes


# What stays longest when the line is short of room (higher stays): dropped lowest first.
KEEP = {"cursor": 100, "mark": 90, "lane": 80, "filter": 70, "view": 60, "counts": 50, "pinned": 45,
        "runtime": 44, "idle": 43, "sort": 30, "highlight": 20, "goroutines": 10}


def fit(parts, notes, width: int) -> str:
    """The widest layout of the parts and notes that fits `width` cells: long forms with
    wide separators; then narrow separators; then short forms, the notes first (from the
    right), then the parts (from the right); then whole pieces dropped, least kept first
    (KEEP). Every value shown is whole."""
    def length(markup: str) -> int:
        return Text.from_markup(markup).cell_len

    items = parts + notes
    forms = [0] * len(items)
    layouts = [("  │  ", list(forms)), (" │ ", list(forms))]
    for i in [*range(len(parts), len(items))][::-1] + [*range(len(parts))][::-1]:
        forms[i] = 1
        layouts.append((" │ ", list(forms)))
    for sep, f in layouts:
        text = sep.join(item[k] for item, k in zip(items, f))
        if length(text) <= width:
            return text
    keep = list(range(len(items)))
    for i in sorted(keep, key=lambda i: KEEP[items[i][2]]):
        if KEEP[items[i][2]] >= KEEP["cursor"]:
            break
        keep.remove(i)
        text = " │ ".join(items[j][1] for j in keep)
        if length(text) <= width:
            return text
    return " │ ".join(items[j][1] for j in keep)


class StatusLine(Static):
    """One line: `show(app)` fills it from the timeline's state, fitted to its width."""

    def show(self, app) -> None:
        self._app_ref = app
        self.update(fit(*status_parts(app), max(self.content_region.width or self.size.width, 40)))

    def on_resize(self, _event) -> None:
        if getattr(self, "_app_ref", None) is not None:
            self.show(self._app_ref)
