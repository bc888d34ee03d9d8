"""tracetui.screens: the TUI's analysis screens (regions, tasks, goroutines, GC,
logs, selection statistics, waits, profiles), each linked to the timeline by `ShowOnTimeline`.

    class App(AnalysisHost, textual.app.App):
        BINDINGS = [..., *AnalysisHost.ANALYSIS_BINDINGS]
        def on_show_on_timeline(self, message): self.back_to_timeline(); ...

See `base.py` for the protocol; one module per screen.
"""
from __future__ import annotations

from tracetui.screens.base import TABS, AnalysisHost, AnalysisScreen, ShowOnTimeline
from tracetui.screens.gc import GCScreen
from tracetui.screens.goroutines import GoroutinesScreen
from tracetui.screens.logs import LogsScreen
from tracetui.screens.profile import ProfileScreen
from tracetui.screens.regions import RegionsScreen
from tracetui.screens.selection import SelectionScreen
from tracetui.screens.tasks import TasksScreen
from tracetui.screens.waits import WaitsScreen

SCREENS = {"regions": RegionsScreen, "tasks": TasksScreen, "goroutines": GoroutinesScreen, "gc": GCScreen, "logs": LogsScreen,
           "selection": SelectionScreen, "waits": WaitsScreen, "profile": ProfileScreen}

__all__ = ["SCREENS", "TABS", "AnalysisHost", "AnalysisScreen", "ShowOnTimeline"]
