"""The waits screen (key 7), in the screens' host App: its rows are `tracetui waits`'s
(run as a user would), Enter shows the wait with its unblocker on the timeline, `/`
filters, and the tab key reaches it from another screen."""
from __future__ import annotations

import numpy as np
import pytest

from tests.tui.test_screens import DEMO, command_json, drive, model_of, shown_rows, table
from tracetui.screens.waits import LIMIT

CRITICAL = DEMO.parents[2] / "traces" / "go1.27" / "critical.trace"


@pytest.mark.parametrize("path", [DEMO, CRITICAL], ids=lambda p: p.name)
def test_rows_are_the_commands(path):
    _, rows = drive(path, "waits", then=lambda app: shown_rows(table(app, "waits", "waits")))
    want = command_json("waits", str(path), "--top", str(LIMIT))
    assert len(rows) == len(want) > 0
    assert [(r["duration"], r["goroutine"]) for r in rows] == [(w["duration_ns"], w["goroutine"]) for w in want]
    origin = int(model_of(path).trace.time[0])
    assert [r["start"] - origin for r in rows] == [w["start_ns"] for w in want]


def test_enter_shows_the_wait_and_its_unblocker():
    def inspect(app):
        return app.jumps, shown_rows(table(app, "waits", "waits"))
    keys = ["slash", *"chan receive", "enter", "enter"]
    app, (jumps, rows) = drive(CRITICAL, "waits", keys, then=inspect)
    want = [w for w in command_json("waits", str(CRITICAL), "--top", str(LIMIT)) if w["reason"] == "chan receive"]
    assert rows and len(rows) >= len(want)     # the filter also searches frames and names
    first = rows[0]
    (jump,) = jumps
    m = app.model
    ids = m.trace.goroutine_ids
    w = next(w for w in want if w["goroutine"] == first["goroutine"] and w["duration_ns"] == first["duration"])
    assert [int(ids[g]) for g in jump.goroutines] == [w["goroutine"], w["unblocker"]]
    assert int(ids[jump.focus_goroutine]) == w["goroutine"]
    origin = int(m.trace.time[0])
    assert (jump.t0 - origin, jump.t1 - origin) == (w["start_ns"], w["end_ns"])


def test_filter_keeps_matching_rows():
    keys = ["slash", *"^sleep$", "enter"]
    def inspect(app):
        return shown_rows(table(app, "waits", "waits")), str(app.get_screen("waits").query_one("#waits-caption").render())
    app, (rows, caption) = drive(CRITICAL, "waits", keys, then=inspect)
    strings = app.model.trace.strings
    assert rows and all(strings[r["reason"]] == "sleep" for r in rows)
    n = len([w for w in command_json("waits", str(CRITICAL), "--top", str(LIMIT)) if w["reason"] == "sleep"])
    assert len(rows) == n
    assert "match /^sleep$" in caption


def test_key_7_opens_it():
    app, (name, rows) = drive(CRITICAL, "regions", ["7"],
                              then=lambda app: (app.screen.name, shown_rows(table(app, "waits", "waits"))))
    assert name == "waits"
    assert rows and np.all(np.diff(np.array([r["duration"] for r in rows])) <= 0)
