"""The regions screen: region types with `tracetui regions`' numbers, the duration
histogram of the highlighted type, and its instances.

Types come from `reports.regions.region_groups` (by name), instances from
`region_instances`, the histogram from `reports.durations.log_histogram`: the same
functions the command prints. Enter on a type moves to its instances; Enter on an
instance shows that region's goroutine over the region's interval on the timeline; `p`
opens the profile screen scoped to the highlighted type.
`/` filters the types by a regular expression on their name.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tracetui.reports.durations import log_histogram
from tracetui.reports.regions import BREAKDOWN, region_groups, region_instances
from tracetui.screens.base import AnalysisScreen, columns_of, compile_filter
from tracetui.widgets.arraytable import ArrayTable, Col
from tracetui.widgets.chart import Histogram

STATS_SHOWN = ("total", "min", "mean", "p50", "p90", "p99", "max")


def group_columns() -> list[Col]:
    drop = {"min": 4, "mean": 5, "p90": 3}
    cols = [Col("name", "region"), Col("count", "count", "int"), Col("incomplete", "inc", "int", drop=6),
            *(Col(f"{s}_ns", s, "ns", drop=drop.get(s, 0)) for s in STATS_SHOWN),
            *(Col(f"{b}_share", b[:7], "pct", drop=2) for b in BREAKDOWN)]
    return cols


class RegionsScreen(AnalysisScreen):
    NAME = "regions"
    FILTER_HELP = "region name regex"
    BINDINGS = [Binding("p", "profile", "profile")]
    DEFAULT_CSS = """
    RegionsScreen #types { height: 2fr; }
    RegionsScreen #instances { height: 3fr; }
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        tr = model.trace
        self.inst = region_instances(model)
        self.inst["dense_goroutine"] = model.summary.regions["goroutine"][self.inst["region"]].astype(np.int64)
        self.rows = region_groups(model, "name")
        # region_groups numbers its groups by np.unique of the name index, as here
        self.names, self.group_of = np.unique(self.inst["name"], return_inverse=True)
        self.group_of = self.group_of.reshape(-1)
        assert len(self.names) == len(self.rows)
        self.group_names = [tr.strings[int(n)] for n in self.names.tolist()]

    def body(self) -> ComposeResult:
        cols = group_columns()
        yield ArrayTable(cols, columns_of(self.rows, cols), sort="total_ns", id="types")
        yield Histogram(id="histogram")
        icols = [Col("goroutine", "goroutine", "id"), Col("task", "task", "id"),
                 Col("start", "start", "time"), Col("duration", "duration", "ns"),
                 *(Col(b, b, "ns", drop=2) for b in BREAKDOWN), Col("incomplete", "inc", "bool", drop=3)]
        yield Static("", classes="caption", id="instances-caption")
        yield ArrayTable(icols, self.inst, origin=self.origin, sort="duration", id="instances")

    def on_mount(self) -> None:
        self.query_one("#types", ArrayTable).focus()
        self.show_group(self.query_one("#types", ArrayTable).current)

    def show_group(self, gi: int | None) -> None:
        table = self.query_one("#instances", ArrayTable)
        hist = self.query_one("#histogram", Histogram)
        if gi is None:
            table.set_filter(np.zeros(table.nrows, bool))
            hist.set_buckets("no region types", [])
            self.query_one("#instances-caption", Static).update("")
            return
        mask = self.group_of == gi
        table.set_filter(mask)
        name = self.group_names[gi]
        hist.set_buckets(f"durations of {name}", log_histogram(self.inst["duration"][mask]))
        self.query_one("#instances-caption", Static).update(
            f"{int(mask.sum()):,} instances of {name}; Enter shows one on the timeline")

    def on_array_table_highlighted(self, event: ArrayTable.Highlighted) -> None:
        if event.table.id == "types":
            self.show_group(event.index)

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        if event.table.id == "types":
            self.query_one("#instances", ArrayTable).focus()
        else:
            i, inst = event.index, self.inst
            g = int(inst["dense_goroutine"][i])
            self.jump([g], int(inst["start"][i]), int(inst["end"][i]), g, region=int(inst["region"][i]))

    def action_profile(self) -> None:
        """The profile screen scoped to the highlighted region type."""
        gi = self.query_one("#types", ArrayTable).current
        if gi is not None:
            self.app.analysis_screen("profile").scope_region(self.group_names[gi])
            self.app.run_action("analysis('profile')")

    def apply_filter(self, text: str) -> None:
        pat = compile_filter(text)
        types = self.query_one("#types", ArrayTable)
        types.set_filter(None if pat is None else np.array([bool(pat.search(n)) for n in
                                                            (r["name"] for r in self.rows)]))
        self.show_group(types.current)
