"""A TUI you can trust (issue 12): every jump lands where it says, the details panel always
describes the span under the cursor on the selected lane, and the palette selects what
it names. Each test asserts what the user asked for (the selected lane, the cursor
inside the target, what the panel describes), checked against the model by plain loops."""
from __future__ import annotations

import asyncio
import math
import random
from pathlib import Path

import numpy as np
import pytest

from tests import goref
from tests.tui.pilot import until_loaded
from tracetui.app import TraceApp
from tracetui.model.lanes import STATE_NAMES, WAITING
from tracetui.screens.base import AnalysisScreen
from tracetui.widgets.rows import FIXED, GOROUTINE, PROC, REGION, RUNNABLE_GS
from tracetui.widgets.timeline import HEADER

REPO = Path(goref.REPO)
T27 = REPO / "traces" / "go1.27"
ANNOTATIONS, CONTENTION, DEMO = T27 / "annotations.trace", T27 / "contention.trace", T27 / "mixed.trace"
TRACES = sorted(p for p in (REPO / "traces").glob("go1.*/*.trace") if p.stat().st_size < 400_000)


def run(path, script, size=(100, 30)):
    """Open the app on `path`, wait until it has loaded, run `script(app, pilot)`."""

    async def main():
        app = TraceApp(path)
        async with app.run_test(size=size) as pilot:
            await until_loaded(app, pilot)
            return await script(app, pilot)

    return asyncio.run(main())


# -- what the panel describes, computed independently (plain searches over model columns) ---------
def span_in_force(model, g: int, t: int):
    """(start, end) of goroutine g's span with start <= t < end, or None."""
    sp = model.lanes.spans(g)
    k = np.flatnonzero((sp["start"] <= t) & (sp["end"] > t))
    return (int(sp["start"][k[-1]]), int(sp["end"][k[-1]])) if len(k) else None


def running_on(app, kind: int, i: int, t: int):
    """The goroutine whose span on P (or thread) i covers t, by a scan of the lane's spans."""
    lanes = app.rows.resources(kind)
    idx = lanes.span_index[lanes.offsets[i]:lanes.offsets[i + 1]]
    L = app.model.lanes
    start = app.model.trace.time[L.begin_row[idx]]
    end = L.ends(idx)
    k = np.flatnonzero((start <= t) & (end > t))
    return int(L.goroutine_of(idx[k[-1:]])[0]) if len(k) else None


def assert_panel_true(app) -> None:
    """The open details panel describes what is under the cursor on the selected lane."""
    if not app.panel.display:
        return
    d, tl, m = app.details, app.timeline, app.model
    kind, ident, depth = tl.selected()
    t = tl.cursor
    if kind == REGION:
        r = m.summary.regions
        iv, idx = app.rows.region_intervals(ident, depth)
        inside = [int(i) for i, s, e in zip(idx, iv.start, iv.end) if s <= t < e]
        assert d.region == (inside[0] if inside else None), (d.title, t)
        if inside:
            assert (d.start, d.end) == (int(r["start"][inside[0]]), int(r["end"][inside[0]]))
        return
    g = ident if kind == GOROUTINE else running_on(app, kind, ident, t)
    assert d.goroutine == g, (d.title, t)
    if g is not None:
        want = span_in_force(m, g, t)
        assert (None if d.start is None else (d.start, d.end)) == want, (d.title, t)


# -- 1 and 7: the palette -------------------------------------------------------------------------
async def palette_pick(app, query: str):
    """The palette's first hit for `query` (its hits sorted by score, as the palette shows them)."""
    from tracetui.widgets.jump import JumpProvider
    provider = JumpProvider(app.screen)
    hits = [h async for h in provider.search(query)]
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_palette_g_and_p_select_that_lane(path):
    """gN selects goroutine N's lane and pN P N's, for random N on every small committed trace
    (8 goroutines per trace, 392 pairs in all, and every P)."""
    async def script(app, pilot):
        rows, tl = app.rows, app.timeline
        rng = random.Random(path.name)
        gs = rng.sample(rows.active.tolist(), min(8, len(rows.active)))
        for g in gs:
            gid = int(rows.ids[g])
            hits = await palette_pick(app, f"g{gid}")
            assert str(hits[0].text) == f"Go to {rows.label_of(g)}"
            hits[0].command()
            assert tl.selected()[:2] == (GOROUTINE, g)
            assert rows.ids[tl.selected()[1]] == gid
        for p in range(len(app.model.procs)):
            pid = int(rows.trace.proc_ids[p])
            hits = await palette_pick(app, f"p{pid}")
            assert str(hits[0].text) == f"Go to P{pid}"      # first, above fuzzy goroutine names
            hits[0].command()
            assert tl.selected()[:2] == (PROC, p)
        return len(gs)

    assert run(path, script) == 8        # 8 x 49 small committed traces: 392 (trace, goroutine) pairs


def test_palette_through_the_keyboard_and_with_a_name():
    """Ctrl+P g<id> Enter in the real palette; "G<id> <function>" finds that goroutine."""
    async def script(app, pilot):
        rows, tl = app.rows, app.timeline
        for g in rows.active.tolist()[-3:]:
            await pilot.press("ctrl+p", *f"g{int(rows.ids[g])}")
            await pilot.pause(0.4)
            await pilot.press("enter")
            await pilot.pause()
            assert tl.selected()[:2] == (GOROUTINE, g)
        main = next(g for g in rows.active.tolist() if rows.names[g] == "main.main")
        hits = await palette_pick(app, f"G{int(rows.ids[main])} main")
        assert str(hits[0].text) == f"Go to {rows.label_of(main)}"

    run(ANNOTATIONS, script)


# -- 2: Esc in the filter box ----------------------------------------------------------------------
def test_escape_closes_the_filter_box():
    async def script(app, pilot):
        await pilot.press("slash", *"handle", "enter")
        before = app.rows.order.tolist()
        await pilot.press("slash", *"wor", "escape")
        box = app.query_one("#filter")
        assert not box.display and app.focused is app.timeline
        assert app.rows.pattern.pattern == "handle" and app.rows.order.tolist() == before  # the edit is dropped
        await pilot.press("j")  # keys reach the timeline again
        assert app.timeline.sel > 0

    run(ANNOTATIONS, script)


# -- 3: the panel never goes stale -------------------------------------------------------------------
def _blocked_span(model):
    """(g, start, end, unblocker) of a waiting span a goroutine's GoUnblock ended."""
    for g in range(len(model.lanes)):
        sp = model.lanes.spans(g)
        who = model.lanes.unblockers(g)
        for k in np.flatnonzero((sp["state"] == WAITING) & (who >= 0)).tolist():
            if sp["end"][k] - sp["start"][k] > 10_000:
                return g, int(sp["start"][k]), int(sp["end"][k]), int(who[k])
    raise AssertionError("no unblocked span")


def test_panel_follows_unblocker_back_and_lane_moves():
    async def script(app, pilot):
        tl = app.timeline
        g, start, end, u = _blocked_span(app.model)
        tl.select_row(app.rows.row_of(g))
        tl.set_view(start - (end - start), end + (end - start), (start + end) // 2)
        await pilot.press("enter")
        assert app.details.goroutine == g and app.details.start == start
        await pilot.press("u")
        assert tl.selected()[:2] == (GOROUTINE, u) and app.details.goroutine == u
        assert_panel_true(app)
        await pilot.press("left_square_bracket")
        assert tl.selected()[:2] == (GOROUTINE, g)
        assert app.details.goroutine == g and app.details.start == start   # not the unblocker any more
        for key in ("j", "j", "k", "l", "L"):
            await pilot.press(key)
            assert_panel_true(app)

    run(CONTENTION, script)


def test_panel_follows_a_jump_from_the_goroutines_screen():
    async def script(app, pilot):
        await pilot.press("j", "j", "enter")
        assert app.panel.display
        await pilot.press("3", "enter", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AnalysisScreen)
        assert_panel_true(app)

    run(DEMO, script)


# -- 4 and the Checks: region and task jumps land inside, and the panel names them -------------------
@pytest.mark.parametrize("path", [ANNOTATIONS, T27 / "flightrecorder.trace", REPO / "traces/go1.22/annotations.trace"],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_region_and_task_jumps_land_inside_and_the_panel_names_them(path):
    from tracetui.widgets.targets import region_target, task_target

    async def script(app, pilot):
        rows, tl, m = app.rows, app.timeline, app.model
        r, T = m.summary.regions, m.summary.tasks
        rng = random.Random(1)
        regions = [int(i) for i in rows.region_idx if r["end"][i] > r["start"][i]]
        for ri in rng.sample(regions, min(25, len(regions))):
            app.show_target(region_target(rows, ri))
            await pilot.press("enter")
            assert r["start"][ri] <= tl.cursor < r["end"][ri]
            assert tl.selected()[:2] == (REGION, int(r["goroutine"][ri])) and app.details.region == ri
            assert rows.trace.strings[int(r["name"][ri])] in app.details.title
            assert_panel_true(app)
        checked = 0
        for k in range(len(T["id"])):
            from tracetui.widgets.details import task_index, task_range
            t0, t1 = task_range(rows, k)
            if t1 <= t0 or task_index(rows, int(T["id"][k])) is None:  # id 0: "no task", not a task
                continue
            app.show_target(task_target(rows, k))
            await pilot.press("enter")
            assert t0 <= tl.cursor < t1, int(T["id"][k])
            if app.details.goroutine is not None:
                assert app.details.task == k, (int(T["id"][k]), app.details.title)
                assert f"task {int(T['id'][k])} " in app.details.markup()
            assert_panel_true(app)
            checked += 1
        assert checked > 3

    run(path, script)


def test_regions_screen_enter_lands_on_the_region_and_escape_returns():
    """Bug 9 too: Esc after a jump from an analysis screen goes back to that screen."""
    async def script(app, pilot):
        await pilot.press("1", "enter", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AnalysisScreen)
        await pilot.press("enter")
        d, tl = app.details, app.timeline
        assert d.region is not None and d.start <= tl.cursor < d.end
        await pilot.press("escape")       # closes the panel
        await pilot.press("escape")       # back to the regions screen
        await pilot.pause()
        assert app.screen.name == "regions"

    run(DEMO, script)


# -- 5: selection statistics over every lane of the filter ---------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_selection_statistics_cover_every_filtered_lane(size):
    async def script(app, pilot):
        await pilot.press("slash", *"G[0-9]*[0-9] ", "enter", "m", *["L"] * 9, "6")
        await pilot.pause()
        scr = app.get_screen("selection")
        return (scr.goroutines.tolist(), scr.t0, scr.t1, {s["state"]: s for s in scr.states}, app.rows.order.tolist(),
                scr.per_g, scr.csv())

    gs, t0, t1, states, shown, per_g, csv = run(ANNOTATIONS, script, size)
    assert gs == shown and len(gs) > 24           # more lanes than fit on either screen
    from tracetui.format import read
    from tracetui.format import spec as S
    from tracetui.model import build
    from tracetui.reports.goroutines import reason_key
    tr = read(ANNOTATIONS)
    m = build(tr)
    totals = dict.fromkeys(STATE_NAMES.values(), 0)
    counts = dict.fromkeys(STATE_NAMES.values(), 0)
    by_reason: dict[str, dict[int, int]] = {}     # block_<reason>_ns -> goroutine -> ns
    for g in gs:                                   # a plain loop over each lane's spans
        sp = m.lanes.spans(g)
        mine = dict.fromkeys(STATE_NAMES.values(), 0)
        for s, e, st, b in zip(sp["start"].tolist(), sp["end"].tolist(), sp["state"].tolist(), sp["begin_row"].tolist()):
            inside = max(0, min(e, t1) - max(s, t0))
            mine[STATE_NAMES[st]] += inside
            if STATE_NAMES[st] == "waiting" and inside:
                reason = tr.strings[int(tr.aux[b])] if tr.type[b] == S.EvGoBlock else ""
                per = by_reason.setdefault(reason_key(reason), {})
                per[g] = per.get(g, 0) + inside
        for k, v in mine.items():
            totals[k] += v
            counts[k] += v > 0
    assert {k: states[k]["total_ns"] for k in totals} == totals
    assert {k: states[k]["goroutines"] for k in counts} == counts
    # the waiting time split by block reason: per goroutine, per reason row, in the CSV
    assert len(by_reason) >= 2
    assert sorted(k for k in per_g if k.startswith("block_")) == sorted(by_reason)
    for k, per in by_reason.items():
        assert {g: int(v) for g, v in zip(gs, per_g[k].tolist()) if v} == per
        name = "waiting: " + k.removeprefix("block_").removesuffix("_ns").replace("_", " ")
        assert (states[name]["total_ns"], states[name]["goroutines"]) == (sum(per.values()), len(per))
    assert sum(sum(per.values()) for per in by_reason.values()) == totals["waiting"]
    assert (sum(per_g[k] for k in by_reason) == per_g["waiting"]).all()
    head = next(line for line in csv.splitlines() if line.startswith("goroutine,"))
    assert set(by_reason) <= set(head.split(","))


# -- 6: fixed lanes outside the trace ----------------------------------------------------------------
def test_fixed_lanes_are_blank_outside_the_trace():
    async def script(app, pilot):
        tl, rows = app.timeline, app.rows
        span = (rows.t_last - rows.t_first) // 4
        for t0 in (rows.t_first - span, rows.t_last - span):    # half before the start, half past the end
            tl.set_view(t0, t0 + 2 * span, t0 + span)
            b = tl.bounds()
            outside = (b[1:] <= rows.t_first) | (b[:-1] > rows.t_last)
            assert outside.sum() > 5
            for name in FIXED:
                line = tl.render_line(1 + FIXED.index(name)).text[tl.label_width + 1:]
                assert all(line[c] in " │" for c in np.flatnonzero(outside)), (name, line)
            assert set(tl.render_line(1 + FIXED.index(RUNNABLE_GS)).text[tl.label_width + 1:]) - {" ", "│"}

    run(CONTENTION, script)


# -- 8: u keeps the lane filter ---------------------------------------------------------------------
def test_following_a_link_keeps_the_filter():
    async def script(app, pilot):
        tl, rows = app.timeline, app.rows
        g, start, end, u = _blocked_span(app.model)
        await pilot.press("slash", *f"^G{int(rows.ids[g])} ", "enter")
        assert rows.order.tolist() == [g]
        tl.select_row(rows.row_of(g))
        tl.set_view(start - (end - start), end + (end - start), (start + end) // 2)
        await pilot.press("enter", "u")
        assert rows.pattern.pattern == f"^G{int(rows.ids[g])} "         # the filter is still in force
        assert tl.selected()[:2] == (GOROUTINE, u) and sorted(rows.order.tolist()) == sorted([g, u])
        assert "pinned" in app.status_text()

    run(CONTENTION, script)


# -- 10: a P lane's details link to the goroutine running there -------------------------------------
def test_p_lane_details_link_to_the_running_goroutine():
    async def script(app, pilot):
        tl, rows = app.timeline, app.rows
        for p in range(len(app.model.procs)):
            tl.select_row(rows.row_of_lane(PROC, p))
            g = running_on(app, PROC, p, tl.cursor)
            if g is None:
                continue
            await pilot.press("enter")
            assert "g" in app.details.links
            await pilot.press("g")
            assert tl.selected()[:2] == (GOROUTINE, g)
            return
        raise AssertionError("no P runs a goroutine at the cursor")

    run(CONTENTION, script)


# -- the Checks: random navigation, the panel true after every key -----------------------------------
class LiveApp:
    """One app kept running in a thread of its own (its own event loop), driven from
    synchronous test code: hypothesis examples reuse it instead of loading a trace each."""

    def __init__(self, path, size=(100, 30)):
        import threading
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True, name="live-app").start()
        self._quit = None
        self.app = TraceApp(path)
        started = asyncio.run_coroutine_threadsafe(self._start(size), self.loop)
        self._holder = started
        self._up = self._wait_started()

    async def _start(self, size):
        self._quit = asyncio.Event()
        async with self.app.run_test(size=size) as pilot:
            import contextvars
            self.ctx = contextvars.copy_context()  # the app's context (active_app...) for the tasks of do()
            self.pilot = pilot
            while not self.app.loaded.is_set():
                await asyncio.sleep(0.01)
            await pilot.pause()
            await self._quit.wait()

    def _wait_started(self):
        import time
        for _ in range(3000):
            if getattr(self, "pilot", None) is not None and self.app.loaded.is_set():
                return True
            time.sleep(0.01)
        raise AssertionError("the app did not start")

    def do(self, coro_fn):
        """Run coro_fn() on the app's loop, in the app's context; its result (or exception)."""
        import concurrent.futures
        done = concurrent.futures.Future()

        def start():
            task = self.loop.create_task(coro_fn(), context=self.ctx.copy())
            task.add_done_callback(lambda t: done.set_exception(t.exception()) if t.exception() is not None
                                   else done.set_result(t.result()))
        self.loop.call_soon_threadsafe(start)
        return done.result(timeout=60)

    def press(self, key: str) -> None:
        self.do(lambda: self.pilot.press(key))

    def reset(self) -> None:
        async def reset():
            app = self.app
            while isinstance(app.screen, AnalysisScreen) or (app.screen is not app.screen_stack[0] \
                    and len(app.screen_stack) > 1):
                await app.pop_screen()
            app.query_one("#filter").display = False
            app.panel.hide()
            app._return_to, app._shown_only, app.hide_idle = None, False, False
            app.timeline.set_lanes(pattern=None, visible_only=None, hide_runtime=False, pinned=frozenset())
            app.timeline.action_fit()
            app.timeline.focus()
            await self.pilot.pause()
        self.do(reset)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self._quit.set)
        self._holder.result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module", params=[(DEMO, (100, 30), 30), (ANNOTATIONS, (80, 24), 15)],
                ids=["demo-100x30", "annotations-80x24"])
def live_app(request, tmp_path_factory):
    path, size, examples = request.param
    path = Path(path).resolve()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))  # keys that write files (the selection's CSV) write there
        live = LiveApp(path, size)
        live.examples = examples
        yield live
        live.close()


NAV_KEYS = ["left", "right", "h", "l", "H", "L", "i", "o", "plus", "minus", "0", "j", "k", "down", "up", "pagedown",
            "enter", "u", "p", "g", "r", "t", "left_square_bracket", "right_square_bracket", "n", "N",
            "left_curly_bracket", "right_curly_bracket", "z", "m", "slash", "escape", "1", "3", "6", "W", "R", "T", "a",
            "s", "x"]


def test_random_navigation_keeps_the_panel_true(live_app):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    live_demo = live_app

    @settings(max_examples=live_app.examples, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True)
    @given(st.lists(st.sampled_from(NAV_KEYS), min_size=1, max_size=25))
    def check(keys):
        live_demo.reset()
        live_demo.press("enter")            # the panel open from the start: every key must keep it true
        for key in keys:
            live_demo.press(key)
            app = live_demo.app
            assert app.is_running and app._exception is None, key
            if not isinstance(app.screen, AnalysisScreen) and app.screen is app.screen_stack[0]:
                live_demo.do(_async(lambda: assert_panel_true(app)))

    check()


def _async(fn):
    async def run():
        return fn()
    return run


# -- legend colours: pairwise distinct, truecolor and 256 colours (CIEDE2000) ---------------------

def srgb_to_lab(rgb):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)

def ciede2000(lab1, lab2):
    L1, a1, b1 = lab1; L2, a2, b2 = lab2
    C1, C2 = math.hypot(a1, b1), math.hypot(a2, b2)
    Cb = (C1 + C2) / 2
    G = 0.5 * (1 - math.sqrt(Cb ** 7 / (Cb ** 7 + 25 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, C2p - C1p
    if C1p * C2p == 0: dhp = 0
    elif abs(h2p - h1p) <= 180: dhp = h2p - h1p
    elif h2p - h1p > 180: dhp = h2p - h1p - 360
    else: dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(C1p * C2p) * math.sin(math.radians(dhp / 2))
    Lbp, Cbp = (L1 + L2) / 2, (C1p + C2p) / 2
    if C1p * C2p == 0: hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180: hbp = (h1p + h2p) / 2
    elif h1p + h2p < 360: hbp = (h1p + h2p + 360) / 2
    else: hbp = (h1p + h2p - 360) / 2
    T = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    dtheta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    Rc = 2 * math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7))
    Sl = 1 + 0.015 * (Lbp - 50) ** 2 / math.sqrt(20 + (Lbp - 50) ** 2)
    Sc, Sh = 1 + 0.045 * Cbp, 1 + 0.015 * Cbp * T
    Rt = -math.sin(math.radians(2 * dtheta)) * Rc
    return math.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh))


def test_ciede2000_matches_sharmas_table():
    """Pairs from Sharma, Wu and Dalal's CIEDE2000 test data (Lab in, ΔE out)."""
    for lab1, lab2, want in (((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
                             ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0),
                             ((50, 2.5, 0), (73, 25, -18), 27.1492),
                             ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644)):
        assert ciede2000(lab1, lab2) == pytest.approx(want, abs=1e-4)


def test_legend_colours_are_pairwise_distinct():
    from rich.color import Color, ColorSystem

    from tracetui.widgets import palette as P
    colours = [P.COLORS[c] for c in P.LEGEND_ORDER]
    for system in ("truecolor", "256"):
        def lab(hex_):
            c = Color.parse(hex_)
            rgb = c.triplet if system == "truecolor" else c.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
            return srgb_to_lab(tuple(rgb))
        for i in range(len(colours)):
            for j in range(i + 1, len(colours)):
                d = ciede2000(lab(colours[i]), lab(colours[j]))
                assert d >= 12, (system, P.NAMES[P.LEGEND_ORDER[i]], P.NAMES[P.LEGEND_ORDER[j]], round(d, 1))


# -- lane caches: the UI thread and the background indexer at once -------------------------------------
def test_lane_caches_under_a_concurrent_pan_zoom_loop(monkeypatch):
    """A thread builds every lane again and again (as the indexer does) while the UI thread
    pans, zooms and draws, with a cache bound small enough that lanes are forgotten all the
    time: nothing raises, and every frame equals the one drawn with no other thread."""
    import sys
    import threading

    from tracetui.format import read
    from tracetui.model import build
    from tracetui.widgets import rows as rows_module
    from tracetui.widgets.cells import column_bounds

    rows = rows_module.Rows(build(read(CONTENTION)))
    lanes = [rows.lane_key(r) for r in range(len(rows))]
    views = [column_bounds(rows.t_first + k * 1000, rows.t_last - k * 1000, 120) for k in range(12)]
    want = [[rows.cells(r, b) for r in range(len(rows))] for b in views[:3]]
    monkeypatch.setattr(rows_module, "CACHE_SPANS", max(len(rows.goroutine_intervals(g)[0]) for g in rows.order) * 3)
    rows._lane_cache.clear()
    rows._cached_spans = 0
    stop, errors = threading.Event(), []

    def indexer():
        try:
            while not stop.is_set():
                for lane in lanes:
                    rows.prepare(lane)
        except Exception as e:
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    th = threading.Thread(target=indexer)
    th.start()
    try:
        for _ in range(4):
            for k, b in enumerate(views):
                for lane in lanes:                # the UI thread builds lanes too (a frame of lanes not kept)
                    rows.prepare(lane)
                got = [rows.cells(r, b) for r in range(len(rows))]
                if k < 3:
                    for a, c in zip(got, want[k]):
                        assert all((x == y).all() for x, y in zip(a, c))
    finally:
        stop.set()
        th.join()
        sys.setswitchinterval(old)
    assert not errors, errors
    kept = sum(len(v[0]) for k, v in list(rows._lane_cache.items()) if isinstance(k, tuple))
    assert rows._cached_spans == kept       # the bound's accounting lost no update between the threads


# -- labels and help ----------------------------------------------------------------------------------
def test_labels_keep_the_id_and_the_end_of_the_function():
    from tracetui.widgets.timeline import cut_label
    async def script(app, pilot):
        tl, rows = app.timeline, app.rows
        for row in range(min(len(rows), tl.page)):
            if rows.kind[row] != GOROUTINE:
                continue
            g = int(rows.ident[row])
            shown = tl.render_line(HEADER + row).text[:tl.label_width].rstrip()
            assert shown.startswith(f"G{int(rows.ids[g])} ")
            name = rows.names[g]
            tail = shown.split("…", 1)[1] if "…" in shown else shown.split(" ", 1)[1] if " " in shown else ""
            assert name.endswith(tail)
        assert cut_label("G8 runtime.(*traceAdvancer).start.func1", 20) == "G8 …cer).start.func1"

    run(DEMO, script, size=(80, 24))


def test_help_lists_the_keys_of_the_screen_it_is_opened_on():
    from tracetui.widgets import keys
    from tracetui.widgets.screens import HelpScreen

    async def script(app, pilot):
        await pilot.press("question_mark")
        shown = dict(app.screen.bindings)
        for c in keys.COMMANDS:                        # every command of the table
            assert (c.display in shown) or any(c.display in k.split("/") for k in shown), c.display
        assert "→/l" in shown and "shift+→/L" in shown
        await pilot.press("escape", "2", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = dict(app.screen.bindings)
        assert any("tab" in k for k in shown) and "a" in shown and "/" in shown   # the tasks screen's keys
        await pilot.press("escape", "6", "question_mark")
        shown = dict(app.screen.bindings)
        assert "c" in shown and "w" in shown

    run(ANNOTATIONS, script)


def test_next_span_and_zoom_to_mark():
    async def script(app, pilot):
        tl, m = app.timeline, app.model
        g = next(g for g in app.rows.order.tolist() if m.lanes.count(g) > 5)
        tl.select_row(app.rows.row_of(g))
        sp = m.lanes.spans(g)
        tl.set_view(int(sp["start"][0]) - 1000, int(sp["end"][-1]) + 1000, int(sp["start"][0]))
        starts = sorted(set(sp["start"].tolist()))
        for want in starts[1:5]:
            await pilot.press("n")
            assert tl.cursor == want
        await pilot.press("N")
        assert tl.cursor == starts[3]
        await pilot.press("m", "n", "n", "z")
        assert (tl.t0, tl.t1) == (starts[3], starts[5]) or tl.t1 - tl.t0 == tl.plot_width

    run(CONTENTION, script)


def test_hide_runtime_goroutines_and_find_by_stack_function():
    async def script(app, pilot):
        rows = app.rows
        before = rows.order.tolist()
        await pilot.press("R")
        names = [rows.names[g] for g in rows.order.tolist()]
        assert names and not any(n == "" or (n.startswith("runtime.") and n != "runtime.main") for n in names)
        assert len(names) < len(before) and "runtime" in app.status_text()
        await pilot.press("R", "f", *"mutex", "enter")
        tr = app.model.trace
        for g in rows.order.tolist():              # each shown goroutine has that function in a stack
            stacks = set(tr.stack[(tr.g == g) & (tr.stack > 0)].tolist())
            assert any("mutex" in (fn or "").lower() for s in stacks for fn, *_ in tr.frames(s))
        assert 0 < len(rows.order) < len(before)

    run(CONTENTION, script)


def test_status_line_never_cuts_a_value_at_80_columns():
    """At 80x24 with every note in force the status line fits its width, and each value it
    shows is whole: the cursor time, the mark distance, the view width, the filter."""
    from tracetui.widgets.timescale import fmt_dur, fmt_time

    async def script(app, pilot):
        tl, rows = app.timeline, app.rows
        await pilot.press("slash", *"main", "enter", "s", "x", "m", "L", "L", "L", "a")
        for row in range(min(len(rows), 12)):
            tl.select_row(row)
            await pilot.pause()
            text = app.status_text()
            width = app.status.content_region.width
            assert len(text) <= width, text
            assert fmt_time(tl.cursor - rows.t_first, tl.ns_per_col) in text
            assert fmt_dur(tl.cursor - tl.mark, 4) in text and fmt_dur(tl.t1 - tl.t0) in text
            assert "/main" in text or "filter: main" in text
            pieces = text.split("│")
            assert all(p.strip() for p in pieces)          # no piece emptied by a cut

    run(ANNOTATIONS, script, size=(80, 24))


def test_details_wrap_only_at_spaces_and_path_separators_and_W_widens():
    from tracetui.widgets.panel import INDENT, wrap

    async def script(app, pilot):
        tl = app.timeline
        await pilot.press(*["j"] * 6, "enter")
        panel = app.panel
        width = panel.content_region.width
        for line in app.details.markup().split("\n"):
            plain = wrap(line, width).plain
            pieces = plain.split("\n" + " " * INDENT)
            assert all(len(p) <= width for p in pieces)
            for a, b in zip(pieces, pieces[1:]):       # each break follows a space or a "/"
                assert a.endswith(("/", " ")) or len(a) >= width - INDENT or \
                    plain.replace("\n" + " " * INDENT, "").find(a + " " + b) >= 0 or a + " " in line
        narrow = panel.size.width
        await pilot.press("W")
        await pilot.pause()
        assert panel.size.width > narrow and panel.size.width >= app.size.width - 4
        await pilot.press("W")
        await pilot.pause()
        assert panel.size.width == narrow and tl.has_focus

    run(ANNOTATIONS, script, size=(80, 24))


def test_palette_lists_every_command_of_the_table():
    from tracetui.widgets import keys

    async def script(app, pilot):
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {c.palette for c in keys.palette_entries()} <= titles
        fired = []
        cmd = next(c for c in app.get_system_commands(app.screen) if c.title == "Zoom in")
        span = app.timeline.t1 - app.timeline.t0
        cmd.callback()
        await pilot.pause()
        fired.append(app.timeline.t1 - app.timeline.t0)
        assert fired[0] < span

    run(ANNOTATIONS, script)


def test_details_unblocker_is_the_models_on_iter_pull():
    """One definition: the panel's unblocker is model.lanes.unblockers' for every waiting span,
    GoSwitch (iter.Pull) included."""
    from tracetui.format import read
    from tracetui.format import spec as S
    from tracetui.model import build
    from tracetui.widgets.details import span_details
    from tracetui.widgets.rows import Rows

    rows = Rows(build(read(T27 / "iter.trace")))
    L, tr = rows.model.lanes, rows.trace
    switched = 0
    for g in rows.active.tolist()[:40]:
        sp, who = L.spans(g), L.unblockers(g)
        for k in np.flatnonzero((sp["state"] == WAITING) & (sp["end"] > sp["start"]))[:30].tolist():
            d = span_details(rows, g, int(sp["start"][k]))
            assert (d.links["u"].goroutine if "u" in d.links else -1) == who[k]
            switched += who[k] >= 0 and tr.type[sp["end_row"][k]] == S.EvGoSwitch
    assert switched > 0


def test_next_region_of_the_same_type():
    async def script(app, pilot):
        rows, tl = app.rows, app.timeline
        r = app.model.summary.regions
        name = "compute"
        app.jump_region_type(name)
        want = app._regions_named(rows.trace.strings.index(name))
        for ri in want[1:4].tolist():
            await pilot.press("right_curly_bracket")
            assert r["start"][ri] <= tl.cursor < r["end"][ri] and tl.selected()[:2] == (REGION, int(r["goroutine"][ri]))
        await pilot.press("left_curly_bracket")
        assert r["start"][want[2]] <= tl.cursor < r["end"][want[2]]

    run(ANNOTATIONS, script)
