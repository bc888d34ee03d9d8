"""The model on small hand-written traces of the odd cases real traces contain.

Each trace is a Go test file in `data/` (`*.test`: Go's raw text format, as in
$GOROOT/src/internal/trace/testdata/tests; its comment says what it holds; after
editing one, `data/fix_sizes.py` recomputes its batch sizes). Go's own valid test
traces (proc steals around syscalls, tasks across generations, annotation and GC
stress) join them as `go:NAME`. For every one, Go is the oracle: our events equal
`go tool trace -d=parsed`, the summary equals Go's summarizer (traceoracle), the GC
ranges equal Go's parsed ranges, the proc/thread lanes and goroutine counts equal a
plain re-derivation from single events, and the goroutine lanes are contiguous with
running time equal to Go's execution time. Then one test per case checks what a Go
engineer expects.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tests.model.test_lanes as lanes_test
import tests.model.test_procs as procs_test
from tests import goref
from tests.format.test_conformance import first_difference, our_text
from tests.model.test_gc import go_ranges, our_ranges
from tests.model.test_summary_oracle import key, ours
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.format.raw import load_test_case
from tracetui.model import build
from tracetui.model.lanes import RUNNABLE, RUNNING, STATES, SYSCALL, WAITING

DATA = Path(__file__).parent / "data"
CASES = sorted(p.stem for p in DATA.glob("*.test"))
_GO_TESTS = sorted((goref.go_testdata_dir() / "tests").glob("*.test")) if goref.go_testdata_dir() else []
GO_CASES = {f"go:{p.stem}": p for p in _GO_TESTS if load_test_case(p).expect_success}
ALL = CASES + list(GO_CASES)


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    """name -> path of the binary trace (Go's tools read files)."""
    out = tmp_path_factory.mktemp("odd")
    sources = {name: DATA / f"{name}.test" for name in CASES} | GO_CASES
    paths = {}
    for name, source in sources.items():
        case = load_test_case(source)
        assert case.expect_success
        paths[name] = out / f"{name.replace(':', '-')}.trace"
        paths[name].write_bytes(case.trace_bytes)
    return paths


def model_of(traces, name):
    return build(read(traces[name]))


def g_index(tr, goid: int) -> int:
    return int(np.flatnonzero(tr.goroutine_ids == goid)[0])


def rows_of(tr, typ) -> np.ndarray:
    return np.flatnonzero(tr.type == typ)


def string_of(tr, name: str) -> int:
    return tr.strings.index(name)


# --- against Go, on every case -----------------------------------------------------------------

def test_there_are_cases():
    assert len(CASES) >= 6, CASES


def test_go_testdata_cases_present_or_go_missing():
    if goref.find_go() is None:
        goref.skip_go("Go toolchain not found: no Go test traces to add")
    assert len(GO_CASES) >= 15, list(GO_CASES)


@pytest.mark.parametrize("name", ALL)
def test_events_equal_go_parsed(traces, name):
    goref.require_go()
    go_out, go_err, rc = goref.go_tool_trace(traces[name], "parsed")
    assert rc == 0, go_err.decode()
    got, err = our_text(traces[name])
    assert err is None
    assert got == go_out, first_difference(got, go_out)


def assert_summary_equals(go: dict, source, where: str = "") -> None:
    """Our summary of `source` (a Trace or a path) equals traceoracle's JSON `go`."""
    gs, regions, tasks = ours(source)
    assert sorted(gs, key=lambda g: g["id"]) == (go["goroutines"] or []), where
    assert sorted(regions, key=key) == sorted(go["regions"] or [], key=key), where
    assert sorted(tasks, key=lambda t: t["id"]) == (go["tasks"] or []), where


@pytest.mark.parametrize("name", ALL)
def test_summary_equals_go(oracle, traces, name):
    assert_summary_equals(oracle(traces[name]), traces[name])


@pytest.mark.parametrize("name", ALL)
def test_gc_ranges_equal_go(traces, name):
    goref.require_go()
    text, _, rc = goref.go_tool_trace(traces[name], "parsed")
    assert rc == 0
    assert our_ranges(traces[name]) == go_ranges(text)


@pytest.mark.parametrize("name", ALL)
def test_procs_threads_counts_equal_single_event_reference(traces, name):
    procs_test.test_procs_threads_counts_match_reference(traces[name])


@pytest.mark.parametrize("name", ALL)
def test_lanes_contiguous_and_running_equals_go_exec(traces, name):
    lanes_test.test_lanes_agree_with_go_summary(traces[name])


def windows(tr) -> list[tuple[int, int, int]]:
    """Screen windows (t0, t1, columns): the whole trace, and odd ones a UI can ask for."""
    t0, t1 = int(tr.time[0]), int(tr.time[-1])
    return [(t0, t1, 7), (t0, t0, 3), (t0 - 1000, t0 - 10, 4), (t1 + 5, t1 + 500, 2), (t0 - 50, t1 + 50, 1)]


@pytest.mark.parametrize("name", ALL)
def test_spans_never_negative_and_queries_work(traces, name):
    m = model_of(traces, name)
    tr = m.trace
    assert (np.diff(tr.time) >= 0).all()
    for g in range(len(m.lanes)):
        sp = m.lanes.spans(g)
        assert (sp["end"] >= sp["start"]).all()
    for t0, t1, n in windows(tr):
        bounds = np.linspace(t0, t1, n + 1).astype(np.int64)
        for g in range(len(m.lanes)):
            dom, _ = m.lanes.dominant(g, t0, t1, n)
            assert len(dom) == n and set(dom.tolist()) <= {0, *STATES}
            total = sum(m.lanes.state_time(g, bounds).values())
            assert ((total >= 0) & (total <= np.diff(bounds))).all()
        for lanes in (m.procs, m.threads):
            for i in range(len(lanes)):
                best, _ = lanes.dominant(i, t0, t1, n)
                assert len(best) == n and (best < lanes.count(i)).all()
                busy = lanes.busy_time(i, bounds)
                assert ((busy >= 0) & (busy <= np.diff(bounds))).all()
        peaks = m.counts.peaks(t0, t1, n)
        assert set(peaks) == {"running", "runnable", "waiting", "syscall"} and all(len(v) == n for v in peaks.values())


# --- what a Go engineer expects, case by case ---------------------------------------------------

def test_trace_starting_mid_gc(traces):
    m = model_of(traces, "mid_gc_syscall")
    tr = m.trace
    active, end = rows_of(tr, S.EvGCActive), rows_of(tr, S.EvGCEnd)
    assert len(active) == 1 and len(end) == 1 and len(rows_of(tr, S.EvGCBegin)) == 0
    cycles = m.gc.cycles
    assert cycles["begin_row"].tolist() == active.tolist() and cycles["end_row"].tolist() == end.tolist()
    assert cycles["start"].tolist() == tr.time[active].tolist()
    assert cycles["end"].tolist() == tr.time[end].tolist()
    assert int(cycles["seq"][0]) == 7  # GCActive gc_seq=7 in the trace text
    # The assist and the sweep in progress at the start: as ranges they begin at their
    # Active events (as go tool trace shows them) ...
    g1 = g_index(tr, 1)
    for table, begin_type, end_type in ((m.gc.assists, S.EvGCMarkAssistActive, S.EvGCMarkAssistEnd),
                                        (m.gc.sweeps, S.EvGCSweepActive, S.EvGCSweepEnd)):
        assert table["begin_row"].tolist() == rows_of(tr, begin_type).tolist()
        assert table["end_row"].tolist() == rows_of(tr, end_type).tolist()
    assert m.gc.assists["goroutine"].tolist() == [g1] and tr.proc_ids[m.gc.sweeps["proc"]].tolist() == [0]
    assert m.gc.sweeps["swept"].tolist() == [8192] and m.gc.sweeps["reclaimed"].tolist() == [4096]
    # ... while Go's summarizer counts G1's time in them from the trace's start.
    t_end = {name: int(tr.time[rows_of(tr, typ)[0]]) for name, typ in
             (("GC mark assist", S.EvGCMarkAssistEnd), ("GC incremental sweep", S.EvGCSweepEnd))}
    assert m.summary.range_time(g1) == {name: t - int(tr.time[0]) for name, t in t_end.items()}
    # On P0's lane the assist runs from G1's running span's start, the trace's start (Go's
    # proc view back-dates a goroutine running at the start, and so its active ranges).
    p0 = int(np.flatnonzero(tr.proc_ids == 0)[0])
    start, end = m.procs.assists(p0)
    assert start.tolist() == [int(tr.time[0])] and end.tolist() == [t_end["GC mark assist"]]


def test_trace_starting_mid_syscall(traces):
    m = model_of(traces, "mid_gc_syscall")
    tr = m.trace
    g2, g3 = g_index(tr, 2), g_index(tr, 3)
    # G2 kept its P: syscall, then running again (GoSyscallEnd), then waiting.
    sp2 = m.lanes.spans(g2)
    assert sp2["state"].tolist() == [SYSCALL, RUNNING, WAITING]
    assert tr.type[sp2["end_row"][0]] == S.EvGoSyscallEnd
    assert not m.lanes.syscall_blocked(g2).any()
    # G3 sat on a bare M: its syscall ends blocked (runnable), then it runs and exits.
    sp3 = m.lanes.spans(g3)
    assert sp3["state"].tolist() == [SYSCALL, RUNNABLE, RUNNING]
    assert m.lanes.syscall_blocked(g3).tolist() == [True, False, False]
    assert tr.type[sp3["end_row"][-1]] == S.EvGoDestroy
    # The syscall spans began before the trace: they start with it, at the first Sync.
    assert sp2["start"][0] == sp3["start"][0] == tr.time[0]
    assert m.counts.max()["syscall"] == 2  # both at once, from the start
    # Each syscall span is on its goroutine's thread (M2, M3).
    for goid, mid in ((2, 2), (3, 3)):
        t = int(np.flatnonzero(tr.thread_ids == mid)[0])
        th = m.threads.spans(t)
        assert th["state"][0] == SYSCALL and tr.goroutine_ids[th["g"][0]] == goid


def region(m, name: str) -> dict:
    R = m.summary.regions
    i = [k for k in range(len(R["name"])) if m.trace.strings[R["name"][k]] == name]
    assert len(i) == 1, name
    return {k: v[i[0]] for k, v in R.items()}


def test_region_end_without_begin(traces):
    m = model_of(traces, "regions_unmatched")
    tr = m.trace
    r = region(m, "setup")
    end = rows_of(tr, S.EvUserRegionEnd)[0]
    assert r["start_row"] == -1 and r["end_row"] == end
    assert r["start"] == tr.time[0] and r["end"] == tr.time[end]  # Go: a missing begin is the trace's start
    assert r["in_summary"] and tr.goroutine_ids[r["goroutine"]] == 1


def test_region_that_never_ends(traces):
    m = model_of(traces, "regions_unmatched")
    r = region(m, "open")
    assert r["end_row"] == -1 and r["end"] == m.trace.time[-1] and r["task"] == 5
    assert r["in_summary"]  # on main.main, a user goroutine: Go's summary lists it
    # On a goroutine with no name Go takes it for a system goroutine and drops the open region.
    m = model_of(traces, "no_stacks")
    r = region(m, "unnamed.open")
    assert r["end_row"] == -1 and not r["in_summary"]


def test_goroutines_created_inside_region(traces):
    m = model_of(traces, "regions_unmatched")
    tr = m.trace
    R = m.summary.regions
    assert tr.strings[0] == ""
    unnamed = np.flatnonzero(R["name"] == 0)
    creates = rows_of(tr, S.EvGoCreate)
    assert sorted(tr.goroutine_ids[R["goroutine"][unnamed]].tolist()) == [2, 3]
    assert (R["task"][unnamed] == 5).all()  # the creator's region's task
    assert sorted(R["start_row"][unnamed].tolist()) == creates.tolist()  # from the creation on
    # G2 exits, G3 blocks forever: both end their inherited region there.
    ends = sorted(R["end_row"][unnamed].tolist())
    assert tr.type[ends[0]] == S.EvGoDestroy
    assert tr.type[ends[1]] == S.EvGoBlock and tr.aux[ends[1]] == string_of(tr, "forever")


def task(m, tid: int) -> dict:
    T = m.summary.tasks
    i = int(np.flatnonzero(T["id"] == tid)[0])
    return dict(index=i, name=m.trace.strings[T["name"][i]], parent=int(T["parent"][i]),
                start_row=int(T["start_row"][i]), end_row=int(T["end_row"][i]), logs=int(T["logs"][i]))


def generation_of(tr, row: int) -> int:
    return int(np.searchsorted(rows_of(tr, S.EvSyncPublic), row, side="right"))


def test_task_ended_in_later_generation(traces):
    m = model_of(traces, "tasks_across_generations")
    tr = m.trace
    t = task(m, 2)
    assert t["name"] == "batch" and t["logs"] == 1
    assert generation_of(tr, t["start_row"]) == 1 and generation_of(tr, t["end_row"]) == 2
    assert tr.g[t["start_row"]] != tr.g[t["end_row"]]  # ended by another goroutine
    child = task(m, 3)
    assert child["parent"] == t["index"] and child["end_row"] == -1


def test_task_that_ends_but_never_began(traces):
    m = model_of(traces, "tasks_across_generations")
    t = task(m, 9)
    assert t["start_row"] == -1 and m.trace.type[t["end_row"]] == S.EvUserTaskEnd
    assert t["name"] == "" and t["logs"] == 1 and t["parent"] == -1


def test_unblock_on_another_thread_stamped_before_the_block(traces):
    data = (DATA / "unblock_before_block.test").read_text()
    assert "GoBlock dt=200" in data and "GoUnblock dt=100" in data  # 302 on M1, 202 on M2
    m = model_of(traces, "unblock_before_block")
    tr = m.trace
    block, unblock = rows_of(tr, S.EvGoBlock)[0], rows_of(tr, S.EvGoUnblock)[0]
    assert block < unblock and tr.time[block] < tr.time[unblock]  # Go moves the unblock after the block
    sp = m.lanes.spans(g_index(tr, 1))
    assert sp["state"].tolist() == [RUNNING, WAITING, RUNNABLE, RUNNING]
    assert (sp["end"] - sp["start"] > 0).all()
    assert sp["begin_row"][1] == block and sp["end_row"][1] == unblock


def test_coroutine_switches(traces):
    m = model_of(traces, "coroutines")
    tr = m.trace
    g1, g2 = g_index(tr, 1), g_index(tr, 2)
    assert m.lanes.spans(g2)["state"].tolist() == [WAITING, RUNNABLE, RUNNING, WAITING, RUNNABLE, RUNNING]
    # GoSwitchDestroy is two transitions, as Go parses it: G1 Waiting->Runnable, G2 Running->NotExist.
    end = m.lanes.spans(g2)["end_row"][-1]
    assert tr.type[end - 1] == S.EvGoSwitchDestroy and tr.type[end] == S.EvGoDestroy and tr.g[end] == g2
    assert m.lanes.spans(g1)["state"][-1] == RUNNING
    # One P: the goroutines take turns on it, never overlapping.
    sp = m.procs.spans(0)
    assert tr.goroutine_ids[sp["g"]].tolist() == [1, 2, 1, 2, 1]
    assert (sp["start"][1:] >= sp["end"][:-1]).all()
    assert m.counts.max()["running"] == 1


def test_goroutine_blocked_forever(traces):
    for name, goid in (("no_stacks", 2), ("regions_unmatched", 3)):
        m = model_of(traces, name)
        tr = m.trace
        g = g_index(tr, goid)
        sp = m.lanes.spans(g)
        assert sp["state"][-1] == WAITING and sp["end_row"][-1] == -1 and sp["end"][-1] == tr.time[-1]
        assert m.lanes.reasons(g)[-1] == string_of(tr, "forever")
        # Go's summarizer treats "forever" like the goroutine's end: no block time, an end time.
        assert string_of(tr, "forever") not in m.summary.block_by_reason(g)
        assert m.summary.goroutines["end"][g] == sp["start"][-1]


def test_goroutine_still_running_at_end(traces):
    for name in ("regions_unmatched", "coroutines", "no_stacks"):
        m = model_of(traces, name)
        tr = m.trace
        g = g_index(tr, 1)
        sp = m.lanes.spans(g)
        assert sp["state"][-1] == RUNNING and sp["end_row"][-1] == -1 and sp["end"][-1] == tr.time[-1]
        assert m.summary.goroutines["end"][g] == 0  # Go: no end time
        p = int(tr.p[sp["begin_row"][-1]])
        assert m.procs.spans(p)["end"][-1] == tr.time[-1]


def test_goroutines_without_stack(traces):
    m = model_of(traces, "no_stacks")
    tr = m.trace
    assert len(tr.stack_offsets) <= 2 and (tr.stack == 0).all()
    G = m.summary.goroutines
    live = np.flatnonzero(G["live"])
    assert len(live) == 3 and all(tr.strings[G["name"][g]] == "" for g in live)
    g3 = g_index(tr, 3)
    assert m.lanes.spans(g3)["state"].tolist() == [RUNNABLE, RUNNING, SYSCALL, RUNNABLE]
    assert m.lanes.syscall_blocked(g3)[2]


def test_goroutines_in_every_state_at_start(traces):
    m = model_of(traces, "statuses_at_start")
    tr = m.trace
    states = {goid: m.lanes.spans(g_index(tr, goid))["state"].tolist() for goid in (1, 2, 3)}
    assert states == {1: [RUNNING, WAITING], 2: [WAITING, RUNNABLE, RUNNING], 3: [RUNNABLE, RUNNING, RUNNABLE]}
    for goid in (1, 2, 3):  # the state they were in began before the trace: their lanes start with it
        assert m.lanes.spans(g_index(tr, goid))["start"][0] == tr.time[0]
    # Go's summarizer: the block before the trace has no known reason.
    assert m.summary.block_by_reason(g_index(tr, 2)) == {0: int(m.lanes.spans(g_index(tr, 2))["end"][0] - tr.time[0])}


def test_statuses_restated_at_a_generation_do_not_split_spans(traces):
    m = model_of(traces, "statuses_at_start")
    tr = m.trace
    restated = rows_of(tr, S.EvGoStatus)[3:]  # generation 2's GoStatus events
    assert len(restated) == 3 and (tr.time[restated] > tr.time[rows_of(tr, S.EvSyncPublic)[1]]).all()
    assert not np.isin(m.lanes.begin_row, restated).any() and not np.isin(m.lanes.end_row, restated).any()
    r = region(m, "across")
    assert generation_of(tr, r["start_row"]) == 1 and generation_of(tr, r["end_row"]) == 2
    assert r["in_summary"] and tr.goroutine_ids[r["goroutine"]] == 3


def test_regions_ended_by_their_goroutines_end(traces):
    m = model_of(traces, "regions_on_exit")
    tr = m.trace
    held, own, late = region(m, "held"), region(m, "own"), region(m, "late")
    # Go's summarizer closes a goroutine's open regions at its end (exit or a block forever).
    assert tr.type[held["end_row"]] == S.EvGoDestroy and held["in_summary"]
    assert tr.type[own["end_row"]] == S.EvGoBlock and tr.aux[own["end_row"]] == string_of(tr, "forever")
    assert late["start_row"] == -1 and late["task"] == 4
    t4 = task(m, 4)  # known only from its regions
    assert t4["start_row"] == -1 and t4["end_row"] == -1 and t4["name"] == ""
    b, a = region(m, "b"), region(m, "a")
    assert b["start_row"] < a["start_row"] < a["end_row"] < b["end_row"]
