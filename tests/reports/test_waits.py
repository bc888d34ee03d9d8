"""The longest waits (tracetui.model.waits, `tracetui waits`) against Go's parsed event
stream: the blocking spans Go's transitions give (->Waiting ... Waiting->), their
durations, reasons and unblockers; the filters keep what they say."""
from __future__ import annotations

import functools
import json
import re

import pytest

from tests import goref
from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.cli import main
from tracetui.reports.regions import region_rows
from tracetui.reports.waits import wait_rows

SOME = [p for p in TRACES if p.parent.name in ("go1.22", "go1.27")]
_TRANSITION = re.compile(r"GoID=(\d+) (\w+)->(\w+)")


@functools.cache
def go_waits(path):
    """(goroutine id, start, end, reason, unblocker id or None, open) of every wait in
    Go's parsed output: from a transition into Waiting to the next one out of it. A
    goroutine Go reports through a status (Undetermined->Waiting) has waited since
    the generation's Sync event before it (where Go's summarizer and the lanes
    begin it)."""
    from tests.tui.goparsed import go_events

    events = go_events(path)
    first, last = int(events[0].fields["Time"]), int(events[-1].fields["Time"])
    open_: dict[int, tuple] = {}
    sync = first
    out = []
    for ev in events:
        if ev.kind == "Sync":
            sync = int(ev.fields["Time"])
        if ev.kind != "StateTransition":
            continue
        m = _TRANSITION.search(ev.line)
        if not m:
            continue
        gid, old, new = int(m.group(1)), m.group(2), m.group(3)
        if old == new:   # a status re-stating the state at a generation's end
            continue
        t = int(ev.fields["Time"])
        if old == "Waiting" and gid in open_:
            start, reason = open_.pop(gid)
            g = int(ev.fields["G"])
            out.append((gid, start, t, reason, g if g >= 0 and g != gid else None, False))
        if new == "Waiting" and old != "Waiting":
            if old == "Undetermined":   # a status: waiting since its generation began
                t = sync
            open_[gid] = (t, ev.fields.get("Reason", '""').strip('"') if old == "Running" else "")
    out += [(gid, s, last, r, None, True) for gid, (s, r) in open_.items()]
    return out


@pytest.mark.parametrize("path", SOME, ids=trace_id)
def test_longest_waits_equal_go(path):
    goref.require_go()
    m = model_of(path)
    t0 = int(m.trace.time[0])
    rows = wait_rows(m, top=25, runtime=True)
    ours = [(r["goroutine"], r["start_ns"] + t0, r["end_ns"] + t0, r["unblocker"], r["open"]) for r in rows]
    go = sorted(go_waits(path), key=lambda w: (-(w[2] - w[1]), w[1]))
    assert [w[2] - w[1] for w in go[:25]] == [r["duration_ns"] for r in rows]
    assert set(ours) <= {(w[0], w[1], w[2], w[4], w[5]) for w in go}
    reasons = {(w[0], w[1]): w[3] for w in go}
    assert all(r["reason"] == reasons[(r["goroutine"], r["start_ns"] + t0)] for r in rows if r["reason"])


def test_filters_keep_what_they_say():
    path = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "annotations.trace")
    m = model_of(path)
    rows = wait_rows(m, top=50, reason="chan_receive")
    assert rows and all(r["reason"] == "chan receive" for r in rows)
    assert wait_rows(m, top=50, reason="chan receive") == rows
    rows = wait_rows(m, top=50, name=r"^main\.annotationsRun\.func2$")
    assert rows and all(r["name"] == "main.annotationsRun.func2" for r in rows)
    assert all(not r["name"].startswith("runtime") for r in wait_rows(m, top=200))
    regions = [r for r in region_rows(m) if r["name"] == "db.query"]
    rows = wait_rows(m, top=1000, region="db.query")
    assert rows
    for w in rows:   # each overlaps a db.query region of its goroutine
        assert any(r["goroutine"] == w["goroutine"] and r["start_ns"] < w["end_ns"]
                   and r["start_ns"] + r["duration_ns"] > w["start_ns"] for r in regions)
    # and every user wait overlapping one is there
    every = [w for w in wait_rows(m, top=10**6) if w["duration_ns"] > 0]
    inside = [w for w in every if any(r["goroutine"] == w["goroutine"] and r["start_ns"] < w["end_ns"]
                                      and r["start_ns"] + r["duration_ns"] > w["start_ns"] for r in regions)]
    assert len([w for w in rows if w["duration_ns"] > 0]) == len(inside)


def test_cli_json(capsys):
    path = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "critical.trace")
    assert main(["waits", str(path), "--top", "3", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and rows[0]["duration_ns"] >= rows[1]["duration_ns"] >= rows[2]["duration_ns"]
    assert {"goroutine", "name", "reason", "start_ns", "end_ns", "duration_ns", "stack", "unblocker",
            "unblocker_name", "unblocker_stack"} <= set(rows[0])
    woke = [r for r in rows if r["unblocker"] is not None]
    assert woke and all(r["unblocker_stack"] for r in woke)
    assert main(["waits", str(path), "--reason", "sleep", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "sleep" in out and "(no goroutine)" in out
