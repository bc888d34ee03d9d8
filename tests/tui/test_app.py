"""The app driven by Textual's pilot on committed traces: loading (good, broken, truncated),
lane navigation, pan and zoom, filter, sort, details and its links, history, help."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import numpy as np
import pytest

from tests import goref
from tests.tui.pilot import until_loaded
from tracetui.app import TraceApp
from tracetui.format import TraceError, read
from tracetui.format.salvage import read_salvaged
from tracetui.model.lanes import WAITING
from tracetui.widgets.rows import GOROUTINE
from tracetui.widgets.screens import ErrorScreen, HelpScreen

REPO = Path(goref.REPO)
ANNOTATIONS = REPO / "traces" / "go1.27" / "annotations.trace"
CONTENTION = REPO / "traces" / "go1.27" / "contention.trace"
MULTIGEN = REPO / "tests" / "format" / "data" / "multigen"


def run(path, script, size=(100, 30)):
    """Open the app on `path`, wait until it has loaded, run `script(app, pilot)`."""

    async def main():
        app = TraceApp(path)
        async with app.run_test(size=size) as pilot:
            await until_loaded(app, pilot, seconds=5)
            return await script(app, pilot)

    return asyncio.run(main())


def screen_text(app) -> str:
    """The lines the timeline draws, as text."""
    tl = app.timeline
    return "\n".join(tl.render_line(y).text for y in range(tl.scrollable_content_region.height))


def test_loads_and_draws_every_goroutine_label():
    async def script(app, pilot):
        text = screen_text(app)
        for row in range(app.timeline.page):
            if row < len(app.rows):
                from tracetui.widgets.timeline import cut_label
                assert cut_label(app.rows.label(row), app.timeline.label_width) in text
        assert re.search(r"^GC +│", text, re.M) and re.search(r"^STW +│", text, re.M)
        return len(app.rows.order)

    n = run(ANNOTATIONS, script)
    trace = read(ANNOTATIONS)
    # every goroutine that appears in a state transition gets a lane
    from tracetui.model import build
    lanes = build(trace).lanes
    assert n == int((np.diff(lanes.offsets) > 0).sum()) > 10


def test_lane_navigation():
    async def script(app, pilot):
        tl = app.timeline
        await pilot.press("j", "j", "down")
        assert tl.sel == 3
        await pilot.press("k")
        assert tl.sel == 2
        await pilot.press("pagedown")
        assert tl.sel == 2 + tl.page
        await pilot.press("end")
        assert tl.sel == len(app.rows) - 1
        assert tl.scroll_offset.y + tl.page >= len(app.rows)  # the selected lane is on screen
        await pilot.press("home")
        assert tl.sel == 0 and tl.scroll_offset.y == 0

    run(ANNOTATIONS, script)


def test_pan_zoom_fit():
    async def script(app, pilot):
        tl = app.timeline
        rows = app.rows
        assert (tl.t0, tl.t1) == (rows.t_first, rows.t_last)
        col = tl.col_of(tl.cursor)
        span = tl.t1 - tl.t0
        await pilot.press("i")
        assert abs((tl.t1 - tl.t0) - span // 2) <= 1
        assert abs(tl.col_of(tl.cursor) - col) <= 1  # zoom keeps the cursor where it was on screen
        await pilot.press("plus", "plus")
        assert abs((tl.t1 - tl.t0) - span // 8) <= 2
        t0, width = tl.t0, tl.t1 - tl.t0
        await pilot.press("l")
        assert tl.t0 - t0 == width // 8
        await pilot.press("h", "h")
        assert t0 - tl.t0 == width // 8
        await pilot.press("o")
        assert abs((tl.t1 - tl.t0) - span // 4) <= 4
        await pilot.press("0")
        assert (tl.t0, tl.t1) == (rows.t_first, rows.t_last + 1)
        await pilot.press("[")  # back to before the fit
        assert abs((tl.t1 - tl.t0) - span // 4) <= 4
        await pilot.press("]")
        assert (tl.t0, tl.t1) == (rows.t_first, rows.t_last + 1)

    run(ANNOTATIONS, script)


def test_mark_and_cursor_distance():
    async def script(app, pilot):
        tl = app.timeline
        await pilot.press("m")
        assert tl.mark == tl.cursor
        for _ in range(5):
            await pilot.press("L")
        assert tl.cursor > tl.mark
        status = str(app.query_one("#status").render())
        from tracetui.widgets.timescale import fmt_dur
        assert f"mark→cursor {fmt_dur(tl.cursor - tl.mark, 4)}" in status

    run(ANNOTATIONS, script)


def test_filter_by_regex():
    async def script(app, pilot):
        await pilot.press("slash", *"handleReq", "enter")
        shown = [app.rows.label_of(int(g)) for g in app.rows.order]
        assert app.focused is app.timeline
        await pilot.press("slash", "(", "enter")  # a bad pattern: an error, the filter stays
        assert app.rows.pattern.pattern == "handleReq"
        await pilot.press("escape")
        return shown

    shown = run(ANNOTATIONS, script)
    from tracetui.model import build
    m = build(read(ANNOTATIONS))
    tr = m.trace
    names = m.summary.goroutines["name"]
    want = sorted(int(tr.goroutine_ids[g]) for g in np.flatnonzero(np.diff(m.lanes.offsets) > 0)
                  if "handlereq" in tr.strings[int(names[g])].lower())
    assert sorted(int(s.split()[0][1:]) for s in shown) == want and want


def test_sort_by_exec_time():
    async def script(app, pilot):
        await pilot.press("s", "s")
        assert app.rows.sort_key == "exec"
        return app.rows.order.copy(), app.rows.exec

    order, exec_ = run(ANNOTATIONS, script)
    assert (np.diff(exec_[order]) <= 0).all()


def _waiting_unblocked_span(path):
    """A goroutine and a waiting span of it that a GoUnblock ended (chosen from the model)."""
    from tracetui.format import spec as S
    from tracetui.model import build
    m = build(read(path))
    tr = m.trace
    for g in range(len(m.lanes)):
        sp = m.lanes.spans(g)
        for k in np.flatnonzero(sp["state"] == WAITING).tolist():
            e = int(sp["end_row"][k])
            if e >= 0 and tr.type[e] == S.EvGoUnblock and tr.g[e] >= 0 and sp["end"][k] - sp["start"][k] > 10_000:
                return g, int(sp["start"][k]), int(sp["end"][k]), int(tr.g[e])
    raise AssertionError("no unblocked span")


def test_details_and_unblocker_link():
    g, start, end, unblocker = _waiting_unblocked_span(CONTENTION)

    async def script(app, pilot):
        tl = app.timeline
        tl.select_row(app.rows.row_of(g))
        tl.set_view(start - (end - start), end + (end - start), (start + end) // 2)
        await pilot.press("enter")
        box = app.query_one("#details")
        assert box.display
        text = app.details.markup()
        from tracetui.widgets.timescale import fmt_dur
        assert "state     waiting" in text and f"duration  {fmt_dur(end - start, 4)}" in text
        await pilot.press("u")
        assert tl.selected() == (GOROUTINE, unblocker, -1)
        assert tl.cursor == end
        await pilot.press("left_square_bracket")
        assert tl.selected()[1] == g
        await pilot.press("escape")
        assert not box.display

    run(CONTENTION, script)


def test_hide_idle_goroutines():
    async def script(app, pilot):
        before = len(app.rows.order)
        await pilot.press("i", "i", "i", "i")
        await pilot.press("a")
        shown = app.rows.order.copy()
        tl = app.timeline
        for g in shown.tolist():  # each lane left is not only waiting in the view
            sp = app.model.lanes.spans(g)
            busy = (sp["state"] != WAITING) & (sp["start"] < tl.t1) & (sp["end"] > tl.t0)
            assert busy.any()
        await pilot.press("a")
        assert len(app.rows.order) == before > len(shown)

    run(ANNOTATIONS, script)


def test_help_lists_bindings():
    async def script(app, pilot):
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.bindings)
        assert keys["+/i"] == "zoom in" and keys["/"].startswith("filter") and keys["m"].endswith("mark")
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    run(ANNOTATIONS, script)


def test_palette_jumps():
    async def script(app, pilot):
        from tracetui.widgets.jump import JumpProvider, parse_time
        assert parse_time("1.5ms") == 1_500_000 and parse_time("+20us") == 20_000 and parse_time("x") is None
        gid = int(app.rows.ids[app.rows.order[-1]])
        app.jump_goroutine(int(app.rows.order[-1]))
        assert app.rows.ids[app.timeline.selected()[1]] == gid
        app.jump_time(2_000_000)
        assert app.timeline.cursor == app.rows.t_first + 2_000_000
        name = app.region_types()[0]
        app.jump_region_type(name)
        r = app.model.summary.regions
        first = min((int(r["start"][i]), int(i)) for i in app.rows.region_idx
                    if app.rows.trace.strings[int(r["name"][i])] == name)[1]
        assert r["start"][first] <= app.timeline.cursor < r["end"][first]  # inside the region, on its row
        assert app.timeline.selected()[:2] == (1, int(r["goroutine"][first]))
        provider = JumpProvider(app.screen)
        hits = [h async for h in provider.search(f"g{gid}")]
        assert any(f"G{gid}" in str(h.match_display) for h in hits)
        pid = int(app.rows.trace.proc_ids[0])
        hits = [h async for h in provider.search(f"p{pid}")]
        assert [str(h.match_display) for h in hits] == [f"Go to P{pid}"]

    run(ANNOTATIONS, script)


def test_bad_trace_shows_its_message(tmp_path):
    from tests.format.tracebuild import invalid_first_event

    bad = tmp_path / "bad.trace"
    bad.write_bytes(invalid_first_event((MULTIGEN / "go1.27.trace").read_bytes()))
    with pytest.raises(TraceError) as err:
        read_salvaged(bad)

    async def script(app, pilot):
        assert isinstance(app.screen, ErrorScreen)
        assert app.screen.message == str(err.value)
        await pilot.press("q")

    run(bad, script)


def test_truncated_trace_loads_with_banner(tmp_path):
    cut = tmp_path / "truncated.trace"
    cut.write_bytes((MULTIGEN / "go1.27.trace").read_bytes()[:11000])
    trace, report = read_salvaged(cut)

    async def script(app, pilot):
        banner = app.query_one("#banner")
        assert banner.display and report.warning() in str(banner.render())
        assert app.rows.t_last == int(trace.time[-1])

    run(cut, script)


def test_loading_shows_progress_and_ctrl_c_quits(monkeypatch):
    """While the loader thread is busy the UI keeps running: progress arrives, ctrl+c quits."""
    import threading

    from tracetui import app as app_module
    from tracetui.widgets.screens import LoadingScreen

    release = threading.Event()

    def slow_load(source, progress=None, stage=None):
        progress(1_000_000, 4_000_000, 3)
        release.wait(30)
        raise TraceError("never reached")

    monkeypatch.setattr(app_module, "load_model", slow_load)

    async def main():
        app = TraceApp(ANNOTATIONS)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(300):
                await pilot.pause(0.01)
                if "decoded 1.0 MB of 4.0 MB, 3 generations" in str(
                        app.screen.query_one("#loading-status").render()):
                    break
            assert isinstance(app.screen, LoadingScreen)
            assert app.screen.query_one("ProgressBar").percentage == 0.25
            assert app.return_code is None
            await pilot.press("ctrl+c")
            await pilot.pause()
            assert app.return_code == 0 and not app.is_running  # quit, with the loader still busy
        release.set()

    asyncio.run(main())


def test_highlight_one_state():
    """x highlights running: goroutine lanes keep only the running colour, other states are greyed."""
    from tracetui.widgets import palette as P

    async def script(app, pilot):
        tl = app.timeline
        await pilot.press("x")
        assert tl.highlight == P.RUN and "highlight: running" in str(app.status.render())
        allowed = {P.COLORS[c].lower() for c in (P.RUN, P.GAP, P.DIMMED, P.TEXT)}
        seen = set()
        from tracetui.widgets.timeline import HEADER
        for y in range(HEADER, tl.scrollable_content_region.height):
            if app.rows.kind[y - HEADER] != GOROUTINE:  # regions keep their colours
                continue
            for seg in list(tl.render_line(y))[2:]:  # after the label and its separator
                if seg.style and seg.style.bgcolor and seg.text.strip(" ") == seg.text:
                    seen.add(seg.style.bgcolor.name.lower())
        colours = {P.COLORS[c].lower() for c in range(len(P.COLORS))}
        assert (seen & colours) <= allowed | {P.CURSOR.lower(), P.MARK.lower()}
        assert P.COLORS[P.RUN].lower() in seen
        for _ in P.LEGEND_ORDER:
            await pilot.press("x")
        assert tl.highlight is None

    run(ANNOTATIONS, script)


def test_proc_and_thread_lanes():
    """P lanes come first (by P id); T adds a lane per thread; Enter on a P shows the goroutine
    running there; the details' p link and the palette's p<id> select a P lane."""
    from tracetui.widgets.rows import PROC, THREAD

    g, start, end, _ = _waiting_unblocked_span(CONTENTION)

    async def script(app, pilot):
        rows, tl = app.rows, app.timeline
        tr = rows.trace
        nprocs = len(app.model.procs)
        assert [rows.label(r) for r in range(nprocs)] == [f"P{p}" for p in sorted(tr.proc_ids.tolist())]
        before = len(rows)
        await pilot.press("T")
        assert len(rows) == before + len(app.model.threads)
        assert rows.kind[nprocs] == THREAD and rows.label(nprocs).startswith("M")
        await pilot.press("T")
        assert len(rows) == before
        # the goroutine that woke g ran on some P at the end of g's wait: find that P's lane
        sp = app.model.lanes.spans(g)
        k = int(np.flatnonzero(sp["end"] == end)[0]) + 2  # after runnable, g runs again
        assert sp["state"][k - 1] != WAITING
        run_start = int(sp["start"][k])
        p = int(tr.p[int(sp["begin_row"][k])])
        tl.select_row(rows.row_of_lane(PROC, p))
        tl.set_view(run_start - 1000, run_start + 100_000, run_start + 1)
        await pilot.press("enter")
        assert app.details.title == f"P{int(tr.proc_ids[p])}: {rows.label_of(g)}"
        assert "proc      P" in app.details.markup()
        await pilot.press("escape")
        tl.select_row(rows.row_of(g))
        await pilot.press("enter", "p")
        assert tl.selected()[:2] == (PROC, p)
        app.jump_proc(0)
        assert tl.selected()[:2] == (PROC, 0)

    run(CONTENTION, script)


def test_big_lanes_are_drawn_before_they_are_indexed(monkeypatch):
    """A goroutine or P lane over LAZY_SPANS spans is drawn at once, straight from its spans
    in view, while the background thread builds its intervals; at every zoom it draws
    exactly what it draws once built. The UI does not wait for the thread."""
    import threading

    from tracetui.widgets import rows as rows_module
    from tracetui.widgets.rows import PROC
    from tracetui.widgets.timeline import HEADER

    release = threading.Event()
    real_prepare = rows_module.Rows.prepare
    monkeypatch.setattr(rows_module, "LAZY_SPANS", 2)
    monkeypatch.setattr(rows_module.Rows, "prepare", lambda self, key: (release.wait(10), real_prepare(self, key)))

    async def script(app, pilot):
        tl, rows = app.timeline, app.rows
        big = [g for g in rows.order.tolist() if app.model.lanes.count(g) > 2]
        shown = [g for g in big if rows.row_of(g) < tl.page]
        ys = [HEADER + rows.row_of(g) for g in shown]
        assert len(ys) >= 3 and rows.nresources >= 2
        ys += [HEADER + p for p in range(rows.nresources)]  # the P lanes
        views, before = [], []
        for _ in range(4):
            views.append((tl.t0, tl.t1, tl.cursor))
            before.append([tl.render_line(y).text for y in ys])
            await pilot.press("i", "l")  # the UI keeps answering
        assert not any(("g", g) in rows._lane_cache for g in big) and (PROC, 0) not in rows._lane_cache  # not built
        release.set()
        for _ in range(500):
            await pilot.pause(0.01)
            if all(("g", g) in rows._lane_cache for g in shown) and (PROC, 0) in rows._lane_cache:
                break
        tl._cells.clear()
        for (t0, t1, cursor), lines in zip(views, before):
            tl.set_view(t0, t1, cursor)
            assert [tl.render_line(y).text for y in ys] == lines

    run(ANNOTATIONS, script)


def test_lane_cache_is_bounded(monkeypatch):
    """Past CACHE_SPANS spans the kept lanes are forgotten, and a lane built again draws the same."""
    from tracetui.model import build
    from tracetui.widgets import rows as rows_module
    from tracetui.widgets.cells import column_bounds

    rows = rows_module.Rows(build(read(CONTENTION)))
    bounds = column_bounds(rows.t_first, rows.t_last + 1, 100)
    first = [rows.cells(r, bounds) for r in range(len(rows))]
    lanes = {k: len(v[0]) for k, v in rows._lane_cache.items() if isinstance(k, tuple)}
    biggest = max(lanes.values())
    assert sum(lanes.values()) > biggest * 2  # so the bound below is reached
    monkeypatch.setattr(rows_module, "CACHE_SPANS", biggest * 2)
    rows._lane_cache.clear()
    rows._cached_spans = 0
    again = [rows.cells(r, bounds) for r in range(len(rows))]
    assert rows._cached_spans <= biggest * 2
    assert sum(len(v[0]) for k, v in rows._lane_cache.items() if isinstance(k, tuple)) == rows._cached_spans
    for a, b in zip(first, again):
        assert all((x == y).all() for x, y in zip(a, b))


def test_mouse_click_and_wheel():
    """A click moves the cursor to the clicked column and selects the clicked lane; the
    wheel scrolls lanes, ctrl+wheel zooms around the pointer, shift+wheel pans."""
    from textual import events

    from tracetui.widgets.timeline import HEADER

    async def script(app, pilot):
        tl = app.timeline
        x = tl.label_width + 1 + tl.plot_width // 3
        await pilot.click("#timeline", offset=(x, HEADER + 4))
        await pilot.pause()
        col = tl.plot_width // 3
        assert tl.col_of(tl.cursor) == col and tl.sel == int(tl.scroll_offset.y) + 4
        assert str(app.rows.label(tl.sel)).split()[0] in str(app.status.render())

        def wheel(down: bool, **mods):
            cls = events.MouseScrollDown if down else events.MouseScrollUp
            tl.post_message(cls(tl, x, HEADER + 2, 0, 1 if down else -1, 0, mods.get("shift", False), False,
                                mods.get("ctrl", False)))

        span, t0 = tl.t1 - tl.t0, tl.t0
        wheel(False, ctrl=True)  # zoom in around the pointer's column
        await pilot.pause()
        assert tl.t1 - tl.t0 == pytest.approx(span / 2, rel=0.01) and tl.col_of(tl.cursor) == col
        span, t0 = tl.t1 - tl.t0, tl.t0
        wheel(True, shift=True)  # pan right
        await pilot.pause()
        assert tl.t0 > t0 and tl.t1 - tl.t0 == span
        top = tl.scroll_offset.y
        wheel(True)  # plain wheel: scroll the lanes
        await pilot.pause()
        assert tl.scroll_offset.y > top

    run(CONTENTION, script)
