"""The Textual app: `tracetui TRACE` and `tracetui --demo`.

`TraceApp(path)` shows the loading screen while a background thread decodes the
trace (salvaging a broken one as `go tool trace` does) and builds the model, then
the timeline with its status line, legend, details panel and filter box. A trace
that cannot be read at all shows its message. The layout is in app.tcss.
"""
from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import Footer, Input, Static

from tracetui.format import TraceError
from tracetui.screens import AnalysisHost, ShowOnTimeline
from tracetui.widgets.details import Details, region_details, span_details
from tracetui.widgets.jump import JumpProvider
from tracetui.widgets.palette import NAMES, legend_items
from tracetui.widgets.rows import GOROUTINE, PROC, REGION, SORTS, THREAD, Rows
from tracetui.widgets.screens import ErrorScreen, HelpScreen, LoadingScreen
from tracetui.widgets.timeline import Timeline
from tracetui.widgets.timescale import fmt_dur, fmt_time


def load_model(source, progress=None, stage=None):
    """(model, rows, salvage report or None) of a trace file; TraceError if nothing can be read."""
    from tracetui.format import read
    from tracetui.format.salvage import read_salvaged
    from tracetui.model import build

    report = None
    try:
        trace = read(source, progress=progress)
    except TraceError as e:
        if e.partial is None:
            raise
        if stage:
            stage("the trace is broken: salvaging what can be read…")
        trace, report = read_salvaged(source)
    if stage:
        stage(f"building the model of {len(trace):,} events…")
    model = build(trace)
    _no_huge_page_advice()
    return model, Rows(model), report


def _no_huge_page_advice() -> None:
    """Stop numpy from asking for transparent huge pages for each big array it allocates
    from here on (what NUMPY_MADVISE_HUGEPAGE=0 does at import). Where the kernel's THP
    defrag setting is "madvise" (a common default), a fault on such an array may first
    compact memory: on the benchmark trace the timeline's lane arrays cost 1.3 s of
    system time with the advice and 0.2 s without. The decoder's columns are allocated
    outside numpy and are not affected."""
    try:
        np._core.multiarray._set_madvise_hugepage(False)
    except AttributeError:  # another numpy layout: leave it as it is
        pass


class TraceApp(AnalysisHost, App):
    CSS_PATH = "app.tcss"
    TITLE = "tracetui"
    COMMANDS = App.COMMANDS | {JumpProvider}
    BINDINGS = [
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
        Binding("q", "quit", "quit"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("enter", "details", "details"),
        Binding("escape", "close", "close", show=False),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("s", "sort", "sort", show=False),
        Binding("a", "toggle_idle", "hide idle", show=False),
        Binding("T", "toggle_threads", "thread lanes", show=False),
        Binding("u", "follow('u')", "unblocker", show=False),
        Binding("p", "follow('p')", "proc", show=False),
        Binding("r", "follow('r')", "region", show=False),
        Binding("t", "follow('t')", "task", show=False),
        Binding("g", "follow('g')", "goroutine", show=False),
        Binding("w", "why", "why (critical path)", show=False),
        *AnalysisHost.ANALYSIS_BINDINGS,
    ]

    def __init__(self, path: str | os.PathLike, title: str | None = None):
        super().__init__()
        self.path = Path(path)
        self.sub_title = title or self.path.name
        self.rows: Rows | None = None
        self.report = None
        self.details: Details | None = None
        self.hide_idle = False
        self._shown_only = False
        self._region_next: dict[str, int] = {}
        self._region_types: list[str] | None = None
        self.loaded = threading.Event()

    # -- loading -------------------------------------------------------------------
    async def on_mount(self) -> None:
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        self._loading = LoadingScreen(self.sub_title, size)
        await self.push_screen(self._loading)
        threading.Thread(target=self._load, name="tracetui-load", daemon=True).start()

    def _call(self, fn, *args) -> None:
        """Run fn on the UI thread; the app may already be gone (quit while loading)."""
        if not self.is_running:
            return
        try:
            self.call_from_thread(fn, *args)
        except Exception:  # noqa: BLE001 - no app, no one to tell
            pass

    def _load(self) -> None:
        last = [0.0]

        def progress(done, total, gens):
            now = time.monotonic()
            if now - last[0] >= 0.05:
                last[0] = now
                self._call(self._loading.progress, done, total, gens)

        def stage(text):
            self._call(self._loading.stage, text)

        try:
            model, rows, report = load_model(self.path, progress, stage)
        except TraceError as e:
            self._call(self._failed, str(e))
            return
        except Exception as e:  # noqa: BLE001 - a bug must not leave a spinning screen
            self._call(self._failed, f"internal error: {type(e).__name__}: {e}")
            return
        self._call(self._loaded, model, rows, report)

    def _failed(self, message: str) -> None:
        self.switch_screen(ErrorScreen(message))
        self.loaded.set()

    async def _loaded(self, model, rows: Rows, report) -> None:
        self.model, self.rows, self.report = model, rows, report
        await self.pop_screen()
        await self.mount_all(self._main_widgets())
        self.timeline.focus()
        self._fit_layout()
        self.on_timeline_changed(None)
        self.loaded.set()

    def on_resize(self, _event) -> None:
        self._fit_layout()

    def _fit_layout(self) -> None:
        """Small terminals (80x24 over SSH) drop the legend line (it is in the help)."""
        self.screen.set_class(self.size.height < 32 or self.size.width < 100, "-small")

    def _main_widgets(self):
        banner = Static(f"⚠ {escape(self.report.warning())}" if self.report else "", id="banner")
        banner.display = self.report is not None
        self.timeline = Timeline(self.rows, id="timeline")
        detail_box = VerticalScroll(Static(id="details-text"), id="details")
        detail_box.display = False
        filt = Input(placeholder="filter goroutines: regex over id and function (Enter applies, Esc clears)",
                     id="filter")
        filt.display = False
        legend = "  ".join(f"[on {c}]  [/] {escape(n)}" for c, n in legend_items())
        self.status = Static(id="status")
        return [banner, Horizontal(self.timeline, detail_box, id="body"), filt, self.status,
                Static(legend + "  ░ mixed", id="legend"), Footer()]

    def compose(self) -> ComposeResult:
        return []

    # -- status line -----------------------------------------------------------------
    def on_timeline_changed(self, _msg: Timeline.Changed | None) -> None:
        if self.rows is None:
            return
        self.status.update(self.status_text())

    def status_text(self) -> str:
        tl, rows = self.timeline, self.rows
        rel = rows.t_first
        res = tl.ns_per_col
        parts = [f"cursor [b]{fmt_time(tl.cursor - rel, res)}[/b]"]
        if tl.mark is not None:
            parts.append(f"mark→cursor [b]{fmt_dur(tl.cursor - tl.mark, 4)}[/b]")
        sel = tl.selected()
        if sel is not None and sel[0] == GOROUTINE:
            parts.append(escape(self._state_at(sel[1], tl.cursor)))
        elif sel is not None and sel[0] in (PROC, THREAD):
            g = self._goroutine_on(sel[0], sel[1], tl.cursor)
            parts.append(f"{escape(rows.label(tl.sel))}: " + (escape(rows.label_of(g)) if g is not None else "idle"))
        counts = self.model.counts.at([tl.cursor])
        parts.append(f"Gs {int(counts['running'][0])} running, {int(counts['runnable'][0])} runnable")
        parts.append(f"view {fmt_dur(tl.t1 - tl.t0)}")
        extra = [f"sort: {rows.sort_key}"] if rows.sort_key != "id" else []
        if tl.highlight is not None:
            extra.append(f"highlight: {NAMES[tl.highlight]}")
        if rows.pattern is not None:
            extra.append(f"filter: {escape(rows.pattern.pattern)}")
        if self.hide_idle:
            extra.append("idle hidden")
        extra.append(f"{len(rows.order):,} goroutines")
        return "  │  ".join(parts + extra)

    def _state_at(self, g: int, t: int) -> str:
        """'G12 main.f: blocked: sync 1.2ms': goroutine g's span at t (from the lane's cached intervals)."""
        iv, _ = self.rows.goroutine_intervals(g)
        k = iv.index_at(t)
        label = self.rows.label_of(g)
        if k < 0:
            return f"{label}: —"
        return f"{label}: {NAMES[int(iv.cat[k])]} {fmt_dur(int(iv.end[k] - iv.start[k]))}"

    def _goroutine_on(self, kind: int, i: int, t: int) -> int | None:
        """The goroutine running on P (or thread) i at time t."""
        pos = self.rows.resource_spans_in(kind, i, t, t + 1)
        if len(pos) == 0:
            return None
        return int(self.model.lanes.goroutine_of(self.rows.resources(kind).span_index[pos[-1]]))

    # -- details -----------------------------------------------------------------------
    def action_details(self) -> None:
        if self.rows is None or not self.timeline.has_focus:
            return
        sel = self.timeline.selected()
        if sel is None:
            return
        kind, i, depth = sel
        t = self.timeline.cursor
        if kind in (PROC, THREAD):  # the goroutine span running there
            g = self._goroutine_on(kind, i, t)
            self.details = span_details(self.rows, g, t) if g is not None else None
            if g is None:
                self.notify(f"{self.rows.label(self.timeline.sel)} is idle at the cursor", timeout=3)
        elif kind == GOROUTINE:
            self.details = span_details(self.rows, i, t)
        else:
            self.details = region_details(self.rows, i, depth, t)
        box = self.query_one("#details")
        if self.details is None:
            box.display = False
            return
        self.query_one("#details-text", Static).update(self.details.markup())
        box.display = True

    def action_close(self) -> None:
        if self.rows is None:
            return
        box = self.query_one("#details")
        if box.display:
            box.display = False
            self.details = None
        elif self._shown_only:      # after a jump that showed some goroutines only: all again
            self._shown_only = False
            self._clear_filters()
        self.timeline.focus()

    # -- analysis screens (tracetui.screens) -------------------------------------------------
    def on_show_on_timeline(self, m: ShowOnTimeline) -> None:
        self.back_to_timeline()
        if self.rows is None:
            return
        rows = self.rows
        if m.goroutines is not None and len(m.goroutines) > 1:
            rows.pattern, rows.visible_only, self.hide_idle = None, np.asarray(m.goroutines, np.int64), False
            rows.rebuild()
            self.timeline.rows_changed()
            self._shown_only = True
            self.notify(f"showing {len(m.goroutines)} goroutines; Esc shows all again", timeout=4)
        elif m.focus_goroutine is not None and rows.row_of(m.focus_goroutine) is None:
            self._clear_filters()
        pad = max((m.t1 - m.t0) // 10, 1000)
        self.timeline.jump(m.t0 - pad, m.t1 + pad, m.t0, m.focus_goroutine)
        self.timeline.focus()

    def timeline_selection(self):
        """Mark to cursor (without a mark: the view) for the goroutine lanes in view."""
        tl = self.timeline if self.rows is not None else None
        if tl is None:
            return None
        top = int(tl.scroll_offset.y)
        page = slice(top, top + tl.page)
        lanes = self.rows.ident[page][np.isin(self.rows.kind[page], (GOROUTINE, REGION))]
        shown = list(dict.fromkeys(lanes.tolist()))
        if tl.mark is None:
            return shown, tl.t0, min(tl.t1, self.rows.t_last)
        return shown, min(tl.mark, tl.cursor), max(tl.mark, tl.cursor)

    def action_why(self) -> None:
        from tracetui.screens.why import open_why
        open_why(self)

    def action_follow(self, key: str) -> None:
        """Follow a link of the details panel."""
        link = self.details.links.get(key) if self.details else None
        if link is None:
            return
        if link.goroutine is not None and self.rows.row_of(link.goroutine) is None:
            self._clear_filters()
        lane = (PROC, link.proc) if link.proc is not None and link.goroutine is None else None
        self.timeline.jump(link.t0, link.t1, link.cursor, link.goroutine, lane)
        self.action_details()

    # -- jumps (palette) -------------------------------------------------------------------
    def jump_time(self, rel_ns: int) -> None:
        tl = self.timeline
        t = self.rows.t_first + rel_ns
        span = tl.t1 - tl.t0
        tl.jump(t - span // 2, t - span // 2 + span, t)

    def jump_goroutine(self, g: int) -> None:
        if self.rows.row_of(g) is None:
            self._clear_filters()
        sp = self.model.lanes.spans(g)
        tl = self.timeline
        t = tl.cursor
        if len(sp["start"]) and not (sp["start"][0] <= t <= sp["end"][-1]):
            t = int(sp["start"][0])
        tl.jump(cursor=t, goroutine=g)
        if not tl.t0 <= t < tl.t1:
            self.jump_time(t - self.rows.t_first)

    def jump_proc(self, p: int) -> None:
        """Select P p's lane (dense index), where the cursor is."""
        self.timeline.jump(lane=(PROC, p))

    def action_toggle_threads(self) -> None:
        if self.rows is None:
            return
        self.rows.show_threads = not self.rows.show_threads
        self.rows.rebuild()
        self.timeline.rows_changed()

    def region_types(self) -> list[str]:
        if self._region_types is None:
            names = self.model.summary.regions["name"][self.rows.region_idx]
            self._region_types = sorted({self.rows.trace.strings[int(n)] for n in np.unique(names)} - {""})
        return self._region_types

    def jump_region_type(self, name: str) -> None:
        """Go to the next region of this type (by start time), cycling."""
        r, rows = self.model.summary.regions, self.rows
        idx = rows.region_idx
        want = rows.trace.strings.index(name)
        hits = idx[r["name"][idx] == want]
        hits = hits[np.argsort(r["start"][hits], kind="stable")]
        if len(hits) == 0:
            return
        k = self._region_next.get(name, 0) % len(hits)
        self._region_next[name] = k + 1
        ri = int(hits[k])
        g = int(r["goroutine"][ri])
        if rows.row_of(g) is None:
            self._clear_filters()
        start, end = int(r["start"][ri]), int(r["end"][ri])
        pad = max((end - start) // 10, 1000)
        self.timeline.jump(start - pad, end + pad, start, g)
        self.notify(f"region {name}: {k + 1} of {len(hits)} ({rows.label_of(g)})", timeout=3)

    # -- filter, sort, idle ------------------------------------------------------------------
    def action_filter(self) -> None:
        if self.rows is None:
            return
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.rows.pattern.pattern if self.rows.pattern else ""
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.rows.set_filter(event.value)
        except re.error as e:
            self.notify(f"bad regular expression: {e}", severity="error")
            return
        event.input.display = False
        self.timeline.rows_changed()
        self.timeline.focus()

    def _clear_filters(self) -> None:
        self.rows.pattern = None
        self.rows.visible_only = None
        self.hide_idle = False
        self.rows.rebuild()
        self.timeline.rows_changed()

    def action_sort(self) -> None:
        if self.rows is None:
            return
        self.rows.sort_key = SORTS[(SORTS.index(self.rows.sort_key) + 1) % len(SORTS)]
        self.rows.rebuild()
        self.timeline.rows_changed()

    def action_toggle_idle(self) -> None:
        if self.rows is None:
            return
        self.hide_idle = not self.hide_idle
        self._apply_idle()

    def _apply_idle(self) -> None:
        tl = self.timeline
        self.rows.visible_only = self.rows.active_in(tl.t0, tl.t1) if self.hide_idle else None
        self.rows.rebuild()
        tl.rows_changed()

    # -- help, palette, quit ------------------------------------------------------------------
    def action_help(self) -> None:
        seen, out = set(), []
        for b in [*Timeline.BINDINGS, *self.BINDINGS]:
            if b.description in seen:
                continue
            seen.add(b.description)
            keys = b.key_display or ", ".join(k.replace("_", " ") for k in b.key.split(","))
            out.append((keys, b.description))
        out.append(("ctrl+p", "command palette: jump to g123, a time (12ms), a region type; every action"))
        out.append(("wheel", "scroll lanes; ctrl+wheel zoom, shift+wheel pan; click moves the cursor"))
        self.push_screen(HelpScreen(out))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if self.rows is None:
            return
        tl = self.timeline
        for title, help_, cb in (
            ("Fit the whole trace", "0", tl.action_fit), ("Zoom in", "+ or i", lambda: tl.action_zoom(0.5)),
            ("Zoom out", "- or o", lambda: tl.action_zoom(2)), ("Set the mark", "m", tl.action_set_mark),
            ("Back", "[", tl.action_back), ("Forward", "]", tl.action_forward),
            ("Filter goroutines", "/", self.action_filter), ("Sort goroutines", "s: id, start, exec, blocked",
                                                             self.action_sort),
            ("Hide idle goroutines", "a: goroutines that only wait in the view", self.action_toggle_idle),
            ("Show or hide the thread lanes", "T: one lane per M", self.action_toggle_threads),
            ("Details of the span at the cursor", "enter", self.action_details),
            ("Highlight a goroutine state", "x: cycles through the legend", tl.action_highlight),
            ("Keys and legend", "?", self.action_help),
        ):
            yield SystemCommand(title, help_, cb)
