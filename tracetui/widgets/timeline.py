"""The timeline widget: a time axis, fixed GC/STW/heap lanes, then one scrolling row per
goroutine lane and region depth, with a cursor, a mark, pan and zoom.

It is a Line API widget (`ScrollView.render_line`): only the rows on screen are
drawn, each from its cells cached per (row, view), so scrolling through 100,000
goroutines costs what scrolling through ten does. A lane of millions of spans is
indexed once by a background thread, after the first frame, for fast redraws;
meanwhile it is drawn straight from its spans in view, so the first frame of a big
trace does not wait for it. The view is (t0, t1) in trace
nanoseconds; the cursor is a time, the selected row an index into `Rows`.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracetui.widgets import keys
from tracetui.widgets import palette as P
from tracetui.widgets.cells import column_bounds, covered_columns, to_segments
from tracetui.widgets.rows import FIXED, GOROUTINE, REGION, Rows
from tracetui.widgets.search import next_change
from tracetui.widgets.timescale import axis_line

HEADER = 1 + len(FIXED)  # the axis, then the fixed lanes
_CACHE_MAX = 4096


@dataclass(frozen=True)
class View:
    """Where the timeline looks: the time range, the cursor and the selected lane
    ((GOROUTINE, g), (PROC, p) or (THREAD, m)); `depth` >= 0: the goroutine's region row
    of that depth."""

    t0: int
    t1: int
    cursor: int
    lane: tuple[int, int] | None
    depth: int = -1


def cut_label(text: str, width: int) -> str:
    """A lane label in `width` cells, cut from the left where too long, keeping the goroutine
    id and the end of its function, which identifies it: "G8 …Server.handle.func1"."""
    if len(text) <= width:
        return text
    head, _, rest = text.partition(" ")
    if not (head[:1] == "G" and head[1:].isdigit()) or len(head) + 2 >= width:
        head, rest = "", text
    head = f"{head} " if head else ""
    return head + "…" + rest[len(rest) - (width - len(head) - 1):]


class Timeline(ScrollView, can_focus=True):
    BINDINGS = keys.bindings("timeline")

    class Changed(Message):
        """The view, cursor, mark or selection changed."""

    def __init__(self, rows: Rows, **kw):
        super().__init__(**kw)
        self.rows = rows
        self.t0, self.t1 = rows.t_first, max(rows.t_last, rows.t_first + 1)
        self.cursor = (self.t0 + self.t1) // 2
        self.mark: int | None = None
        self.sel = 0
        self.highlight: int | None = None  # a goroutine state category shown alone in colour
        self.path: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # goroutine -> a critical path's segments on it
        self._path_id = 0  # which path `path` is: part of the cache key of the lanes it marks
        self._cells: dict = {}
        self._preparing: set = set()  # big lanes queued for the background thread
        self._prepare_queue: queue.Queue = queue.Queue()
        self._preparer: threading.Thread | None = None
        self._history: list[View] = []
        self._future: list[View] = []
        self.virtual_size = Size(0, len(rows) + HEADER)

    # -- geometry ------------------------------------------------------------------
    @property
    def label_width(self) -> int:
        w = self.scrollable_content_region.width
        return 20 if w < 120 else 30

    @property
    def plot_width(self) -> int:
        return max(self.scrollable_content_region.width - self.label_width - 1, 1)

    @property
    def page(self) -> int:
        return max(self.scrollable_content_region.height - HEADER, 1)

    def bounds(self) -> np.ndarray:
        return column_bounds(self.t0, self.t1, self.plot_width)

    def col_of(self, t: int) -> int:
        return int((t - self.t0) * self.plot_width // max(self.t1 - self.t0, 1))

    def time_of(self, col: int) -> int:
        """The time at the start of a plot column."""
        return int(self.t0 + (self.t1 - self.t0) * col // self.plot_width)

    @property
    def ns_per_col(self) -> float:
        return (self.t1 - self.t0) / self.plot_width

    # -- drawing -------------------------------------------------------------------
    def _plot(self, key, make):
        got = self._cells.get(key)
        if got is None:
            if len(self._cells) >= _CACHE_MAX:
                self._cells.clear()
            got = self._cells[key] = make()
        return got

    def _label(self, text: str, selected: bool) -> list[Segment]:
        w = self.label_width
        text = cut_label(text, w).ljust(w)
        bg = P.SELECTED_BG if selected else P.LABEL_BG
        return [Segment(text, Style(color=P.COLORS[P.TEXT], bgcolor=bg, bold=selected)),
                Segment("│", Style(color=P.COLORS[P.DIM], bgcolor=P.BACKGROUND))]

    def _overlay(self, chars, fg, bg, under=None) -> list[Segment]:
        """Segments of a plot row with the mark and cursor columns drawn over it (`under`:
        the columns underlined, a critical path's)."""
        segs = to_segments(chars, fg, bg, under=under)
        strip = Strip(segs, len(chars))
        for t, color in ((self.mark, P.MARK), (self.cursor, P.CURSOR)):
            if t is None or not self.t0 <= t < self.t1:
                continue
            c = self.col_of(t)
            ch = chr(int(chars[c])) if chars[c] != 32 else "│"
            strip = Strip.join([strip.crop(0, c),
                                Strip([Segment(ch, Style(color=P.COLORS[fg[c]] if chars[c] != 32 else "#000000",
                                                         bgcolor=color, underline=under is not None and bool(under[c])))],
                                      1),
                                strip.crop(c + 1, len(chars))])
        return list(strip)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        view = (self.t0, self.t1, self.plot_width)
        if y == 0:
            text = axis_line(self.t0 - self.rows.t_first, self.t1 - self.rows.t_first, self.plot_width)
            chars = np.array([ord(c) for c in text], np.uint32)
            z = np.full(len(chars), P.DIM, np.uint8)
            wall = self.rows.wall_start
            label = f"@{wall[11:].rstrip('Z')[:15]}" if wall else "time"  # wall clock at the first event
            segs = self._label(label, False) + self._overlay(chars, z, np.zeros_like(z))
        elif y < HEADER:
            name = FIXED[y - 1]
            cells = self._plot((name, *view), lambda: self.rows.fixed_cells(name, self.bounds()))
            segs = self._label(name, False) + self._overlay(*cells)
        else:
            row = int(self.scroll_offset.y) + y - HEADER
            if row >= len(self.rows):
                return Strip.blank(width, Style(bgcolor=P.BACKGROUND))
            lane = self.rows.lane_key(row)
            path = self.path.get(lane[1]) if lane[0] == GOROUTINE else None
            key = (*lane, *view, self._path_id if path is not None else None)
            if not self.rows.ready(lane):  # drawn from its spans in view until it is indexed
                self._prepare(lane)
            chars, fg, bg, under = self._plot(key, lambda: self._lane_cells(row, path))
            if self.highlight is not None and key[0] == GOROUTINE:
                fg, bg = P.dim_except(self.highlight, fg, bg)
            segs = self._label(self.rows.label(row), row == self.sel) + self._overlay(chars, fg, bg, under)
        return Strip(segs).adjust_cell_length(width, Style(bgcolor=P.BACKGROUND))

    def _lane_cells(self, row: int, path):
        """A row's cells and the columns a critical path's segments (starts, ends) cover on it
        (None: no path here), underlined in the text colour where blank."""
        bounds = self.bounds()
        chars, fg, bg = self.rows.cells(row, bounds)
        if path is None:
            return chars, fg, bg, None
        under = covered_columns(*path, bounds)
        fg[under & (chars == 32)] = P.TEXT
        return chars, fg, bg, under

    def show_path(self, segments) -> None:
        """Mark a critical path on the lanes it crosses: `segments` are (goroutine (dense),
        start, end) in trace ns; None or empty: no path is marked."""
        by_g: dict[int, list[tuple[int, int]]] = {}
        for g, a, b in segments or ():
            by_g.setdefault(int(g), []).append((int(a), int(b)))
        self.path = {g: (np.array([a for a, _ in ab], np.int64), np.array([b for _, b in ab], np.int64))
                     for g, ab in by_g.items()}
        self._path_id += 1
        self.refresh()

    def _prepare(self, lane: tuple[int, int, int]) -> None:
        """Queue a big lane for the background thread to index, which starts after the frame
        being drawn is on screen (it must not compete with the first frame)."""
        if lane not in self._preparing:
            self._preparing.add(lane)
            self._prepare_queue.put(lane)
            if self._preparer is None:
                self._preparer = threading.Thread(target=self._prepare_lanes, name="tracetui-lanes", daemon=True)
                self.call_after_refresh(self._preparer.start)

    def _prepare_lanes(self) -> None:
        """Background thread: build the big lanes' intervals one by one, then redraw."""
        while True:
            lane = self._prepare_queue.get()
            self.rows.prepare(lane)
            self._preparing.discard(lane)
            try:
                self.app.call_from_thread(self.refresh)
            except Exception:
                return

    # -- view changes ----------------------------------------------------------------
    def set_view(self, t0: int, t1: int, cursor: int | None = None) -> None:
        span_min = self.plot_width  # one nanosecond per column
        lo, hi = self.rows.t_first, max(self.rows.t_last, self.rows.t_first + 1)
        span = min(max(t1 - t0, span_min), (hi - lo) * 4)
        t0 = int(min(max(t0, lo - span // 2), hi - span // 2))
        self.t0, self.t1 = t0, t0 + int(span)
        if cursor is not None:
            self.cursor = int(cursor)
        self.cursor = int(min(max(self.cursor, self.t0), self.t1 - 1))
        self._changed()

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.Changed())

    def snapshot(self) -> View:
        s = self.selected()
        return View(self.t0, self.t1, self.cursor, self.selected_lane(), s[2] if s and s[0] == REGION else -1)

    def jump(self, t0: int | None = None, t1: int | None = None, cursor: int | None = None,
             goroutine: int | None = None, lane: tuple[int, int] | None = None, depth: int = -1) -> None:
        """Go somewhere new (a goroutine's lane, its region row of `depth`, or any `lane`),
        remembering where we were."""
        self._history.append(self.snapshot())
        self._future.clear()
        self._restore(View(self.t0 if t0 is None else t0, self.t1 if t1 is None else t1,
                           self.cursor if cursor is None else cursor,
                           (GOROUTINE, goroutine) if goroutine is not None else lane, depth))

    def _restore(self, v: View) -> None:
        row = self.rows.row_of_lane(*v.lane) if v.lane is not None else None
        if row is not None and v.lane[0] == GOROUTINE and 0 <= v.depth < self.rows.region_rows[v.lane[1]]:
            row += 1 + v.depth
        if row is not None:
            top = int(self.scroll_offset.y)
            if not top <= row < top + self.page - 2:  # off screen: bring it to the upper third
                self.scroll_to(y=max(row - self.page // 3, 0), animate=False)
            self.select_row(row)
        self.set_view(v.t0, v.t1, v.cursor)

    def action_back(self) -> None:
        if self._history:
            self._future.append(self.snapshot())
            self._restore(self._history.pop())

    def action_forward(self) -> None:
        if self._future:
            self._history.append(self.snapshot())
            self._restore(self._future.pop())

    def action_pan(self, direction: int) -> None:
        step = max((self.t1 - self.t0) // 8, 1) * direction
        self.set_view(self.t0 + step, self.t1 + step, self.cursor + step)

    def action_move_cursor(self, cols: int) -> None:
        c = self.col_of(self.cursor) + cols
        if c < 0 or c >= self.plot_width:
            self.action_pan(1 if cols > 0 else -1)
            c = min(max(c, 0), self.plot_width - 1)
        self.cursor = self.time_of(c) + int(self.ns_per_col // 2)
        self._changed()

    def action_zoom(self, factor: float) -> None:
        """Zoom around the cursor: it stays on the same column."""
        frac = (self.cursor - self.t0) / max(self.t1 - self.t0, 1)
        span = max(int((self.t1 - self.t0) * factor), self.plot_width)
        t0 = int(self.cursor - frac * span)
        self.set_view(t0, t0 + span)

    def action_next_span(self, direction: int) -> None:
        """The cursor to the start of the selected lane's next span (or of the span before)."""
        sel = self.selected()
        t = next_change(self.rows, *sel, self.cursor, direction) if sel is not None else None
        if t is not None:
            self.move_cursor_to(t)

    def move_cursor_to(self, t: int) -> None:
        """Put the cursor at t, panning (same zoom) if t is out of view."""
        if self.t0 <= t < self.t1:
            self.cursor = int(t)
            self._changed()
        else:
            span = self.t1 - self.t0
            self.set_view(t - span // 2, t - span // 2 + span, t)

    def action_zoom_mark(self) -> None:
        if self.mark is None or self.mark == self.cursor:
            self.notify("set a mark first (m), then move the cursor", timeout=3)
            return
        self.jump(min(self.mark, self.cursor), max(self.mark, self.cursor))

    def action_fit(self) -> None:
        self.jump(self.rows.t_first, max(self.rows.t_last, self.rows.t_first + 1) + 1)

    def action_highlight(self) -> None:
        """Cycle the highlighted goroutine state through the legend, then none."""
        order = [*P.LEGEND_ORDER, None]
        self.highlight = order[(order.index(self.highlight) + 1) % len(order)]
        self._changed()

    def action_set_mark(self) -> None:
        self.mark = None if self.mark == self.cursor else self.cursor
        self._changed()

    # -- selection -------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        n = len(self.rows)
        self.sel = min(max(row, 0), max(n - 1, 0))
        top = int(self.scroll_offset.y)
        if self.sel < top:
            self.scroll_to(y=self.sel, animate=False)
        elif self.sel >= top + self.page:
            self.scroll_to(y=self.sel - self.page + 1, animate=False)
        self._changed()

    def action_select(self, delta: int) -> None:
        self.select_row(self.sel + delta)

    def action_select_page(self, delta: int) -> None:
        self.select_row(self.sel + delta * self.page)

    def action_select_to(self, row: int) -> None:
        self.select_row(row if row >= 0 else len(self.rows) - 1)

    def set_lanes(self, **changes) -> None:
        """The one way to change which lanes show (sort, filter, only, threads, runtime,
        pinned: `Rows.configure`'s settings); the selected lane stays selected if shown."""
        self.rows.configure(**changes)
        self.rows_changed()

    def rows_changed(self) -> None:
        """The row list was rebuilt (filter, sort): keep the selected lane if it is still there."""
        lane = self.selected_lane()
        self._cells.clear()
        self.virtual_size = Size(0, len(self.rows) + HEADER)
        row = self.rows.row_of_lane(*lane) if lane is not None else None
        self.select_row(row if row is not None else 0)

    def selected_lane(self) -> tuple[int, int] | None:
        """(kind, ident) of the selected lane; a region row gives its goroutine's lane."""
        s = self.selected()
        if s is None:
            return None
        return (GOROUTINE, s[1]) if s[0] == REGION else (s[0], s[1])

    def selected(self) -> tuple[int, int, int] | None:
        """(kind, ident, depth) of the selected row: ident is a goroutine, P or thread index."""
        if not 0 <= self.sel < len(self.rows):
            return None
        return int(self.rows.kind[self.sel]), int(self.rows.ident[self.sel]), int(self.rows.depth[self.sel])

    def on_resize(self, _event: events.Resize) -> None:
        # the width of a column, so the cursor's resolution, changed (once laid out)
        self.call_after_refresh(self._changed)

    # -- mouse -------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        x = event.x - self.label_width - 1
        if 0 <= x < self.plot_width:
            self.cursor = self.time_of(x) + int(self.ns_per_col // 2)
        if event.y >= HEADER:
            self.select_row(int(self.scroll_offset.y) + event.y - HEADER)
        else:
            self._changed()

    def _wheel(self, event, direction: int) -> bool:
        if event.ctrl:
            x = event.x - self.label_width - 1
            if 0 <= x < self.plot_width:
                self.cursor = self.time_of(x)
            self.action_zoom(0.5 if direction < 0 else 2)
        elif event.shift:
            self.action_pan(direction)
        else:
            return False
        event.stop()
        return True

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if not self._wheel(event, -1):
            super()._on_mouse_scroll_up(event)

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if not self._wheel(event, 1):
            super()._on_mouse_scroll_down(event)

    def _on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        self.action_pan(-1)
        event.stop()

    def _on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        self.action_pan(1)
        event.stop()
