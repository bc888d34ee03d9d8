"""Chrome trace-event JSON (the Trace Event Format that Perfetto's UI and
chrome://tracing open), streamed from the model's numpy columns.

`write_chrome(model, out)` writes `{"traceEvents": [...], "displayTimeUnit": "ns", ...}`
to a binary stream in chunks of events, each chunk formatted straight into a
byte buffer from the numpy columns (`_format`: no Python object per event).
What it holds:

- process 1, "Goroutines": one track per goroutine (tid = goroutine id, named
  "G123 main.worker") with its states as complete ("X") slices: running,
  runnable, syscall, and "waiting: REASON"; below it, a track "G123 main.worker
  regions" (tid REGION_TID + goroutine id) with the goroutine's user regions,
  nested as they were; and the counter "Goroutines" (how many are running, runnable, waiting,
  in syscall) after every change;
- process 2, "GC": a track of GC cycles (mark phases), one of stop-the-world
  pauses named by kind, and the counters "Heap in use", "Heap goal", "GOMAXPROCS";
- flows ("s"/"f", id = wait span + 1) from each wait that another goroutine's unblock
  ended to the unblocker's track at that moment; logs ("category: message") and CPU
  samples ("CPU sample", `sf` naming the leaf of its stack in the top-level
  "stackFrames" tree) as instant events on their goroutine's track (tid 0: none).

Timestamps are microseconds since the trace's first event, with three decimals
(nanosecond precision); `otherData.trace_start_ns` is that first event's time.
"""
from __future__ import annotations

import json

import numpy as np

from tracetui.exports.columns import goroutine_counts, span_times, unblocked_by, wait_reason
from tracetui.model.lanes import STATE_NAMES, WAITING

_REASON = 16  # slice-name keys: states are below, waits are _REASON + reason string index

GOROUTINES_PID, GC_PID = 1, 2
REGION_TID = 1_000_000_000   # region track of goroutine N: tid REGION_TID + N
CYCLES_TID, STW_TID = 1, 2
CHUNK = 1 << 16
JSON_LIMIT = 1 << 30  # about what Perfetto's UI loads as JSON (it fails above roughly 1 GB)
_POW10 = 10 ** np.arange(1, 19, dtype=np.int64)


class _Int:
    """A decimal integer field."""
    def __init__(self, values):
        self.v = np.asarray(values, np.int64)
        self.digits = 1 + np.searchsorted(_POW10, np.abs(self.v), side="right")
        neg = self.v < 0
        self.width = int((self.digits + neg).max(initial=1))

    def fill(self, cols):
        """Right-align the numbers in the byte columns `cols` (left padding stays 0)."""
        v = np.abs(self.v)
        w = cols.shape[1]
        for j in range(int(self.digits.max(initial=1))):
            cols[:, w - 1 - j] = np.where(j < self.digits, 48 + v % 10, 0)
            v //= 10
        neg = np.flatnonzero(self.v < 0)
        cols[neg, w - 1 - self.digits[neg]] = ord("-")


class _Micros(_Int):
    """Nanoseconds (not negative) as microseconds with three decimals: 1234567 -> 1234.567."""
    def __init__(self, ns):
        ns = np.asarray(ns, np.int64)
        super().__init__(ns // 1000)
        self.frac = ns % 1000
        self.width += 4

    def fill(self, cols):
        _Int.fill(self, cols[:, :-4])
        cols[:, -4] = ord(".")
        for j, div in enumerate((100, 10, 1)):
            cols[:, j - 3] = 48 + self.frac // div % 10


class _Text:
    """A field chosen per record from a table of byte strings (JSON strings or fragments)."""
    def __init__(self, table: list[bytes], index):
        used, self.inv = np.unique(np.asarray(index, np.int64), return_inverse=True)
        parts = [table[i] for i in used.tolist()]
        self.width = max(map(len, parts), default=0)
        self.rows = np.zeros((len(parts), self.width), np.uint8)
        for r, b in enumerate(parts):
            self.rows[r, :len(b)] = np.frombuffer(b, np.uint8)

    def fill(self, cols):
        cols[:] = self.rows[self.inv]


def _format(n: int, pieces: list) -> bytes:
    """n records, each the concatenation of `pieces` (bytes constants and _Int/_Micros/_Text fields).

    Every field gets fixed columns of a byte matrix, as wide as its widest value, with
    0 bytes as padding; the padding is dropped at the end (JSON text never has a 0 byte)."""
    widths = [len(p) if isinstance(p, bytes) else p.width for p in pieces]
    m = np.zeros((n, sum(widths)), np.uint8)
    c = 0
    for p, w in zip(pieces, widths):
        if isinstance(p, bytes):
            m[:, c:c + w] = np.frombuffer(p, np.uint8)
        else:
            p.fill(m[:, c:c + w])
        c += w
    flat = m.ravel()
    return flat[flat != 0].tobytes()


def _js(s: str) -> bytes:
    return json.dumps(s).encode()


class _Writer:
    """Writes events to `out`, keeping only what overlaps the window [lo, hi] (ns), clipped to it;
    `warn(bytes)` is called once the output passes JSON_LIMIT bytes."""
    def __init__(self, out, t0: int, window: tuple[int, int], warn=None):
        self.out, self.t0, self.window, self.warn = out, t0, window, warn
        self.events = self.size = self.flows = 0
        self.stack_frames: dict = {}

    def write(self, data: bytes) -> None:
        before = self.size
        self.size += len(data)
        if self.warn is not None and before <= JSON_LIMIT < self.size:
            self.warn(self.size)
        self.out.write(data)

    def records(self, n: int, pieces_of) -> None:
        """Write events from n items in chunks; `pieces_of(lo, hi)` gives (count, pieces) for items lo:hi."""
        for lo in range(0, n, CHUNK):
            count, pieces = pieces_of(lo, min(n, lo + CHUNK))
            self.write(_format(count, pieces))
            self.events += count

    def one(self, event: dict) -> None:
        self.write((json.dumps(event, separators=(",", ":")) + ",\n").encode("ascii"))
        self.events += 1

    def slices(self, pid: int, n: int, columns, names: list[bytes], arg: bytes = b"") -> None:
        """Complete ("X") events; `columns(lo, hi)` gives arrays (tid, start ns, end ns, index into `names`,
        and if `arg` names one, an integer argument)."""
        w0, w1 = self.window

        def pieces(lo, hi):
            tid, start, end, name, *value = columns(lo, hi)
            keep = np.flatnonzero((start <= w1) & (end >= w0))
            start, end = np.maximum(start[keep], w0), np.minimum(end[keep], w1)
            extra = [b',"args":{%s:' % _js(arg), _Int(value[0][keep]), b"}"] if arg else []
            return len(keep), [b'{"ph":"X","pid":%d,"tid":' % pid, _Int(tid[keep]), b',"ts":',
                               _Micros(start - self.t0), b',"dur":', _Micros(end - start), b',"name":',
                               _Text(names, name[keep]), *extra, b"},\n"]
        self.records(n, pieces)

    def counter(self, pid: int, name: str, times: np.ndarray, series: dict[str, np.ndarray]) -> None:
        """Counter ("C") events: one per time, with every series' value; the value in effect
        when the window opens is stated at its start."""
        w0, w1 = self.window
        first = max(int(np.searchsorted(times, w0, side="right")) - 1, 0)
        sel = np.arange(first, int(np.searchsorted(times, w1, side="right")))
        shown = np.maximum(times[sel], w0)

        def pieces(lo, hi):
            out = [b'{"ph":"C","pid":%d,"name":%s,"ts":' % (pid, _js(name)), _Micros(shown[lo:hi] - self.t0),
                   b',"args":{']
            for i, (key, vals) in enumerate(series.items()):
                out += [(b"," if i else b"") + _js(key) + b":", _Int(vals[sel[lo:hi]])]
            return hi - lo, out + [b"}},\n"]
        self.records(len(sel), pieces)


def _goroutine_tracks(w: _Writer, model, regions: np.ndarray) -> None:
    """Names and order of the tracks: each goroutine with spans in the window ("G123 main.worker")
    and, below it, its region track if it has regions there ("G123 main.worker regions")."""
    trace, lanes, G = model.trace, model.lanes, model.summary.goroutines
    goids = trace.goroutine_ids.astype(np.int64)
    w0, w1 = w.window
    has_regions = np.zeros(len(goids), bool)
    has_regions[model.summary.regions["goroutine"][regions]] = True
    # Spans are in time order: the first one's start and the last one's end bound a goroutine's.
    gs = np.flatnonzero(np.diff(lanes.offsets) > 0)
    first_start = span_times(model, lanes.offsets[gs])[0]
    last_end = span_times(model, lanes.offsets[gs + 1] - 1)[1]
    has_spans = np.zeros(len(goids), bool)
    has_spans[gs[(first_start <= w1) & (last_end >= w0)]] = True
    named = np.where(G["live"], G["name"], 0)  # start function (string index) of each goroutine
    suffix = [_js(f" {t}" if t else "")[1:-1] for t in trace.strings]
    for gis, tid_base, more in ((np.flatnonzero(has_spans | has_regions), 0, b""),
                                (np.flatnonzero(has_regions), REGION_TID, b" regions")):
        order = 2 * gis + (tid_base > 0)
        tid = tid_base + goids[gis]
        w.records(len(gis), lambda lo, hi: (hi - lo, [
            b'{"ph":"M","pid":%d,"tid":' % GOROUTINES_PID, _Int(tid[lo:hi]),
            b',"name":"thread_name","args":{"name":"G', _Int(goids[gis[lo:hi]]), _Text(suffix, named[gis[lo:hi]]),
            more + b'"}},\n']))
        w.records(len(gis), lambda lo, hi: (hi - lo, [
            b'{"ph":"M","pid":%d,"tid":' % GOROUTINES_PID, _Int(tid[lo:hi]),
            b',"name":"thread_sort_index","args":{"sort_index":', _Int(order[lo:hi]), b"}},\n"]))


def _goroutine_states(w: _Writer, model) -> None:
    """Each goroutine span, named by its state; a wait also by its reason."""
    trace, lanes = model.trace, model.lanes
    goids = trace.goroutine_ids.astype(np.int64)
    names = [_js(STATE_NAMES.get(s, "?")) for s in range(_REASON)]
    names += [_js(f"waiting: {r}" if r else "waiting") for r in trace.strings]

    def columns(lo, hi):
        begin, state = lanes.begin_row[lo:hi], lanes.state[lo:hi]
        g = np.searchsorted(lanes.offsets, np.arange(lo, hi), side="right") - 1
        reason = wait_reason(trace, begin)
        return goids[g], *span_times(model, np.arange(lo, hi)), np.where(state == WAITING, reason + _REASON, state)
    w.slices(GOROUTINES_PID, len(lanes.state), columns, names)


def _user_regions(w: _Writer, model, ri: np.ndarray) -> None:
    """The regions `ri` on their goroutines' region tracks, outer ones first, with their task ids."""
    R, goids = model.summary.regions, model.trace.goroutine_ids.astype(np.int64)
    ri = ri[np.lexsort((R["start"][ri] - R["end"][ri], R["start"][ri]))]
    w.slices(GOROUTINES_PID, len(ri), lambda lo, hi: (
        REGION_TID + goids[R["goroutine"][ri[lo:hi]]], R["start"][ri[lo:hi]], R["end"][ri[lo:hi]],
        R["name"][ri[lo:hi]], R["task"][ri[lo:hi]]), [_js(s) for s in model.trace.strings], arg="task")


def _flows(w: _Writer, model) -> None:
    """A flow ("s" then "f", binding to the enclosing slices) from each wait that another
    goroutine's unblock ended to the unblocker's track at that time."""
    lanes = model.lanes
    goids = model.trace.goroutine_ids.astype(np.int64)
    w0, w1 = w.window
    spans = np.flatnonzero(lanes.state == WAITING)
    by = unblocked_by(model, spans)
    spans, by = spans[by >= 0], by[by >= 0]
    start, end = span_times(model, spans)
    keep = (start >= w0) & (end <= w1)
    spans, by, start, end = spans[keep], by[keep], start[keep], end[keep]
    g = lanes.goroutine_of(spans)
    for ph, who, t in ((b's"', g, start), (b'f","bp":"e"', by, end)):
        w.records(len(spans), lambda lo, hi: (hi - lo, [
            b'{"ph":"' + ph + b',"cat":"unblock","name":"unblock","pid":%d,"tid":' % GOROUTINES_PID,
            _Int(goids[who[lo:hi]]), b',"id":', _Int(spans[lo:hi] + 1), b',"ts":', _Micros(t[lo:hi] - w.t0), b"},\n"]))
    w.flows = len(spans)


def _instants(w: _Writer, model) -> None:
    """Logs ("category: message") and CPU samples (with their stacks, `sf` into stackFrames)
    as thread-scoped instant events on their goroutine's track (tid 0 without one)."""
    trace, logs, cpu = model.trace, model.logs, model.cpu_samples
    goids = np.append(trace.goroutine_ids.astype(np.int64), 0)  # index -1: no goroutine
    w0, w1 = w.window
    strings = trace.strings
    sel = np.flatnonzero((logs["time"] >= w0) & (logs["time"] <= w1))
    pairs, inv = np.unique(np.stack([logs["category"][sel].astype(np.int64), logs["message"][sel]], axis=1),
                           axis=0, return_inverse=True)
    names = [_js(f"{strings[c]}: {strings[m]}" if c else strings[m]) for c, m in pairs.tolist()]
    lg, lt, li = logs["goroutine"][sel].astype(np.int64), logs["time"][sel], inv.ravel()
    w.records(len(sel), lambda lo, hi: (hi - lo, [
        b'{"ph":"i","s":"t","cat":"log","pid":%d,"tid":' % GOROUTINES_PID, _Int(goids[lg[lo:hi]]), b',"ts":',
        _Micros(lt[lo:hi] - w.t0), b',"name":', _Text(names, li[lo:hi]), b"},\n"]))
    sel = np.flatnonzero((cpu["time"] >= w0) & (cpu["time"] <= w1))
    leaf = _stack_frames(w, trace, cpu["stack"][sel].astype(np.int64))
    cg, ct = cpu["goroutine"][sel].astype(np.int64), cpu["time"][sel]
    w.records(len(sel), lambda lo, hi: (hi - lo, [
        b'{"ph":"i","s":"t","cat":"cpu","name":"CPU sample","pid":%d,"tid":' % GOROUTINES_PID,
        _Int(goids[cg[lo:hi]]), b',"ts":', _Micros(ct[lo:hi] - w.t0), b',"sf":', _Int(leaf[lo:hi]), b"},\n"]))


def _stack_frames(w: _Writer, trace, stacks: np.ndarray) -> np.ndarray:
    """The stackFrames tree (node per distinct call path, root first) of `stacks`; per stack
    its leaf node id (0: a node "no stack")."""
    nodes: dict[tuple[int, int], int] = {}
    frames = {"0": {"name": "no stack"}}
    uniq, inv = np.unique(stacks, return_inverse=True)
    leaf_of = []
    for st in uniq.tolist():
        node = 0
        for f in trace.stack_frame_ids(st).tolist()[::-1]:
            nxt = nodes.get((node, f))
            if nxt is None:
                nxt = nodes[(node, f)] = len(nodes) + 1
                fn, file, line = trace.strings[trace.frame_func[f]], trace.strings[trace.frame_file[f]], trace.frame_line[f]
                frames[str(nxt)] = {"name": f"{fn} {file}:{line}", **({"parent": str(node)} if node else {})}
            node = nxt
        leaf_of.append(node)
    w.stack_frames = frames
    return np.array(leaf_of, np.int64)[inv.ravel()] if leaf_of else np.zeros(0, np.int64)


def _gc(w: _Writer, model) -> None:
    """GC cycles and stop-the-world pauses on their tracks; heap and GOMAXPROCS counters."""
    gc = model.gc
    cyc, stw = gc.cycles, gc.stw
    w.one({"ph": "M", "pid": GC_PID, "tid": CYCLES_TID, "name": "thread_name", "args": {"name": "GC cycles"}})
    w.one({"ph": "M", "pid": GC_PID, "tid": STW_TID, "name": "thread_name", "args": {"name": "stop-the-world"}})
    w.slices(GC_PID, len(cyc["start"]), lambda lo, hi: (
        np.full(hi - lo, CYCLES_TID), cyc["start"][lo:hi], cyc["end"][lo:hi], np.arange(lo, hi)),
        [_js(f"GC {s}") for s in cyc["seq"].tolist()])
    w.slices(GC_PID, len(stw["start"]), lambda lo, hi: (
        np.full(hi - lo, STW_TID), stw["start"][lo:hi], stw["end"][lo:hi], stw["kind"][lo:hi]),
        [_js(f"STW: {s}" if s else "STW") for s in model.trace.strings])
    for name, (t, v), unit in (("Heap in use", gc.heap_alloc, "bytes"), ("Heap goal", gc.heap_goal, "bytes"),
                               ("GOMAXPROCS", gc.gomaxprocs, "procs")):
        w.counter(GC_PID, name, t, {unit: v})


def write_chrome(model, out, window: tuple[int, int] | None = None, warn=None) -> int:
    """Write the Chrome trace-event JSON of `model` to the binary stream `out`; returns the event count.

    `window` (start, end) in trace time (ns) keeps what overlaps it, clipped to it; `warn(size)`
    is called when the output passes JSON_LIMIT bytes (more than Perfetto's UI loads)."""
    trace, R = model.trace, model.summary.regions
    t0 = int(trace.time[0]) if len(trace) else 0
    last = int(trace.time[-1]) if len(trace) else 0
    w = _Writer(out, t0, window or (t0, last), warn)
    other = {"generator": "tracetui", "trace_format": f"go 1.{trace.version}", "trace_start_ns": t0}
    if window:
        other["window_ns"] = list(window)
    w.write(b'{"displayTimeUnit":"ns","otherData":' + json.dumps(other).encode() + b',"traceEvents":[\n')
    for pid in (GOROUTINES_PID, GC_PID):
        w.one({"ph": "M", "pid": pid, "name": "process_sort_index", "args": {"sort_index": pid}})
    w0, w1 = w.window
    regions = np.flatnonzero(R["in_summary"] & (R["goroutine"] >= 0) & (R["start"] <= w1) & (R["end"] >= w0))
    _goroutine_tracks(w, model, regions)
    _goroutine_states(w, model)
    _user_regions(w, model, regions)
    w.counter(GOROUTINES_PID, "Goroutines", *goroutine_counts(model))
    _gc(w, model)
    _flows(w, model)
    _instants(w, model)
    # The last event carries no trailing comma.
    w.write(b'{"ph":"M","pid":1,"name":"process_name","args":{"name":"Goroutines"}},\n'
            b'{"ph":"M","pid":2,"name":"process_name","args":{"name":"GC"}}\n],"stackFrames":' +
            json.dumps(w.stack_frames, ensure_ascii=False).encode("utf-8", "surrogateescape") + b"}\n")
    return w.events + 2
