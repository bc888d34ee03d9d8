"""Chrome trace-event JSON (the Trace Event Format that Perfetto's UI and
chrome://tracing open), streamed from the model's numpy columns.

`write_chrome(model, out)` writes `{"traceEvents": [...], "displayTimeUnit": "ns", ...}`
to a binary stream, in chunks of events formatted with numpy string operations
(no Python object per event kept around). What it holds:

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

GOROUTINES_PID, GC_PID = 1, 2
REGION_TID = 1_000_000_000   # region track of goroutine N: tid REGION_TID + N
CYCLES_TID, STW_TID = 1, 2
CHUNK = 1 << 18
_REASON = 16  # slice-name keys: states are below, waits are _REASON + reason string index


def _us(ns: np.ndarray) -> np.ndarray:
    """Nanoseconds as microsecond strings with three decimals ("1234.005")."""
    ns = np.asarray(ns, np.int64)
    whole = (ns // 1000).astype(str)
    frac = np.strings.zfill((ns % 1000).astype(str), 3)
    return np.strings.add(np.strings.add(whole, "."), frac)


def _concat(parts) -> np.ndarray:
    """Element-wise concatenation of string arrays and constants (the first part must be an array)."""
    out = parts[0]
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out


def _js(s: str) -> str:
    return json.dumps(s)


class _Writer:
    def __init__(self, out):
        self.out = out
        self.events = 0

    def lines(self, n: int, build) -> None:
        """Write n events, `build(lo, hi)` returning the string array of events lo:hi (each ending ",\\n")."""
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            self.out.write("".join(build(lo, hi).tolist()).encode("ascii"))
            self.events += hi - lo

    def one(self, event: dict) -> None:
        self.out.write((json.dumps(event, separators=(",", ":")) + ",\n").encode("ascii"))
        self.events += 1

    def slices(self, pid: int, tid: np.ndarray, start: np.ndarray, end: np.ndarray, names: np.ndarray,
               t0: int, args: np.ndarray | None = None) -> None:
        """Complete ("X") events; `names` are JSON strings; `args` optional JSON objects."""
        tid_s = np.asarray(tid).astype(str)

        def build(lo, hi):
            parts = [np.full(hi - lo, f'{{"ph":"X","pid":{pid},"tid":'), tid_s[lo:hi], ',"ts":',
                     _us(start[lo:hi] - t0), ',"dur":', _us(end[lo:hi] - start[lo:hi]), ',"name":', names[lo:hi]]
            if args is not None:
                parts += [',"args":', args[lo:hi]]
            return _concat(parts + ["},\n"])
        self.lines(len(start), build)

    def counter(self, pid: int, name: str, times: np.ndarray, series: dict[str, np.ndarray], t0: int) -> None:
        """Counter ("C") events: one per time, with every series' value."""
        head = f'{{"ph":"C","pid":{pid},"name":{_js(name)},"ts":'

        def build(lo, hi):
            parts = [np.full(hi - lo, head), _us(times[lo:hi] - t0), ',"args":{']
            for i, (key, vals) in enumerate(series.items()):
                parts += [("," if i else "") + f"{_js(key)}:", np.asarray(vals[lo:hi]).astype(str)]
            return _concat(parts + ["}},\n"])
        self.lines(len(times), build)


def _goroutine_counts(model) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """How many goroutines are in each state after each time at which one changes."""
    lanes, trace = model.lanes, model.trace
    begin_t = trace.time[lanes.begin_row]
    ended = lanes.end_row >= 0
    times = np.concatenate([begin_t, trace.time[lanes.end_row[ended]]])
    states = np.concatenate([lanes.state, lanes.state[ended]])
    delta = np.concatenate([np.ones(len(begin_t), np.int64), -np.ones(int(ended.sum()), np.int64)])
    order = np.argsort(times, kind="stable")
    times, states, delta = times[order], states[order], delta[order]
    last_of_time = np.append(times[1:] != times[:-1], True) if len(times) else np.zeros(0, bool)
    series = {}
    for s in (RUNNING, RUNNABLE, WAITING, SYSCALL):
        series[STATE_NAMES[s]] = np.cumsum(np.where(states == s, delta, 0))[last_of_time]
    return times[last_of_time], series


def write_chrome(model, out) -> int:
    """Write the Chrome trace-event JSON of `model` to the binary stream `out`; returns the event count."""
    trace, lanes, summary, gc = model.trace, model.lanes, model.summary, model.gc
    strings = trace.strings
    t0 = int(trace.time[0]) if len(trace) else 0
    last = int(trace.time[-1]) if len(trace) else 0
    w = _Writer(out)
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
    for name, pid in (("Goroutines", GOROUTINES_PID), ("GC", GC_PID)):
        w.one({"ph": "M", "pid": pid, "name": "process_sort_index", "args": {"sort_index": pid}})
    for gi in np.flatnonzero((counts > 0) | has_regions).tolist():
        goid = int(goids[gi])
        label = f"G{goid}"
        if gi < len(G["name"]) and G["live"][gi] and strings[G["name"][gi]]:
            label += " " + strings[G["name"][gi]]
        tracks = [(goid, label, 2 * gi)]
        if has_regions[gi]:
            tracks.append((REGION_TID + goid, f"{label} regions", 2 * gi + 1))
        for tid, name, order in tracks:
            w.one({"ph": "M", "pid": GOROUTINES_PID, "tid": tid, "name": "thread_name", "args": {"name": name}})
            w.one({"ph": "M", "pid": GOROUTINES_PID, "tid": tid, "name": "thread_sort_index",
                   "args": {"sort_index": order}})

    # Goroutine states.
    g_of_span = np.repeat(np.arange(len(counts)), counts)
    begin, end_row, state = lanes.begin_row, lanes.end_row, lanes.state
    start = trace.time[begin]
    end = np.where(end_row >= 0, trace.time[np.maximum(end_row, 0)], last)
    # Name: the state; a wait also its reason (a string index, offset past the state numbers).
    reason = np.where(trace.type[begin] == S.EvGoBlock, trace.aux[begin], 0).astype(np.int64)
    key = np.where(state == WAITING, reason + _REASON, state)
    uniq, inv = np.unique(key, return_inverse=True)
    labels = [STATE_NAMES[k] if k < _REASON else "waiting" + (f": {strings[k - _REASON]}" if k > _REASON else "")
              for k in uniq.tolist()]
    w.slices(GOROUTINES_PID, goids[g_of_span], start, end, np.array([_js(s) for s in labels])[inv], t0)

    # User regions, on each goroutine's region track.
    ri = np.flatnonzero(shown)
    rnames = np.array([_js(strings[i]) for i in range(len(strings))])[regions["name"][ri]] if len(ri) else \
        np.zeros(0, str)
    rargs = _concat([np.full(len(ri), '{"task":'), regions["task"][ri].astype(str), "}"]) if len(ri) else None
    order = np.lexsort((-(regions["end"][ri] - regions["start"][ri]), regions["start"][ri]))  # outer first
    ri, rnames = ri[order], rnames[order]
    w.slices(GOROUTINES_PID, REGION_TID + goids[regions["goroutine"][ri]], regions["start"][ri], regions["end"][ri],
             rnames, t0, None if rargs is None else rargs[order])

    # GC cycles and stop-the-world pauses.
    cyc = gc.cycles
    w.one({"ph": "M", "pid": GC_PID, "tid": CYCLES_TID, "name": "thread_name", "args": {"name": "GC cycles"}})
    w.one({"ph": "M", "pid": GC_PID, "tid": STW_TID, "name": "thread_name", "args": {"name": "stop-the-world"}})
    w.slices(GC_PID, np.full(len(cyc["start"]), CYCLES_TID), cyc["start"], cyc["end"],
             _concat([np.full(len(cyc["start"]), '"GC '), cyc["seq"].astype(str), '"']), t0)
    stw = gc.stw
    kinds = np.array([_js("STW: " + s if s else "STW") for s in strings])
    w.slices(GC_PID, np.full(len(stw["start"]), STW_TID), stw["start"], stw["end"], kinds[stw["kind"]], t0)

    # Counters.
    times, series = _goroutine_counts(model)
    w.counter(GOROUTINES_PID, "Goroutines", times, series, t0)
    for name, (t, v), unit in (("Heap in use", gc.heap_alloc, "bytes"), ("Heap goal", gc.heap_goal, "bytes"),
                               ("GOMAXPROCS", gc.gomaxprocs, "procs")):
        w.counter(GC_PID, name, t, {unit: v}, t0)

    # The last event carries no trailing comma.
    out.write(b'{"ph":"M","pid":1,"name":"process_name","args":{"name":"Goroutines"}},\n'
              b'{"ph":"M","pid":2,"name":"process_name","args":{"name":"GC"}}\n]}\n')
    return w.events + 2
