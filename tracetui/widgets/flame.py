"""An icicle graph of a profile's call tree (tracetui.reports.profile_tree.Tree), drawn with
the Line API: the zoomed frame on the top line, full width; each line below, the frames one
call deeper, as wide as their share of it, labels cut to fit and left out of frames too
narrow for one; the selected frame inverted, search matches highlighted.

State: `calls` (the Tree), `zoom` (node drawn full width), `selected` (node), `matches` (mask of nodes).
Keys: ←/→ the neighbour frame on the same line, ↑ the caller, ↓ the widest callee; `+`/`z`
zooms into the selected frame, `-`/Backspace out one level, `0` to the root. A click selects;
a double click zooms. Posts `FlameGraph.Selected` when the selection changes and
`FlameGraph.Chosen` on Enter.
"""
from __future__ import annotations

import zlib

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracetui.reports.profile_tree import Tree, starts

BG = Style(bgcolor="#101418")
# Warm colours for frames (as flame graphs draw them), picked per package so a package reads as one.
PALETTE = ("#b35c1e", "#a8641a", "#9c4a1a", "#b0782a", "#8f5a23", "#a34f2d", "#946b2d", "#86502a")
MATCH = Style(bgcolor="#8957e5", color="#ffffff")
SELECTED = Style(bgcolor="#e6edf3", color="#101418", bold=True)


def package(name: str) -> str:
    """The package of a Go function name: "net/http.(*conn).serve" -> "net/http"."""
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return name[:dot] if dot > 0 else name


class FlameGraph(ScrollView, can_focus=True):
    BINDINGS = [Binding("left", "move(-1)", "prev", show=False), Binding("right", "move(1)", "next", show=False),
                Binding("up", "caller", "caller", show=False), Binding("down", "callee", "callee", show=False),
                Binding("plus,z", "zoom_in", "zoom"), Binding("minus,backspace", "zoom_out", "out"),
                Binding("0", "zoom_root", "root", show=False), Binding("enter", "choose", "sources")]
    DEFAULT_CSS = "FlameGraph { background: #101418; }"

    class Selected(Message):
        def __init__(self, graph: FlameGraph, node: int) -> None:
            super().__init__()
            self.graph, self.node = graph, node

    class Chosen(Selected):
        pass

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.calls: Tree | None = None
        self.zoom = self.selected = 0
        self.matches: np.ndarray | None = None
        self._version = 0
        self._cache: dict = {}

    def set_tree(self, tree: Tree, j: int = -1) -> None:
        """Show `tree` (values of sample type j), unzoomed, the root selected."""
        self.calls = tree
        self.start = starts(tree, j)
        self.cum = tree.cum[:, j].astype(np.int64)
        # Per depth: its nodes in order of their start (so a line is a searchsorted range).
        order = np.lexsort((self.start, tree.depth))
        bounds = np.searchsorted(tree.depth[order], np.arange(int(tree.depth.max(initial=0)) + 2))
        self.by_depth = [order[bounds[d]:bounds[d + 1]] for d in range(len(bounds) - 1)]
        self._pkg_styles = {}
        self.zoom = self.selected = 0
        self.matches = None
        self._changed()

    def set_matches(self, mask: np.ndarray | None) -> None:
        self.matches = mask
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self._cache.clear()
        if self.calls is not None:
            self.virtual_size = Size(self.size.width, len(self.by_depth) - int(self.calls.depth[self.zoom]))
        self.refresh()

    # -- layout ------------------------------------------------------------------------
    def columns(self, node: int, width: int) -> tuple[int, int]:
        """The cells [x0, x1) of `node` at this zoom and width (x1 <= x0: too narrow to draw)."""
        z0, zc = int(self.start[self.zoom]), max(int(self.cum[self.zoom]), 1)
        s, c = int(self.start[node]), int(self.cum[node])
        return (s - z0) * width // zc, (s + c - z0) * width // zc

    def line_nodes(self, y: int) -> np.ndarray:
        """The nodes drawn on line y (0: the zoomed node), in order."""
        if self.calls is None:
            return np.zeros(0, np.int64)
        d = int(self.calls.depth[self.zoom]) + y
        if y < 0 or d >= len(self.by_depth):
            return np.zeros(0, np.int64)
        nodes = self.by_depth[d]
        z0, z1 = int(self.start[self.zoom]), int(self.start[self.zoom] + self.cum[self.zoom])
        st = self.start[nodes]
        a, b = np.searchsorted(st, z0, side="left"), np.searchsorted(st, z1, side="left")
        nodes = nodes[a:b]
        return nodes[self.cum[nodes] > 0] if y else np.array([self.zoom])

    def node_at(self, x: int, y: int) -> int | None:
        width = self.scrollable_content_region.width
        for n in self.line_nodes(y + int(self.scroll_offset.y)).tolist():
            x0, x1 = self.columns(n, width)
            if x0 <= x < x1:
                return n
        return None

    # -- drawing -----------------------------------------------------------------------
    def _style(self, node: int) -> Style:
        if node == self.selected:
            return SELECTED
        if self.matches is not None and self.matches[node]:
            return MATCH
        pkg = package(self.calls.label(node))
        st = self._pkg_styles.get(pkg)
        if st is None:
            st = self._pkg_styles[pkg] = Style(bgcolor=PALETTE[zlib.crc32(pkg.encode()) % len(PALETTE)], color="#f0f0f0")
        return st

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        key = (line, width, self.zoom, self.selected, self._version)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._line(line, width)
        return strip

    def _line(self, line: int, width: int) -> Strip:
        if self.calls is None:
            return Strip.blank(width, BG)
        segs, x = [], 0
        for n in self.line_nodes(line).tolist():
            x0, x1 = self.columns(n, width)
            if x1 <= x0 or x1 <= x:
                continue
            x0 = max(x0, x)
            if x0 > x:
                segs.append(Segment(" " * (x0 - x), BG))
            w = x1 - x0
            label = self.calls.label(n)
            if w >= 2:
                text = (label if len(label) <= w - 1 else label[:max(w - 2, 0)] + "…").ljust(w - 1) + "▕"
            else:
                text = " "
            segs.append(Segment(text[:w], self._style(n)))
            x = x1
        if x < width:
            segs.append(Segment(" " * (width - x), BG))
        return Strip(segs, width)

    # -- keys and mouse ----------------------------------------------------------------
    def select(self, node: int) -> None:
        if self.calls is None:
            return
        self.selected = int(node)
        line = int(self.calls.depth[node] - self.calls.depth[self.zoom])
        if line < 0:
            self.zoom = int(node)
            line = 0
            self._changed()
        self.scroll_to_region_line(line)
        self._cache.clear()
        self.refresh()
        self.post_message(self.Selected(self, self.selected))

    def scroll_to_region_line(self, line: int) -> None:
        top, h = int(self.scroll_offset.y), max(self.scrollable_content_region.height, 1)
        if line < top:
            self.scroll_to(y=line, animate=False)
        elif line >= top + h:
            self.scroll_to(y=line - h + 1, animate=False)

    def action_move(self, step: int) -> None:
        if self.calls is None or self.selected == self.zoom:
            return
        line = int(self.calls.depth[self.selected] - self.calls.depth[self.zoom])
        width = self.scrollable_content_region.width
        nodes = [n for n in self.line_nodes(line).tolist() if self.columns(n, width)[1] > self.columns(n, width)[0]]
        if self.selected in nodes:
            i = nodes.index(self.selected) + step
            if 0 <= i < len(nodes):
                self.select(nodes[i])

    def action_caller(self) -> None:
        if self.calls is not None and self.selected != self.zoom:
            self.select(int(self.calls.parent[self.selected]))

    def action_callee(self) -> None:
        if self.calls is None:
            return
        kids = list(self.calls.children(self.selected))
        if kids:
            self.select(max(kids, key=lambda k: self.cum[k]))

    def action_zoom_in(self) -> None:
        if self.calls is not None and self.cum[self.selected] > 0:
            self.zoom = self.selected
            self.scroll_to(y=0, animate=False)
            self._changed()

    def action_zoom_out(self) -> None:
        if self.calls is not None and self.zoom != 0:
            self.zoom = int(self.calls.parent[self.zoom])
            self._changed()

    def action_zoom_root(self) -> None:
        self.zoom = 0
        self._changed()

    def action_choose(self) -> None:
        if self.calls is not None:
            self.post_message(self.Chosen(self, self.selected))

    def on_click(self, event) -> None:
        node = self.node_at(event.x, event.y)
        if node is not None:
            self.select(node)
            if getattr(event, "chain", 1) >= 2:
                self.action_zoom_in()

    def on_resize(self, _event) -> None:
        self._changed()
