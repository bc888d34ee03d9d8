"""The analysis screens inside the real app (TraceApp): the screen keys from the
timeline, Escape back, every jump landing on the timeline (view, cursor, selected
lane, lanes shown), and the selection statistics of the timeline's mark and cursor."""
from __future__ import annotations

import asyncio

import numpy as np

from tests.tui.pilot import until_loaded
from tests.tui.test_screens import ANNOTATIONS, DEMO, command_json, model_of
from tracetui.app import TraceApp
from tracetui.model.lanes import STATE_NAMES
from tracetui.screens import AnalysisScreen
from tracetui.widgets.arraytable import ArrayTable
from tracetui.widgets.rows import GOROUTINE, REGION


def run(path, keys, inspect, size=(80, 24)):
    async def main():
        app = TraceApp(path)
        async with app.run_test(size=size) as pilot:
            await until_loaded(app, pilot)
            for k in keys:
                await pilot.press(k)
                await pilot.pause()
            return inspect(app)
    return asyncio.run(main())


def view(app):
    tl = app.timeline
    sel = tl.selected()
    return dict(t0=tl.t0, t1=tl.t1, cursor=tl.cursor, lane=sel[1] if sel and sel[0] in (GOROUTINE, REGION) else None,
                on_timeline=not isinstance(app.screen, AnalysisScreen), order=app.rows.order.tolist(),
                focused=tl.has_focus)


def test_keys_open_screens_and_escape_returns():
    names = run(DEMO, ["1", "2", "3", "4", "5", "6"], lambda app: (app.screen.name, len(app.screen_stack)))
    assert names == ("selection", 2)
    back = run(DEMO, ["3", "escape"], view)
    assert back["on_timeline"] and back["focused"]


def test_region_jump_lands_on_the_region():
    longest = max((r for r in command_json("regions", str(DEMO), "--instances") if r["name"] == "compute"),
                  key=lambda r: r["duration_ns"])
    # compute has the most total time: the first type; Enter: its instances (longest first); Enter: jump
    v = run(DEMO, ["1", "enter", "enter"], view)
    m = model_of(DEMO)
    t0 = int(m.trace.time[0]) + longest["start_ns"]
    t1 = t0 + longest["duration_ns"]
    assert v["on_timeline"] and v["t0"] <= t0 and v["t1"] >= t1 and t0 <= v["cursor"] < t1  # inside it
    assert v["t1"] - v["t0"] < 2 * (t1 - t0)                 # zoomed in on it, not the whole trace
    assert int(m.trace.goroutine_ids[v["lane"]]) == longest["goroutine"]


def test_task_jump_shows_its_goroutines_until_escape():
    m = model_of(ANNOTATIONS)
    # the first type's first task; tasks with several goroutines make the timeline show them alone
    T = m.summary.tasks
    multi = [ti for ti in range(len(T["id"])) if T["goroutine_offsets"][ti + 1] - T["goroutine_offsets"][ti] > 1]
    assert multi, "the annotations trace has tasks on several goroutines"
    ti = multi[0]
    want = sorted(np.asarray(T["goroutines"][T["goroutine_offsets"][ti]:T["goroutine_offsets"][ti + 1]]).tolist())
    name = m.trace.strings[int(T["name"][ti])]
    types = [t["name"] for t in command_json("tasks", str(ANNOTATIONS))]
    tasks_of_type = [r["id"] for r in command_json("tasks", str(ANNOTATIONS), "--tree") if r["name"] == name]
    keys = ["2", *["j"] * types.index(name), "enter", *["j"] * tasks_of_type.index(int(T["id"][ti])), "enter"]
    shown = run(ANNOTATIONS, keys, view)
    assert shown["on_timeline"] and sorted(shown["order"]) == want
    after = run(ANNOTATIONS, [*keys, "escape"], view)
    assert len(after["order"]) > len(want)


def test_gc_pause_jump():
    m = model_of(DEMO)
    stw = m.gc.stw
    first = int(np.argmin(stw["start"]))
    v = run(DEMO, ["4", "enter"], view)
    assert v["on_timeline"] and v["t0"] <= stw["start"][first] and v["t1"] >= stw["end"][first]


def test_goroutine_and_log_jumps_select_the_lane():
    v = run(DEMO, ["3", "enter", "enter"], view)
    top = max((r for r in command_json("goroutines", str(DEMO), "--instances")
               if r["name"] == command_json("goroutines", str(DEMO))[0]["name"]), key=lambda r: r["exec_ns"])
    m = model_of(DEMO)
    assert v["on_timeline"] and int(m.trace.goroutine_ids[v["lane"]]) == top["id"]
    v = run(DEMO, ["5", "down", "enter"], view)                  # the second log entry
    t = int(m.logs["time"][1])
    assert v["t0"] < t < v["t1"] and v["lane"] == int(m.logs["goroutine"][1])


def test_selection_is_mark_to_cursor_of_every_lane_shown():
    def inspect(app):
        scr = app.get_screen("selection")
        rows = app.get_screen("selection").query_one("#per-goroutine", ArrayTable)
        return scr.t0, scr.t1, scr.goroutines.tolist(), {k: np.asarray(v).tolist() for k, v in rows.data.items()}
    marks = []

    def remember(app):
        tl = app.timeline
        marks.append((tl.mark, tl.cursor, app.rows.order.tolist()))  # every goroutine lane, on screen or not
        return marks[-1]
    mark, cursor, lanes = run(DEMO, ["m", *["L"] * 12], remember)
    t0, t1, gs, data = run(DEMO, ["m", *["L"] * 12, "6"], inspect)
    assert (t0, t1, gs) == (min(mark, cursor), max(mark, cursor), lanes) and t1 > t0
    m = model_of(DEMO)
    for i, g in enumerate(gs):                    # each lane's state times, by a plain loop over its spans
        sp = m.lanes.spans(g)
        want = dict.fromkeys(STATE_NAMES.values(), 0)
        for s, e, st in zip(sp["start"].tolist(), sp["end"].tolist(), sp["state"].tolist()):
            want[STATE_NAMES[st]] += max(0, min(e, t1) - max(s, t0))
        assert {k: data[k][i] for k in want} == want
