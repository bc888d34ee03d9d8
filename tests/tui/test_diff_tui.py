"""`diff --tui`: the table lists the real changes; Enter gives NEW's worst instance of the
row under the cursor, b BASE's; the timeline opened there has its cursor at that
instance's start on its goroutine's lane."""
from __future__ import annotations

import asyncio
from pathlib import Path

from tests.tui.pilot import until_loaded
from tracetui.app import TraceApp
from tracetui.commands.multi import load_facts
from tracetui.reports.diff import diff_rows
from tracetui.screens.diff import DiffApp, target_message
from tracetui.widgets.rows import GOROUTINE

GO127 = Path(__file__).resolve().parents[2] / "traces" / "go1.27"
BASE, NEW = GO127 / "ab-a.trace", GO127 / "ab-slow.trace"


def _rows():
    return diff_rows(*load_facts([str(BASE), str(NEW)]))


def test_enter_and_b_pick_the_worst_instance_of_the_row():
    rows = _rows()
    changed = [r for r in rows if r["changed"]]
    target = next(i for i, r in enumerate(changed) if r.get("new_worst") is not None)

    async def pick(key):
        app = DiffApp(rows, str(BASE), str(NEW))
        async with app.run_test(size=(100, 30)) as pilot:
            table = app.query_one("DataTable")
            assert table.row_count == len(changed)
            for _ in range(target):
                await pilot.press("down")
            await pilot.press(key)
            await pilot.pause()
        return app.return_value

    assert asyncio.run(pick("enter")) == ("new", target, changed[target]["new_worst"])
    assert asyncio.run(pick("b")) == ("base", target, changed[target]["base_worst"])


def test_the_timeline_opens_at_the_worst_instance():
    worst = next(r for r in _rows() if r["changed"] and r.get("new_worst"))["new_worst"]

    async def main():
        app = TraceApp(worst["trace"])
        async with app.run_test(size=(120, 40)) as pilot:
            await until_loaded(app, pilot, 5)
            app.post_message(target_message(app.model, worst))
            await pilot.pause()
            tl = app.timeline
            t0 = int(app.model.trace.time[0])
            kind, g = tl.selected_lane()
            return tl.cursor - t0, kind, int(app.model.trace.goroutine_ids[g]), (tl.t0 - t0, tl.t1 - t0)

    cursor, kind, gid, (v0, v1) = asyncio.run(main())
    # the cursor inside the instance (as every jump lands, issue 12), on its goroutine's lane
    assert worst["start_ns"] <= cursor <= worst["start_ns"] + worst["duration_ns"]
    assert kind == GOROUTINE and gid == worst["goroutine"]
    assert v0 <= worst["start_ns"] and worst["start_ns"] + worst["duration_ns"] <= v1
