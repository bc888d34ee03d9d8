"""ArrayTable: a virtualised table over numpy columns.

The table never holds a Python object per row. It keeps the columns (numpy arrays,
or short Python lists for small tables), an `order` array (the rows shown, top to
bottom: a stable argsort of the sort column, then the filter mask applied) and a
cursor position in that order. `render_line` formats only the rows on screen, and
their strips are cached until the data, sort, filter, cursor or width change.

Columns (`Col`) have a kind that decides the formatting, as in the report commands'
output layer: "ns" (durations: µs/ms/s), "time" (a point in time: ns since the
trace's first event, `origin` subtracted, with the digits that tell the column's
values apart), "id" (goroutine, task, ... ids: digits only, to paste into the palette),
"int", "pct" (0..1), "bytes", "float", "text". A text column may hold indices into `labels` (e.g. the trace's string table);
it then sorts by label text.

Keys: ↑/↓ j/k, PgUp/PgDn, Home/End move the cursor; Enter posts `Selected`; `s`
sorts by the next column, `S` by the previous one, `r` reverses. A click on a header
sorts by that column (again: reverses); a click on a row moves the cursor there, a
click on the cursor row selects it. Moving the cursor posts `Highlighted`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracetui.reports.output import cell, time_resolution

TEXT_MIN = 16
NUMERIC_WIDTH = {"ns": 7, "time": 9, "pct": 6, "bytes": 9, "float": 8}
HEADER = Style(bold=True, color="#e6edf3", bgcolor="#30363d")
SORTED_HEADER = Style(bold=True, color="#101418", bgcolor="#58a6ff")
ROW = Style(color="#c9d1d9")
CURSOR = Style(color="#101418", bgcolor="#58a6ff")
CURSOR_BLURRED = Style(color="#e6edf3", bgcolor="#30363d")


@dataclass
class Col:
    key: str
    title: str
    kind: str = "text"
    labels: Sequence[str] | None = None    # text column: cell = labels[value]
    width: int | None = None               # fixed width (default: from the kind and the data)
    drop: int = 0                          # on a narrow screen, the highest `drop` goes first (0: never)
    draw: Callable[[int, int], list[Segment]] | None = None   # kind "draw": (data index, width) -> segments


def fmt(value, col: Col, origin: int = 0, resolution: int = 1_000) -> str:
    """One cell's text; `resolution` (ns) is a "time" column's (reports.output.time_resolution)."""
    kind = col.kind
    if col.labels is not None:
        return col.labels[int(value)] if value >= 0 else ""
    if kind == "time":
        return cell(int(value) - origin, "time", resolution)
    if kind == "id":
        return str(int(value))
    if kind == "bool":
        return "yes" if value else ""
    if kind in ("pct", "float"):
        value = float(value)
    elif kind == "int":
        value = int(value)
    return cell(value, kind)  # the report tables' formatting


def sort_key(values, col: Col) -> np.ndarray:
    """An array whose stable argsort orders the rows by this column."""
    if col.labels is not None:
        v = np.asarray(values, np.int64)
        uniq, inv = np.unique(v, return_inverse=True)
        text = [col.labels[int(u)] if u >= 0 else "" for u in uniq.tolist()]
        rank = np.empty(len(uniq), np.int64)
        rank[np.argsort(np.array(text, dtype=object), kind="stable")] = np.arange(len(uniq))
        return rank[inv.reshape(-1)]
    if col.kind == "draw":
        return np.asarray(values)
    if col.kind == "text":
        uniq, inv = np.unique(np.asarray([str(x) for x in values], dtype=object), return_inverse=True)
        return inv.reshape(-1)
    return np.asarray(values)


class ArrayTable(ScrollView, can_focus=True):
    """A table of numpy columns; see the module docstring."""

    DEFAULT_CSS = """
    ArrayTable { background: #101418; height: 1fr; overflow-x: hidden; scrollbar-size-vertical: 1; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "up", show=False),
        Binding("down,j", "move(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "move(-1e12)", "first", show=False),
        Binding("end", "move(1e12)", "last", show=False),
        Binding("enter", "select", "open"),
        Binding("s", "sort_next(1)", "sort"),
        Binding("S", "sort_next(-1)", "sort back", show=False),
        Binding("r", "reverse", "reverse"),
    ]

    cursor = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, table: ArrayTable, index: int) -> None:
            super().__init__()
            self.table, self.index = table, index

        @property
        def control(self) -> ArrayTable:
            return self.table

    class Selected(Highlighted):
        """Enter (or a click on the cursor row) on the row of data index `index`."""

    def __init__(self, columns: list[Col] | None = None, data: dict | None = None, *, origin: int = 0,
                 sort: str | None = None, descending: bool = True, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.origin = origin
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)
        self.columns: list[Col] = []
        self.data: dict = {}
        self._resolution: dict[str, int] = {}
        self.nrows = 0
        self.order = np.zeros(0, np.int64)
        self.sort_column: str | None = None
        self.descending = descending
        self._mask: np.ndarray | None = None
        self._sorted = np.zeros(0, np.int64)
        self._natural: list[int] = []
        if columns is not None:
            self.set_data(columns, data or {}, sort=sort, descending=descending)

    # -- data, sort, filter ---------------------------------------------------------------

    def set_data(self, columns: list[Col], data: dict, *, sort: str | None = None, descending: bool = True) -> None:
        """Show `data` (key -> array-like, equal lengths) in `columns`; sorted by `sort` if given."""
        self.columns = columns
        self.data = {c.key: data[c.key] for c in columns}
        self._resolution = {c.key: time_resolution(np.asarray(self.data[c.key])) for c in columns if c.kind == "time"}
        self.nrows = len(next(iter(self.data.values()))) if self.data else 0
        self._mask = None
        self.sort_column, self.descending = None, descending
        self._sorted = np.arange(self.nrows, dtype=np.int64)
        self._natural_widths()
        if sort is not None:
            self.sort_by(sort, descending, keep_cursor=False)
        else:
            self._apply(keep=None)

    def sort_by(self, key: str, descending: bool | None = None, keep_cursor: bool = True) -> None:
        """Sort rows by column `key` (stable: equal values keep the data's order); `descending`
        None: the other way if already sorted by `key`, else text A to Z and numbers largest first."""
        col = next(c for c in self.columns if c.key == key)
        if descending is None:
            descending = not self.descending if key == self.sort_column else col.kind != "text"
        keep = self.current if keep_cursor else None
        k = sort_key(self.data[key], col)
        if descending:   # stable descending: reverse, argsort stably, map back, reverse again
            order = np.argsort(k[::-1], kind="stable")
            self._sorted = (len(k) - 1 - order)[::-1].copy()
        else:
            self._sorted = np.argsort(k, kind="stable").astype(np.int64)
        self.sort_column, self.descending = key, descending
        self._apply(keep)

    def set_filter(self, mask: np.ndarray | None) -> None:
        """Show only the rows where `mask` (bool per data row) is true; None shows all."""
        keep = self.current
        self._mask = None if mask is None else np.asarray(mask, bool)
        self._apply(keep)

    def _apply(self, keep: int | None) -> None:
        order = self._sorted
        if self._mask is not None:
            order = order[self._mask[order]]
        self.order = order
        self._cache.clear()
        pos = 0
        if keep is not None and len(order):
            hit = np.flatnonzero(order == keep)
            pos = int(hit[0]) if len(hit) else 0
        if not self.is_mounted:     # not on screen yet: no scrolling, no messages
            self.set_reactive(ArrayTable.cursor, pos)
            return
        self.virtual_size = Size(0, len(order) + 1)
        self.cursor = pos

    @property
    def current(self) -> int | None:
        """The data index under the cursor (None when the table is empty)."""
        return int(self.order[self.cursor]) if 0 <= self.cursor < len(self.order) else None

    def move_to_index(self, index: int) -> None:
        """Put the cursor on data row `index` if it is shown."""
        hit = np.flatnonzero(self.order == index)
        if len(hit):
            self.cursor = int(hit[0])

    # -- layout -------------------------------------------------------------------------

    def _natural_widths(self) -> None:
        widths = []
        for c in self.columns:
            if c.width is not None:
                w = c.width
            elif c.kind == "time":   # as many digits as the column's resolution needs
                v = np.asarray(self.data[c.key])
                ends = (v.min(), v.max()) if len(v) else ()
                w = max([NUMERIC_WIDTH["time"], *(len(fmt(x, c, self.origin, self._resolution.get(c.key, 1_000)))
                                                  for x in ends)])
            elif c.kind in NUMERIC_WIDTH:
                w = NUMERIC_WIDTH[c.kind]
            elif c.kind in ("int", "id"):
                v = np.asarray(self.data[c.key])
                big = int(np.abs(v).max()) if len(v) else 0
                w = len(f"{big:,}" if c.kind == "int" else str(big)) + (1 if len(v) and int(v.min()) < 0 else 0)
            elif c.kind == "bool":
                w = 3
            elif c.kind == "draw":
                w = 20
            else:
                w = 0   # text: shares the room left
            widths.append(max(w, len(c.title) + 1))
        self._natural = widths

    def _layout(self, width: int) -> list[int]:
        """Column widths for `width` cells (one space between columns; 0: left out for room);
        text columns share what is left, at least TEXT_MIN each."""
        widths = list(self._natural)
        texts = [i for i, c in enumerate(self.columns) if c.kind == "text" and c.width is None]

        def need() -> int:
            shown = [w if i not in texts else max(w, TEXT_MIN) for i, w in enumerate(widths) if w]
            return sum(shown) + len(shown) - 1
        while need() > width:
            i = max(range(len(widths)), key=lambda j: self.columns[j].drop if widths[j] else -1)
            if not widths[i] or self.columns[i].drop == 0:
                break
            widths[i] = 0
        shown = [i for i, w in enumerate(widths) if w]
        room = width - sum(widths[i] for i in shown if i not in texts) - max(len(shown) - 1, 0)
        if texts:
            each = max(room // len(texts), 0)
            for i in texts:
                widths[i] = max(widths[i], min(each, 60) if len(texts) > 1 else each)
        return widths

    # -- rendering ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        pos = int(self.scroll_offset.y) + y - 1
        if pos >= len(self.order):
            return Strip.blank(width, ROW)
        is_cursor = pos == self.cursor
        key = (pos, is_cursor, width, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            style = (CURSOR if self.has_focus else CURSOR_BLURRED) if is_cursor else ROW
            strip = self._cache[key] = self._line(int(self.order[pos]), width, style)
        return strip

    def _line(self, i: int, width: int, style: Style) -> Strip:
        segs = []
        for c, w in zip(self.columns, self._layout(width)):
            if not w:
                continue
            if c.kind == "draw":
                segs += [*c.draw(i, w), Segment(" ", style)]
                continue
            text = fmt(self.data[c.key][i], c, self.origin, self._resolution.get(c.key, 1_000))
            if len(text) > w:
                text = text[:max(w - 1, 0)] + "…"
            segs.append(Segment((text.ljust(w) if c.kind == "text" else text.rjust(w)) + " ", style))
        return Strip(segs).crop(0, width).extend_cell_length(width, style)

    def _header(self, width: int) -> Strip:
        segs = []
        for c, w in zip(self.columns, self._layout(width)):
            if not w:
                continue
            title = c.title
            if c.key == self.sort_column:
                title = title + ("↓" if self.descending else "↑")
            title = title[:w].ljust(w) if c.kind in ("text", "draw") else title[-w:].rjust(w)
            segs += [Segment(title, SORTED_HEADER if c.key == self.sort_column else HEADER), Segment(" ", HEADER)]
        strip = Strip(segs[:-1])
        return strip.extend_cell_length(width, HEADER).crop(0, width)

    def on_mount(self) -> None:
        self.virtual_size = Size(0, len(self.order) + 1)

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(0, len(self.order) + 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        if self.current is not None:
            self.post_message(self.Highlighted(self, self.current))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        rows = max(self.size.height - 1, 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def watch_scroll_y(self, old, new) -> None:
        super().watch_scroll_y(old, new)
        self.refresh()

    # -- actions ------------------------------------------------------------------------

    def action_move(self, delta: float) -> None:
        if len(self.order):
            self.cursor = int(min(max(self.cursor + delta, 0), len(self.order) - 1))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(self.size.height - 2, 1))

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def action_sort_next(self, step: int) -> None:
        """Sort by the next (step 1) or previous (-1) column shown."""
        keys = [c.key for c, w in zip(self.columns, self._layout(self.scrollable_content_region.width)) if w]
        if not keys:
            return
        i = keys.index(self.sort_column) if self.sort_column in keys else -step
        self.sort_by(keys[(i + step) % len(keys)])

    def action_reverse(self) -> None:
        if self.sort_column is not None:
            self.sort_by(self.sort_column, not self.descending)

    def on_click(self, event: Click) -> None:
        self.focus()
        if event.y == 0:
            x = 0
            for c, w in zip(self.columns, self._layout(self.scrollable_content_region.width)):
                if not w:
                    continue
                if x <= event.x < x + w + 1:
                    self.sort_by(c.key)
                    return
                x += w + 1
            return
        pos = int(self.scroll_offset.y) + event.y - 1
        if 0 <= pos < len(self.order):
            if pos == self.cursor:
                self.action_select()
            else:
                self.cursor = pos
