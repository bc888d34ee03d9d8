"""Small text charts for the analysis screens: a duration histogram and a step chart.

`Histogram` draws log-scale duration buckets (`reports.durations.log_histogram`) as
vertical bars of eighth blocks, a bucket's lower bound under every few bars.

`StepChart` draws series that hold their value until the next sample (the heap
metrics) or a sampled curve (the MMU), over x from `x0` to `x1`: the first series as a
filled area, the others as a line of upper-eighth marks. Each column shows the
largest value of a series within the column, so a short spike never vanishes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from tracetui.reports.output import human_ns

BLOCKS = " ▁▂▃▄▅▆▇█"
BG = "#101418"
AXIS = Style(color="#8b949e", bgcolor=BG)
BAR = Style(color="#58a6ff", bgcolor=BG)


def column_bars(heights: np.ndarray, rows: int) -> list[str]:
    """Eighth-block bars, one character per value (`heights` in 0..1), top row first."""
    eighths = np.rint(np.clip(heights, 0, 1) * rows * 8).astype(np.int64)
    lines = []
    for r in range(rows - 1, -1, -1):
        level = np.clip(eighths - r * 8, 0, 8)
        lines.append("".join(BLOCKS[v] for v in level.tolist()))
    return lines


class Histogram(Widget):
    """Bars of bucket counts; `set_buckets(title, buckets)`."""

    DEFAULT_CSS = "Histogram { height: 6; background: #101418; }"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.title = ""
        self.buckets: list[dict] = []

    def set_buckets(self, title: str, buckets: list[dict]) -> None:
        self.title, self.buckets = title, buckets
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        n = len(self.buckets)
        if y == 0:
            return Strip([Segment(self.title[:width].ljust(width), AXIS)])
        if n == 0:
            return Strip.blank(width, AXIS)
        bw = max(1, min(6, (width - 8) // n))
        counts = np.array([b["count"] for b in self.buckets], np.float64)
        rows = max(height - 2, 1)
        if y <= rows:
            # a bucket that has any durations shows at least an eighth, however few
            heights = np.maximum(counts / counts.max(), (counts > 0) / (rows * 8))
            line = column_bars(heights, rows)[y - 1]
            label = f"{int(counts.max()):,}" if y == 1 else ""
            text = label.rjust(7) + " " + "".join(ch * bw for ch in line)
            return Strip([Segment(text[:7], AXIS), Segment(text[7:width].ljust(max(width - 7, 0)), BAR)])
        # bucket lower bounds, as many as fit without touching
        axis = [" "] * (8 + bw * n)
        x = 8
        for b in self.buckets:
            label = human_ns(b["lo_ns"])
            if x + len(label) <= len(axis) and all(c == " " for c in axis[max(x - 1, 0):x + len(label)]):
                axis[x:x + len(label)] = label
            x += bw
        return Strip([Segment("".join(axis)[:width].ljust(width), AXIS)])


@dataclass
class Series:
    name: str
    x: np.ndarray       # ascending
    y: np.ndarray
    color: str
    step: bool = True   # the value holds until the next sample


class StepChart(Widget):
    """Series over x in [x0, x1]; `set_series(title, series, x0, x1, xfmt, yfmt)`."""

    DEFAULT_CSS = "StepChart { height: 8; background: #101418; }"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.title = ""
        self.series: list[Series] = []
        self.x0 = self.x1 = 0
        self.xfmt: Callable = str
        self.yfmt: Callable = str
        self.ymax: float | None = None

    def set_series(self, title: str, series: list[Series], x0: float, x1: float, xfmt: Callable, yfmt: Callable,
                   ymax: float | None = None) -> None:
        self.title, self.series, self.x0, self.x1 = title, series, x0, x1
        self.xfmt, self.yfmt, self.ymax = xfmt, yfmt, ymax
        self.refresh()

    LABEL = 9

    def columns(self, ncols: int) -> list[np.ndarray]:
        """Per series, the largest value in each of `ncols` columns (0 where it has none yet)."""
        edges = np.linspace(self.x0, self.x1, ncols + 1)
        out = []
        for s in self.series:
            x, y = np.asarray(s.x, np.float64), np.asarray(s.y, np.float64)
            v = np.zeros(ncols)
            if len(x):
                # the value in force at each column's start, then every sample inside it
                if s.step:
                    at = np.searchsorted(x, edges[:-1], side="right") - 1
                    v = np.where(at >= 0, y[np.maximum(at, 0)], 0.0)
                col = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, ncols - 1)
                inside = (x >= edges[0]) & (x <= edges[-1])
                np.maximum.at(v, col[inside], y[inside])
            out.append(v)
        return out

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        ncols = max(width - self.LABEL, 1)
        rows = max(height - 2, 1)
        if y == 0:
            legend = Text(self.title + "  ", style=AXIS)
            for s in (s for s in self.series if s.name):
                legend.append("■ ", Style(color=s.color, bgcolor=BG))
                legend.append(s.name + "  ", AXIS)
            legend.truncate(width, pad=True)
            return Strip(legend.render(self.app.console)).adjust_cell_length(width, AXIS)
        if not self.series:
            return Strip.blank(width, AXIS)
        cols = self.columns(ncols)
        top = self.ymax if self.ymax is not None else max(float(c.max(initial=0)) for c in cols) or 1.0
        if y <= rows:
            label = self.yfmt(top) if y == 1 else self.yfmt(0) if y == rows else ""
            segs = [Segment(label[:self.LABEL - 1].rjust(self.LABEL - 1) + "│", AXIS)]
            area = column_bars(cols[0] / top, rows)[y - 1]
            chars = list(area)
            colors = [self.series[0].color] * ncols
            r = rows - y      # this row covers heights [r, r+1) in rows
            for s, c in zip(self.series[1:], cols[1:]):
                level = np.clip(c / top, 0, 1) * rows
                hit = (level >= r) & (level < r + 1) | ((r == rows - 1) & (level >= rows))
                for i in np.flatnonzero(hit).tolist():
                    chars[i], colors[i] = ("▔" if level[i] - r > 0.5 else "▁"), s.color
            for ch, color in zip(chars, colors):
                segs.append(Segment(ch, Style(color=color, bgcolor=BG)))
            return Strip(segs).simplify().adjust_cell_length(width, AXIS)
        left, right = self.xfmt(self.x0), self.xfmt(self.x1)
        axis = " " * self.LABEL + left + " " * max(ncols - len(left) - len(right), 1) + right
        return Strip([Segment(axis[:width].ljust(width), AXIS)])
