"""The profile screen: a flame graph (icicle, tracetui.widgets.flame) of a profile and its
flat/cum top table, with the numbers of `tracetui pprof --top` (both read
tracetui.reports.profile_tree).

Profiles (`k` cycles): the trace's CPU samples and the four trace profiles (sync, net,
syscall, sched). Scopes (`s` cycles): the whole trace, the timeline's mark→cursor range,
its selected goroutine, its filtered lanes, or one region type (`p` on the Regions
screen). The flame graph zooms into a frame and out (`+`/`-`), `/` searches functions by a
regular expression (matches highlighted, their share of the total in the caption), Enter
on a frame lists the goroutines its samples came from, Enter on one of them shows it on the
timeline over its first to last sample. Enter on a top-table row searches its function.
Profiles are computed in a thread.
"""
from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tracetui.reports.output import human_ns
from tracetui.reports.pprof import CPU_PERIOD, PROFILE_KINDS, profile_items, sample_types, scope_intervals
from tracetui.reports.profile_tree import function_stacks, subtree, top, tree
from tracetui.screens.base import AnalysisScreen, compile_filter
from tracetui.widgets.arraytable import ArrayTable, Col
from tracetui.widgets.flame import FlameGraph


def profile_view(model, kind: str, scope: dict) -> dict:
    """Items, stacks, tree and top rows of a profile over a scope (keys of profile_items, or
    `goroutines`: dense indices with an optional `window`)."""
    args = dict(scope)
    if "goroutines" in args:
        args["intervals"] = scope_intervals(model, args.pop("window", None), args.pop("goroutines"))
    items = profile_items(model, kind, **args)
    value = items["value"] * (CPU_PERIOD if kind == "cpu" else 1)
    stacks = function_stacks(model.trace, items["stack"], np.stack([np.ones(len(value), np.int64), value], 1),
                             sample_types(kind))
    return dict(kind=kind, items=items, value=value, stacks=stacks, tree=tree(stacks),
                rows=stacks.rows_of(model.trace, items["stack"]), top=top(stacks))


class ProfileScreen(AnalysisScreen):
    NAME = "profile"
    FILTER_HELP = "function name regex (highlights matches)"
    BINDINGS = [Binding("k", "kind", "profile"), Binding("s", "scope", "scope")]
    DEFAULT_CSS = """
    ProfileScreen #flame { height: 3fr; }
    ProfileScreen #profile-top { height: 2fr; }
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        self.kind = "cpu" if len(model.cpu_samples["time"]) else "sched"
        self.scopes: list[tuple[str, dict]] = [("whole trace", {})]
        self.scope = 0
        self.view: dict | None = None
        self.label = ""
        self.sources: dict | None = None    # the goroutines listed for a frame
        self.pattern = None

    # -- scope from the timeline and the regions screen ---------------------------------
    def set_context(self, window=None, goroutine: int | None = None, lanes=None) -> None:
        """The timeline's mark→cursor range (ns), selected goroutine (dense) and filtered lanes."""
        tr = self.model.trace
        keep = [s for s in self.scopes if s[0] == "whole trace" or s[0].startswith("region ")]
        if window is not None:
            keep.append((f"{human_ns(window[0] - self.origin)}..{human_ns(window[1] - self.origin)}",
                         dict(window=(int(window[0]), int(window[1])))))
        if goroutine is not None:
            keep.append((f"G{tr.goroutine_ids[goroutine]}", dict(goroutines=[int(goroutine)])))
        if lanes is not None and len(lanes):
            keep.append((f"{len(lanes)} filtered lanes", dict(goroutines=[int(g) for g in lanes])))
        self.scopes = keep

    def scope_region(self, name: str) -> None:
        """Scope the profile to regions named `name` (their outermost instances)."""
        self.scopes = [s for s in self.scopes if not s[0].startswith("region ")] + [(f"region {name}",
                                                                                      dict(region=name))]
        self.scope = len(self.scopes) - 1
        if self.is_mounted:
            self.compute()

    # -- layout ------------------------------------------------------------------------
    def body(self) -> ComposeResult:
        yield Static("", classes="caption", id="profile-caption")
        yield Static("", classes="caption", id="frame-caption")
        yield FlameGraph(id="flame")
        yield Static("", classes="caption", id="table-caption")
        yield ArrayTable(id="profile-top")

    def on_mount(self) -> None:
        self.query_one(FlameGraph).focus()
        self.compute()

    def on_screen_resume(self) -> None:
        """Back on the screen: recompute only if its profile's scope went away or changed."""
        if self.view is None:
            return
        if self.scope >= len(self.scopes):
            self.scope = 0
        if self.scopes[self.scope][0] != self.label or self.view["kind"] != self.kind:
            self.compute()

    def compute(self) -> None:
        kind, (label, scope) = self.kind, self.scopes[min(self.scope, len(self.scopes) - 1)]
        self.query_one("#profile-caption", Static).update(f"computing the {kind} profile of {label}…")
        self.run_worker(lambda: self.app.call_from_thread(self.show, kind, label, profile_view(self.model, kind, scope)),
                        thread=True, exclusive=True, group="profile")

    def show(self, kind: str, label: str, view: dict) -> None:
        if kind != self.kind or label != self.scopes[min(self.scope, len(self.scopes) - 1)][0]:
            return  # a newer request is on its way
        self.view, self.label, self.sources = view, label, None
        self.query_one(FlameGraph).set_tree(view["tree"])
        self.apply_pattern()
        self.show_top()
        self.caption()

    def show_top(self) -> None:
        view, ns = self.view, True
        rows = view["top"]
        total = max(view["stacks"].total(), 1)
        data = {"flat": np.array([r["flat"] for r in rows], np.int64), "cum": np.array([r["cum"] for r in rows], np.int64),
                "function": [r["function"] for r in rows]}
        data["flat_share"], data["cum_share"] = data["flat"] / total, data["cum"] / total
        kind = "ns" if ns else "int"
        cols = [Col("flat", "flat", kind), Col("flat_share", "flat%", "pct"), Col("cum", "cum", kind),
                Col("cum_share", "cum%", "pct", drop=1), Col("function", "function")]
        self.query_one("#profile-top", ArrayTable).set_data(cols, data)
        self.query_one("#table-caption", Static).update(
            f"top: {len(rows):,} functions by flat · Enter searches one · k profile · s scope · / search")

    # -- captions ----------------------------------------------------------------------
    def caption(self) -> None:
        view = self.view
        if view is None:
            return
        total = view["stacks"].total()
        name = sample_types(view["kind"])[-1][0]
        n = int(view["stacks"].total(0))
        what = "samples" if view["kind"] == "cpu" else "episodes"
        text = f"[b]{view['kind']}[/b] · {self.label} · {name} {human_ns(total)} · {n:,} {what}"
        if self.pattern is not None:
            text += f" · /{self.pattern.pattern}: {100 * self.match_share:.1f}%"
        self.query_one("#profile-caption", Static).update(text)
        self.frame_caption()

    def frame_caption(self) -> None:
        flame, t = self.query_one(FlameGraph), self.view["tree"]
        node = flame.selected
        total = max(int(t.cum[0, -1]), 1)
        cum, flat = int(t.cum[node, -1]), int(t.flat[node, -1])
        zoom = "" if flame.zoom == 0 else f" · zoom {t.label(flame.zoom)}"
        self.query_one("#frame-caption", Static).update(
            f"{100 * cum / total:.1f}% {human_ns(cum)} (self {human_ns(flat)}) {t.label(node)}{zoom}")

    def on_flame_graph_selected(self, event: FlameGraph.Selected) -> None:
        if self.view is not None:
            self.frame_caption()

    # -- search ------------------------------------------------------------------------
    def apply_filter(self, text: str) -> None:
        self.pattern = compile_filter(text)
        if self.view is not None:
            self.apply_pattern()
            self.caption()

    def apply_pattern(self) -> None:
        t, flame = self.view["tree"], self.query_one(FlameGraph)
        if self.pattern is None:
            flame.set_matches(None)
            self.match_share = 0.0
            return
        hit = np.array([bool(self.pattern.search(n)) for n in t.names], bool) if t.names else np.zeros(0, bool)
        mask = np.zeros(len(t.func), bool)
        mask[1:] = hit[t.func[1:]]
        flame.set_matches(mask)
        # The share of the total under a match: matched nodes without a matched ancestor.
        outer = mask.copy()
        covered = np.zeros(len(mask), bool)
        for i in range(1, len(mask)):
            covered[i] = covered[t.parent[i]] or mask[t.parent[i]]
        outer &= ~covered
        self.match_share = float(t.cum[outer, -1].sum()) / max(int(t.cum[0, -1]), 1)

    # -- keys --------------------------------------------------------------------------
    def action_kind(self) -> None:
        self.kind = PROFILE_KINDS[(PROFILE_KINDS.index(self.kind) + 1) % len(PROFILE_KINDS)]
        self.compute()

    def action_scope(self) -> None:
        self.scope = (self.scope + 1) % len(self.scopes)
        self.compute()

    def action_back(self) -> None:
        if self.sources is not None and not self.query_one("#filter").has_class("shown"):
            self.sources = None
            self.show_top()
            self.query_one(FlameGraph).focus()
            return
        super().action_back()

    def on_flame_graph_chosen(self, event: FlameGraph.Chosen) -> None:
        """List the goroutines whose samples fall in the chosen frame (and below it)."""
        view = self.view
        if view is None:
            return
        t = view["tree"]
        inside = subtree(t, event.node)
        rows = view["rows"]
        mine = np.flatnonzero((rows >= 0) & inside[t.leaf[np.maximum(rows, 0)]])
        it = view["items"]
        g, start, end, value = it["goroutine"][mine], it["start"][mine], it["end"][mine], view["value"][mine]
        gs, inv = np.unique(g, return_inverse=True)
        inv = inv.ravel()
        first = np.full(len(gs), np.iinfo(np.int64).max)
        last = np.zeros(len(gs), np.int64)
        np.minimum.at(first, inv, start)
        np.maximum.at(last, inv, end)
        tr, G = self.model.trace, self.model.summary.goroutines
        ids = np.where(gs >= 0, tr.goroutine_ids[np.maximum(gs, 0)].astype(np.int64), -1)
        names = [tr.strings[int(G["name"][x])] if x >= 0 else "(no goroutine)" for x in gs.tolist()]
        self.sources = dict(g=gs, first=first, last=last)
        data = {"goroutine": ids, "name": names, "items": np.bincount(inv, minlength=len(gs)),
                "value": np.bincount(inv, weights=value, minlength=len(gs)).astype(np.int64),
                "first": first, "last": last}
        cols = [Col("goroutine", "goroutine", "id"), Col("items", "samples" if view["kind"] == "cpu" else "episodes",
                                                            "int"), Col("value", "time", "ns"),
                Col("first", "first", "time", drop=1), Col("last", "last", "time", drop=2), Col("name", "function")]
        table = self.query_one("#profile-top", ArrayTable)
        table.origin = self.origin
        table.set_data(cols, data, sort="value")
        table.focus()
        self.query_one("#table-caption", Static).update(
            f"{len(gs):,} goroutines in {t.label(event.node)} · Enter shows one on the timeline · Esc back to top")

    def on_array_table_selected(self, event: ArrayTable.Selected) -> None:
        if event.table.id != "profile-top" or self.view is None:
            return
        if self.sources is None:  # a function of the top table: search it
            name = self.view["top"][event.index]["function"]
            self.filter_text = "^" + "".join("\\" + c if c in r".^$*+?{}[]\|()" else c for c in name) + "$"
            self.apply_filter(self.filter_text)
            return
        s, i = self.sources, event.index
        g = int(s["g"][i])
        if g >= 0:
            self.jump([g], int(s["first"][i]), max(int(s["last"][i]), int(s["first"][i]) + 1), g)
