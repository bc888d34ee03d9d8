"""The GC screen: `tracetui gc`'s summary, the heap (in use and goal) over time, the
MMU curve, and tables of GC cycles, stop-the-world pauses, STW pauses by kind and
mark assists (`v` switches between them).

Numbers come from `reports.gc` (gc_summary, cycle_rows, stw_by_kind, mmu_rows) and
`model.gc`; the MMU curve is `mmu_rows` over log-spaced windows as well as the
command's four (shown in the chart's title), computed in a thread (seconds on a large
trace) while the rest of the screen is already there.
Enter on a cycle, pause or assist zooms the timeline to it.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from tracetui.reports.gc import MMU_WINDOWS_NS, cycle_rows, gc_summary, mmu_rows, stw_by_kind
from tracetui.reports.output import human_bytes, human_ns
from tracetui.screens.base import AnalysisScreen, columns_of
from tracetui.widgets.arraytable import ArrayTable, Col
from tracetui.widgets.chart import Series, StepChart

VIEWS = ("cycles", "pauses", "kinds", "assists")
VIEW_TITLES = {"cycles": "GC cycles", "pauses": "STW pauses", "kinds": "STW by kind", "assists": "mark assists"}
MMU_POINTS = 48


def summary_line(s: dict) -> str:
    return (f"{s['cycles']} cycles, mark {human_ns(s['mark_ns'])} ({100 * s['mark_share']:.1f}%) · "
            f"{s['stw_count']} STW {human_ns(s['stw_total_ns'])} max {human_ns(s['stw_max_ns'])} · "
            f"{s['assist_count']} assists {human_ns(s['assist_total_ns'])}")


def curve_windows(model) -> np.ndarray:
    """MMU_POINTS windows (ns), log-spaced from 1µs to the trace's duration."""
    tr = model.trace
    span = int(tr.time[-1] - tr.time[0]) if len(tr) else 0
    if span <= 1000:
        return np.zeros(0, np.int64)
    return np.unique(np.logspace(3, np.log10(span), MMU_POINTS).astype(np.int64))


def mmu_curve(model) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """`mmu_rows` at the command's windows, and the curve (windows, MMU) for the chart:
    one evaluation of the utilization for both."""
    windows = curve_windows(model)
    rows = mmu_rows(model, (*MMU_WINDOWS_NS, *windows.tolist()))
    fixed, curve = rows[:len(MMU_WINDOWS_NS)], rows[len(MMU_WINDOWS_NS):]
    return fixed, windows, np.array([r["mmu"] for r in curve], np.float64)


class GCScreen(AnalysisScreen):
    NAME = "gc"
    BINDINGS = [Binding("v", "next_view", "next table")]
    DEFAULT_CSS = """
    GCScreen #charts { height: 7; }
    GCScreen StepChart { width: 1fr; height: 7; }
    GCScreen #summary { height: 1; color: #c9d1d9; }
    GCScreen .gctable { height: 1fr; display: none; }
    GCScreen .gctable.shown { display: block; }
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        self.view = "pauses"
        gc, strings = model.gc, model.trace.strings
        kinds = np.asarray(gc.stw["kind"], np.int64)
        self.pauses = {"start": gc.stw["start"], "end": gc.stw["end"], "duration": gc.stw["end"] - gc.stw["start"],
                       "kind": kinds}
        self.assists = {"start": gc.assists["start"], "end": gc.assists["end"],
                        "duration": gc.assists["end"] - gc.assists["start"],
                        "goroutine": model.trace.goroutine_ids[gc.assists["goroutine"]].astype(np.int64)}
        self.cycles = cycle_rows(model)
        self.kinds = stw_by_kind(model)
        self.strings = strings

    def body(self) -> ComposeResult:
        yield Static(summary_line(gc_summary(self.model)), id="summary")
        with Horizontal(id="charts"):
            yield StepChart(id="heap")
            yield StepChart(id="mmu")
        yield Static("", classes="caption", id="table-caption")
        ccols = [Col("seq", "cycle", "int"), Col("start_ns", "start", "time"), Col("duration_ns", "duration", "ns"),
                 Col("assist_ns", "assist time", "ns")]
        yield ArrayTable(ccols, columns_of(self.cycles, ccols), id="cycles", classes="gctable")
        pcols = [Col("start", "start", "time"), Col("duration", "duration", "ns"),
                 Col("kind", "kind", labels=self.strings)]
        yield ArrayTable(pcols, self.pauses, origin=self.origin, id="pauses", classes="gctable")
        kcols = [Col("kind", "kind"), Col("count", "count", "int"),
                 *(Col(f"{s}_ns", s, "ns", drop=d) for s, d in (("total", 0), ("min", 2), ("mean", 1), ("p50", 0),
                                                                 ("p99", 0), ("max", 0)))]
        yield ArrayTable(kcols, columns_of(self.kinds, kcols), id="kinds", classes="gctable")
        acols = [Col("start", "start", "time"), Col("duration", "duration", "ns"),
                 Col("goroutine", "goroutine", "id")]
        yield ArrayTable(acols, self.assists, origin=self.origin, id="assists", classes="gctable")

    def on_mount(self) -> None:
        gc, origin = self.model.gc, self.origin
        series = [Series("heap in use", *gc.heap_alloc, "#388bfd"), Series("goal", *gc.heap_goal, "#f0883e")]
        self.query_one("#heap", StepChart).set_series(
            "heap", series, origin, self.end, lambda t: human_ns(t - origin), human_bytes)
        self.query_one("#mmu", StepChart).set_series("MMU: computing…", [], 0, 1, str, str)
        self.run_worker(self.compute_mmu, thread=True, exclusive=True)
        self.show_view(self.view)

    def compute_mmu(self) -> None:
        """In a thread: the utilization takes seconds on a large trace."""
        result = mmu_curve(self.model)
        self.app.call_from_thread(self.show_mmu, *result)

    def show_mmu(self, fixed: list[dict], windows: np.ndarray, curve: np.ndarray) -> None:
        at = " ".join(f"{human_ns(r['window_ns'])}:{100 * r['mmu']:.0f}%" for r in fixed)
        lo, hi = (np.log10(windows[[0, -1]]) if len(windows) else (3.0, 4.0))
        self.query_one("#mmu", StepChart).set_series(
            f"MMU {at}", [Series("", np.log10(np.maximum(windows, 1)), curve, "#3fb950", step=False)], lo, hi,
            lambda x: human_ns(round(10 ** x)), lambda y: f"{100 * y:.0f}%", ymax=1.0)

    def show_view(self, view: str) -> None:
        self.view = view
        for v in VIEWS:
            self.query_one(f"#{v}", ArrayTable).set_class(v == view, "shown")
        table = self.query_one(f"#{view}", ArrayTable)
        table.focus()
        tabs = "  ".join(f"[b reverse] {VIEW_TITLES[v]} [/]" if v == view else VIEW_TITLES[v] for v in VIEWS)
        self.query_one("#table-caption", Static).update(f"{tabs}   (v: next table · Enter zooms)")

    def action_next_view(self) -> None:
        self.show_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        i, view = event.index, event.table.id
        if view == "cycles":
            r = self.cycles[i]
            self.jump(None, self.origin + r["start_ns"], self.origin + r["start_ns"] + r["duration_ns"])
        elif view == "pauses":
            self.jump(None, int(self.pauses["start"][i]), int(self.pauses["end"][i]))
        elif view == "assists":
            g = int(self.model.gc.assists["goroutine"][i])
            self.jump([g], int(self.assists["start"][i]), int(self.assists["end"][i]), g)
        elif view == "kinds":
            self.show_kind(self.kinds[i]["kind"])

    def show_kind(self, kind: str) -> None:
        """The pauses of one STW kind ("(all)": every pause)."""
        pauses = self.query_one("#pauses", ArrayTable)
        mask = None if kind == "(all)" else np.array([self.strings[k] == kind for k in self.pauses["kind"].tolist()])
        pauses.set_filter(mask)
        self.show_view("pauses")
