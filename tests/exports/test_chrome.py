"""`tracetui export --format chrome` on every committed trace: the output is valid
JSON in the Trace Event Format, slices nest on every track, and what it shows
equals Go: each goroutine's running time equals Go's summarizer exec time
(traceoracle), the region slices are traceoracle's regions, and the GC cycle and
stop-the-world slices are the ranges `go tool trace -d=parsed` prints."""
from __future__ import annotations

import collections
import functools
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests import goref
from tests.model.test_gc import go_ranges
from tracetui.cli import main
from tracetui.exports.chrome import CYCLES_TID, GC_PID, GOROUTINES_PID, REGION_TID, STW_TID, write_chrome
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.model import build
from tracetui.model.lanes import RUNNING

TRACES = goref.committed_traces()
IDS = [f"{p.parent.name}/{p.stem}" for p in TRACES]


@functools.cache
def exported(path: Path) -> dict:
    buf = io.BytesIO()
    n = write_chrome(build(read(path)), buf)
    doc = json.loads(buf.getvalue(), parse_float=Decimal)  # exact: ts and dur have three decimals
    assert len(doc["traceEvents"]) == n
    return doc


def ns(us) -> int:
    return int(Decimal(us) * 1000)


def slices(doc: dict) -> dict[tuple[int, int], list[tuple[int, int, str]]]:
    """(pid, tid) -> [(start ns, end ns, name)] of the X events, in time order (outer first on ties)."""
    t0 = doc["otherData"]["trace_start_ns"]
    out = collections.defaultdict(list)
    for e in doc["traceEvents"]:
        if e["ph"] == "X":
            s = t0 + ns(e["ts"])
            out[e["pid"], e["tid"]].append((s, s + ns(e["dur"]), e["name"]))
    for v in out.values():
        v.sort(key=lambda x: (x[0], -x[1]))
    return out


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_valid_and_nested(path):
    doc = exported(path)
    assert doc["displayTimeUnit"] == "ns"
    for e in doc["traceEvents"]:
        assert e["ph"] in "XCMsfi" and isinstance(e["pid"], int) and isinstance(e["name"], str)
        if e["ph"] == "X":
            assert e["dur"] >= 0 and isinstance(e["tid"], int)
    for track, items in slices(doc).items():
        stack = []
        for s, e, name in items:
            while stack and stack[-1] <= s:
                stack.pop()
            assert not stack or e <= stack[-1], f"{track}: {name} [{s}, {e}] overlaps its parent's end"
            stack.append(e)


def thread_names(doc: dict) -> dict[tuple[int, int], str]:
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in doc["traceEvents"]
            if e["ph"] == "M" and e["name"] == "thread_name"}


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_running_time_and_names_equal_go(oracle, path):
    doc = exported(path)
    tracks, names = slices(doc), thread_names(doc)
    assert set(tracks) <= set(names)  # every track is named
    for g in oracle(path)["goroutines"]:
        label = f"G{g['id']} {g['name']}".rstrip()
        if (GOROUTINES_PID, g["id"]) in tracks:
            assert names[GOROUTINES_PID, g["id"]] == label
        if (GOROUTINES_PID, REGION_TID + g["id"]) in tracks:
            assert names[GOROUTINES_PID, REGION_TID + g["id"]] == f"{label} regions"
        states = tracks.get((GOROUTINES_PID, g["id"]), [])
        # Go's summary holds a goroutine's last life (a cgo callback goroutine may die and come back
        # with the same id): count from after the last gap between state slices.
        first = max((i + 1 for i in range(len(states) - 1) if states[i + 1][0] != states[i][1]), default=0)
        running = sum(e - s for s, e, name in states[first:] if name == "running")
        assert running == g["exec_ns"], g


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_regions_equal_go(oracle, path):
    doc = exported(path)
    ours = collections.Counter()
    for (pid, tid), items in slices(doc).items():
        if pid == GOROUTINES_PID and tid >= REGION_TID:
            ours.update((tid - REGION_TID, name, s, e) for s, e, name in items)
    go = collections.Counter((r["goroutine"], r["name"], r["start"], r["end"]) for r in oracle(path)["regions"] or [])
    assert ours == go


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_gc_slices_equal_go(path):
    goref.require_go()
    text, _, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0
    go = go_ranges(text)
    tracks = slices(exported(path))
    stw = sorted((name.removeprefix("STW: "), s, e) for s, e, name in tracks.get((GC_PID, STW_TID), []))
    assert stw == sorted((n.removeprefix("stop-the-world (")[:-1], s, e) for n, _, s, e in go
                         if n.startswith("stop-the-world"))
    cycles = sorted((s, e) for s, e, _ in tracks.get((GC_PID, CYCLES_TID), []))
    assert cycles == sorted((s, e) for n, _, s, e in go if n == "GC concurrent mark phase")


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_counters(path):
    """Goroutine counts never go negative and never run more goroutines than GOMAXPROCS allows."""
    doc = exported(path)
    counts = [e["args"] for e in doc["traceEvents"] if e["ph"] == "C" and e["name"] == "Goroutines"]
    procs = [e["args"]["procs"] for e in doc["traceEvents"] if e["ph"] == "C" and e["name"] == "GOMAXPROCS"]
    assert counts
    assert all(min(c.values()) >= 0 for c in counts)
    if not procs:  # an old trace whose only Gomaxprocs Go's converter takes as the end of its start
        tr = read(path)
        assert path.parent.name == "go1.21" and not (tr.type == S.EvProcsChange).any()
        procs = [len(tr.proc_ids)]
    assert max(c["running"] for c in counts) <= max(procs)


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_counts_equal_the_models(path):
    """The exporter counts goroutines per state at every change; the model samples the same
    counts once per block of events (its own pass): they agree at every block end, except
    where more events share the block end's timestamp (the export shows the count after
    them) and before the trace's first statuses are all read (the export counts a goroutine
    alive at the start from the Sync event, where its first span begins; the model from its
    status event)."""
    import numpy as np

    from tracetui.format import spec as S
    from tracetui.model.procs import COUNT_BLOCK

    model = build(read(path))
    doc = exported(path)
    t0 = doc["otherData"]["trace_start_ns"]
    cs = [e for e in doc["traceEvents"] if e["ph"] == "C" and e["name"] == "Goroutines"]
    times = np.array([t0 + ns(e["ts"]) for e in cs])
    tr = model.trace
    time = tr.time
    n = len(time)
    statuses = np.flatnonzero(np.isin(tr.type, [S.EvGoStatus, S.EvGoStatusStack]))
    first_seen = statuses[(tr.arg_of(statuses) >> 32) == 0]  # old state Undetermined
    settled = int(first_seen.max(initial=-1))
    checked = 0
    for b in range(len(model.counts.end)):
        r = min(b * COUNT_BLOCK + COUNT_BLOCK - 1, n - 1)
        if r < settled or (r + 1 < n and time[r + 1] == time[r]):
            continue
        i = np.searchsorted(times, time[r], side="right") - 1
        for name, s in model.counts.STATES.items():
            assert (cs[i]["args"][name] if i >= 0 else 0) == model.counts.end[b, s], (b, name)
        checked += 1
    assert checked


WINDOWED = [p for p in TRACES if p.parent.name in ("go1.22", "go1.27")]


@pytest.mark.parametrize("path", WINDOWED, ids=[f"{p.parent.name}/{p.stem}" for p in WINDOWED])
def test_window(oracle, path):
    """--from/--to: slices are clipped to the window and still nest; each goroutine's running
    time in it equals the model's lanes query; the regions are Go's, clipped."""
    model = build(read(path))
    t = model.trace.time
    w0, w1 = int(t[0] + (t[-1] - t[0]) // 3), int(t[0] + 2 * (t[-1] - t[0]) // 3)
    buf = io.BytesIO()
    write_chrome(model, buf, (w0, w1))
    doc = json.loads(buf.getvalue(), parse_float=Decimal)
    tracks = slices(doc)
    for (pid, tid), items in tracks.items():
        assert all(w0 <= s <= e <= w1 for s, e, _ in items)
        stack = []
        for s, e, _ in items:
            while stack and stack[-1] <= s:
                stack.pop()
            assert not stack or e <= stack[-1]
            stack.append(e)
    goids = model.trace.goroutine_ids.tolist()
    for g in range(len(model.lanes)):
        want = int(model.lanes.state_time(g, [w0, w1])[RUNNING][0])
        got = sum(e - s for s, e, name in tracks.get((GOROUTINES_PID, goids[g]), []) if name == "running")
        assert got == want, goids[g]
    ours = collections.Counter((tid - REGION_TID, name, s, e) for (pid, tid), items in tracks.items()
                               if pid == GOROUTINES_PID and tid >= REGION_TID for s, e, name in items)
    go = collections.Counter((r["goroutine"], r["name"], max(r["start"], w0), min(r["end"], w1))
                             for r in oracle(path)["regions"] or [] if r["start"] <= w1 and r["end"] >= w0)
    assert ours == go


def test_cli_window(tmp_path, capsys):
    trace = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "gc.trace")
    out = tmp_path / "w.json"
    assert main(["export", str(trace), "--from", "20ms", "--to", "30.5ms", "-o", str(out)]) == 0
    doc = json.loads(out.read_bytes(), parse_float=Decimal)
    t0 = doc["otherData"]["trace_start_ns"]
    assert doc["otherData"]["window_ns"] == [t0 + 20_000_000, t0 + 30_500_000]
    xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert xs and min(e["ts"] for e in xs) == 20000 and max(e["ts"] + e["dur"] for e in xs) == Decimal("30500")
    assert main(["export", str(trace), "--from", "10s", "-o", str(out)]) == 2
    assert "past the end of the trace" in capsys.readouterr().err
    assert main(["export", str(trace), "--from", "20ms", "--to", "10ms", "-o", str(out)]) == 2
    assert "--to is before --from" in capsys.readouterr().err


def test_truncated_trace_is_salvaged(tmp_path, capsys):
    """As go tool trace does: the complete generations are exported, with Go's warning."""
    from tracetui.format.salvage import read_salvaged

    multigen = Path(__file__).parents[1] / "format" / "data" / "multigen" / "go1.27.trace"
    cut = tmp_path / "cut.trace"
    cut.write_bytes(multigen.read_bytes()[:11000])  # two of its generations are complete
    out = tmp_path / "cut.json"
    assert main(["export", str(cut), "-o", str(out)]) == 0
    assert " of the file could not be used " in capsys.readouterr().err
    doc = json.loads(out.read_bytes(), parse_float=Decimal)
    trace, report = read_salvaged(str(cut))
    buf = io.BytesIO()
    write_chrome(build(trace), buf)
    assert report is not None and doc == json.loads(buf.getvalue(), parse_float=Decimal)
    assert sum(e["ph"] == "X" for e in doc["traceEvents"]) > 10


def test_not_vacuous():
    """The committed traces do hold regions, STW pauses and GC cycles."""
    doc = exported(next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "annotations.trace"))
    tracks = slices(doc)
    assert any(tid >= REGION_TID for _, tid in tracks)
    doc = exported(next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "gc.trace"))
    tracks = slices(doc)
    assert len(tracks[GC_PID, STW_TID]) >= 10 and len(tracks[GC_PID, CYCLES_TID]) >= 5


def test_cli(tmp_path, capsysbinary):
    trace = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "mixed.trace")
    copy = tmp_path / "m.trace"
    copy.write_bytes(trace.read_bytes())
    assert main(["export", str(copy)]) == 0
    assert f"to {copy}.json" in capsysbinary.readouterr().err.decode()
    assert json.loads((tmp_path / "m.trace.json").read_bytes(), parse_float=Decimal) == exported(trace)
    assert main(["export", str(copy), "--format", "chrome", "-o", "-"]) == 0
    assert json.loads(capsysbinary.readouterr().out, parse_float=Decimal) == exported(trace)
    assert main(["export", str(copy), "--format", "svg"]) == 2


@pytest.mark.parametrize("path", TRACES, ids=IDS)
def test_flows_logs_and_cpu_samples(path):
    """Flows pair each wait another goroutine's GoUnblock ended (on the waiter's track at the
    wait's start) with the unblocker's track at its end; logs and CPU samples are instants on
    their goroutine's track, a sample's `sf` the leaf of its stack in stackFrames."""
    import numpy as np

    from tracetui.format import spec as S
    from tracetui.model.lanes import WAITING

    model, doc = build(read(path)), exported(path)
    tr, lanes = model.trace, model.lanes
    t0 = doc["otherData"]["trace_start_ns"]
    goids = tr.goroutine_ids.astype(np.int64)
    events = doc["traceEvents"]
    er = lanes.end_row
    ee = np.maximum(er, 0)
    g = lanes.goroutine_of(np.arange(len(er)))
    ended = (er >= 0) & (lanes.state == WAITING) & (tr.type[ee] == S.EvGoUnblock) & (tr.g[ee] >= 0) & (tr.g[ee] != g)
    start = tr.time[lanes.begin_row]
    want = collections.Counter(zip(goids[g[ended]].tolist(), start[ended].tolist(), goids[tr.g[ee[ended]]].tolist(),
                                   tr.time[ee[ended]].tolist()))
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    finishes = {e["id"]: e for e in events if e["ph"] == "f"}
    assert set(starts) == set(finishes) and all(e["bp"] == "e" for e in finishes.values())
    got = collections.Counter((s["tid"], t0 + ns(s["ts"]), finishes[i]["tid"], t0 + ns(finishes[i]["ts"]))
                              for i, s in starts.items())
    assert got == want
    logs, s = model.logs, tr.strings
    want_logs = collections.Counter(
        (int(goids[g]) if g >= 0 else 0, int(t), f"{s[c]}: {s[m]}" if c else s[m])
        for g, t, c, m in zip(logs["goroutine"].tolist(), logs["time"].tolist(), logs["category"].tolist(),
                              logs["message"].tolist()))
    instants = [e for e in events if e["ph"] == "i"]
    assert collections.Counter((e["tid"], t0 + ns(e["ts"]), e["name"]) for e in instants
                               if e["cat"] == "log") == want_logs
    frames = doc["stackFrames"]

    def path_of(sf):
        out = []
        while sf != "0" and sf is not None:
            out.append(frames[sf]["name"].split(" ")[0])
            sf = frames[sf].get("parent")
        return tuple(out)  # innermost first
    cpu = model.cpu_samples
    want_cpu = collections.Counter((int(goids[g]) if g >= 0 else 0, int(t), tuple(f[0] for f in tr.frames(st)))
                                   for g, t, st in zip(cpu["goroutine"].tolist(), cpu["time"].tolist(),
                                                       cpu["stack"].tolist()))
    assert collections.Counter((e["tid"], t0 + ns(e["ts"]), path_of(str(e["sf"]))) for e in instants
                               if e["cat"] == "cpu") == want_cpu
    if path.stem == "cpuprofile":   # the go1.21 run of the program has 11 samples, the others 40-50
        assert sum(want_cpu.values()) > 10
    if path.stem == "contention":
        assert len(want) > 10


def test_warns_past_what_perfetto_loads(tmp_path, capsys, monkeypatch):
    from tracetui.exports import chrome

    trace = next(t for t in TRACES if t.parent.name == "go1.27" and t.name == "mixed.trace")
    monkeypatch.setattr(chrome, "JSON_LIMIT", 100_000)
    assert main(["export", str(trace), "-o", str(tmp_path / "m.json")]) == 0
    err = capsys.readouterr().err
    assert err.count("more than Perfetto's UI loads: use --format perfetto, or --from/--to") == 1
    json.loads((tmp_path / "m.json").read_text())
    monkeypatch.setattr(chrome, "JSON_LIMIT", 1 << 30)
    assert main(["export", str(trace), "-o", str(tmp_path / "m.json")]) == 0
    assert "warning" not in capsys.readouterr().err
