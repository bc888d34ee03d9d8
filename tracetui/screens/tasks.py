"""The tasks screen: task types (`reports.tasks.task_groups`), the tasks of the
highlighted type in tree order (`task_tree`, nesting shown by indentation; `a`
shows the whole tree), and the logs of the highlighted task (`model.logs` with its id).

Enter on a type moves to its tasks; Enter on a task shows the task's goroutines on
the timeline over the task's interval; Enter on a log shows its goroutine at its
time. `/` filters the types by a regular expression on their name.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tracetui.reports.tasks import task_groups, task_tree
from tracetui.screens.base import AnalysisScreen, columns_of, compile_filter, point_window
from tracetui.widgets.arraytable import ArrayTable, Col


class TasksScreen(AnalysisScreen):
    NAME = "tasks"
    FILTER_HELP = "task type regex"
    BINDINGS = [Binding("a", "whole_tree", "all tasks")]
    DEFAULT_CSS = """
    TasksScreen #types { height: 1fr; }
    TasksScreen #tasks { height: 2fr; }
    TasksScreen #logs { height: 1fr; }
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        T = model.summary.tasks
        self.types = task_groups(model)
        tree = self.tree_rows = task_tree(model)
        index = {int(i): ti for ti, i in enumerate(np.asarray(T["id"]).tolist())}
        logs = model.logs                 # a task's logs: a slice of the logs ordered by task id
        self.log_order = np.argsort(logs["task"], kind="stable")
        self.log_task = logs["task"][self.log_order]
        self.log_goroutine = np.where(logs["goroutine"] >= 0,
                                      model.trace.goroutine_ids[np.maximum(logs["goroutine"], 0)], -1)
        self.task_index = np.array([index[r["id"]] for r in tree], np.int64)   # tree row -> summary task
        self.type_names = [r["name"] for r in self.types]
        type_index = {n: i for i, n in enumerate(self.type_names)}
        self.type_of = np.array([type_index[r["name"]] for r in tree], np.int64)
        for r in tree:
            r["label"] = "  " * r["depth"] + r["name"]
        self.whole_tree = False

    def body(self) -> ComposeResult:
        tcols = [Col("name", "task type"), Col("count", "count", "int"), Col("complete", "done", "int", drop=4),
                 *(Col(f"{s}_ns", s, "ns", drop=d) for s, d in
                   (("total", 0), ("min", 3), ("mean", 2), ("p50", 0), ("p90", 2), ("p99", 0), ("max", 0))),
                 Col("logs", "logs", "int", drop=1)]
        yield ArrayTable(tcols, columns_of(self.types, tcols), id="types")
        yield Static("", classes="caption", id="tasks-caption")
        kcols = [Col("id", "id", "id"), Col("label", "task (tree)"), Col("parent", "parent", "id", drop=3),
                 Col("start_ns", "start", "time"), Col("duration_ns", "duration", "ns"),
                 Col("complete", "done", "bool", drop=2), Col("goroutines", "gs", "int", drop=1),
                 Col("regions", "regions", "int", drop=1), Col("logs", "logs", "int", drop=1)]
        yield ArrayTable(kcols, columns_of(self.tree_rows, kcols), id="tasks")
        yield Static("", classes="caption", id="logs-caption")
        s = self.model.trace.strings
        lcols = [Col("time", "time", "time"), Col("goroutine", "goroutine", "id"),
                 Col("category", "category", labels=s), Col("message", "message", labels=s)]
        yield ArrayTable(lcols, self.task_logs(None), origin=self.origin, id="logs")

    def on_mount(self) -> None:
        types = self.query_one("#types", ArrayTable)
        types.focus()
        self.show_type(types.current)

    def show_type(self, ti: int | None) -> None:
        tasks = self.query_one("#tasks", ArrayTable)
        if self.whole_tree or ti is None:
            tasks.set_filter(None if self.whole_tree else np.zeros(len(self.tree_rows), bool))
            caption = f"all {len(self.tree_rows):,} tasks as a tree (a: tasks of the highlighted type)"
        else:
            tasks.set_filter(self.type_of == ti)
            caption = f"tasks of type {self.type_names[ti]} (a: all tasks); Enter shows one on the timeline"
        self.query_one("#tasks-caption", Static).update(caption)
        self.show_logs(tasks.current)

    def task_logs(self, row: int | None) -> dict[str, np.ndarray]:
        """The `model.logs` entries of the task in tree row `row`, in time order."""
        lo = hi = 0
        if row is not None:
            tid = np.uint64(self.tree_rows[row]["id"])
            lo, hi = np.searchsorted(self.log_task, tid, "left"), np.searchsorted(self.log_task, tid, "right")
        idx = self.log_order[lo:hi]
        L = self.model.logs
        return {"row": idx, "time": L["time"][idx], "goroutine": self.log_goroutine[idx],
                "category": L["category"][idx], "message": L["message"][idx]}

    def show_logs(self, row: int | None) -> None:
        logs = self.query_one("#logs", ArrayTable)
        data = self.current_logs = self.task_logs(row)
        logs.set_data(logs.columns, data)
        self.query_one("#logs-caption", Static).update(
            f"logs of task {self.tree_rows[row]['id']}: {len(data['row'])}" if row is not None else "")

    def action_whole_tree(self) -> None:
        self.whole_tree = not self.whole_tree
        self.show_type(self.query_one("#types", ArrayTable).current)

    def on_array_table_highlighted(self, event: ArrayTable.Highlighted) -> None:
        if event.table.id == "types":
            self.show_type(event.index)
        elif event.table.id == "tasks":
            self.show_logs(event.index)

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        if event.table.id == "types":
            self.query_one("#tasks", ArrayTable).focus()
        elif event.table.id == "tasks":
            r = self.tree_rows[event.index]
            ti = int(self.task_index[event.index])
            T = self.model.summary.tasks
            gs = np.asarray(T["goroutines"][T["goroutine_offsets"][ti]:T["goroutine_offsets"][ti + 1]]).tolist()
            t0 = self.origin + r["start_ns"]
            self.jump(gs or None, t0, t0 + r["duration_ns"], gs[0] if gs else None, task=ti)
        else:
            i = int(self.current_logs["row"][event.index])
            g = int(self.model.logs["goroutine"][i])
            g = None if g < 0 else g
            self.jump([g] if g is not None else None, *point_window(self, int(self.model.logs["time"][i])), g)

    def apply_filter(self, text: str) -> None:
        pat = compile_filter(text)
        types = self.query_one("#types", ArrayTable)
        types.set_filter(None if pat is None else np.array([bool(pat.search(n)) for n in self.type_names]))
        self.show_type(types.current)
