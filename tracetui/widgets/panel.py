"""The details panel beside the timeline: it shows a `Details` (widgets.details), wraps
each line at spaces and path separators (never inside a name: `…/annotations.go:141`
breaks after a `/`), and `toggle_wide` widens it to the full width of the body."""
from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tracetui.widgets.details import Details

INDENT = 6  # a wrapped line's continuation is indented this much


def wrap(markup: str, width: int) -> Content:
    """A line of markup as Content broken into lines of at most `width` cells, only after a
    space or a `/` (a token longer than the width is cut only if it has neither)."""
    text = Content.from_markup(markup)
    plain = text.plain
    if len(plain) <= width or width <= INDENT + 4:
        return text
    cuts, start, limit = [], 0, width
    while len(plain) - start > limit:
        window = plain[start:start + limit + 1]
        k = max(window.rfind(" "), window.rfind("/"))
        cut = start + (k + 1 if k > 0 else limit)
        cuts.append(cut)
        start, limit = cut, width - INDENT
    pieces = text.divide(cuts)
    return Content("\n" + " " * INDENT).join(piece.rstrip() for piece in pieces)


class DetailsPanel(VerticalScroll):
    """The panel: hidden until `show(details)`; `hide()`; `toggle_wide()`."""

    def __init__(self, **kw):
        super().__init__(Static(id="details-text"), **kw)
        self.details: Details | None = None
        self.display = False

    def show(self, details: Details) -> None:
        self.details = details
        self.display = True
        self._draw()

    def hide(self) -> None:
        self.details = None
        self.display = False
        self.set_class(False, "-wide")

    def toggle_wide(self) -> None:
        self.set_class(not self.has_class("-wide"), "-wide")
        self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        if self.details is None:
            return
        width = max(self.content_region.width or 36, 20)
        text = Content("\n").join(wrap(line, width) for line in self.details.markup().split("\n"))
        self.query_one("#details-text", Static).update(text)

    def on_resize(self, _event) -> None:
        self._draw()
