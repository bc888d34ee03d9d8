"""The profile screen (tracetui.screens.profile) driven like a user: its flame graph's
per-frame totals equal the profile's (tracetui.reports.profile_tree over the same items, and
the `tracetui pprof --top` numbers per function) at several scopes; keys move, zoom and
search; Enter lists a frame's goroutines and jumps to one."""
from __future__ import annotations

import asyncio
import collections

import numpy as np
import pytest

from tests.tui.screens_host import HostApp
from tests.tui.test_screens import REPO, command_json, model_of
from tracetui.reports.pprof import profile_items
from tracetui.widgets.flame import FlameGraph

CPU = REPO / "traces" / "go1.27" / "cpuprofile.trace"
ANNOTATIONS = REPO / "traces" / "go1.27" / "annotations.trace"


def drive(path, keys=(), size=(80, 24), then=None, region=None):
    async def go():
        app = HostApp(model_of(path))
        async with app.run_test(size=size) as pilot:
            screen = app.analysis_screen("profile")
            if region:
                screen.scope_region(region)
            app.action_analysis("profile")
            for k in ("", *keys):
                if k:
                    await pilot.press(k)
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
            return then(app, app.get_screen("profile"))
    return asyncio.run(go())


def frame_totals(flame: FlameGraph) -> dict[tuple[str, ...], int]:
    """Per call path (root first): the cum the flame graph draws for it."""
    t = flame.calls
    return {tuple(t.label(n) for n in t.path(node)): int(flame.cum[node]) for node in range(1, len(t.parent))}


def expected_totals(model, kind, **scope) -> dict[tuple[str, ...], int]:
    """The same from the profile's items, summed per call path by hand (not through profile_tree)."""
    it = profile_items(model, kind, **scope)
    tr = model.trace
    out = collections.Counter()
    scale = 10_000_000 if kind == "cpu" else 1
    for st, v in zip(it["stack"].tolist(), it["value"].tolist()):
        funcs = [tr.strings[tr.frame_func[f]] for f in tr.stack_frame_ids(st)[:128].tolist()][::-1]
        for d in range(1, len(funcs) + 1):
            out[tuple(funcs[:d])] += v * scale
    return dict(out)


@pytest.mark.parametrize("path,kind", [(CPU, "cpu"), (CPU, "sched"), (ANNOTATIONS, "sync"), (ANNOTATIONS, "sched")])
def test_whole_trace_frames_equal_the_profile(path, kind):
    model = model_of(path)

    def run(app, screen):
        return frame_totals(screen.query_one(FlameGraph)), screen.view["top"]
    start = "cpu" if len(model.cpu_samples["time"]) else "sched"
    order = ["cpu", "sync", "net", "syscall", "sched"]
    presses = ["k"] * ((order.index(kind) - order.index(start)) % len(order))
    totals, top_rows = drive(path, presses, then=run)
    assert totals == expected_totals(model, kind) and totals
    # the top table holds `tracetui pprof --top` numbers
    want = [(r["function"], r["flat_ns"], r["cum_ns"]) for r in command_json("pprof", str(path), "--kind", kind,
                                                                               "--top", "0")]
    assert [(r["function"], r["flat"], r["cum"]) for r in top_rows] == want


def test_scopes_goroutine_window_region():
    model = model_of(ANNOTATIONS)
    tr = model.trace
    t0, t1 = int(tr.time[0]), int(tr.time[-1])
    window = (t0 + (t1 - t0) // 4, t0 + (t1 - t0) // 2)
    G = model.summary.goroutines
    g = int(np.flatnonzero(G["live"])[3])

    async def go():
        app = HostApp(model)
        async with app.run_test(size=(80, 24)) as pilot:
            app.profile_context = lambda: dict(window=window, goroutine=g)  # what the timeline answers
            app.action_analysis("profile")
            screen = app.get_screen("profile")
            got = {}
            for _ in range(len(screen.scopes)):
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                got[screen.scopes[screen.scope][0]] = frame_totals(screen.query_one(FlameGraph))
                await pilot.press("s")
            return got, screen.kind
    got, kind = asyncio.run(go())
    labels = list(got)
    assert labels[0] == "whole trace" and len(labels) == 3
    assert got[labels[1]] == expected_totals(model, kind, window=window)
    assert got[labels[2]] == expected_totals(model, kind, intervals=(np.array([g]), G["start"][[g]],
                                                                      np.where(G["end"][[g]] == 0, t1, G["end"][[g]])))
    assert got[labels[0]] != got[labels[1]]
    mixed = REPO / "traces" / "go1.27" / "mixed.trace"
    region = drive(mixed, region="compute", then=lambda app, s: (s.scopes[s.scope][0], s.kind,
                                                                   frame_totals(s.query_one(FlameGraph))))
    assert region[:2] == ("region compute", "cpu")
    assert region[2] == expected_totals(model_of(mixed), "cpu", region="compute") and region[2]


def test_keys_zoom_search_and_sources():
    def run(app, screen):
        flame = screen.query_one(FlameGraph)
        return flame.selected, flame.zoom, flame.calls
    sel, zoom, t = drive(CPU, ["down", "down", "down"], then=run)
    assert t.depth[sel] == 3 and zoom == 0
    assert sel == max(t.children(int(t.parent[sel])), key=lambda k: t.cum[k, -1])  # the widest callee
    sel2, zoom2, _ = drive(CPU, ["down", "down", "down", "right", "plus"], then=run)
    assert zoom2 == sel2 and t.parent[sel2] == t.parent[sel] and sel2 != sel
    _, zoom3, _ = drive(CPU, ["down", "down", "down", "plus", "minus"], then=run)
    assert zoom3 == t.parent[sel]

    def searched(app, screen):
        return screen.match_share, screen.query_one("#profile-caption").render().plain
    share, caption = drive(CPU, ["slash", *"mandelbrot", "enter"], then=searched)
    assert share == pytest.approx(130 / 470) and "/mandelbrot: 27.7%" in caption

    def sources(app, screen):
        table = screen.query_one("#profile-top")
        return screen.sources, dict(zip(table.data["goroutine"].tolist(), table.data["items"].tolist()))
    src, rows = drive(CPU, ["enter"], then=sources)
    cpu = model_of(CPU).cpu_samples
    ids = model_of(CPU).trace.goroutine_ids
    want = collections.Counter(int(ids[g]) if g >= 0 else -1 for g in cpu["goroutine"].tolist())
    assert rows == dict(want) and len(rows) >= 4

    def jumped(app, screen):
        return app.jumps
    jumps = drive(CPU, ["enter", "enter"], then=jumped)
    assert len(jumps) == 1 and jumps[0].goroutines == [jumps[0].focus_goroutine]


def test_the_real_timeline_answers_the_scopes():
    """The profile screen's scopes as the real app gives them (not a stand-in): the
    filtered lanes are the goroutine lanes the filter shows, the selected goroutine is the
    selected lane's, the window is mark→cursor."""
    import re

    from tests.tui.test_trust import run
    from tracetui.widgets.rows import GOROUTINE

    async def script(app, pilot):
        rows, tl = app.rows, app.timeline
        assert app.profile_context()["lanes"] is None           # no filter: the whole trace
        tl.set_lanes(pattern="main")
        await pilot.pause()
        ctx = app.profile_context()
        pat = re.compile("main", re.I)
        assert ctx["lanes"] and len(ctx["lanes"]) < len(rows.active)
        assert all(pat.search(rows.label_of(g)) for g in ctx["lanes"])
        row = int(np.flatnonzero(rows.kind == GOROUTINE)[0])
        tl.select_row(row)
        tl.mark, tl.cursor = rows.t_first + 1000, rows.t_first + 5000
        ctx = app.profile_context()
        assert ctx["goroutine"] == int(rows.ident[row]) and ctx["window"] == (rows.t_first + 1000, rows.t_first + 5000)

    run(ANNOTATIONS, script)
