"""What real traces contain must not break the model.

- The flight-recorder traces (traces/go1.25+/flightrecorder.trace: the window of a
  `trace.FlightRecorder`, so they start mid-everything): each oddity the program
  arranges is where a Go engineer expects it in the model, and every CLI command
  and the timeline run on them, whole and cut (salvaged). (Their events against `go tool trace -d=parsed`, their summary
  against Go's summarizer, their GC ranges, lanes and procs are checked by the
  tests that cover every committed trace.)
- The committed corpus holds every oddity of the issue (ranges that end without a
  begin, tasks that end but never began, a trace that starts mid-GC or mid-syscall,
  goroutines without a stack, regions that never end, a flight-recorder trace),
  and the model's spans stay sane on each trace that has one.
- Committed traces cut in the middle of a generation and read through
  `read_salvaged`: `build()` works on every salvaged prefix, which holds as many
  events as Go's reader returns before its error, and its summary equals Go's
  summarizer on the same cut file (traceoracle).
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from tests import goref
from tests.model.test_odd_cases import assert_summary_equals
from tests.tui.pilot import until_loaded
from tracetui.cli import main
from tracetui.format import TraceError, read
from tracetui.format import spec as S
from tracetui.format.salvage import read_salvaged
from tracetui.model import build
from tracetui.model.lanes import RUNNING, SYSCALL, WAITING

REPO = Path(__file__).resolve().parents[2]
TRACES = goref.committed_traces()
FLIGHT = [p for p in TRACES if p.name == "flightrecorder.trace"]
SMALLEST_FLIGHT = min(FLIGHT, key=lambda p: p.stat().st_size) if FLIGHT else None  # for the slower runs
MULTIGEN = sorted((REPO / "tests" / "format" / "data" / "multigen").glob("*.trace"))


def ids(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@functools.lru_cache(maxsize=4)
def model(path: Path):
    return build(read(path))


def first_of(tr, types) -> int:
    rows = tr.rows_where(types)
    return int(rows[0]) if len(rows) else -1


def check_spans(m):
    """Every goroutine span has end >= start; every P runs one span at a time."""
    L = m.lanes
    assert (L.ends(np.arange(len(L.state))) >= m.trace.time[L.begin_row]).all()
    for p in range(len(m.procs)):
        sp = m.procs.spans(p)
        assert (sp["start"][1:] >= sp["end"][:-1]).all()


# --- the flight recorder's window ---------------------------------------------------------------

def test_flight_recorder_traces_are_committed():
    assert {p.parent.name for p in FLIGHT} == {"go1.25", "go1.26", "go1.27"}


@pytest.mark.parametrize("path", FLIGHT, ids=ids)
def test_flight_recorder_window_starts_mid_gc_and_mid_syscall(path):
    m = model(path)
    tr = m.trace
    assert tr.generations[0]["gen"] > 1  # the recorder dropped the generations before its window
    first_gc = first_of(tr, (S.EvGCBegin, S.EvGCActive, S.EvGCEnd))
    assert tr.type[first_gc] == S.EvGCActive
    assert m.gc.cycles["begin_row"][0] == first_gc and m.gc.cycles["end_row"][0] > first_gc
    # The reader goroutine sits in read(2) when the window opens (a span from the trace's
    # start) and returns inside it.
    in_syscall = [g for g in range(len(m.lanes)) if m.lanes.count(g) and m.lanes.spans(g)["state"][0] == SYSCALL
                  and m.lanes.spans(g)["start"][0] == tr.time[0]]
    assert in_syscall
    assert any((m.lanes.spans(g)["state"] == RUNNING).any() for g in in_syscall)
    check_spans(m)


def region_rows(m, name: str) -> np.ndarray:
    return np.flatnonzero(m.summary.regions["name"] == m.trace.strings.index(name))


@pytest.mark.parametrize("path", FLIGHT, ids=ids)
def test_flight_recorder_window_cuts_regions_and_tasks(path):
    m = model(path)
    tr, R, T = m.trace, m.summary.regions, m.summary.tasks
    (rec,) = region_rows(m, "recording")  # begun before the window
    assert R["start_row"][rec] == -1 and R["start"][rec] == tr.time[0] and R["end_row"][rec] >= 0
    (tail,) = region_rows(m, "tail")  # still open at the end
    assert R["end_row"][tail] == -1 and R["end"][tail] == tr.time[-1]
    # "session" began before the window: its end is there, its begin (and so its name) is not.
    ended_only = (T["start_row"] == -1) & (T["end_row"] >= 0)
    assert ended_only.any() and (T["name"][ended_only] == 0).all()
    drain = np.flatnonzero(T["name"] == tr.strings.index("drain"))
    assert len(drain) == 1 and T["start_row"][drain[0]] >= 0 and T["end_row"][drain[0]] == -1


@pytest.mark.parametrize("path", FLIGHT, ids=ids)
def test_flight_recorder_goroutines_created_in_region_and_blocked_forever(path):
    m = model(path)
    tr, R = m.trace, m.summary.regions
    (spawn,) = region_rows(m, "spawn")
    inherited = np.flatnonzero((R["name"] == 0) & (R["start_row"] > R["start_row"][spawn])
                               & (R["start_row"] < R["end_row"][spawn]))
    assert len(inherited) == 3  # the goroutines created inside "spawn"
    assert (tr.type[R["start_row"][inherited]] == S.EvGoCreate).all()
    assert (R["task"][inherited] == R["task"][spawn]).all()
    forever = tr.strings.index("forever")
    blocked = [g for g in range(len(m.lanes)) if m.lanes.count(g) and m.lanes.reasons(g)[-1] == forever]
    assert len(blocked) == 1
    sp = m.lanes.spans(blocked[0])
    assert sp["state"][-1] == WAITING and sp["end_row"][-1] == -1
    assert forever not in m.summary.block_by_reason(blocked[0])  # Go: "forever" is like an end


CLI_RUNS = (["stats"], ["stats", "--format", "json"], ["events"], ["events", "--format", "jsonl"],
            ["regions"], ["regions", "--instances", "--format", "csv"], ["tasks"], ["goroutines"], ["gc"],
            ["check", "--max", "gc:stw:max=1s", "--max", "region:*:max=10s"], ["pprof", "--kind", "sched"],
            ["export", "--format", "chrome"])
WRITES_FILE = {"pprof", "export"}


def cut_in_last_generation(tmp_path) -> Path:
    """The smallest flight-recorder trace cut in the middle of its last generation."""
    whole = SMALLEST_FLIGHT
    last = read(whole).generations[-1]
    path = tmp_path / "cut.trace"
    path.write_bytes(whole.read_bytes()[:(last["offset"] + last["end"]) // 2])
    return path


@pytest.mark.parametrize("argv", CLI_RUNS, ids=" ".join)
@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut"])
def test_cli_commands_on_flight_recorder_trace(argv, cut, capsys, tmp_path):
    """Every command on the window, whole and cut inside its last generation: reports
    salvage the complete generations with a warning; `events` prints the events before
    the error and fails, as `go tool trace -d=parsed` does."""
    path = cut_in_last_generation(tmp_path) if cut else SMALLEST_FLIGHT
    written = tmp_path / "out"
    if argv[0] in WRITES_FILE:
        argv = [*argv, "-o", str(written)]
    rc = main([*argv, str(path)])
    out, err = capsys.readouterr()
    assert rc == (1 if cut and argv[0] == "events" else 0), err
    assert written.stat().st_size > 0 if argv[0] in WRITES_FILE else out
    assert "Traceback" not in err and len(err.splitlines()) <= (2 if cut else 1), err


@pytest.mark.parametrize("kind", ["sync", "syscall", "sched"])
def test_pprof_of_cut_flight_recorder_trace_equals_go(kind, tmp_path, capsys):
    """go tool trace -pprof salvages a truncated trace; so does tracetui pprof, to the same samples."""
    goref.require_go()
    from tests.reports.test_pprof import go_profile, raw_samples

    path = cut_in_last_generation(tmp_path)
    out = tmp_path / "out.pb.gz"
    assert main(["pprof", "--kind", kind, "-o", str(out), str(path)]) == 0
    assert " of the file could not be used " in capsys.readouterr().err
    ours, go = raw_samples(out.read_bytes()), raw_samples(go_profile(path, kind))
    assert ours == go and sum(go.values()) > 0


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut"])
def test_timeline_on_flight_recorder_trace(cut, tmp_path):
    """The TUI opens the window (salvaged with its banner when cut), draws its GC and
    goroutine lanes, and survives panning, zooming, details and link-following keys."""
    import asyncio

    from tracetui.app import TraceApp
    from tracetui.widgets.screens import ErrorScreen

    path = cut_in_last_generation(tmp_path) if cut else SMALLEST_FLIGHT

    async def drive():
        app = TraceApp(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await until_loaded(app, pilot)
            assert not isinstance(app.screen, ErrorScreen)
            assert app.query_one("#banner").display == cut
            # (an exception in a key's action would end run_test with it)
            await pilot.press("i", "i", "l", "h", "o", "o", "o", "0", "end", "home", "j", "enter", "escape",
                              "u", "p", "r", "t", "g", "a", "s", "m", "L", "[")
            await pilot.pause()
            while len(app.screen_stack) > 1:
                await pilot.press("escape")
            tl = app.timeline
            text = "\n".join(tl.render_line(y).text for y in range(tl.scrollable_content_region.height))
            return text, len(app.rows.order)

    text, rows = asyncio.run(drive())
    assert rows > 10 and "GC " in text and "G1 main.main" in text


# --- the oddities across the committed corpus --------------------------------------------

def oddities(m) -> set[str]:
    tr, R, T, L = m.trace, m.summary.regions, m.summary.tasks, m.lanes
    assert tr.strings[0] == ""  # name index 0: no name
    found = set()
    if (R["start_row"] == -1).any() or (m.gc.stw["begin_row"] == -1).any():
        found.add("range ends without a begin")
    if ((T["start_row"] == -1) & (T["end_row"] >= 0)).any():
        found.add("task ends but never began")
    first_gc = first_of(tr, (S.EvGCBegin, S.EvGCActive, S.EvGCEnd))
    if first_gc >= 0 and tr.type[first_gc] == S.EvGCActive:
        found.add("starts mid-GC")
    first_spans = L.offsets[:-1][np.diff(L.offsets) > 0]
    from_start = tr.time[L.begin_row[first_spans]] == tr.time[0]
    if (from_start & (L.state[first_spans] == SYSCALL)).any():
        found.add("starts mid-syscall")
    G = m.summary.goroutines
    if (G["live"] & (G["name"] == 0)).any():
        found.add("goroutine without a stack")
    if (R["end_row"] == -1).any():
        found.add("region never ends")
    if tr.generations and tr.generations[0]["gen"] > 1:
        found.add("flight recorder")
    if ((L.state == RUNNING) & (L.end_row == -1)).any():
        found.add("goroutine running at the end")
    return found


def test_corpus_holds_every_oddity_and_the_model_copes():
    seen: dict[str, list[str]] = {}
    for path in TRACES:
        m = build(read(path))
        for odd in oddities(m):
            seen.setdefault(odd, []).append(ids(path))
        check_spans(m)
    assert set(seen) == {"range ends without a begin", "task ends but never began", "starts mid-GC",
                         "starts mid-syscall", "goroutine without a stack", "region never ends",
                         "flight recorder", "goroutine running at the end"}, seen


# --- salvaged prefixes of traces cut in the middle of a generation -------------------------------

FRACTIONS = (0.02, 0.2, 0.55, 0.9, 0.995)


def cut_points(path: Path) -> list[int]:
    """A few offsets inside each generation of the trace (never on its boundaries)."""
    cuts = []
    for g in read(path).generations:
        lo, hi = g["offset"], g["end"]
        cuts += sorted({lo + 1 + int(f * (hi - lo - 2)) for f in FRACTIONS})
    return cuts


# (not v1 traces: Go reads those whole or not at all, see tests/format/test_v1_conformance.py)
@pytest.mark.parametrize("path", goref.committed_v2_traces() + MULTIGEN, ids=ids)
def test_salvaged_prefix_builds_and_equals_go(oracle, path, tmp_path):
    data = path.read_bytes()
    cut_file = tmp_path / "cut.trace"
    for cut in cut_points(path):
        where = f"cut at byte {cut}"
        cut_file.write_bytes(data[:cut])
        go = oracle(cut_file)
        assert go["error"], "Go reads a cut trace to an error"
        try:
            tr, report = read_salvaged(data[:cut])
        except TraceError:
            assert go["events"] == 0, f"{where}: Go read {go['events']} events, we salvaged nothing"
            continue
        # Go's reader returns the events of the broken generation it could order; salvage
        # (like cmd/trace) keeps those up to the last Sync only.
        assert report is not None and len(tr) + report.dropped_events == go["events"], where
        m = build(tr)
        check_spans(m)
        if len(tr) == 1:  # only the Sync Go returns before its error: nothing to summarize
            assert len(m.lanes.state) == 0 and not m.summary.goroutines["live"].any()
        elif report.dropped_events == 0:
            assert_summary_equals(go, tr, where)
        else:  # Go's summarizer on just the complete generations
            cut_file.write_bytes(data[:tr.valid_bytes])
            go = oracle(cut_file)
            assert go["events"] == len(tr), where
            assert_summary_equals(go, tr, where)
