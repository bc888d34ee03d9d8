"""Perfetto's native trace format (protobuf TracePackets with TrackEvents), streamed from the
model's numpy columns: what https://ui.perfetto.dev opens at sizes its JSON loader cannot.

`write_perfetto(model, out, window=None)` writes to a binary stream and returns counts of
what it wrote. Tracks (TrackDescriptor), under five process tracks:

- "Goroutines": a track per goroutine ("G123 main.worker", ordered by id) with its states
  as slices (running, runnable, syscall, "waiting: REASON"); a child track "regions" with
  its user regions, nested (their task id as a debug annotation); its logs as instant
  events ("category: message"); its CPU samples as instant events "CPU sample" with their
  stacks (interned callstacks); and a flow from each wait that another goroutine's unblock
  ended to an instant "unblock" on the unblocker's track at that time. Counters
  "running", "runnable", "waiting", "syscall": goroutines per state after each change;
- "Procs": a track per P with the goroutines that ran on it;
- "Threads": a track per M with the goroutines it ran and its syscalls ("syscall");
- "GC": GC cycles (mark phases), stop-the-world pauses by kind; counters "Heap in use",
  "Heap goal" (bytes), "GOMAXPROCS";
- "Tasks": a track per user task ("task 12 name"), a slice from its start to its end.

Everything is one packet sequence whose interned data (event names, callstacks) is stated
before its use. Packets are encoded column-wise (tracetui.exports.protowire) in chunks of
CHUNK records and written as TracePackets of `compressed_packets` (zlib, as Perfetto's own
tracing service compresses), each about BATCH bytes before compression, by a thread of
its own: memory stays bounded by a few chunks. Timestamps are the trace's (ns); `window` (start, end) keeps what
overlaps it, clipped to it.
"""
from __future__ import annotations

import queue
import threading
import zlib

import numpy as np

from tracetui.exports.columns import goroutine_counts, span_times, unblocked_by, wait_reason
from tracetui.exports.protowire import Fixed64, Message, Text, Varint, encode, field_bytes, field_varint
from tracetui.model.lanes import STATE_NAMES, SYSCALL, WAITING

CHUNK = 1 << 16
BATCH = 1 << 20
SEQ = 1  # trusted_packet_sequence_id
CLEARED, NEEDS_STATE = 1, 2  # TracePacket.SequenceFlags
BEGIN, END, INSTANT, COUNTER = 1, 2, 3, 4  # TrackEvent.Type
UNIT_COUNT, UNIT_BYTES = 2, 3
EXPLICIT = 3  # TrackDescriptor.ChildTracksOrdering
# Process tracks, counter tracks and fixed tracks; per-object tracks start at BASE.
GOROUTINES, PROCS, THREADS, GC, TASKS = 1, 2, 3, 4, 5
HEAP, GOAL, GOMAXPROCS, CYCLES, STW, NO_GOROUTINE = 10, 11, 12, 13, 14, 15
COUNT_TRACKS = {"running": 16, "runnable": 17, "waiting": 18, "syscall": 19}
BASE = 32


class _Sink:
    """Packets to `out`, in zlib-compressed batches of about BATCH bytes. A thread compresses
    and writes (zlib lets go of the GIL) while the next batch is encoded; at most two batches
    wait for it."""
    def __init__(self, out):
        self.out, self.parts, self.size = out, [], 0
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._compress, name="perfetto-zlib", daemon=True)
        self.thread.start()

    def _compress(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.out.write(_packet(field_bytes(50, zlib.compress(batch, 1))))
                except BaseException as e:  # raised again in the writing thread
                    self.error = e

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= BATCH:
            self._send()

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        if self.parts:
            self.queue.put(b"".join(self.parts))
            self.parts, self.size = [], 0

    def close(self) -> None:
        try:
            self._send()
        finally:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


def _packet(body: bytes) -> bytes:
    """One Trace.packet (field 1) holding the TracePacket `body`."""
    return field_bytes(1, body)


class _Names:
    """Interned event names: iid per text, and the ones not yet stated."""
    def __init__(self):
        self.iid: dict[str, int] = {}
        self.new: list[tuple[int, str]] = []

    def __call__(self, text: str) -> int:
        i = self.iid.get(text)
        if i is None:
            i = self.iid[text] = len(self.iid) + 1
            self.new.append((i, text))
        return i

    def many(self, texts) -> np.ndarray:
        return np.array([self(t) for t in texts], np.int64)

    def flush(self) -> bytes:
        """InternedData.event_names (2: EventName{iid 1, name 2}) for the names interned since the last flush."""
        if not self.new:
            return b""
        iids = np.fromiter((i for i, _ in self.new), np.int64, len(self.new))
        texts = [t.encode("utf-8", "surrogateescape") for _, t in self.new]
        self.new = []
        return encode(len(texts), [Message(2, [Varint(1, iids), Text(2, texts, np.arange(len(texts)))])])


class _Writer:
    def __init__(self, out, model, window):
        self.sink, self.model = _Sink(out), model
        self.window = window
        self.names = _Names()
        self.counts = dict(tracks=0, slices=0, instants=0, counters=0, flows=0, samples=0)
        self.sink.write(_packet(field_varint(10, SEQ) + field_varint(13, CLEARED)))

    def interned(self, extra: bytes = b"") -> None:
        body = self.names.flush() + extra
        if body:
            self.sink.write(_packet(field_varint(10, SEQ) + field_varint(13, NEEDS_STATE) + field_bytes(12, body)))

    def tracks(self, uuid, names: list[str], parent=None, rank=None, extra: list | None = None) -> None:
        """TrackDescriptor packets: uuid 1, name 2, parent_uuid 5, sibling_order_rank 12, and
        `extra` pre-encoded fields."""
        uuid = np.asarray(uuid, np.int64)
        n = len(uuid)
        parent = None if parent is None else np.broadcast_to(np.asarray(parent, np.int64), (n,))
        rank = None if rank is None else np.broadcast_to(np.asarray(rank, np.int64), (n,))

        def pieces(s):
            td = [Varint(1, uuid[s]), Text(2, [t.encode("utf-8", "surrogateescape") for t in names[s]],
                                           np.arange(s.stop - s.start))]
            td += [] if parent is None else [Varint(5, parent[s])]
            td += [] if rank is None else [Varint(12, rank[s])]
            return [Message(1, [Varint(10, SEQ), Message(60, td + list(extra or []))])]
        self._chunks(n, pieces)
        self.counts["tracks"] += n

    def process(self, uuid: int, pid: int, name: str, ordered: bool = True) -> None:
        body = field_varint(1, uuid) + field_bytes(3, field_varint(1, pid) + field_bytes(6, name))
        if ordered:
            body += field_varint(11, EXPLICIT)
        self.sink.write(_packet(field_varint(10, SEQ) + field_bytes(60, body)))
        self.counts["tracks"] += 1

    def _chunks(self, n: int, pieces_of) -> None:
        for lo in range(0, n, CHUNK):
            s = slice(lo, min(n, lo + CHUNK))
            self.sink.write(encode(s.stop - s.start, pieces_of(s)))

    def clip(self, start, end):
        """Which of the intervals overlap the window, and the intervals clipped to it."""
        w0, w1 = self.window
        keep = (start <= w1) & (end >= w0)
        return keep, np.maximum(start[keep], w0), np.minimum(end[keep], w1)

    def slices(self, track, start, end, name_iid, flows=None, annotations=None) -> None:
        """A SLICE_BEGIN and its SLICE_END per row, in one record so that they stay in order;
        `flows` (ids, 0 none) are flow_ids (47) on the begin; `annotations` extra TrackEvent pieces."""
        keep, start, end = self.clip(np.asarray(start, np.int64), np.asarray(end, np.int64))
        track, name_iid = np.asarray(track)[keep], np.asarray(name_iid)[keep]
        flow = None if flows is None else np.asarray(flows)[keep]
        ann = [(p[0], np.asarray(p[1])[keep], np.asarray(p[2])[keep]) for p in (annotations or [])]

        def pieces(s):
            te = [Varint(9, BEGIN), Varint(11, track[s]), Varint(10, name_iid[s])]
            if flow is not None:
                te.append(Fixed64(47, flow[s], present=flow[s] > 0))
            for field_name, values, present in ann:
                te.append(Message(4, [field_bytes(10, field_name), Varint(3, values[s])], present=present[s]))
            return [Message(1, [Varint(8, start[s]), Varint(10, SEQ), Varint(13, NEEDS_STATE), Message(11, te)]),
                    Message(1, [Varint(8, end[s]), Varint(10, SEQ), Varint(13, NEEDS_STATE),
                                Message(11, [Varint(9, END), Varint(11, track[s])])])]
        self._chunks(len(start), pieces)
        self.counts["slices"] += len(start)
        if flow is not None:
            self.counts["flows"] += int((flow > 0).sum())

    def instants(self, track, time, name_iid, extra=None) -> None:
        """TYPE_INSTANT events; `extra(s)` gives more TrackEvent pieces for rows s."""
        w0, w1 = self.window
        keep = (time >= w0) & (time <= w1)
        track, time, name_iid = np.asarray(track)[keep], np.asarray(time)[keep], np.asarray(name_iid)[keep]
        kept = np.flatnonzero(keep)
        self._chunks(len(time), lambda s: [Message(1, [
            Varint(8, time[s]), Varint(10, SEQ), Varint(13, NEEDS_STATE),
            Message(11, [Varint(9, INSTANT), Varint(11, track[s]), Varint(10, name_iid[s]),
                         *(extra(kept[s]) if extra else [])])])])
        self.counts["instants"] += len(time)

    def counter(self, track: int, times, values) -> None:
        """TYPE_COUNTER events where the value changes; the value in effect at the window's
        start is stated there."""
        w0, w1 = self.window
        times, values = np.asarray(times, np.int64), np.asarray(values, np.int64)
        change = np.ones(len(values), bool)
        change[1:] = values[1:] != values[:-1]
        first = max(int(np.searchsorted(times, w0, side="right")) - 1, 0)
        sel = np.arange(first, int(np.searchsorted(times, w1, side="right")))
        sel = sel[change[sel] | (sel == first)]
        t, v = np.maximum(times[sel], w0), values[sel]
        self._chunks(len(t), lambda s: [Message(1, [
            Varint(8, t[s]), Varint(10, SEQ), Varint(13, NEEDS_STATE),
            Message(11, [Varint(9, COUNTER), Varint(11, track), Varint(30, v[s])])])])
        self.counts["counters"] += len(t)


def _goroutine_labels(model) -> list[str]:
    tr, G = model.trace, model.summary.goroutines
    named = np.where(G["live"], G["name"], 0).tolist()
    return [f"G{gid} {tr.strings[n]}".rstrip() for gid, n in zip(tr.goroutine_ids.tolist(), named)]


def _goroutines(w: _Writer, labels: list[str]) -> None:
    """Goroutine tracks, their states with unblock flows, their regions, logs and CPU samples."""
    model = w.model
    trace, lanes, R = model.trace, model.lanes, model.summary.regions
    ng = len(trace.goroutine_ids)
    goids = trace.goroutine_ids.astype(np.int64)
    w.process(GOROUTINES, 1, "Goroutines")
    w.tracks([NO_GOROUTINE], ["no goroutine"], parent=GOROUTINES, rank=[-5])
    has = np.diff(lanes.offsets) > 0
    gs = np.flatnonzero(has)
    ri = np.flatnonzero(R["in_summary"] & (R["goroutine"] >= 0))
    with_regions = np.unique(R["goroutine"][ri]).astype(np.int64)
    tracks = np.union1d(gs, with_regions)
    w.tracks(BASE + tracks, [labels[g] for g in tracks.tolist()], parent=GOROUTINES,
             rank=goids[tracks], extra=[field_varint(11, EXPLICIT)])
    w.tracks(BASE + ng + with_regions, ["regions"] * len(with_regions),
             parent=BASE + with_regions)
    # States: waits by reason; a wait ended by another goroutine's unblock starts a flow.
    state_iid = np.zeros(16, np.int64)
    for s, name in STATE_NAMES.items():
        state_iid[s] = w.names(name)
    reason_iid = _interned(w, _waits(trace, lanes), lambda r: f"waiting: {r}" if r else "waiting")
    unblock = w.names("unblock")
    w.interned()
    n = len(lanes.state)
    for lo in range(0, n, CHUNK * 4):
        spans = np.arange(lo, min(n, lo + CHUNK * 4))
        begin, state = lanes.begin_row[spans], lanes.state[spans]
        g = lanes.goroutine_of(spans)
        start, end = span_times(model, spans)
        name = np.where(state == WAITING, reason_iid[wait_reason(trace, begin)], state_iid[state])
        by = unblocked_by(model, spans)
        w0, w1 = w.window
        flow = np.where((by >= 0) & (end >= w0) & (end <= w1) & (start <= w1), spans + 1, 0)
        w.slices(BASE + g, start, end, name, flows=flow)
        f = flow > 0
        w.instants(BASE + by[f], end[f], np.full(int(f.sum()), unblock), extra=_terminating(flow[f]))
    # Regions, outer ones first, with their task ids.
    ri = ri[np.lexsort((R["start"][ri] - R["end"][ri], R["start"][ri]))]
    rname = _interned(w, R["name"][ri])
    w.interned()
    task = R["task"][ri].astype(np.int64)
    w.slices(BASE + ng + R["goroutine"][ri].astype(np.int64), R["start"][ri], R["end"][ri], rname[R["name"][ri]],
             annotations=[(b"task", task, task != 0)])
    _logs(w)
    _cpu_samples(w)


def _waits(trace, lanes) -> np.ndarray:
    rows = lanes.begin_row[lanes.state == WAITING]
    return wait_reason(trace, rows)


def _interned(w: _Writer, string_index, text=lambda s: s) -> np.ndarray:
    """iid per trace string index (0 where not used) for the strings `string_index` uses, named text(string)."""
    used = np.unique(np.asarray(string_index, np.int64))
    iid = np.zeros(len(w.model.trace.strings) if len(w.model.trace.strings) else 1, np.int64)
    iid[used] = w.names.many([text(w.model.trace.strings[i]) for i in used.tolist()])
    return iid


def _terminating(flow_ids):
    return lambda s: [Fixed64(48, flow_ids[s])]


def _logs(w: _Writer) -> None:
    trace, logs = w.model.trace, w.model.logs
    if not len(logs["time"]):
        return
    pairs, inv = np.unique(np.stack([logs["category"].astype(np.int64), logs["message"]], axis=1), axis=0,
                           return_inverse=True)
    s = trace.strings
    iid = w.names.many([f"{s[c]}: {s[m]}" if c else s[m] for c, m in pairs.tolist()])
    w.interned()
    g = logs["goroutine"].astype(np.int64)
    w.instants(np.where(g >= 0, BASE + g, NO_GOROUTINE), logs["time"], iid[inv.ravel()])


def _cpu_samples(w: _Writer) -> None:
    """CPU samples as instants with interned callstacks (frames root first, one mapping "go")."""
    trace, cpu = w.model.trace, w.model.cpu_samples
    if not len(cpu["time"]):
        return
    stacks, inv = np.unique(cpu["stack"].astype(np.int64), return_inverse=True)
    frames: dict[int, int] = {}
    funcs: dict[int, int] = {}
    files: dict[int, int] = {}
    body = [field_bytes(19, field_varint(1, 1) + field_varint(7, 1)), field_bytes(17, field_varint(1, 1) +
                                                                                  field_bytes(2, "go"))]
    for si, st in enumerate(stacks.tolist()):
        ids = []
        for f in trace.stack_frame_ids(st).tolist()[::-1]:
            fid = frames.get(f)
            if fid is None:
                fn, fl = int(trace.frame_func[f]), int(trace.frame_file[f])
                for table, key, field_no in ((funcs, fn, 5), (files, fl, 18)):
                    if key not in table:
                        table[key] = len(table) + 1
                        body.append(field_bytes(field_no, field_varint(1, table[key]) +
                                                field_bytes(2, trace.strings[key])))
                fid = frames[f] = len(frames) + 1
                body.append(field_bytes(6, field_varint(1, fid) + field_varint(2, funcs[fn]) + field_varint(3, 1) +
                                        field_varint(4, int(trace.frame_pc[f])) + field_varint(5, files[fl]) +
                                        field_varint(6, int(trace.frame_line[f]))))
            ids.append(fid)
        body.append(field_bytes(7, field_varint(1, si + 1) + b"".join(field_varint(2, i) for i in ids)))
    name = w.names("CPU sample")
    w.interned(b"".join(body))
    g = cpu["goroutine"].astype(np.int64)
    callstack = inv.ravel().astype(np.int64) + 1
    w.instants(np.where(g >= 0, BASE + g, NO_GOROUTINE), cpu["time"], np.full(len(g), name),
               extra=lambda s: [Varint(56, callstack[s])])
    w.counts["samples"] += len(g)


def _resources(w: _Writer, labels_iid: np.ndarray, ng: int) -> None:
    """P tracks (what ran) and M tracks (what ran, syscalls)."""
    model, trace = w.model, w.model.trace
    lanes = model.lanes
    base_p = BASE + 2 * ng
    base_m = base_p + len(trace.proc_ids)
    syscall = w.names("syscall")
    w.interned()
    for uuid, pid, title, res, ids, prefix in ((PROCS, 2, "Procs", model.procs, trace.proc_ids, "P"),
                                               (THREADS, 3, "Threads", model.threads, trace.thread_ids, "M")):
        base = base_p if res is model.procs else base_m
        w.process(uuid, pid, title)
        k = len(res)
        w.tracks(base + np.arange(k), [f"{prefix}{i}" for i in ids.tolist()[:k]], parent=uuid,
                 rank=np.asarray(ids[:k], np.int64))
        counts = np.diff(res.offsets)
        owner = np.repeat(np.arange(k), counts)
        idx = res.span_index
        for lo in range(0, len(idx), CHUNK * 4):
            spans = idx[lo:lo + CHUNK * 4]
            g = lanes.goroutine_of(spans)
            start, end = span_times(model, spans)
            name = np.where(lanes.state[spans] == SYSCALL, syscall, labels_iid[g])
            w.slices(base + owner[lo:lo + CHUNK * 4], start, end, name)


def _gc_and_tasks(w: _Writer) -> None:
    model, trace = w.model, w.model.trace
    gc = model.gc
    w.process(GC, 4, "GC")
    w.tracks([CYCLES, STW], ["GC cycles", "stop-the-world"], parent=GC, rank=[0, 1])
    units = [field_bytes(8, field_varint(3, UNIT_BYTES))] * 2 + [field_bytes(8, field_varint(3, UNIT_COUNT))]
    for uuid, name, unit in zip((HEAP, GOAL, GOMAXPROCS), ("Heap in use", "Heap goal", "GOMAXPROCS"), units):
        w.tracks([uuid], [name], parent=GC, rank=[uuid], extra=[unit])
    cyc, stw = gc.cycles, gc.stw
    cyc_iid = w.names.many([f"GC {s}" for s in cyc["seq"].tolist()])
    stw_iid = _interned(w, stw["kind"], lambda s: f"STW: {s}" if s else "STW")
    w.interned()
    w.slices(np.full(len(cyc["start"]), CYCLES), cyc["start"], cyc["end"], cyc_iid)
    w.slices(np.full(len(stw["start"]), STW), stw["start"], stw["end"], stw_iid[stw["kind"]])
    for uuid, (t, v) in ((HEAP, gc.heap_alloc), (GOAL, gc.heap_goal), (GOMAXPROCS, gc.gomaxprocs)):
        w.counter(uuid, t, v)
    times, series = goroutine_counts(model)
    w.tracks(list(COUNT_TRACKS.values()), [f"Goroutines {s}" for s in COUNT_TRACKS],
             parent=GOROUTINES, rank=[-4, -3, -2, -1], extra=[field_bytes(8, field_varint(3, UNIT_COUNT))])
    for state, uuid in COUNT_TRACKS.items():
        w.counter(uuid, times, series[state])
    # Tasks (not the background task 0): a track each.
    T = model.summary.tasks
    ids = np.asarray(T["id"]).astype(np.int64)
    real = np.flatnonzero(ids != 0)
    if not len(real):
        return
    first, last = int(trace.time[0]), int(trace.time[-1])
    sr, er = np.asarray(T["start_row"])[real], np.asarray(T["end_row"])[real]
    start = np.where(sr >= 0, trace.time[np.maximum(sr, 0)], first)
    end = np.where(er >= 0, trace.time[np.maximum(er, 0)], last)
    base = BASE + 2 * len(trace.goroutine_ids) + len(trace.proc_ids) + len(trace.thread_ids)
    w.process(TASKS, 5, "Tasks")
    names = np.asarray(T["name"])[real]
    w.tracks(base + np.arange(len(real)), [f"task {i} {trace.strings[n]}".rstrip()
                                           for i, n in zip(ids[real].tolist(), names.tolist())],
             parent=TASKS, rank=ids[real])
    iid = _interned(w, names)
    w.interned()
    w.slices(base + np.arange(len(real)), start, end, iid[names])


def write_perfetto(model, out, window: tuple[int, int] | None = None) -> dict[str, int]:
    """Write the Perfetto trace of `model` to the binary stream `out`; returns what it wrote
    (tracks, slices, instants, counters, flows, samples)."""
    trace = model.trace
    t0 = int(trace.time[0]) if len(trace) else 0
    last = int(trace.time[-1]) if len(trace) else 0
    w = _Writer(out, model, window or (t0, last))
    try:
        labels = _goroutine_labels(model)
        _goroutines(w, labels)
        _resources(w, w.names.many(labels), len(labels))
        _gc_and_tasks(w)
    finally:
        w.sink.close()
    return w.counts
