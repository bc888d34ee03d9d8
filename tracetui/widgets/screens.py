"""The screens around the timeline: loading (progress bar), a trace that cannot be
read (its message), and help (every binding and the colour legend)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, ProgressBar, Static

from tracetui.widgets.palette import legend_items
from tracetui.widgets.timescale import fmt_dur


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


class LoadingScreen(Screen):
    """Bytes and generations decoded, then the model being built."""

    def __init__(self, name: str, size: int):
        super().__init__()
        self.trace_name = name
        self.total = size

    def compose(self) -> ComposeResult:
        with Center(id="loading-box"), Vertical(id="loading"):
            yield Static(f"[b]tracetui[/b]  {escape(self.trace_name)}", id="loading-title")
            yield ProgressBar(total=max(self.total, 1), show_eta=False, id="loading-bar")
            yield Static("reading…", id="loading-status")
        yield Footer()

    def progress(self, done: int, total: int, generations: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#loading-status", Static).update(
            f"decoded {_mb(done)} of {_mb(total)}, {generations} generation{'s' if generations != 1 else ''}")

    def stage(self, text: str) -> None:
        self.query_one("#loading-status", Static).update(text)


class ErrorScreen(Screen):
    """A trace that cannot be shown: the reader's message, and how to leave."""

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Center(id="error-box"):
            yield Static(f"[b]Cannot open this trace[/b]\n\n{escape(self.message)}\n\n[dim]press q to quit[/dim]",
                         id="error")
        yield Footer()


class HelpScreen(ModalScreen):
    """Every key binding of the timeline and the app, and the colour legend."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def __init__(self, bindings: list[tuple[str, str]]):
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        keys = "\n".join(f"  [b]{_key(k)}[/b] {escape(d)}" for k, d in self.bindings)
        legend = "\n".join(f"  [on {c}]   [/] {escape(n)}" for c, n in legend_items())
        text = (f"[b]Keys[/b]\n{keys}\n\n[b]Goroutine states[/b]\n{legend}\n"
                f"  ░   a cell that mixes states: the colour with most time, shaded\n"
                f"  ▌   a span starts or ends inside the cell (eighth blocks)\n"
                f"  ◆   a log message (trace.Log)    ·  a CPU profile sample\n\n"
                "[b]Lanes[/b]\n"
                "  time  the axis, from the first event; @ its wall-clock time (Go 1.25+)\n"
                "  GC    mark phases\n"
                "  STW   stop-the-world pauses (red: GC, orange: other)\n"
                "  heap  heap in use (orange: within 5% of the GC goal)\n"
                "  runnable Gs  the most runnable goroutines at once in each column\n"
                "  P0…  the goroutine running on each P (GC workers in purple; names where they fit)\n"
                "  M…   each thread, running or in a syscall (T shows them)\n\n"
                f"[dim]Times are relative to the first event; a column is never less than {fmt_dur(1)}.[/dim]")
        with VerticalScroll(id="help"):
            yield Static(text)


def _key(key: str) -> str:
    """A key name padded for the help, every "[" escaped (textual's escape() leaves a lone
    bracket, which then opens a tag)."""
    return key.ljust(18).replace("[", "\\[")
