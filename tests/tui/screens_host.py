"""A small host App for the analysis screens' tests: a placeholder timeline that
records every ShowOnTimeline it receives."""
from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tracetui.screens import AnalysisHost, ShowOnTimeline


class HostApp(AnalysisHost, App):
    BINDINGS = [*AnalysisHost.ANALYSIS_BINDINGS]

    def __init__(self, model, start: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.start = start
        self.jumps: list[ShowOnTimeline] = []
        self.selection = None     # what timeline_selection() answers

    def compose(self) -> ComposeResult:
        yield Static("timeline", id="timeline")

    def on_mount(self) -> None:
        if self.start:
            self.action_analysis(self.start)

    def timeline_selection(self):
        return self.selection

    def on_show_on_timeline(self, message: ShowOnTimeline) -> None:
        self.back_to_timeline()
        self.jumps.append(message)


if __name__ == "__main__":   # try the screens by hand: python -m tests.tui.screens_host TRACE [screen]
    import sys

    from tracetui.format import read
    from tracetui.model import build

    HostApp(build(read(sys.argv[1])), sys.argv[2] if len(sys.argv) > 2 else "regions").run()
