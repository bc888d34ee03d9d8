"""The selection statistics screen: for a time range (the timeline's mark and
cursor) and the goroutines shown, the time each spent in each state inside the
range (`model.lanes.state_time`), per state and per goroutine, like gotraceui's span
statistics.

Per state: how many goroutines spent time in it and the statistics of their times
(`reports.durations.group_stats`: total, min, mean, p50, max), and the share of all
goroutine time in the range; the waiting time again split by block reason, one row
each ("waiting: chan receive"). Per goroutine: its time in each state and its waiting
time by reason, `block_<reason>_ns` as the goroutines report names them
(`reports.goroutines.reason_key`). `c` copies both
tables as CSV to the clipboard (OSC 52); `w` writes them to a CSV file in the current
directory. Enter on a goroutine shows it on the timeline over the range.

The app passes the mark-to-cursor range (without a mark: the range in view) and every
goroutine lane it shows (the lane filter's, on screen or not); opened without one, it shows every goroutine over the whole trace
(computed in a thread).
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tracetui.model.lanes import STATE_NAMES, STATES, WAITING
from tracetui.reports.durations import group_stats
from tracetui.reports.goroutines import reason_key
from tracetui.reports.output import Column, Table, human_ns, to_csv
from tracetui.screens.base import AnalysisScreen, columns_of
from tracetui.widgets.arraytable import ArrayTable, Col

STAT_KEYS = ("total", "min", "mean", "p50", "max")


def selection_stats(model, goroutines, t0: int, t1: int) -> tuple[list[dict], dict[str, np.ndarray]]:
    """(per-state rows, per-goroutine columns) of the time in [t0, t1] of `goroutines` (dense
    indices); the waiting time also by block reason: a row "waiting: <reason>" each, and
    per goroutine the columns `block_<reason>_ns` (sorted)."""
    gs = np.asarray(goroutines, np.int64)
    bounds = np.array([t0, t1], np.int64)
    times = np.zeros((len(gs), len(STATES)), np.int64)
    tr = model.trace
    by_reason: dict[str, np.ndarray] = {}
    for row, g in enumerate(gs.tolist()):
        st = model.lanes.state_time(g, bounds)
        times[row] = [int(st[s][0]) for s in STATES]
        reasons, t = model.lanes.wait_reasons_in(g, t0, t1)
        for r in np.unique(reasons[t > 0]).tolist():
            col = by_reason.setdefault(reason_key(tr.strings[r]), np.zeros(len(gs), np.int64))
            col[row] += int(t[reasons == r].sum())
    by_reason = dict(sorted(by_reason.items()))
    per_g = {"goroutine": tr.goroutine_ids[gs].astype(np.int64) if len(gs) else np.zeros(0, np.int64),
             "name": [tr.strings[int(n)] for n in model.summary.goroutines["name"][gs].tolist()],
             **{STATE_NAMES[s]: times[:, j] for j, s in enumerate(STATES)}, "total": times.sum(axis=1), **by_reason}
    everything = max(int(times.sum()), 1)
    rows = []

    def row_of(name: str, per: np.ndarray) -> dict:
        t = per[per > 0]
        st = group_stats(np.zeros(len(t), np.int64), t, 1)
        return {"state": name, "goroutines": int(st["count"][0]), **{f"{k}_ns": int(st[k][0]) for k in STAT_KEYS},
                "share": int(t.sum()) / everything}

    for j, s in enumerate(STATES):
        rows.append(row_of(STATE_NAMES[s], times[:, j]))
        if s == WAITING:
            rows += [row_of(f"waiting: {reason_title(k)}", v) for k, v in
                     sorted(by_reason.items(), key=lambda kv: -int(kv[1].sum()))]
    return rows, per_g


def reason_title(key: str) -> str:
    """A block reason's words from its `block_<reason>_ns` key."""
    return key.removeprefix("block_").removesuffix("_ns").replace("_", " ")


def reason_keys(per_g: dict) -> list[str]:
    return [k for k in per_g if k.startswith("block_")]


STATE_COLUMNS = [Column("state", "state"), Column("goroutines", "goroutines", "int"),
                 *(Column(f"{k}_ns", k, "ns") for k in STAT_KEYS), Column("share", "share", "pct")]


class SelectionScreen(AnalysisScreen):
    NAME = "selection"
    BINDINGS = [Binding("c", "copy_csv", "copy CSV"), Binding("w", "write_csv", "write CSV")]
    DEFAULT_CSS = """
    SelectionScreen #states { height: 6; max-height: 14; }
    SelectionScreen #per-goroutine { height: 1fr; }
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        self.goroutines = None

    def select(self, goroutines, t0: int, t1: int) -> None:
        """Show the statistics of [t0, t1] (ns, trace clock) for `goroutines` (dense indices)."""
        self.goroutines = np.asarray(goroutines, np.int64)
        self.t0, self.t1 = int(min(t0, t1)), int(max(t0, t1))
        self.states, self.per_g = selection_stats(self.model, self.goroutines, self.t0, self.t1)
        if self.is_mounted:
            self.fill()

    def body(self) -> ComposeResult:
        yield Static("", classes="caption", id="range")
        yield ArrayTable(id="states")
        yield ArrayTable(id="per-goroutine")

    def on_mount(self) -> None:
        self.query_one("#per-goroutine", ArrayTable).focus()
        if self.goroutines is not None:
            self.fill()
            return
        # every goroutine over the whole trace: seconds on a large trace, so in a thread
        live = np.flatnonzero(self.model.summary.goroutines["live"])
        self.query_one("#range", Static).update(f"computing the whole trace for {len(live):,} goroutines…")
        self.run_worker(lambda: self.app.call_from_thread(
            self.show, live, self.origin, self.end, *selection_stats(self.model, live, self.origin, self.end)),
            thread=True, exclusive=True)

    def show(self, goroutines, t0, t1, states, per_g) -> None:
        if self.goroutines is None:      # no selection came meanwhile
            self.goroutines, self.t0, self.t1, self.states, self.per_g = goroutines, t0, t1, states, per_g
            self.fill()

    def fill(self) -> None:
        scols = [Col("state", "state"), Col("goroutines", "goroutines", "int"),
                 *(Col(f"{k}_ns", k, "ns", drop=2 if k in ("min", "p50") else 0) for k in STAT_KEYS),
                 Col("share", "share", "pct")]
        states = self.query_one("#states", ArrayTable)
        states.set_data(scols, columns_of(self.states, scols))
        states.styles.height = len(self.states) + 2
        gcols = [Col("goroutine", "goroutine", "id"), Col("name", "start function"),
                 *(Col(STATE_NAMES[s], STATE_NAMES[s], "ns") for s in STATES), Col("total", "in range", "ns", drop=1),
                 *(Col(k, reason_title(k), "ns", drop=3 + i) for i, k in  # the smallest reasons drop first
                   enumerate(sorted(reason_keys(self.per_g), key=lambda k: -int(self.per_g[k].sum()))))]
        self.query_one("#per-goroutine", ArrayTable).set_data(gcols, self.per_g, sort="running")
        self.query_one("#range", Static).update(
            f"{human_ns(self.t0 - self.origin)} .. {human_ns(self.t1 - self.origin)} "
            f"({human_ns(self.t1 - self.t0)}), {len(self.goroutines):,} goroutines · c copy CSV · w write CSV")

    def csv(self) -> str:
        gcols = [Column("goroutine", "goroutine", "id"), Column("name", "name"),
                 *(Column(STATE_NAMES[s] + "_ns", STATE_NAMES[s], "ns") for s in STATES), Column("total_ns", "total"),
                 *(Column(k, reason_title(k), "ns") for k in reason_keys(self.per_g))]
        n = len(self.goroutines)
        rows = [{"goroutine": int(self.per_g["goroutine"][i]), "name": self.per_g["name"][i],
                 **{STATE_NAMES[s] + "_ns": int(self.per_g[STATE_NAMES[s]][i]) for s in STATES},
                 "total_ns": int(self.per_g["total"][i]),
                 **{k: int(self.per_g[k][i]) for k in reason_keys(self.per_g)}} for i in range(n)]
        head = Table("range", [Column("t0_ns", "t0"), Column("t1_ns", "t1")],
                     [{"t0_ns": self.t0 - self.origin, "t1_ns": self.t1 - self.origin}])
        return to_csv([head, Table("states", STATE_COLUMNS, self.states), Table("goroutines", gcols, rows)])

    def action_copy_csv(self) -> None:
        self.app.copy_to_clipboard(self.csv())
        self.notify("selection statistics copied to the clipboard as CSV")

    def action_write_csv(self) -> None:
        path = f"tracetui-selection-{self.t0 - self.origin}-{self.t1 - self.origin}.csv"
        try:
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(self.csv())
        except OSError as e:
            self.notify(f"could not write {path}: {e.strerror}", severity="error")
            return
        self.notify(f"wrote {path}")

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        if event.table.id == "per-goroutine":
            g = int(self.goroutines[event.index])
            self.jump([g], self.t0, self.t1, g)
