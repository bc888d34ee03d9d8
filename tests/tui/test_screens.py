"""Pilot tests of the analysis screens on committed traces, in a host App that records
the jumps to the timeline (tests/tui/screens_host.py).

What the screens show is checked against the `tracetui` commands' JSON (run as a user
would, in a subprocess), against Go (`go tool trace -d=parsed` for the logs; Go's
summarizer numbers, which tests/model checks, for the selection over the whole
trace), and against plain re-computations from the model's spans."""
from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import goref
from tests.tui.screens_host import HostApp
from tracetui.format.goquote import go_quote
from tracetui.model.lanes import STATE_NAMES
from tracetui.reports.goroutines import reason_key
from tracetui.reports.output import human_ns
from tracetui.screens.base import AnalysisScreen, Tabs
from tracetui.widgets.arraytable import ArrayTable

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "tracetui" / "data" / "demo.trace"
ANNOTATIONS = REPO / "traces" / "go1.27" / "annotations.trace"
GC_TRACE = REPO / "traces" / "go1.27" / "gc.trace"
TRACES = [DEMO, ANNOTATIONS]


@functools.cache
def model_of(path: Path):
    from tracetui.format import read
    from tracetui.model import build

    return build(read(path))


@functools.cache
def command_json(*args: str):
    """`tracetui ARGS --format json`, run as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-m", "tracetui", *args, "--format", "json"], capture_output=True,
                         env=env, check=True).stdout
    return json.loads(out)


def drive(path, start, keys=(), size=(80, 24), selection=None, then=None):
    """Open screen `start` on the trace, press `keys`, and return (app, then(app))."""
    async def go():
        app = HostApp(model_of(path), start)
        app.selection = selection
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for k in keys:
                await pilot.press(k)
                await pilot.pause()
            await app.workers.wait_for_complete()      # the GC screen's MMU, a whole-trace selection
            await pilot.pause()
            return app, then(app) if then else None
    return asyncio.run(go())


def table(app, name, table_id) -> ArrayTable:
    return app.get_screen(name).query_one(f"#{table_id}", ArrayTable)


def shown_rows(t: ArrayTable) -> list[dict]:
    """The rows of `t` as shown top to bottom: {column key: raw value}."""
    return [{k: (v[i] if not isinstance(v, np.ndarray) else v[i].item()) for k, v in t.data.items()}
            for i in t.order.tolist()]


# -- regions -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.parent.name + "/" + p.name)
def test_regions_types_are_the_commands(path):
    _, rows = drive(path, "regions", then=lambda app: shown_rows(table(app, "regions", "types")))
    want = command_json("regions", str(path))              # sorted by total, largest first
    assert [r["name"] for r in rows] == [w["name"] for w in want]
    for r, w in zip(rows, want):
        for k in ("count", "incomplete", "total_ns", "min_ns", "p50_ns", "p99_ns", "max_ns", "running_share"):
            assert r[k] == w[k], (w["name"], k)


def test_regions_instances_histogram_and_jump():
    path = DEMO
    want_types = command_json("regions", str(path))
    second = want_types[1]["name"]
    keys = ["j", "enter", "enter"]     # second type; Enter moves to its instances; Enter jumps

    def inspect(app):
        scr = app.get_screen("regions")
        inst = table(app, "regions", "instances")
        hist = scr.query_one("#histogram").buckets
        return len(inst.order), hist, isinstance(app.screen, AnalysisScreen)
    app, (n_inst, hist, on_screen) = drive(path, "regions", keys, then=inspect)
    want = [r for r in command_json("regions", str(path), "--instances") if r["name"] == second]
    assert n_inst == len(want) == want_types[1]["count"]
    # every duration falls in a bucket, and the buckets count them all
    assert sum(b["count"] for b in hist) == len(want)
    for b in hist:
        assert b["count"] == sum(b["lo_ns"] <= max(w["duration_ns"], 1) < b["hi_ns"] for w in want)
    longest = max(want, key=lambda w: w["duration_ns"])    # instances sort by duration, longest first
    m = model_of(path)
    origin = int(m.trace.time[0])
    [jump] = app.jumps
    g = jump.focus_goroutine
    assert jump.goroutines == [g] and int(m.trace.goroutine_ids[g]) == longest["goroutine"]
    assert (jump.t0, jump.t1) == (origin + longest["start_ns"], origin + longest["start_ns"] + longest["duration_ns"])
    assert not on_screen                                    # back on the timeline


def test_regions_sort_by_key_and_click():
    def header(app):
        t = table(app, "regions", "types")
        return t.sort_column, t.descending, t.render_line(0).text
    _, (col, desc, head) = drive(DEMO, "regions", ["s"], then=header)
    titles = head.split()
    assert titles[titles.index("total") + 1] == "p50↓"      # from total to the next column shown
    assert (col, desc) == ("p50_ns", True)
    _, (col, desc, _) = drive(DEMO, "regions", ["s", "r"], then=header)
    assert (col, desc) == ("p50_ns", False)

    async def click():
        app = HostApp(model_of(DEMO), "regions")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.click("#types", offset=(1, 0))     # the "region" header
            await pilot.pause()
            t = table(app, "regions", "types")
            return t.sort_column, t.descending, [r["name"] for r in shown_rows(t)]
    col, desc, names = asyncio.run(click())
    assert (col, desc) == ("name", False) and names == sorted(names)


# -- tasks -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.parent.name + "/" + p.name)
def test_tasks_are_the_commands_and_jump(path):
    def inspect(app):
        return (shown_rows(table(app, "tasks", "types")), shown_rows(table(app, "tasks", "tasks")),
                shown_rows(table(app, "tasks", "logs")))
    app, (types, tasks, logs) = drive(path, "tasks", ["enter", "enter"], then=inspect)
    want = command_json("tasks", str(path))
    assert [(t["name"], t["count"], t["complete"], t["p99_ns"]) for t in types] == \
        [(w["name"], w["count"], w["complete"], w["p99_ns"]) for w in want]
    instances = {r["id"]: r for r in command_json("tasks", str(path), "--instances")}
    first_type = want[0]["name"]
    assert [t["id"] for t in tasks] == [r["id"] for r in command_json("tasks", str(path), "--tree")
                                        if r["name"] == first_type]
    task = instances[tasks[0]["id"]]
    m = model_of(path)
    origin, strings = int(m.trace.time[0]), m.trace.strings
    assert [(lg["time"] - origin, lg["goroutine"], strings[lg["category"]], strings[lg["message"]]) for lg in logs] \
        == [(lg["time_ns"], lg["goroutine"], lg["category"], lg["message"]) for lg in task["log_list"]]
    # Enter: the task's goroutines over its interval; every goroutine that logged in it is there
    [jump] = app.jumps
    assert (jump.t0, jump.t1) == (origin + task["start_ns"], origin + task["start_ns"] + task["duration_ns"])
    ids = {int(m.trace.goroutine_ids[g]) for g in jump.goroutines}
    assert len(ids) == task["goroutines"]
    assert {lg["goroutine"] for lg in task["log_list"]} <= ids


def test_tasks_whole_tree():
    _, rows = drive(ANNOTATIONS, "tasks", ["a"], then=lambda app: shown_rows(table(app, "tasks", "tasks")))
    tree = command_json("tasks", str(ANNOTATIONS), "--tree")
    assert [r["id"] for r in rows] == [t["id"] for t in tree]
    assert [r["label"] for r in rows] == ["  " * t["depth"] + t["name"] for t in tree]


# -- goroutines --------------------------------------------------------------------------

@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.parent.name + "/" + p.name)
def test_goroutines_are_the_commands_and_jump(path):
    def inspect(app):
        return shown_rows(table(app, "goroutines", "groups")), shown_rows(table(app, "goroutines", "goroutines"))
    app, (groups, members) = drive(path, "goroutines", ["enter", "enter"], then=inspect)
    want = command_json("goroutines", str(path))
    keys = ("name", "count", "exec_ns", "sched_wait_ns", "syscall_ns", "syscall_block_ns", "block_ns", "total_ns")
    assert [tuple(g[k] for k in keys) for g in groups] == [tuple(w[k] for k in keys) for w in want]
    inst = [r for r in command_json("goroutines", str(path), "--instances") if r["name"] == want[0]["name"]]
    assert sorted(r["id"] for r in members) == sorted(r["id"] for r in inst)
    top = max(inst, key=lambda r: r["exec_ns"])
    m = model_of(path)
    [jump] = app.jumps
    g = jump.focus_goroutine
    assert jump.goroutines == [g] and int(m.trace.goroutine_ids[g]) == top["id"] == members[0]["id"]
    sp = m.lanes.spans(g)                   # the jump covers the goroutine's whole life
    assert jump.t0 <= sp["start"].min() and jump.t1 >= sp["end"].max()


def test_goroutines_breakdown_line():
    def text(app):
        return str(app.get_screen("goroutines").query_one("#breakdown").render())
    app, line = drive(DEMO, "goroutines", ["enter"], then=text)
    top = max((r for r in command_json("goroutines", str(DEMO), "--instances")
               if r["name"] == command_json("goroutines", str(DEMO))[0]["name"]), key=lambda r: r["exec_ns"])
    assert line.startswith(f"G{top['id']}: exec {human_ns(top['exec_ns'])}")
    worst = max((k for k in top if k.startswith("block_") and k != "block_ns"), key=lambda k: top[k])
    if top[worst]:
        assert f"{worst[6:-3].replace('_', ' ')} {human_ns(top[worst])}" in line


# -- GC ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DEMO, GC_TRACE], ids=lambda p: p.parent.name + "/" + p.name)
def test_gc_tables_and_jump(path):
    def inspect(app):
        scr = app.get_screen("gc")
        return (str(scr.query_one("#summary").render()), shown_rows(table(app, "gc", "pauses")),
                shown_rows(table(app, "gc", "kinds")), shown_rows(table(app, "gc", "cycles")))
    app, (summary, pauses, kinds, cycles) = drive(path, "gc", ["enter"], then=inspect)
    want = command_json("gc", str(path))
    s = want["summary"]
    assert f"{s['stw_count']} STW {human_ns(s['stw_total_ns'])} max {human_ns(s['stw_max_ns'])}" in summary
    assert f"{s['cycles']} cycles" in summary
    assert len(pauses) == s["stw_count"] and sum(p["duration"] for p in pauses) == s["stw_total_ns"]
    assert [(k["kind"], k["count"], k["total_ns"]) for k in kinds] == \
        [(k["kind"], k["count"], k["total_ns"]) for k in want["stw"]]
    assert len(cycles) == s["cycles"]
    [jump] = app.jumps                      # Enter on the first pause zooms to it
    first = pauses[0]
    assert (jump.t0, jump.t1) == (first["start"], first["start"] + first["duration"]) and jump.goroutines is None


def test_gc_switches_tables_and_kind_filters_pauses():
    def inspect(app):
        return app.get_screen("gc").view, shown_rows(table(app, "gc", "pauses"))
    # v: pauses -> kinds; Enter on the first kind (most total time) shows its pauses
    _, (view, pauses) = drive(GC_TRACE, "gc", ["v", "enter"], then=inspect)
    kind = command_json("gc", str(GC_TRACE))["stw"][0]
    strings = model_of(GC_TRACE).trace.strings
    assert view == "pauses" and len(pauses) == kind["count"]
    assert {strings[p["kind"]] for p in pauses} == {kind["kind"]}


def test_gc_heap_chart_columns():
    """The heap chart's columns: the largest value in force in each column, by a plain loop."""
    def inspect(app):
        chart = app.get_screen("gc").query_one("#heap")
        return chart.columns(37), chart.x0, chart.x1
    _, (cols, x0, x1) = drive(GC_TRACE, "gc", then=inspect)
    times, values = model_of(GC_TRACE).gc.heap_alloc
    times, values = times.tolist(), values.tolist()
    edges = np.linspace(x0, x1, 38)
    for c in range(37):
        before = [v for t, v in zip(times, values) if t <= edges[c]]
        inside = [v for t, v in zip(times, values) if edges[c] < t <= edges[c + 1] or (c == 0 and t == edges[0])]
        assert cols[0][c] == max(before[-1:] + inside, default=0)


def test_gc_mmu_is_the_commands_and_plotted():
    """The chart's title has the command's MMU; the plotted curve never falls as the window grows."""
    from tracetui.screens.gc import mmu_curve

    def inspect(app):
        chart = app.get_screen("gc").query_one("#mmu")
        return chart.title, chart.series[0].y.tolist()
    title, plotted = drive(GC_TRACE, "gc", then=inspect)[1]
    want = command_json("gc", str(GC_TRACE))["mmu"]
    assert title == "MMU " + " ".join(f"{human_ns(r['window_ns'])}:{100 * r['mmu']:.0f}%" for r in want)
    fixed, windows, curve = mmu_curve(model_of(GC_TRACE))
    assert [(r["window_ns"], r["mmu"]) for r in fixed] == [(r["window_ns"], pytest.approx(r["mmu"], abs=1e-12))
                                                           for r in want]
    assert plotted == curve.tolist() and len(curve) > 20
    assert np.all(np.diff(windows) > 0) and np.all((curve >= 0) & (curve <= 1))
    assert np.all(np.diff(curve) >= -1e-9)


# -- logs ----------------------------------------------------------------------------------

LOG_LINE = re.compile(r' G=(-?\d+) Log Time=(\d+) Task=(\d+) Category=(".*") Message=(".*")$')


def go_logs(path):
    out, _, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0
    return [m.groups() for m in map(LOG_LINE.search, out.decode("utf-8", "surrogateescape").splitlines()) if m]


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.parent.name + "/" + p.name)
def test_logs_are_gos(path):
    goref.require_go()
    rows = drive(path, "logs", then=lambda app: shown_rows(table(app, "logs", "logs")))[1]
    strings = model_of(path).trace.strings
    want = go_logs(path)
    assert len(rows) == len(want) > 0
    got = sorted((str(r["goroutine"]), str(r["time"]), str(r["task"]),
                  go_quote(strings[r["category"]].encode("utf-8", "surrogateescape")),
                  go_quote(strings[r["message"]].encode("utf-8", "surrogateescape"))) for r in rows)
    assert got == sorted(want)


def test_logs_search_and_jump():
    keys = ["slash", *"hit=true", "enter", "enter"]

    def inspect(app):
        return shown_rows(table(app, "logs", "logs")), str(app.get_screen("logs").query_one("#logs-caption").render())
    app, (rows, caption) = drive(DEMO, "logs", keys, then=inspect)
    m = model_of(DEMO)
    strings = m.trace.strings
    want = [i for i, (c, msg) in enumerate(zip(m.logs["category"].tolist(), m.logs["message"].tolist()))
            if "hit=true" in strings[c] or "hit=true" in strings[msg]]
    assert len(rows) == len(want) > 0 and f"{len(want)} match" in caption
    [jump] = app.jumps
    t = int(m.logs["time"][want[0]])
    g = int(m.logs["goroutine"][want[0]])
    assert jump.t0 < t < jump.t1 and jump.focus_goroutine == g and jump.goroutines == [g]


# -- selection statistics --------------------------------------------------------------

@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.parent.name + "/" + p.name)
def test_selection_whole_trace_running_is_gos_exec(path):
    """Over the whole trace a goroutine's running time is Go's execution time."""
    rows = drive(path, "selection", then=lambda app: shown_rows(table(app, "selection", "per-goroutine")))[1]
    want = {r["id"]: r["exec_ns"] for r in command_json("goroutines", str(path), "--instances")}
    assert {r["goroutine"]: r["running"] for r in rows} == want


def brute_force(model, g, t0, t1):
    sp = model.lanes.spans(g)
    out = dict.fromkeys(STATE_NAMES.values(), 0)
    for s, e, st in zip(sp["start"].tolist(), sp["end"].tolist(), sp["state"].tolist()):
        out[STATE_NAMES[st]] += max(0, min(e, t1) - max(s, t0))
    return out


def test_selection_of_a_range_copy_and_write(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    m = model_of(DEMO)
    t0 = int(m.trace.time[0]) + 20_000_000
    t1 = t0 + 7_654_321
    gs = [int(g) for g in np.flatnonzero(m.summary.goroutines["live"])[:9]]

    def inspect(app):
        return shown_rows(table(app, "selection", "per-goroutine")), shown_rows(table(app, "selection", "states")), \
            app.clipboard
    app, (rows, states, clip) = drive(DEMO, None, ["6", "c", "w"], selection=(gs, t0, t1), then=inspect)
    assert len(rows) == len(gs)
    ids = m.trace.goroutine_ids
    for r in rows:
        g = gs[[int(ids[x]) for x in gs].index(r["goroutine"])]
        assert {k: r[k] for k in STATE_NAMES.values()} == brute_force(m, g, t0, t1)
    for s in states:     # a state, or the waiting time of one block reason ("waiting: sleep": block_sleep_ns)
        key = s["state"] if s["state"] in STATE_NAMES.values() else reason_key(s["state"].removeprefix("waiting: "))
        per = [r[key] for r in rows if r[key] > 0]
        assert (s["goroutines"], s["total_ns"]) == (len(per), sum(per))
        assert s["max_ns"] == max(per, default=0) and s["min_ns"] == min(per, default=0)
    # the CSV: on the clipboard and in a file, with every goroutine's numbers
    files = list(tmp_path.glob("tracetui-selection-*.csv"))
    assert len(files) == 1 and files[0].read_text() == clip
    blocks = clip.split("\n\n")
    assert blocks[0].splitlines()[2] == f"{t0 - int(m.trace.time[0])},{t1 - int(m.trace.time[0])}"
    table_rows = list(csv.DictReader(io.StringIO(blocks[2].split("\n", 1)[1])))
    assert {int(r["goroutine"]): int(r["running_ns"]) for r in table_rows} == \
        {r["goroutine"]: r["running"] for r in rows}
    reasons = [k for k in rows[0] if k.startswith("block_")]
    assert reasons and all(sum(r[k] for k in reasons) == r["waiting"] for r in rows)
    assert {int(r["goroutine"]): [int(r[k]) for k in reasons] for r in table_rows} == \
        {r["goroutine"]: [r[k] for k in reasons] for r in rows}


# -- switching ---------------------------------------------------------------------------

def test_switching_keeps_state_and_escape_goes_back():
    async def go():
        app = HostApp(model_of(DEMO), None)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("1")                 # regions from the timeline
            await pilot.pause()
            regions = app.screen
            await pilot.press("s", "j", "j")       # sort by p50, cursor on the third row
            t = table(app, "regions", "types")
            before = (t.sort_column, t.cursor, t.current)
            await pilot.press("2")                 # tasks replaces regions
            await pilot.pause()
            depth_on_tasks = len(app.screen_stack)
            await pilot.click(Tabs, offset=(2, 0))  # the tab of regions
            await pilot.pause()
            back_to_same = app.screen is regions
            state = before == (t.sort_column, t.cursor, t.current) and t.sort_column
            await pilot.press("escape")
            await pilot.pause()
            return depth_on_tasks, back_to_same, state, app.screen_stack
    depth, same, state, stack = asyncio.run(go())
    assert depth == 2 and same and state == "p50_ns"
    assert len(stack) == 1 and not isinstance(stack[0], AnalysisScreen)


def test_filter_prompt():
    def inspect(app):
        return [r["name"] for r in shown_rows(table(app, "regions", "types"))], app.get_screen("regions").filter_text
    _, (names, text) = drive(DEMO, "regions", ["slash", *"^comp", "enter"], then=inspect)
    assert text == "^comp" and names and all(n.startswith("comp") for n in names)
    # a bad pattern is reported and changes nothing
    _, (names2, text2) = drive(DEMO, "regions", ["slash", "(", "enter", "escape"], then=inspect)
    assert text2 == "" and len(names2) == len(command_json("regions", str(DEMO)))


def test_task_log_jump():
    """Enter on one of a task's logs: its goroutine around its time."""
    app, _ = drive(DEMO, "tasks", ["enter", "tab", "enter"])
    m = model_of(DEMO)
    first_type = command_json("tasks", str(DEMO))[0]["name"]
    task = next(r for r in command_json("tasks", str(DEMO), "--tree") if r["name"] == first_type)
    log = next(r for r in command_json("tasks", str(DEMO), "--instances") if r["id"] == task["id"])["log_list"][0]
    [jump] = app.jumps
    t = int(m.trace.time[0]) + log["time_ns"]
    g = jump.focus_goroutine
    assert jump.t0 < t < jump.t1 and jump.goroutines == [g] and int(m.trace.goroutine_ids[g]) == log["goroutine"]


SMOKE_KEYS = ["1", "enter", "enter", "2", "enter", "enter", "3", "enter", "enter", "4", "enter",
              "v", "enter", "v", "enter", "v", "enter", "5", "enter", "6", "enter", "slash", "x", "enter"]


@pytest.mark.parametrize("path", [p for p in goref.committed_traces() if p.parent.name == "go1.27"],
                         ids=lambda p: p.name)
def test_every_screen_and_enter_on_every_go127_trace(path):
    """Every screen opens and every Enter works, with or without regions, tasks, logs or GC;
    each jump lies within the trace."""
    app, _ = drive(path, None, SMOKE_KEYS)
    m = model_of(path)
    first, last = int(m.trace.time[0]), int(m.trace.time[-1])
    assert app.jumps
    for j in app.jumps:
        assert first - (last - first) <= j.t0 <= j.t1 <= last + (last - first)
        assert j.focus_goroutine is None or 0 <= j.focus_goroutine < len(m.trace.goroutine_ids)
