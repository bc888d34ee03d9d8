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
