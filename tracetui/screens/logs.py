"""The logs screen: every `trace.Log` entry (`model.logs`): time, goroutine, task,
category and message, in time order; any column sorts.

`/` searches: a regular expression matched (re.search) against the category and the
message; only matching entries stay. Enter shows the entry's goroutine on the
timeline around the entry's time.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.widgets import Static

from tracetui.screens.base import AnalysisScreen, compile_filter, point_window
from tracetui.widgets.arraytable import ArrayTable, Col


def matching_strings(strings: list[str], indices: np.ndarray, pattern) -> np.ndarray:
    """Which of `indices` (string table indices) name a string `pattern` finds."""
    uniq = np.unique(indices)
    hits = uniq[[bool(pattern.search(strings[i])) for i in uniq.tolist()]] if len(uniq) else uniq
    return np.isin(indices, hits)


class LogsScreen(AnalysisScreen):
    NAME = "logs"
    FILTER_HELP = "search category and message (regex)"

    def __init__(self, model) -> None:
        super().__init__(model)
        L, tr = model.logs, model.trace
        g = np.asarray(L["goroutine"], np.int64)
        self.dense = g
        self.entries = {"time": L["time"], "goroutine": np.where(g >= 0, tr.goroutine_ids[np.maximum(g, 0)], -1),
                     "task": L["task"].astype(np.int64), "category": L["category"], "message": L["message"]}

    def body(self) -> ComposeResult:
        s = self.model.trace.strings
        cols = [Col("time", "time", "time"), Col("goroutine", "goroutine", "id"), Col("task", "task", "id"),
                Col("category", "category", labels=s), Col("message", "message", labels=s)]
        yield Static("", classes="caption", id="logs-caption")
        yield ArrayTable(cols, self.entries, origin=self.origin, id="logs")

    def on_mount(self) -> None:
        self.query_one("#logs", ArrayTable).focus()
        self.caption()

    def caption(self) -> None:
        n, shown = len(self.entries["time"]), len(self.query_one("#logs", ArrayTable).order)
        text = f"{n:,} log entries" + (f", {shown:,} match /{self.filter_text}" if shown != n else "")
        self.query_one("#logs-caption", Static).update(text + "; Enter shows one on the timeline")

    def apply_filter(self, text: str) -> None:
        pat = compile_filter(text)
        mask = None
        if pat is not None:
            strings = self.model.trace.strings
            mask = matching_strings(strings, self.entries["category"], pat) | \
                matching_strings(strings, self.entries["message"], pat)
        self.query_one("#logs", ArrayTable).set_filter(mask)
        self.filter_text = text
        self.caption()

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        i = event.index
        g = int(self.dense[i])
        g = None if g < 0 else g
        self.jump([g] if g is not None else None, *point_window(self, int(self.entries["time"][i])), g)
