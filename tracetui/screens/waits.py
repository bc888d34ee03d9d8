"""The waits screen: the longest single blocking spans (`tracetui.model.waits`), as
`tracetui waits` lists them: duration, start, goroutine, its start function, the
reason, the frame where it blocked, and the goroutine that unblocked it with the
frame where that one was. The runtime's own goroutines are left out; the LIMIT
longest waits are listed; any column sorts.

`/` filters: a regular expression matched (re.search) against the start function,
the reason and both frames. Enter shows the waiting goroutine over the wait on the
timeline, with the goroutine that unblocked it beside it.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.widgets import Static

from tracetui.model.waits import longest, waiting_spans
from tracetui.reports.waits import RUNTIME_STARTS
from tracetui.reports.why import frames, top_frame
from tracetui.screens.base import AnalysisScreen, compile_filter
from tracetui.widgets.arraytable import ArrayTable, Col

LIMIT = 5000


class WaitsScreen(AnalysisScreen):
    NAME = "waits"
    FILTER_HELP = "search function, reason and frames (regex)"

    def __init__(self, model) -> None:
        super().__init__(model)
        tr = model.trace
        w = waiting_spans(model)
        gname = model.summary.goroutines["name"]
        user = np.array([not tr.strings[int(c)].startswith(RUNTIME_STARTS) for c in gname.tolist()], bool)
        keep = user[w["goroutine"]] if len(user) else np.zeros(len(w["span"]), bool)
        self.total = int(keep.sum())
        pick = longest(model, LIMIT, keep, w)
        self.dense, self.unblocker = pick["goroutine"].astype(np.int64), pick["unblocker"]
        # frames and unblockers as labels: one string per distinct stack or goroutine
        stacks = np.concatenate([tr.stack[pick["begin_row"]], np.where(pick["unblocker"] >= 0,
                                 tr.stack[np.maximum(pick["end_row"], 0)], 0)]).astype(np.int64)
        uniq, inv = np.unique(stacks, return_inverse=True)
        inv = inv.reshape(-1)
        self.labels = [top_frame(frames(model, int(s))) for s in uniq.tolist()]
        n = len(pick["span"])
        who = np.unique(self.unblocker[self.unblocker >= 0]).tolist()
        whom = [""] + [f"G{int(tr.goroutine_ids[u])} {tr.strings[int(gname[u])]}" for u in who]
        upos = np.searchsorted(np.unique(self.unblocker[self.unblocker >= 0]), self.unblocker)
        self.whom = whom
        self.entries = {
            "duration": pick["end"] - pick["start"], "start": pick["start"],
            "goroutine": tr.goroutine_ids[self.dense].astype(np.int64), "name": gname[self.dense].astype(np.int64),
            "reason": pick["reason"].astype(np.int64), "blocked_at": inv[:n].astype(np.int64),
            "unblocker": np.where(self.unblocker >= 0, upos + 1, 0).astype(np.int64),
            "unblocked_at": np.where(self.unblocker >= 0, inv[n:], -1).astype(np.int64),
            "end": pick["end"],
        }

    def body(self) -> ComposeResult:
        s = self.model.trace.strings
        cols = [Col("duration", "duration", "ns"), Col("start", "start", "time"), Col("goroutine", "goroutine", "id"),
                Col("name", "function", labels=s, drop=3), Col("reason", "reason", labels=s),
                Col("blocked_at", "blocked at", labels=self.labels, drop=4),
                Col("unblocker", "unblocked by", labels=self.whom),
                Col("unblocked_at", "unblocked at", labels=self.labels, drop=5)]
        yield Static("", classes="caption", id="waits-caption")
        yield ArrayTable(cols, self.entries, origin=self.origin, id="waits")

    def on_mount(self) -> None:
        self.query_one("#waits", ArrayTable).focus()
        self.caption()

    def caption(self) -> None:
        n, shown = len(self.entries["start"]), len(self.query_one("#waits", ArrayTable).order)
        text = f"the {n:,} longest of {self.total:,} waits (goroutines outside the runtime)"
        if shown != n:
            text += f", {shown:,} match /{self.filter_text}"
        self.query_one("#waits-caption", Static).update(text + "; Enter shows one on the timeline with its unblocker")

    def apply_filter(self, text: str) -> None:
        pat = compile_filter(text)
        mask = None
        if pat is not None:
            s = self.model.trace.strings
            e = self.entries
            hit_s = lambda col: np.array([bool(pat.search(s[int(v)])) for v in col.tolist()], bool)  # noqa: E731
            hit_l = lambda col, labels: np.array([v >= 0 and bool(pat.search(labels[int(v)]))  # noqa: E731
                                                  for v in col.tolist()], bool)
            mask = hit_s(e["name"]) | hit_s(e["reason"]) | hit_l(e["blocked_at"], self.labels) | \
                hit_l(e["unblocked_at"], self.labels) | hit_l(e["unblocker"], self.whom)
        self.query_one("#waits", ArrayTable).set_filter(mask)
        self.filter_text = text
        self.caption()

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        i = event.index
        g, u = int(self.dense[i]), int(self.unblocker[i])
        self.jump([g, u] if u >= 0 else [g], int(self.entries["start"][i]), int(self.entries["end"][i]), g)
