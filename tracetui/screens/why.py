"""The critical path panel (`w` on the timeline): `tracetui why` for what is selected.

`why_target(app)` picks the interval from the timeline: the mark-to-cursor range on
the selected goroutine (or region) lane; without a mark, the region under the
cursor on a region lane, or the state span under the cursor on a goroutine lane.
`WhyScreen` lists the path's steps (the report's rows, `tracetui.reports.why`):
goroutine (indented by the waits followed to reach it), state, reason (for
scheduler wait: who held the Ps), start, duration, share, top frame; a caption
with the three largest (goroutine, state, reason) totals. Enter shows the step's
goroutine over the step on the timeline; Escape goes back. While the panel is open,
and on the timeline after Enter (Esc there comes back to the panel), the path's
segments are underlined on the goroutine lanes they cross (`Timeline.show_path`);
closing the panel (Escape, another screen) or a new `w` replaces the marking.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.widgets import Static

from tracetui.reports.output import human_ns
from tracetui.reports.why import Target, detail, why
from tracetui.screens.base import AnalysisScreen, compile_filter
from tracetui.widgets.arraytable import ArrayTable, Col


def why_target(app) -> Target | None:
    """The interval `w` explains, from the app's timeline (None: nothing to explain)."""
    from tracetui.widgets.rows import GOROUTINE, REGION

    tl, rows, model = app.timeline, app.rows, app.model
    sel = tl.selected() if rows is not None else None
    if sel is None or sel[0] not in (GOROUTINE, REGION):
        return None
    kind, g, depth = sel
    name = model.trace.strings[int(model.summary.goroutines["name"][g])]
    if tl.mark is not None and tl.mark != tl.cursor:
        return Target("selection", name, g, min(tl.mark, tl.cursor), max(tl.mark, tl.cursor))
    t = tl.cursor
    if kind == REGION:
        iv, idx = rows.region_intervals(g, depth)
        k = int(np.searchsorted(iv.start, t, side="right")) - 1 if len(iv) else -1
        if k < 0:
            return None
        R = model.summary.regions
        ri = int(idx[k])
        return Target("region", model.trace.strings[int(R["name"][ri])], g, int(R["start"][ri]), int(R["end"][ri]))
    sp = model.lanes.spans(g)
    k = np.flatnonzero((sp["start"] <= t) & (sp["end"] > t))
    if not len(k):
        return None
    return Target("span", name, g, int(sp["start"][k[0]]), int(sp["end"][k[0]]))


def open_why(app) -> None:
    """`w` on the timeline: the critical path of what is selected, or a note why not."""
    target = why_target(app) if getattr(app, "model", None) is not None else None
    if target is None or target.end <= target.start:
        app.notify("w: select a goroutine or region lane (m marks a range) to see its critical path", timeout=4)
        return
    app.why_screen = screen = WhyScreen(app.model, target)
    app.timeline.show_path(screen.segments())
    app.push_screen(screen)


class WhyScreen(AnalysisScreen):
    NAME = "why"
    FILTER_HELP = "search goroutine, state, reason and frame (regex)"

    def __init__(self, model, target: Target) -> None:
        super().__init__(model)
        self.target = target
        self.report = why(model, target)
        steps = self.report["path"]
        ids = model.trace.goroutine_ids
        dense = {gid: int(np.flatnonzero(ids == gid)[0]) for gid in {s["goroutine"] for s in steps}}
        self.dense = [dense[s["goroutine"]] for s in steps]
        self.text = {
            "who": ["  " * s["depth"] + f"G{s['goroutine']} {s['name']}" for s in steps],
            "state": [s["state"] for s in steps], "reason": [detail(s) for s in steps],
            "frame": [s["top_frame"] for s in steps],
        }
        first = int(model.trace.time[0]) if len(model.trace) else 0
        self.entries = {**self.text,
                        "start": np.array([s["start_ns"] + first for s in steps], np.int64),
                        "duration": np.array([s["duration_ns"] for s in steps], np.int64),
                        "share": np.array([s["share"] for s in steps], float),
                        "end": np.array([s["end_ns"] + first for s in steps], np.int64)}

    def segments(self) -> list[tuple[int, int, int]]:
        """The path's steps as (goroutine (dense), start, end), trace ns."""
        return list(zip(self.dense, self.entries["start"].tolist(), self.entries["end"].tolist()))

    def action_back(self) -> None:
        if not self.query_one("#filter").has_class("shown"):  # the panel closes: so does its marking
            self.app.timeline.show_path(None)
        super().action_back()

    def body(self) -> ComposeResult:
        cols = [Col("who", "goroutine"), Col("state", "state"), Col("reason", "reason", drop=3),
                Col("start", "start", "time", drop=2), Col("duration", "duration", "ns"), Col("share", "share", "pct"),
                Col("frame", "top frame", drop=4)]
        yield Static("", classes="caption", id="why-caption")
        yield Static("", classes="caption", id="why-summary")
        yield ArrayTable(cols, self.entries, origin=self.origin, id="why")

    def on_mount(self) -> None:
        t = self.report["target"]
        self.query_one("#why-caption", Static).update(
            f"why {t['kind']} {t['name']} (G{t['goroutine']}) took {human_ns(t['duration_ns'])}: "
            f"{len(self.report['path'])} steps; Enter shows one on the timeline")
        top = self.report["summary"][:3]
        self.query_one("#why-summary", Static).update("  ".join(
            f"{100 * s['share']:.0f}% G{s['goroutine']} {s['state']}{' ' + s['reason'] if s['reason'] else ''}"
            for s in top))
        self.query_one("#why", ArrayTable).focus()

    def apply_filter(self, text: str) -> None:
        pat = compile_filter(text)
        mask = None if pat is None else np.array(
            [any(pat.search(self.text[k][i]) for k in self.text) for i in range(len(self.text["who"]))], bool)
        self.query_one("#why", ArrayTable).set_filter(mask)
        self.filter_text = text

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        i = event.index
        g = self.dense[i]
        start = int(self.entries["start"][i])
        self.jump(None, start, int(self.entries["end"][i]), g, cursor=start)
