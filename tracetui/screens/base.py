"""What every analysis screen shares: the jump to the timeline, the tab line, the
screen keys, the filter prompt, and `AnalysisHost`, the App side of switching.

Jumps: a screen never drives the timeline itself; it posts `ShowOnTimeline` to the
App, which returns to its timeline and shows the goroutines (dense indices into
`model.lanes`, None: keep the lanes as they are) over [t0, t1] (trace clock, ns), with
the cursor on `focus_goroutine` if given.

Switching: every analysis screen is installed once under its name and reused, so its
sort, filter and cursor survive switches. From the timeline a screen key pushes it;
from an analysis screen it replaces the current one; Escape pops back.
"""
from __future__ import annotations

import re

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

# name -> (key, tab title); the classes are registered by tracetui.screens.
# Digits: the timeline's letters (h/l/H/L, i/o, j/k, m, g, t, r...) stay the timeline's.
TABS = {"regions": ("1", "Regions"), "tasks": ("2", "Tasks"), "goroutines": ("3", "Goroutines"),
        "gc": ("4", "GC"), "logs": ("5", "Logs"), "selection": ("6", "Selection"), "waits": ("7", "Waits"),
        "profile": ("8", "Profile")}

SCREEN_BINDINGS = [Binding(key, f"app.analysis('{name}')", title, show=False) for name, (key, title) in TABS.items()]


class ShowOnTimeline(Message):
    """Show `goroutines` (dense indices; None: as they are) over [t0, t1] ns on the timeline,
    the lane of `focus_goroutine` (dense index) selected if given, the cursor at `cursor`
    (default: the middle of [t0, t1]). `region` (summary.regions index) or `task`
    (summary.tasks index): land on that region's row or that task, the cursor inside it."""

    def __init__(self, goroutines: list[int] | None, t0: int, t1: int, focus_goroutine: int | None = None,
                 cursor: int | None = None, region: int | None = None, task: int | None = None) -> None:
        super().__init__()
        self.goroutines = goroutines
        self.t0, self.t1 = int(t0), int(max(t1, t0))
        self.focus_goroutine = focus_goroutine
        self.cursor = None if cursor is None else int(cursor)
        self.region = None if region is None else int(region)
        self.task = None if task is None else int(task)

    def __repr__(self) -> str:
        return (f"ShowOnTimeline(goroutines={self.goroutines}, t0={self.t0}, t1={self.t1}, "
                f"focus_goroutine={self.focus_goroutine})")


class Tabs(Static):
    """One line: every screen's key and title, the current one highlighted; a click switches."""

    DEFAULT_CSS = "Tabs { height: 1; background: #1c2128; color: #8b949e; }"

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current
        self._spans: list[tuple[int, int, str]] = []

    def render(self) -> str:
        parts, x = [], 0
        self._spans = []
        for name, (key, title) in TABS.items():
            text = f" {key} {title} "
            self._spans.append((x, x + len(text), name))
            x += len(text)
            parts.append(f"[b #101418 on #58a6ff]{text}[/]" if name == self.current else text)
        return "".join(parts) + "  [dim]Esc back[/]"

    async def on_click(self, event) -> None:
        for a, b, name in self._spans:
            if a <= event.x < b:
                await self.app.run_action(f"analysis('{name}')")


class AnalysisScreen(Screen):
    """Base of the analysis screens: tabs on top, the footer below, `/` filters."""

    NAME = ""
    FILTER_HELP = "regular expression"
    BINDINGS = [Binding("escape", "back", "back"), Binding("slash", "filter", "filter"), *SCREEN_BINDINGS]
    DEFAULT_CSS = """
    AnalysisScreen { background: #101418; }
    AnalysisScreen .caption { height: 1; color: #8b949e; background: #101418; }
    AnalysisScreen #filter { dock: bottom; height: 1; border: none; padding: 0 1; display: none; }
    AnalysisScreen #filter.shown { display: block; }
    """

    def __init__(self, model) -> None:
        super().__init__(name=self.NAME)
        self.model = model
        self.origin = int(model.trace.time[0]) if len(model.trace) else 0
        self.end = int(model.trace.time[-1]) if len(model.trace) else 0
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Tabs(self.NAME)
        yield from self.body()
        yield Input(placeholder=f"filter: {self.FILTER_HELP} (Enter applies, empty clears)", id="filter")
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def jump(self, goroutines: list[int] | None, t0: int, t1: int, focus: int | None = None, **target) -> None:
        """Show these goroutines over [t0, t1] on the timeline (`target`: ShowOnTimeline's
        cursor, region or task)."""
        self.app.post_message(ShowOnTimeline(goroutines, t0, t1, focus, **target))

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("shown"):
            box.remove_class("shown")
            self.focus_next()
            return
        self.app.pop_screen()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        box.value = self.filter_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "filter":
            return
        event.stop()
        box = event.input
        try:
            self.apply_filter(box.value)
        except ValueError as e:
            self.notify(str(e), severity="error")
            return
        self.filter_text = box.value
        box.remove_class("shown")
        self.focus_next()

    def apply_filter(self, text: str) -> None:
        """Filter this screen's rows by `text` (ValueError: a bad pattern)."""


def compile_filter(text: str):
    """The regular expression of a filter prompt, or None for an empty one."""
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error as e:
        raise ValueError(f"not a regular expression: {e}") from None


class AnalysisHost:
    """Mixin for the App: the action `analysis(name)` shows an analysis screen (keys: TABS).

    The App sets `self.model` before the first switch, adds `ANALYSIS_BINDINGS` to its
    BINDINGS, handles `ShowOnTimeline` (`on_show_on_timeline`, calling
    `back_to_timeline()` first) and may override `timeline_selection()`."""

    ANALYSIS_BINDINGS = [Binding(key, f"analysis('{name}')", title, show=False) for name, (key, title) in TABS.items()]

    def analysis_screen(self, name: str):
        from tracetui.screens import SCREENS

        if not self.is_screen_installed(name):
            self.install_screen(SCREENS[name](self.model), name)
        return self.get_screen(name)

    def action_analysis(self, name: str) -> None:
        if getattr(self, "model", None) is None:
            return
        if name == "selection" and not isinstance(self.screen, AnalysisScreen):
            selection = self.timeline_selection()
            if selection is not None:
                self.analysis_screen(name).select(*selection)
        if name == "profile" and not isinstance(self.screen, AnalysisScreen):
            self.analysis_screen(name).set_context(**self.profile_context())
        screen = self.analysis_screen(name)
        if self.screen is screen:
            return
        if isinstance(self.screen, AnalysisScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def timeline_selection(self):
        """(goroutines, t0, t1) the timeline has selected (mark to cursor, lanes in view), or
        None: the selection screen then keeps what it showed (at first, the whole trace)."""
        return None

    def profile_context(self) -> dict:
        """The profile screen's scopes from the timeline: window (mark→cursor, ns), goroutine
        (the selected one, dense) and lanes (the goroutines a lane filter keeps); None: none."""
        return {}

    def back_to_timeline(self) -> None:
        """Pop every analysis screen (call first in on_show_on_timeline)."""
        for screen in reversed(self.screen_stack):   # pop_screen completes later: count first
            if not isinstance(screen, AnalysisScreen):
                break
            self.pop_screen()


def columns_of(rows: list[dict], cols) -> dict:
    """Report rows (dicts) as table columns: text columns as lists, the rest as numpy arrays."""
    return {c.key: [r[c.key] for r in rows] if c.kind == "text" else np.array([r[c.key] for r in rows])
            for c in cols}


def point_window(screen: AnalysisScreen, t: int) -> tuple[int, int]:
    """A window around time `t` for a jump to a point: 1% of the trace, at least 10µs."""
    half = max((screen.end - screen.origin) // 200, 5_000)
    return t - half, t + half
