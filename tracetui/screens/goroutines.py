"""The goroutines screen: Go's goroutine analysis grouped by start function
(`reports.goroutines.goroutine_groups`), the goroutines of the highlighted group
(`goroutine_rows`) each with a stacked bar of where its time went, and the
breakdown of the highlighted goroutine, block time by reason included.

Enter on a group moves to its goroutines; Enter on a goroutine jumps to its lane on
the timeline, over its lifetime. `/` filters the groups by a regular expression on
the start function.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.widgets import Static

from tracetui.reports.goroutines import TIMES, goroutine_groups, goroutine_rows
from tracetui.reports.output import human_ns
from tracetui.screens.base import AnalysisScreen, columns_of, compile_filter
from tracetui.widgets.arraytable import ArrayTable, Col

TITLES = {"exec": "exec", "sched_wait": "sched", "syscall": "syscall", "syscall_block": "sys blk",
          "block": "block", "assist": "assist", "total": "total"}
# The parts of the stacked bar: they do not overlap and sum to at most total (assists overlap exec).
PARTS = (("exec", "#3fb950"), ("sched_wait", "#d29922"), ("syscall", "#db61a2"), ("syscall_block", "#a371f7"),
         ("block", "#f85149"))
DROP = {"syscall_block": 4, "assist": 3, "syscall": 2, "block": 1}


def stacked_bar(values: list[int], total: int, width: int) -> list[Segment]:
    """PARTS of `total` as `width` cells of colour (largest-remainder rounding)."""
    if total <= 0:
        return [Segment(" " * width)]
    exact = np.array(values, np.float64) * width / total
    cells = np.floor(exact).astype(int)
    spare = min(width - cells.sum(), len(values))
    cells[np.argsort(-(exact - cells), kind="stable")[:max(spare, 0)]] += 1
    segs = [Segment("█" * n, Style(color=color, bgcolor="#101418")) for n, (_, color) in zip(cells, PARTS) if n]
    rest = width - int(cells.sum())
    return segs + ([Segment(" " * rest, Style(bgcolor="#101418"))] if rest > 0 else [])


class GoroutinesScreen(AnalysisScreen):
    NAME = "goroutines"
    FILTER_HELP = "start function regex"
    DEFAULT_CSS = """
    GoroutinesScreen #groups { height: 1fr; }
    GoroutinesScreen #goroutines { height: 2fr; }
    GoroutinesScreen #breakdown { height: 2; color: #c9d1d9; }
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        self.groups = goroutine_groups(model)
        self.rows = goroutine_rows(model)
        ids = model.trace.goroutine_ids
        self.dense = np.flatnonzero(model.summary.goroutines["live"])     # goroutine_rows' order
        assert np.array_equal(ids[self.dense], [r["id"] for r in self.rows])
        group = {g["name"]: i for i, g in enumerate(self.groups)}
        self.group_of = np.array([group[r["name"]] for r in self.rows], np.int64)

    def body(self) -> ComposeResult:
        gcols = [Col("name", "start function"), Col("count", "count", "int"),
                 *(Col(f"{t}_ns", TITLES[t], "ns", drop=DROP.get(t, 0)) for t in TIMES)]
        yield ArrayTable(gcols, columns_of(self.groups, gcols), sort="exec_ns", id="groups")
        yield Static("", classes="caption", id="goroutines-caption")
        icols = [Col("id", "goroutine", "id"), *(Col(f"{t}_ns", TITLES[t], "ns", drop=DROP.get(t, 0)) for t in TIMES),
                 Col("bar", "breakdown", "draw", draw=self.draw_bar, width=16)]
        data = columns_of(self.rows, icols[:-1]) | {"bar": np.arange(len(self.rows))}
        yield ArrayTable(icols, data, sort="exec_ns", id="goroutines")
        yield Static("", id="breakdown")

    def draw_bar(self, i: int, width: int) -> list[Segment]:
        r = self.rows[i]
        return stacked_bar([r[f"{k}_ns"] for k, _ in PARTS], r["total_ns"], width)

    def on_mount(self) -> None:
        groups = self.query_one("#groups", ArrayTable)
        groups.focus()
        self.show_group(groups.current)

    def show_group(self, gi: int | None) -> None:
        table = self.query_one("#goroutines", ArrayTable)
        table.set_filter(self.group_of == (-1 if gi is None else gi))
        self.query_one("#goroutines-caption", Static).update(
            "" if gi is None else f"goroutines of {self.groups[gi]['name']}  " +
            " ".join(f"[{color}]█[/]{TITLES[k]}" for k, color in PARTS))
        self.show_breakdown(table.current)

    def show_breakdown(self, i: int | None) -> None:
        text = ""
        if i is not None:
            r = self.rows[i]
            total = max(r["total_ns"], 1)
            parts = [f"{TITLES[k]} {human_ns(r[f'{k}_ns'])} ({100 * r[f'{k}_ns'] / total:.0f}%)"
                     for k, _ in PARTS if r[f"{k}_ns"]]
            reasons = sorted(((v, k) for k, v in r.items() if k.startswith("block_") and k != "block_ns" and v),
                             reverse=True)
            text = f"G{r['id']}: " + " · ".join(parts)
            if reasons:
                text += "\nblocked on: " + ", ".join(
                    f"{k.removeprefix('block_').removesuffix('_ns').replace('_', ' ')} {human_ns(v)}" for v, k in reasons)
        self.query_one("#breakdown", Static).update(text)

    def on_array_table_highlighted(self, event: ArrayTable.Highlighted) -> None:
        if event.table.id == "groups":
            self.show_group(event.index)
        else:
            self.show_breakdown(event.index)

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        if event.table.id == "groups":
            self.query_one("#goroutines", ArrayTable).focus()
            return
        g = int(self.dense[event.index])
        G = self.model.summary.goroutines
        born = next((int(t) for t in (G["creation"][g], G["start"][g]) if t > 0), self.origin)
        died = int(G["end"][g]) if G["end"][g] > 0 else self.end
        self.jump([g], born, died, g)

    def apply_filter(self, text: str) -> None:
        pat = compile_filter(text)
        groups = self.query_one("#groups", ArrayTable)
        groups.set_filter(None if pat is None else np.array([bool(pat.search(g["name"])) for g in self.groups]))
        self.show_group(groups.current)
