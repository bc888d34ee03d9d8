"""The Textual app: `tracetui TRACE` and `tracetui --demo`.

`TraceApp(path)` shows the loading screen while a background thread decodes the
trace (salvaging a broken one as `go tool trace` does) and builds the model, then
the timeline with its status line, legend, details panel and filter box. A trace
that cannot be read at all shows its message. The layout is in app.tcss.

The app wires the parts together: the timeline (widgets.timeline; its lanes change
only through `Timeline.set_lanes`), the details panel (widgets.panel: it always shows
`details_at` the selected lane and the cursor, so it follows every move), the status
line (widgets.status), jumps to regions and tasks (widgets.targets) and the analysis
screens (tracetui.screens). Its keys are rows of the one command table, widgets.keys.
"""
from __future__ import annotations

import os
import re
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.widgets import Footer, Input, Static

from tracetui.format import TraceError
from tracetui.screens import AnalysisHost, ShowOnTimeline
from tracetui.screens.base import AnalysisScreen
from tracetui.widgets import keys
from tracetui.widgets.details import Details, Link, details_at
from tracetui.widgets.jump import JumpProvider
from tracetui.widgets.palette import legend_items
from tracetui.widgets.panel import DetailsPanel
from tracetui.widgets.rows import GOROUTINE, PROC, REGION, SORTS, Rows
from tracetui.widgets.screens import ErrorScreen, HelpScreen, LoadingScreen
from tracetui.widgets.search import with_function
from tracetui.widgets.status import StatusLine
from tracetui.widgets.targets import Target, region_target, task_target
from tracetui.widgets.timeline import Timeline


def load_model(source, progress=None, stage=None):
    """(model, rows, salvage report or None) of a trace file (tracetui.loading, as the CLI
    loads it); TraceError if nothing usable can be read."""
    from tracetui import loading

    model, report = loading.load_model(source, progress=progress, stage=stage)
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


class FilterBox(Input):
    """The lane filter prompt: Enter applies (empty: no filter), Esc closes it and keeps the
    filter that was in force. `mode` "name" filters by id and function, "stack" by a
    function in the goroutine's stacks."""

    BINDINGS = [Binding("escape", "cancel", "cancel", show=False)]
    mode = "name"

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class TraceApp(AnalysisHost, App):
    CSS_PATH = "app.tcss"
    TITLE = "tracetui"
    COMMANDS = App.COMMANDS | {JumpProvider}
    BINDINGS = [
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
        *keys.bindings("app"),
        *AnalysisHost.ANALYSIS_BINDINGS,
    ]

    def __init__(self, path: str | os.PathLike, title: str | None = None):
        super().__init__()
        self.path = Path(path)
        self.sub_title = title or self.path.name
        self.rows: Rows | None = None
        self.report = None
        self.hide_idle = False
        self._shown_only = False
        self._return_to: str | None = None  # the analysis screen a jump came from (Esc goes back)
        self.why_screen = None  # the last critical path panel (`w`): a jump from it returns to it
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
        except Exception:
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
        except Exception as e:
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
        self.panel = DetailsPanel(id="details")
        filt = FilterBox(id="filter")
        filt.display = False
        legend = "  ".join(f"[on {c}]  [/] {escape(n)}" for c, n in legend_items())
        self.status = StatusLine(id="status")
        return [banner, Horizontal(self.timeline, self.panel, id="body"), filt, self.status,
                Static(legend + "  ░ mixed", id="legend"), Footer()]

    def compose(self) -> ComposeResult:
        return []

    @property
    def details(self) -> Details | None:
        """What the details panel shows (None: it is closed)."""
        return self.panel.details if self.rows is not None else None

    # -- status line and details: both follow every change of the timeline ------------------
    def on_timeline_changed(self, _msg: Timeline.Changed | None) -> None:
        if self.rows is None:
            return
        self.status.show(self)
        if self.panel.display:
            self._show_details()

    def status_text(self) -> str:
        return str(self.status.render())

    def _show_details(self) -> None:
        sel = self.timeline.selected()
        if sel is None:
            self.panel.hide()
            return
        self.panel.show(details_at(self.rows, *sel, self.timeline.cursor))

    def action_details(self) -> None:
        if self.rows is None or not self.timeline.has_focus:
            return
        self._show_details()

    def action_widen(self) -> None:
        if self.rows is not None and self.panel.display:
            self.panel.toggle_wide()

    def action_close(self) -> None:
        """Esc: close the details panel; else, after a jump from an analysis screen, show
        every lane again and go back to that screen."""
        if self.rows is None:
            return
        if self.panel.display:
            self.panel.hide()
        elif self._shown_only or self._return_to:
            if self._shown_only:
                self._shown_only = False
                self._clear_filters()
            back, self._return_to = self._return_to, None
            if back == "why" and self.why_screen is not None:  # not an installed screen: the one it was
                self.push_screen(self.why_screen)
                return
            if back:
                super().action_analysis(back)
                return
        self.timeline.focus()

    # -- analysis screens (tracetui.screens) -------------------------------------------------
    def on_show_on_timeline(self, m: ShowOnTimeline) -> None:
        came_from = self.screen.name if isinstance(self.screen, AnalysisScreen) else None
        self.back_to_timeline()
        if self.rows is None:
            return
        self._return_to = came_from
        tl = self.timeline
        if m.goroutines is not None and len(m.goroutines) > 1:
            self.hide_idle = False
            tl.set_lanes(pattern=None, visible_only=np.asarray(m.goroutines, np.int64))
            self._shown_only = True
            self.notify(f"showing {len(m.goroutines)} goroutines; Esc shows all again", timeout=4)
        if m.region is not None:
            self.show_target(region_target(self.rows, m.region))
        elif m.task is not None:
            self.show_target(task_target(self.rows, m.task))
        else:
            if m.focus_goroutine is not None:
                self._show_lane(m.focus_goroutine)
            pad = max((m.t1 - m.t0) // 10, 1000)
            tl.jump(m.t0 - pad, m.t1 + pad, m.cursor if m.cursor is not None else (m.t0 + m.t1) // 2,
                    m.focus_goroutine)
        tl.focus()

    def timeline_selection(self):
        """Mark to cursor (without a mark: the view) for every goroutine lane shown (the filter's)."""
        tl = self.timeline if self.rows is not None else None
        if tl is None:
            return None
        shown = self.rows.order.tolist()
        if tl.mark is None:
            return shown, max(tl.t0, self.rows.t_first), min(tl.t1, self.rows.t_last)
        return shown, min(tl.mark, tl.cursor), max(tl.mark, tl.cursor)

    def action_analysis(self, name: str) -> None:
        """A screen key: the screen a jump came from is forgotten (Esc no longer returns to it)."""
        if not isinstance(self.screen, AnalysisScreen):
            self._return_to = None
        if getattr(self.screen, "NAME", None) == "why":  # the critical path panel closes
            self.timeline.show_path(None)
        super().action_analysis(name)

    # -- links and jumps -------------------------------------------------------------------
    def _show_lane(self, g: int) -> None:
        """Make goroutine g's lane shown: pinned beside the filter (and said so) if it hides it."""
        rows = self.rows
        k = int(np.searchsorted(rows.active, g))  # active is sorted (the goroutines with spans)
        if rows.row_of(g) is None and k < len(rows.active) and rows.active[k] == g:
            self.timeline.set_lanes(pinned=rows.pinned | {g})
            self.notify(f"{rows.label_of(g)} is outside the lane filter: shown pinned until the filter changes",
                        timeout=4)

    def profile_context(self) -> dict:
        """Scopes for the profile screen: mark→cursor, the selected goroutine, the filtered lanes."""
        tl, rows = (self.timeline, self.rows) if self.rows is not None else (None, None)
        if tl is None:
            return {}
        sel = tl.selected()
        filtered = rows.pattern is not None or rows.hide_runtime or rows.visible_only
        lanes = rows.order.tolist() if filtered else None   # the goroutine lanes shown (pinned ones too)
        return dict(window=None if tl.mark is None else (min(tl.mark, tl.cursor), max(tl.mark, tl.cursor)),
                    goroutine=sel[1] if sel is not None and sel[0] in (GOROUTINE, REGION) else None, lanes=lanes)

    def action_why(self) -> None:
        from tracetui.screens.why import open_why
        open_why(self)

    def action_follow(self, key: str) -> None:
        """Follow a link of the details panel."""
        link = self.details.links.get(key) if self.details else None
        if link is None:
            return
        self.follow(link)

    def follow(self, link: Link) -> None:
        if link.region is not None:
            self.show_target(region_target(self.rows, link.region))
            return
        if link.task is not None:
            self.show_target(task_target(self.rows, link.task))
            return
        if link.goroutine is not None:
            self._show_lane(link.goroutine)
        lane = (PROC, link.proc) if link.proc is not None and link.goroutine is None else None
        self.timeline.jump(link.t0, link.t1, link.cursor, link.goroutine, lane)

    def show_target(self, target: Target) -> None:
        """Jump to a region or task target: its row selected, the cursor inside it."""
        if target.goroutine is not None:
            self._show_lane(target.goroutine)
        self.timeline.jump(target.t0, target.t1, target.cursor, target.goroutine, depth=target.depth)

    def jump_time(self, rel_ns: int) -> None:
        self.timeline.move_cursor_to(self.rows.t_first + rel_ns)

    def jump_goroutine(self, g: int) -> None:
        """Select goroutine g's lane, the cursor where it is if g lives there, else at g's start."""
        self._show_lane(g)
        L, tl = self.model.lanes, self.timeline
        t = tl.cursor
        lo, hi = int(L.offsets[g]), int(L.offsets[g + 1])
        if hi > lo:  # the first span's start, the last one's end: no per-span arrays of a big lane
            first = int(self.model.trace.time[L.begin_row[lo]])
            if not first <= t <= int(L.ends(np.array([hi - 1]))[0]):
                t = first
        tl.jump(cursor=t, goroutine=g)
        if not tl.t0 <= t < tl.t1:
            tl.move_cursor_to(t)

    def jump_proc(self, p: int) -> None:
        """Select P p's lane (dense index), where the cursor is."""
        self.timeline.jump(lane=(PROC, p))

    def region_types(self) -> list[str]:
        if self._region_types is None:
            names = self.model.summary.regions["name"][self.rows.region_idx]
            self._region_types = sorted({self.rows.trace.strings[int(n)] for n in np.unique(names)} - {""})
        return self._region_types

    def _regions_named(self, want: int) -> np.ndarray:
        """The drawn regions with this name (string index), by start time."""
        r, idx = self.model.summary.regions, self.rows.region_idx
        hits = idx[r["name"][idx] == want]
        return hits[np.argsort(r["start"][hits], kind="stable")]

    def jump_region_type(self, name: str) -> None:
        """Go to the next region of this type (by start time), cycling."""
        hits = self._regions_named(self.rows.trace.strings.index(name))
        if len(hits) == 0:
            return
        k = self._region_next.get(name, 0) % len(hits)
        self._region_next[name] = k + 1
        ri = int(hits[k])
        self.show_target(region_target(self.rows, ri))
        g = int(self.model.summary.regions["goroutine"][ri])
        self.notify(f"region {name}: {k + 1} of {len(hits)} ({self.rows.label_of(g)})", timeout=3)

    def action_next_region(self, direction: int) -> None:
        """The next (or previous) region, by start time, of the type of the region at the cursor."""
        if self.rows is None:
            return
        sel, t = self.timeline.selected(), self.timeline.cursor
        d = details_at(self.rows, *sel, t) if sel is not None else None
        if d is None or d.region is None:
            self.notify("no region at the cursor on this lane", timeout=3)
            return
        r = self.model.summary.regions
        hits = self._regions_named(int(r["name"][d.region]))
        k = int(np.flatnonzero(hits == d.region)[0]) + direction
        if not 0 <= k < len(hits):
            self.notify("no more regions of this type", timeout=3)
            return
        self.show_target(region_target(self.rows, int(hits[k])))

    # -- lane filter, sort, idle, runtime, threads -------------------------------------------------
    def action_filter(self, mode: str = "name") -> None:
        if self.rows is None:
            return
        box = self.query_one("#filter", FilterBox)
        box.mode = mode
        box.placeholder = ("filter goroutines: regex over id and function" if mode == "name" else
                           "goroutines with a function matching this regex in their stacks") + \
            " (Enter applies, empty clears; Esc cancels)"
        box.display = True
        box.value = (self.rows.pattern.pattern if self.rows.pattern and mode == "name" else "")
        box.focus()

    def action_find_function(self) -> None:
        self.action_filter("stack")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        box = event.input
        try:
            if getattr(box, "mode", "name") == "stack":
                only = with_function(self.rows, event.value) if event.value else None
                self.timeline.set_lanes(visible_only=only)
                if only is not None:
                    self.notify(f"{len(self.rows.order)} goroutines with {event.value!r} in a stack", timeout=4)
            else:
                self.timeline.set_lanes(pattern=event.value)
        except re.error as e:
            self.notify(f"bad regular expression: {e}", severity="error")
            return
        box.display = False
        self.timeline.focus()

    def on_filter_box_cancelled(self, _event) -> None:
        box = self.query_one("#filter", FilterBox)
        box.display = False
        self.timeline.focus()

    def _clear_filters(self) -> None:
        self.hide_idle = False
        self.timeline.set_lanes(pattern=None, visible_only=None)

    def action_sort(self) -> None:
        if self.rows is not None:
            self.timeline.set_lanes(sort_key=SORTS[(SORTS.index(self.rows.sort_key) + 1) % len(SORTS)])

    def action_toggle_idle(self) -> None:
        if self.rows is None:
            return
        self.hide_idle = not self.hide_idle
        tl = self.timeline
        tl.set_lanes(visible_only=self.rows.active_in(tl.t0, tl.t1) if self.hide_idle else None)

    def action_toggle_runtime(self) -> None:
        if self.rows is not None:
            self.timeline.set_lanes(hide_runtime=not self.rows.hide_runtime)

    def action_toggle_threads(self) -> None:
        if self.rows is not None:
            self.timeline.set_lanes(show_threads=not self.rows.show_threads)

    # -- help, palette ------------------------------------------------------------------------
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        out = keys.help_rows(self.screen)
        out.append(("ctrl+p", "command palette: jump to g123, p2, a time (12ms), a region type; every command"))
        if not isinstance(self.screen, AnalysisScreen):
            out.append(("wheel", "scroll lanes; ctrl+wheel zoom, shift+wheel pan; click moves the cursor"))
        self.push_screen(HelpScreen(out))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if self.rows is None or isinstance(screen, AnalysisScreen):
            return
        for c in keys.palette_entries():
            ns = self.timeline if c.scope == "timeline" else self
            yield SystemCommand(c.palette, f"{c.display}: {c.description}",
                                partial(self.call_later, self.run_action, c.action, ns))
