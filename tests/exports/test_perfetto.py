"""`tracetui export --format perfetto` decoded with Perfetto's own schema: the TracePacket
descriptors (perfetto_trace_pb2) the `perfetto` package on PyPI ships, read by `protobuf`
(trace_processor needs a binary download, impossible here).

Slices are rebuilt as trace_processor builds them: packets sorted by timestamp (stably, in
file order for ties), a SLICE_END closing the innermost open slice of its track. On every
committed go1.22 and go1.27 trace they must equal the model: goroutine states per goroutine (count, duration
per state), regions (start, end, name per goroutine), P and M tracks (count and time per
goroutine), GC cycles and pauses, tasks; flows pair each wait ended by another goroutine's
unblock with an instant on the unblocker's track at its end; counters hold the model's
series; logs and CPU samples are instants with the right names and stacks."""
from __future__ import annotations

import collections
import functools
import io
import zlib

import numpy as np
import pytest

from tests import goref
from tracetui.cli import main
from tracetui.exports import perfetto as P
from tracetui.exports.columns import goroutine_counts, span_times
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.model import build
from tracetui.model.lanes import STATE_NAMES, WAITING

pb = pytest.importorskip("perfetto.protos.perfetto.trace.perfetto_trace_pb2",
                         reason="the perfetto package (test extra) supplies Perfetto's trace descriptors")
# The oldest and the newest trace format (the decoder and model are checked on every version elsewhere).
TRACES = [t for t in goref.committed_traces() if t.parent.name in ("go1.22", "go1.27")]


@functools.cache
def model_of(trace):
    return build(read(trace))


def packets(data: bytes) -> list:
    """Every TracePacket, compressed_packets expanded in place."""
    outer = pb.Trace()
    outer.ParseFromString(data)
    out = []
    for p in outer.packet:
        if p.HasField("compressed_packets"):
            inner = pb.Trace()
            inner.ParseFromString(zlib.decompress(p.compressed_packets))
            assert not any(q.HasField("compressed_packets") for q in inner.packet)
            out.extend(inner.packet)
        else:
            out.append(p)
    return out


class Decoded:
    """Tracks, slices (as trace_processor nests them), instants, counters and flows."""

    def __init__(self, data: bytes):
        self.packets = packets(data)
        self.tracks, self.names, self.frames, self.functions, self.callstacks = {}, {}, {}, {}, {}
        events = []
        assert self.packets[0].sequence_flags == pb.TracePacket.SEQ_INCREMENTAL_STATE_CLEARED
        for i, p in enumerate(self.packets):
            assert p.trusted_packet_sequence_id == P.SEQ
            if p.HasField("interned_data"):
                d = p.interned_data
                self.names.update({e.iid: e.name for e in d.event_names})
                self.functions.update({f.iid: f.str.decode() for f in d.function_names})
                self.frames.update({f.iid: f for f in d.frames})
                self.callstacks.update({c.iid: list(c.frame_ids) for c in d.callstacks})
            if p.HasField("track_descriptor"):
                t = p.track_descriptor
                assert t.uuid not in self.tracks
                self.tracks[t.uuid] = t
            if p.HasField("track_event"):
                assert p.sequence_flags == pb.TracePacket.SEQ_NEEDS_INCREMENTAL_STATE
                events.append((p.timestamp, i, p.track_event))
        events.sort(key=lambda e: (e[0], e[1]))  # stable: file order breaks ties
        self.slices = collections.defaultdict(list)   # track -> [(start, end, name, flow ids)]
        self.instants = collections.defaultdict(list)  # track -> [(time, name, event)]
        self.counters = collections.defaultdict(list)  # track -> [(time, value)]
        open_ = collections.defaultdict(list)
        for ts, _, e in events:
            assert e.track_uuid in self.tracks
            if e.type == pb.TrackEvent.TYPE_SLICE_BEGIN:
                open_[e.track_uuid].append((ts, self.names[e.name_iid], list(e.flow_ids)))
            elif e.type == pb.TrackEvent.TYPE_SLICE_END:
                start, name, flows = open_[e.track_uuid].pop()
                self.slices[e.track_uuid].append((start, ts, name, flows))
            elif e.type == pb.TrackEvent.TYPE_INSTANT:
                self.instants[e.track_uuid].append((ts, self.names[e.name_iid], e))
            else:
                assert e.type == pb.TrackEvent.TYPE_COUNTER
                self.counters[e.track_uuid].append((ts, e.counter_value))
        assert not any(open_.values())

    def children(self, parent: int) -> list:
        return [t for t in self.tracks.values() if t.parent_uuid == parent]


@functools.cache
def decoded(trace) -> Decoded:
    buf = io.BytesIO()
    P.write_perfetto(model_of(trace), buf)
    return Decoded(buf.getvalue())


def _span_table(model):
    lanes = model.lanes
    spans = np.arange(len(lanes.state))
    start, end = span_times(model, spans)
    return spans, lanes.goroutine_of(spans), start, end


@pytest.mark.parametrize("trace", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_goroutine_states_regions_and_flows(trace):
    model, d = model_of(trace), decoded(trace)
    tr, lanes, R = model.trace, model.lanes, model.summary.regions
    spans, g, start, end = _span_table(model)
    # One track per goroutine with spans or regions, under "Goroutines", named "G<id> <start function>".
    goroutine_tracks = {t.uuid for t in d.children(P.GOROUTINES)} - {P.NO_GOROUTINE, *P.COUNT_TRACKS.values()}
    ri = np.flatnonzero(R["in_summary"] & (R["goroutine"] >= 0))
    want_g = set(np.unique(g).tolist()) | set(R["goroutine"][ri].tolist())
    assert goroutine_tracks == {P.BASE + x for x in want_g}
    for x in list(want_g)[:50]:
        assert d.tracks[P.BASE + x].name.split(" ")[0] == f"G{tr.goroutine_ids[x]}"
    # States: per goroutine and state name, the count and total time of the model's spans.
    reason = np.where(tr.type[lanes.begin_row] == S.EvGoBlock, tr.aux[lanes.begin_row], 0)
    want = collections.Counter()
    count = collections.Counter()
    for gi, st, rs, a, b in zip(g.tolist(), lanes.state.tolist(), reason.tolist(), start.tolist(), end.tolist()):
        name = (f"waiting: {tr.strings[rs]}" if rs else "waiting") if st == WAITING else STATE_NAMES[st]
        want[gi, name] += b - a
        count[gi, name] += 1
    got, got_count = collections.Counter(), collections.Counter()
    for x in want_g:
        for a, b, name, _ in d.slices[P.BASE + x]:
            got[x, name] += b - a
            got_count[x, name] += 1
    assert got == +want or got == want
    assert got_count == count
    # Regions on each goroutine's child track "regions": Go's regions exactly.
    want_r = collections.Counter(zip(R["goroutine"][ri].tolist(), R["start"][ri].tolist(), R["end"][ri].tolist(),
                                     [tr.strings[n] for n in R["name"][ri].tolist()]))
    got_r = collections.Counter()
    for t in d.tracks.values():
        if t.name == "regions":
            assert t.parent_uuid - P.BASE in want_g
            got_r.update((t.parent_uuid - P.BASE, a, b, n) for a, b, n, _ in d.slices[t.uuid])
    assert got_r == want_r
    # Flows: a wait ended by another goroutine's GoUnblock -> an "unblock" instant on the unblocker at its end.
    er = lanes.end_row
    ee = np.maximum(er, 0)
    ended = (er >= 0) & (lanes.state == WAITING) & (tr.type[ee] == S.EvGoUnblock) & (tr.g[ee] >= 0) & (tr.g[ee] != g)
    want_f = collections.Counter(zip(g[ended].tolist(), end[ended].tolist(), tr.g[ee[ended]].tolist()))
    begins = {}
    for x in want_g:
        for a, b, name, flows in d.slices[P.BASE + x]:
            for f in flows:
                assert f not in begins and name.startswith("waiting")
                begins[f] = (x, b)
    ends = {}
    for track, items in d.instants.items():
        for ts, name, e in items:
            for f in e.terminating_flow_ids:
                assert name == "unblock" and f not in ends
                ends[f] = (track - P.BASE, ts)
    assert set(begins) == set(ends)
    assert collections.Counter((begins[f][0], begins[f][1], ends[f][0]) for f in begins) == want_f
    assert all(begins[f][1] == ends[f][1] for f in begins)


@pytest.mark.parametrize("trace", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_procs_threads_gc_tasks_counters(trace):
    model, d = model_of(trace), decoded(trace)
    tr = model.trace
    for uuid, res in ((P.PROCS, model.procs), (P.THREADS, model.threads)):
        kids = d.children(uuid)
        assert len(kids) == len(res)
        ids = (tr.proc_ids if uuid == P.PROCS else tr.thread_ids).tolist()
        for t in kids:
            i = ids.index(int(t.name[1:]))
            assert t.sibling_order_rank == ids[i]
            idx = res.span_index[res.offsets[i]:res.offsets[i + 1]]
            a, b = span_times(model, idx)
            assert sorted((x[0], x[1]) for x in d.slices[t.uuid]) == sorted(zip(a.tolist(), b.tolist()))
    gc = model.gc
    assert sorted((a, b) for a, b, *_ in d.slices[P.CYCLES]) == sorted(zip(gc.cycles["start"].tolist(),
                                                                            gc.cycles["end"].tolist()))
    assert sorted((a, b, n) for a, b, n, _ in d.slices[P.STW]) == sorted(zip(
        gc.stw["start"].tolist(), gc.stw["end"].tolist(),
        [f"STW: {tr.strings[k]}" if k else "STW" for k in gc.stw["kind"].tolist()]))
    # Counters: the value in effect after each point equals the model's series at that time.
    for uuid, (t, v) in ((P.HEAP, gc.heap_alloc), (P.GOAL, gc.heap_goal), (P.GOMAXPROCS, gc.gomaxprocs)):
        pts = d.counters[uuid]
        assert len(pts) == (int((np.diff(v) != 0).sum()) + 1 if len(v) else 0)
        for ts, value in pts:
            assert value == v[np.searchsorted(t, ts, side="right") - 1]
    times, series = goroutine_counts(model)
    for state, uuid in P.COUNT_TRACKS.items():
        pts = d.counters[uuid]
        ts = np.array([p[0] for p in pts], np.int64)
        vals = np.array([p[1] for p in pts], np.int64)
        at = np.searchsorted(ts, times, side="right") - 1
        assert (at >= 0).all() and (vals[at] == series[state]).all()
    # Tasks: one track each (not task 0), a slice from start to end.
    T = model.summary.tasks
    ids = np.asarray(T["id"]).astype(np.int64)
    tasks = d.children(P.TASKS)
    assert len(tasks) == int((ids != 0).sum())
    assert all(len(d.slices[t.uuid]) == 1 for t in tasks)


@pytest.mark.parametrize("trace", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_logs_and_cpu_samples(trace):
    model, d = model_of(trace), decoded(trace)
    tr = model.trace
    logs, cpu = model.logs, model.cpu_samples
    s = tr.strings
    want = collections.Counter(
        (P.BASE + g if g >= 0 else P.NO_GOROUTINE, t, f"{s[c]}: {s[m]}" if c else s[m])
        for g, t, c, m in zip(logs["goroutine"].tolist(), logs["time"].tolist(), logs["category"].tolist(),
                              logs["message"].tolist()))
    got = collections.Counter((track, ts, name) for track, items in d.instants.items() for ts, name, e in items
                              if name not in ("unblock", "CPU sample"))
    assert got == want
    samples = collections.Counter()
    for track, items in d.instants.items():
        for ts, name, e in items:
            if name == "CPU sample":
                frames = [d.frames[f] for f in d.callstacks[e.callstack_iid]]
                samples[track, ts, tuple((d.functions[f.function_name_id], f.rel_pc) for f in frames)] += 1
    want_s = collections.Counter()
    for g, t, st in zip(cpu["goroutine"].tolist(), cpu["time"].tolist(), cpu["stack"].tolist()):
        frames = tuple((fn, pc) for fn, _, _, pc in tr.frames(st))[::-1]  # root first
        want_s[P.BASE + g if g >= 0 else P.NO_GOROUTINE, t, frames] += 1
    assert samples == want_s
    if trace.stem == "cpuprofile":
        assert sum(samples.values()) > 20
    if trace.stem == "annotations":
        assert sum(want.values()) > 0


def test_cli_and_window(tmp_path, capsys):
    trace = next(t for t in TRACES if t.parent.name == "go1.27" and t.name == "mixed.trace")
    out = tmp_path / "m.pftrace"
    assert main(["export", str(trace), "--format", "perfetto", "-o", str(out)]) == 0
    assert "slices" in capsys.readouterr().err
    assert Decoded(out.read_bytes()).slices
    assert main(["export", str(trace), "--format", "perfetto", "--from", "10ms", "--to", "20ms", "-o",
                 str(out)]) == 0
    d = Decoded(out.read_bytes())
    t0 = int(model_of(trace).trace.time[0])
    lo, hi = t0 + 10_000_000, t0 + 20_000_000
    spans = [s for items in d.slices.values() for s in items]
    assert spans and all(lo <= a <= b <= hi for a, b, *_ in spans)
    assert all(lo <= ts <= hi for items in d.instants.values() for ts, *_ in items)
