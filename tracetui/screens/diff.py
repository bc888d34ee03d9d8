"""`tracetui diff BASE NEW --tui`: the real changes in a table; Enter opens NEW's
timeline at the row's worst instance (the longest region, task or runnable wait), b
opens BASE's; quitting the timeline comes back to the table.

`DiffApp(rows)` is the table (it exits with (side, row index, worst) when one is
opened; worst is tracetui.reports.diff's `{trace, goroutine, start_ns, duration_ns}`);
`target_message(model, worst)` the timeline's jump there. The diff command alternates
the table and the timeline app until the table is quit.
"""
from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from tracetui.screens.base import ShowOnTimeline

COLUMNS = ("section", "name", "metric", "base", "new", "change", "p")


class DiffApp(App):
    BINDINGS = [Binding("enter", "open('new')", "open NEW at the worst instance"),
                Binding("b", "open('base')", "open BASE at the worst instance"),
                Binding("q", "quit", "quit")]
    CSS = "#head { height: 2; } DataTable { height: 1fr; }"

    def __init__(self, rows: list[dict], base: str, new: str, cursor: int = 0):
        super().__init__()
        from tracetui.commands.diff import diff_table

        self.all_rows = rows
        self.rows = [r for r in rows if r["changed"]]
        diff_table(self.rows, True, base, new)          # fills the rows' readable cells
        self.base, self.new, self.start_cursor = base, new, cursor

    def compose(self) -> ComposeResult:
        yield Static(f"{len(self.rows)} of {len(self.all_rows)} comparisons changed — base {self.base}, "
                     f"new {self.new}\nEnter: NEW at the worst instance, b: BASE, q: quit", id="head")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for r in self.rows:
            table.add_row(r["section"], r["name"], r["metric"], r["base_text"], r["new_text"], r["change"], r["p_text"])
        if not self.rows:
            self.query_one("#head", Static).update("no real change between the two runs (q: quit)")
        table.move_cursor(row=min(self.start_cursor, max(len(self.rows) - 1, 0)))
        table.focus()

    def on_data_table_row_selected(self, _event) -> None:   # Enter on the table
        self.action_open("new")

    def action_open(self, side: str) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            return
        row = self.rows[table.cursor_row]
        worst = row.get(f"{side}_worst")
        if worst is None:
            self.notify(f"no single instance behind {row['section']} {row['name']} {row['metric']}", timeout=3)
            return
        self.exit((side, table.cursor_row, worst))


def target_message(model, worst: dict) -> ShowOnTimeline:
    """Where the worst instance is: its interval, the cursor inside it on its goroutine's lane."""
    tr = model.trace
    t0 = int(tr.time[0]) if len(tr) else 0
    g = None
    if worst.get("goroutine") is not None:
        hit = np.flatnonzero(tr.goroutine_ids == worst["goroutine"])
        g = int(hit[0]) if len(hit) else None
    start = t0 + int(worst["start_ns"])
    return ShowOnTimeline(None, start, start + int(worst["duration_ns"]), g)
