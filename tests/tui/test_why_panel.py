"""`w` on the timeline: the critical path of the mark-to-cursor range on the selected
goroutine lane, or of the span under the cursor; its steps are `tracetui why`'s
(tracetui.reports.why), and Enter on a step shows that goroutine at that step."""
from __future__ import annotations

import numpy as np

from tests.tui.test_app import REPO, run
from tracetui.format import read
from tracetui.reports.why import Target, why
from tracetui.screens.why import WhyScreen
from tracetui.widgets.arraytable import ArrayTable
from tracetui.widgets.rows import GOROUTINE
from tracetui.widgets.timeline import HEADER

CRITICAL = REPO / "traces" / "go1.27" / "critical.trace"


def _handler(model):
    R, tr = model.summary.regions, model.trace
    ri = next(int(i) for i in np.flatnonzero(R["in_summary"]) if tr.strings[int(R["name"][i])] == "handler")
    return int(R["goroutine"][ri]), int(R["start"][ri]), int(R["end"][ri])


def test_w_on_a_marked_range_then_enter_on_a_step():
    async def script(app, pilot):
        g, a, b = _handler(app.model)
        app.timeline.jump(a - 1000, b + 1000, a, g)
        await pilot.pause()
        app.timeline.mark = a
        app.timeline.cursor = b
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WhyScreen)
        got = screen.report
        want = why(app.model, Target("selection", got["target"]["name"], g, a, b))
        table = screen.query_one("#why", ArrayTable)
        order = table.order.tolist()
        await pilot.press("down", "enter")     # the second step
        await pilot.pause()
        step = got["path"][order[1]]
        ids = app.model.trace.goroutine_ids
        return got, want, step, app.timeline.cursor, int(ids[app.timeline.selected()[1]]), app.screen
    got, want, step, cursor, gid, screen = run(CRITICAL, script)
    assert got["path"] == want["path"] and got["target"]["duration_ns"] == want["target"]["duration_ns"]
    assert sum(s["duration_ns"] for s in got["path"]) == want["target"]["duration_ns"]
    assert not isinstance(screen, WhyScreen)
    assert gid == step["goroutine"]
    # the jump lands inside the step (as every jump does, issue 12)
    assert step["start_ns"] <= cursor - int(read(CRITICAL).time[0]) <= step["end_ns"]


def test_w_without_a_mark_explains_the_span_under_the_cursor():
    async def script(app, pilot):
        g, a, b = _handler(app.model)
        t = b - 1    # the handler's last span: it runs after the answer arrives
        app.timeline.jump(a - 1000, b + 1000, t, g)
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        sp = app.model.lanes.spans(g)
        k = int(np.flatnonzero((sp["start"] <= t) & (sp["end"] > t))[0])
        return app.screen.target, int(sp["start"][k]), int(sp["end"][k])
    target, s, e = run(CRITICAL, script)
    assert (target.kind, target.start, target.end) == ("span", s, e)


def _underlined_cells(tl) -> dict[int, list[bool]]:
    """Per goroutine lane drawn on screen (dense index): is each plot column drawn underlined?"""
    out = {}
    top, skip = int(tl.scroll_offset.y), tl.label_width + 1
    for y in range(HEADER, tl.scrollable_content_region.height):
        row = top + y - HEADER
        if row >= len(tl.rows) or tl.rows.kind[row] != GOROUTINE:
            continue
        flags = [bool(seg.style and seg.style.underline) for seg in tl.render_line(y) for _ in seg.text]
        out[int(tl.rows.ident[row])] = flags[skip:skip + tl.plot_width]
    return out


def _expected(tl, segments, g) -> list[bool]:
    """Column c is marked iff one of g's segments overlaps [bounds[c], bounds[c+1])."""
    b = tl.bounds().tolist()
    mine = [(s, e) for sg, s, e in segments if sg == g]
    return [any(s < b[c + 1] and e > b[c] for s, e in mine) for c in range(len(b) - 1)]


def test_the_path_is_marked_on_the_lanes_it_crosses_until_the_panel_closes():
    async def script(app, pilot):
        tl = app.timeline
        g, a, b = _handler(app.model)
        tl.jump(a - 1000, b + 1000, a, g)
        await pilot.pause()
        tl.mark, tl.cursor = a, b
        await pilot.press("w")
        await pilot.pause()
        why_screen = app.screen
        segments = why_screen.segments()
        await pilot.press("enter")          # the first step, on the timeline
        await pilot.pause()
        pad = (b - a) // 10
        tl.set_view(a - pad, b + pad)       # the whole path in view
        await pilot.pause()
        first = (_underlined_cells(tl), [_expected(tl, segments, h) for h in _underlined_cells(tl)])
        await pilot.press("escape")         # back to the panel
        await pilot.pause()
        back = app.screen
        await pilot.press("escape")         # the panel closes
        await pilot.pause()
        closed = _underlined_cells(tl)
        t = b - 1                           # another path: the span under the cursor
        tl.mark = None
        tl.jump(a - 1000, b + 1000, t, g)
        await pilot.press("w")
        await pilot.pause()
        other = app.screen.segments()
        await pilot.press("escape", "escape")
        await pilot.pause()
        tl.jump(a - 1000, b + 1000, t, g)
        await pilot.pause()
        # the second path's marking is gone too once closed; while open it was its own
        return segments, first, back is why_screen, closed, other, _underlined_cells(tl)
    segments, (got, want), back, closed, other, after = run(CRITICAL, script, size=(160, 48))
    path_lanes = {g for g, _, _ in segments}
    assert len(path_lanes & set(got)) >= 2, "the path crosses at least two lanes on screen"
    for g, flags in got.items():
        assert flags == want[list(got).index(g)], f"lane {g}"
        assert any(flags) == (g in path_lanes)
    assert any(not f for g in path_lanes & set(got) for f in got[g]), "columns outside every segment stay plain"
    assert back, "Esc after a jump from the panel returns to it"
    assert not any(any(f) for f in closed.values()) and not any(any(f) for f in after.values())
    assert other and other != segments
