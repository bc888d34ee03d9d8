"""Chrome trace-event JSON (the Trace Event Format that Perfetto's UI and
chrome://tracing open), streamed from the model's numpy columns.

`write_chrome(model, out)` writes `{"traceEvents": [...], "displayTimeUnit": "ns", ...}`
to a binary stream in chunks of events, each chunk formatted straight into a
byte buffer from the numpy columns (`_format`: no Python object per event).
What it holds:

- process 1, "Goroutines": one track per goroutine (tid = goroutine id, named
  "G123 main.worker") with its states as complete ("X") slices: running,
  runnable, syscall, and "waiting: REASON"; below it, a track "G123 regions" (tid
  REGION_TID + goroutine id) with the goroutine's user regions, nested as they
  were; and the counter "Goroutines" (how many are running, runnable, waiting,
  in syscall) after every change;
- process 2, "GC": a track of GC cycles (mark phases), one of stop-the-world
  pauses named by kind, and the counters "Heap in use", "Heap goal", "GOMAXPROCS".

Timestamps are microseconds since the trace's first event, with three decimals
(nanosecond precision); `otherData.trace_start_ns` is that first event's time.
"""
from __future__ import annotations

import json

import numpy as np

from tracetui.format import spec as S
from tracetui.model.lanes import RUNNABLE, RUNNING, STATE_NAMES, SYSCALL, WAITING

_REASON = 16  # slice-name keys: states are below, waits are _REASON + reason string index

GOROUTINES_PID, GC_PID = 1, 2
REGION_TID = 1_000_000_000   # region track of goroutine N: tid REGION_TID + N
CYCLES_TID, STW_TID = 1, 2
CHUNK = 1 << 16
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
    def __init__(self, out, t0: int):
        self.out, self.t0 = out, t0
        self.events = 0

    def records(self, n: int, pieces_of) -> None:
        """Write n events in chunks; `pieces_of(lo, hi)` gives the pieces of events lo:hi (each ends in ",\n")."""
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            self.out.write(_format(hi - lo, pieces_of(lo, hi)))
            self.events += hi - lo

    def one(self, event: dict) -> None:
        self.out.write((json.dumps(event, separators=(",", ":")) + ",\n").encode("ascii"))
        self.events += 1

    def slices(self, pid: int, n: int, columns) -> None:
        """Complete ("X") events; `columns(lo, hi)` gives (tid, start ns, end ns, name _Text, extra pieces)."""
        def pieces(lo, hi):
            tid, start, end, name, extra = columns(lo, hi)
            return [b'{"ph":"X","pid":%d,"tid":' % pid, _Int(tid), b',"ts":', _Micros(start - self.t0),
                    b',"dur":', _Micros(end - start), b',"name":', name, *extra, b"},\n"]
        self.records(n, pieces)

    def counter(self, pid: int, name: str, times: np.ndarray, series: dict[str, np.ndarray]) -> None:
        """Counter ("C") events: one per time, with every series' value."""
        def pieces(lo, hi):
            out = [b'{"ph":"C","pid":%d,"name":%s,"ts":' % (pid, _js(name)), _Micros(times[lo:hi] - self.t0),
                   b',"args":{']
            for i, (key, vals) in enumerate(series.items()):
                out += [(b"," if i else b"") + _js(key) + b":", _Int(vals[lo:hi])]
            return out + [b"}},\n"]
        self.records(len(times), pieces)


def _goroutine_counts(model) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """How many goroutines are in each state after each time at which one changes.

    Rows are in time order, so per state: +1 at each span's begin row, -1 at its end
    row, a cumulative sum over rows, kept at the last row of each changing time."""
    lanes, trace = model.lanes, model.trace
    n = len(trace)
    ended = lanes.end_row >= 0
    changed = np.zeros(n, bool)
    changed[lanes.begin_row] = True
    changed[lanes.end_row[ended]] = True
    rows = np.flatnonzero(changed)
    times = trace.time[rows]
    keep = np.append(times[1:] != times[:-1], True) if len(rows) else np.zeros(0, bool)
    rows = rows[keep]
    series = {}
    for s in (RUNNING, RUNNABLE, WAITING, SYSCALL):
        mine = lanes.state == s
        delta = np.bincount(lanes.begin_row[mine], minlength=n)
        delta -= np.bincount(lanes.end_row[mine & ended], minlength=n)
        series[STATE_NAMES[s]] = np.cumsum(delta)[rows]
    return trace.time[rows], series


def write_chrome(model, out) -> int:
    """Write the Chrome trace-event JSON of `model` to the binary stream `out`; returns the event count."""
    trace, lanes, summary, gc = model.trace, model.lanes, model.summary, model.gc
    strings = trace.strings
    t0 = int(trace.time[0]) if len(trace) else 0
    last = int(trace.time[-1]) if len(trace) else 0
    w = _Writer(out, t0)
    other = {"generator": "tracetui", "trace_format": f"go 1.{trace.version}", "trace_start_ns": t0}
    out.write(b'{"displayTimeUnit":"ns","otherData":' + json.dumps(other).encode() + b',"traceEvents":[\n')

    # Goroutine tracks: names and order.
    goids = trace.goroutine_ids.astype(np.int64)
    G = summary.goroutines
    counts = np.diff(lanes.offsets)
    regions = summary.regions
    shown = regions["in_summary"] & (regions["goroutine"] >= 0)
    has_regions = np.zeros(len(goids), bool)
    has_regions[regions["goroutine"][shown]] = True
    for pid in (GOROUTINES_PID, GC_PID):
        w.one({"ph": "M", "pid": pid, "name": "process_sort_index", "args": {"sort_index": pid}})
    # Each goroutine's track, and its region track below it: "G123 main.worker" and "G123 main.worker regions".
    tracked = np.flatnonzero((counts > 0) | has_regions)
    named = np.where(G["live"], G["name"], 0)  # start function (string index) of each goroutine
    suffix = [_js(f" {t}" if t else "")[1:-1] for t in strings]
    for gis, tid_base, more in ((tracked, 0, b""), (np.flatnonzero(has_regions), REGION_TID, b" regions")):
        order = 2 * gis + (tid_base > 0)
        tid = tid_base + goids[gis]
        w.records(len(gis), lambda lo, hi: [
            b'{"ph":"M","pid":%d,"tid":' % GOROUTINES_PID, _Int(tid[lo:hi]), b',"name":"thread_name","args":{"name":"G',
            _Int(goids[gis[lo:hi]]), _Text(suffix, named[gis[lo:hi]]), more + b'"}},\n'])
        w.records(len(gis), lambda lo, hi: [
            b'{"ph":"M","pid":%d,"tid":' % GOROUTINES_PID, _Int(tid[lo:hi]),
            b',"name":"thread_sort_index","args":{"sort_index":', _Int(order[lo:hi]), b"}},\n"])

    # Goroutine states, named by state; a wait also by its reason.
    state_names = [_js(STATE_NAMES.get(s, "?")) for s in range(_REASON)]
    state_names += [_js(f"waiting: {r}" if r else "waiting") for r in strings]

    def states(lo, hi):
        begin, end_row, state = lanes.begin_row[lo:hi], lanes.end_row[lo:hi], lanes.state[lo:hi]
        g = np.searchsorted(lanes.offsets, np.arange(lo, hi), side="right") - 1
        end = np.where(end_row >= 0, trace.time[np.maximum(end_row, 0)], last)
        reason = np.where(trace.type[begin] == S.EvGoBlock, trace.aux[begin], 0)
        name = np.where(state == WAITING, reason.astype(np.int64) + _REASON, state)
        return goids[g], trace.time[begin], end, _Text(state_names, name), []
    w.slices(GOROUTINES_PID, len(lanes.state), states)

    # User regions, on each goroutine's region track, outer ones first.
    ri = np.flatnonzero(shown)
    ri = ri[np.lexsort((regions["start"][ri] - regions["end"][ri], regions["start"][ri]))]
    names = [_js(s) for s in strings]

    def region_slices(lo, hi):
        r = ri[lo:hi]
        return (REGION_TID + goids[regions["goroutine"][r]], regions["start"][r], regions["end"][r],
                _Text(names, regions["name"][r]), [b',"args":{"task":', _Int(regions["task"][r]), b"}"])
    w.slices(GOROUTINES_PID, len(ri), region_slices)

    # GC cycles and stop-the-world pauses.
    cyc, stw = gc.cycles, gc.stw
    w.one({"ph": "M", "pid": GC_PID, "tid": CYCLES_TID, "name": "thread_name", "args": {"name": "GC cycles"}})
    w.one({"ph": "M", "pid": GC_PID, "tid": STW_TID, "name": "thread_name", "args": {"name": "stop-the-world"}})
    w.slices(GC_PID, len(cyc["start"]), lambda lo, hi: (
        np.full(hi - lo, CYCLES_TID), cyc["start"][lo:hi], cyc["end"][lo:hi],
        _Text([_js(f"GC {s}") for s in cyc["seq"][lo:hi].tolist()], np.arange(hi - lo)), []))
    stw_names = [_js(f"STW: {s}" if s else "STW") for s in strings]
    w.slices(GC_PID, len(stw["start"]), lambda lo, hi: (
        np.full(hi - lo, STW_TID), stw["start"][lo:hi], stw["end"][lo:hi], _Text(stw_names, stw["kind"][lo:hi]), []))

    # Counters.
    times, series = _goroutine_counts(model)
    w.counter(GOROUTINES_PID, "Goroutines", times, series)
    for name, (t, v), unit in (("Heap in use", gc.heap_alloc, "bytes"), ("Heap goal", gc.heap_goal, "bytes"),
                               ("GOMAXPROCS", gc.gomaxprocs, "procs")):
        w.counter(GC_PID, name, t, {unit: v})

    # The last event carries no trailing comma.
    out.write(b'{"ph":"M","pid":1,"name":"process_name","args":{"name":"Goroutines"}},\n'
              b'{"ph":"M","pid":2,"name":"process_name","args":{"name":"GC"}}\n]}\n')
    return w.events + 2
