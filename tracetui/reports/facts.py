"""The facts of a trace that `diff`, `check --baseline` and the multi-trace reports
compare and pool: compact numpy columns (one entry per region, task, goroutine,
STW pause, runnable wait, ...), small enough to send from a worker process, never
raw events.

`facts_of(model, path)` extracts them from a model; `pool(facts)` concatenates the
facts of several traces into one (names re-indexed into one string table, a
`trace` column saying which file each entry came from).

Tables (dicts of equal-length arrays; names are indices into `Facts.strings`):

- regions: name, duration, running, runnable, blocked, syscall (the regions report's
  breakdown, ns), incomplete, goroutine (id), task (id), start (ns from the trace's
  first event); region_block: inst (row of regions), reason, ns;
- tasks: id, name, start, duration, complete, logs;
- goroutines: id, name (start function), exec, sched_wait, syscall, syscall_block,
  block, assist, total; goroutine_block: inst (row of goroutines), reason, ns;
- stw: kind, start, duration; assists: start, duration; cycles: start, duration;
- sched: runnable waits that ended running: goroutine (id), start, duration;
- cpu: per function: func, flat (samples with it as the leaf), cum (samples with it
  anywhere in the stack); `cpu_samples` is the number of samples;
- mmu: {window_ns: minimum mutator utilization}; heap_max, heap_end (bytes);
  duration_ns, gomaxprocs, stats (tracetui.format.stats.trace_stats).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tracetui.reports.gc import MMU_WINDOWS_NS

TABLES = ("regions", "region_block", "tasks", "task_block", "goroutines", "goroutine_block", "stw", "assists",
          "cycles", "sched", "cpu")
_NAMED = {"regions": ("name",), "region_block": ("reason",), "tasks": ("name",), "task_block": ("key",),
          "goroutines": ("name",), "goroutine_block": ("reason",), "stw": ("kind",), "cpu": ("func",)}
# columns `inst` point into these
_INST = {"region_block": "regions", "task_block": "tasks", "goroutine_block": "goroutines"}


@dataclass(eq=False)
class Facts:
    paths: list[str]
    strings: list[str]
    tables: dict[str, dict[str, np.ndarray]]
    duration_ns: list[int]          # per trace
    gomaxprocs: list[int]
    cpu_samples: list[int]
    mmu: list[dict[int, float]]
    heap_max: list[int | None]
    heap_end: list[int | None]
    stats: list[dict]
    _names: dict = field(default_factory=dict, repr=False)

    def __getitem__(self, table: str) -> dict[str, np.ndarray]:
        return self.tables[table]

    def names(self, table: str, column: str = "name") -> np.ndarray:
        """The strings of a name column, as an object array."""
        key = (table, column)
        if key not in self._names:
            s = np.array(self.strings + [""], dtype=object)
            self._names[key] = s[self.tables[table][column]]
        return self._names[key]

    def split(self) -> list[Facts]:
        """One Facts per trace of a pooled one."""
        out = []
        for i in range(len(self.paths)):
            tables = {}
            for t, cols in self.tables.items():
                sel = cols["trace"] == i
                tables[t] = {k: v[sel] for k, v in cols.items()}
                tables[t]["trace"] = np.zeros(int(sel.sum()), np.int64)
            for t, parent in _INST.items():
                base = np.flatnonzero(self.tables[parent]["trace"] == i)
                tables[t]["inst"] = np.searchsorted(base, tables[t]["inst"])
            out.append(Facts([self.paths[i]], self.strings, tables, [self.duration_ns[i]], [self.gomaxprocs[i]],
                             [self.cpu_samples[i]], [self.mmu[i]], [self.heap_max[i]], [self.heap_end[i]],
                             [self.stats[i]]))
        return out


def _i64(a) -> np.ndarray:
    return np.asarray(a, np.int64)


def facts_of(model, path: str = "", mmu_windows=MMU_WINDOWS_NS, with_stats: bool = False) -> Facts:
    """The facts of one trace's model (mmu for each of `mmu_windows`, ns; `stats` only
    with_stats: counting every event's kind costs a pass over the trace)."""
    from tracetui.format.stats import trace_stats
    from tracetui.reports.gc import mmu_rows
    from tracetui.reports.goroutines import _columns
    from tracetui.reports.regions import region_instances
    from tracetui.reports.tasks import _intervals, task_block_by_reason

    tr = model.trace
    t0 = int(tr.time[0]) if len(tr) else 0
    used: dict[int, int] = {}   # trace string index -> local index

    def local(idx) -> np.ndarray:
        idx = _i64(idx)
        uniq, inv = np.unique(idx, return_inverse=True)
        out = np.array([used.setdefault(int(u), len(used)) for u in uniq.tolist()], np.int64)
        return out[np.asarray(inv).reshape(-1)] if len(idx) else np.zeros(0, np.int64)

    inst = region_instances(model)
    regions = {k: _i64(inst[k]) for k in ("duration", "running", "runnable", "blocked", "syscall", "goroutine", "task")}
    regions |= {"name": local(inst["name"]), "incomplete": np.asarray(inst["incomplete"], bool),
                "start": _i64(inst["start"]) - t0}
    rb = np.asarray(model.summary.region_block, np.int64).reshape(-1, 3)
    pos = np.searchsorted(inst["region"], rb[:, 0])
    ok = (pos < len(inst["region"])) & (inst["region"][np.minimum(pos, max(len(inst["region"]) - 1, 0))] == rb[:, 0]) \
        if len(inst["region"]) else np.zeros(len(rb), bool)
    region_block = {"inst": pos[ok], "reason": local(rb[ok, 1]), "ns": rb[ok, 2]}

    T = model.summary.tasks
    iv = _intervals(model)
    tasks = {"id": _i64(T["id"]), "name": local(T["name"]), "start": _i64(iv["start"]) - t0,
             "duration": _i64(iv["end"] - iv["start"]), "complete": np.asarray(iv["complete"], bool),
             "logs": _i64(T["logs"])}
    # the tasks report's block time by reason (its `block_<reason>_ns` names as strings);
    # every key the report has keeps an entry, so a key that is 0 everywhere is still a column
    tb = {"inst": [], "key": [], "ns": []}
    for key, ns in task_block_by_reason(model).items():
        rows = np.flatnonzero(ns)
        rows = rows if len(rows) or not len(ns) else np.zeros(1, np.int64)
        tb["inst"].append(rows)
        tb["key"].append(np.full(len(rows), used.setdefault(("key", key), len(used)), np.int64))
        tb["ns"].append(_i64(ns)[rows])
    task_block = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in tb.items()}

    live, times, _ = _columns(model)
    G = model.summary.goroutines
    goroutines = {"id": _i64(tr.goroutine_ids[live]), "name": local(G["name"][live])}
    goroutines |= {k: _i64(v) for k, v in times.items()}
    gb = np.asarray(model.summary.goroutine_block, np.int64).reshape(-1, 3)
    gpos = np.searchsorted(live, gb[:, 0])
    gok = (gpos < len(live)) & (live[np.minimum(gpos, max(len(live) - 1, 0))] == gb[:, 0]) if len(live) \
        else np.zeros(len(gb), bool)
    goroutine_block = {"inst": gpos[gok], "reason": local(gb[gok, 1]), "ns": gb[gok, 2]}

    gc = model.gc
    stw = {"kind": local(gc.stw["kind"]), "start": _i64(gc.stw["start"]) - t0,
           "duration": _i64(gc.stw["end"] - gc.stw["start"])}
    assists = {"start": _i64(gc.assists["start"]) - t0, "duration": _i64(gc.assists["end"] - gc.assists["start"])}
    cycles = {"start": _i64(gc.cycles["start"]) - t0, "duration": _i64(gc.cycles["end"] - gc.cycles["start"])}

    sched = runnable_waits(model)
    sched["start"] = sched["start"] - t0
    cpu, nsamples = cpu_by_function(model)
    cpu["func"] = local(cpu["func"])

    heap = _i64(gc.heap_alloc[1])
    procs = _i64(gc.gomaxprocs[1])
    windows = sorted({int(w) for w in mmu_windows})
    mmu = {r["window_ns"]: r["mmu"] for r in mmu_rows(model, windows)} if len(tr) else {}
    strings = [""] * len(used)
    for s, i in used.items():
        strings[i] = s[1] if isinstance(s, tuple) else tr.strings[s]
    tables = dict(regions=regions, region_block=region_block, tasks=tasks, task_block=task_block, goroutines=goroutines,
                  goroutine_block=goroutine_block, stw=stw, assists=assists, cycles=cycles, sched=sched, cpu=cpu)
    for cols in tables.values():
        cols["trace"] = np.zeros(len(next(iter(cols.values()))), np.int64)
    stats = trace_stats(tr) if with_stats else {}
    return Facts([path], strings, tables, [(int(tr.time[-1]) - t0) if len(tr) else 0], [int(procs.max()) if len(procs) else 1],
                 [nsamples], [mmu], [int(heap.max()) if len(heap) else None], [int(heap[-1]) if len(heap) else None],
                 [stats])


def runnable_waits(model) -> dict[str, np.ndarray]:
    """Every runnable span of a program goroutine's lane (start function outside the
    runtime: GC workers wait and run in bursts that would drown the program's waits) that
    ended with the goroutine running: goroutine (id), start (ns), duration (ns). The
    scheduler latency distribution."""
    from tracetui.model.lanes import RUNNABLE, RUNNING

    lanes, tr = model.lanes, model.trace
    state = lanes.state
    spans = np.flatnonzero(state == RUNNABLE)
    if len(spans) == 0:
        return {"goroutine": np.zeros(0, np.int64), "start": np.zeros(0, np.int64), "duration": np.zeros(0, np.int64)}
    last = (lanes.end_flags[spans] & 1) != 0
    nxt = np.minimum(spans + 1, len(state) - 1)
    spans = spans[~last & (state[nxt] == RUNNING)]
    names = model.summary.goroutines["name"]
    is_runtime = np.array([s.startswith("runtime.") for s in tr.strings] + [False], bool)   # [-1]: no name
    g = lanes.goroutine_of(spans)
    name = np.full(len(g), -1, np.int64)
    known = g < len(names)
    name[known] = names[g[known]]
    spans = spans[~is_runtime[name]]
    end = lanes.end_rows(spans)
    spans, end = spans[end >= 0], end[end >= 0]
    start = _i64(tr.time[lanes.begin_row[spans]])
    g = lanes.goroutine_of(spans)
    return {"goroutine": _i64(tr.goroutine_ids[g]), "start": start, "duration": _i64(tr.time[end]) - start}


def cpu_by_function(model) -> tuple[dict[str, np.ndarray], int]:
    """CPU samples per function (string index of its name): flat (the function is the
    sample's leaf frame) and cum (it is anywhere in the sample's stack; once per sample)."""
    tr = model.trace
    stacks = _i64(model.cpu_samples["stack"])
    empty = {"func": np.zeros(0, np.int64), "flat": np.zeros(0, np.int64), "cum": np.zeros(0, np.int64)}
    if len(stacks) == 0:
        return empty, 0
    uniq, counts = np.unique(stacks, return_counts=True)
    off, frames, func = tr.stack_offsets, tr.stack_frames, tr.frame_func
    flat: dict[int, int] = {}
    cum: dict[int, int] = {}
    for s, c in zip(uniq.tolist(), counts.tolist()):   # distinct stacks: a few thousand at most
        fs = func[frames[off[s]:off[s + 1]]].tolist()
        if not fs:
            continue
        flat[fs[0]] = flat.get(fs[0], 0) + c
        for f in set(fs):
            cum[f] = cum.get(f, 0) + c
    keys = sorted(cum)
    return {"func": _i64(keys), "flat": _i64([flat.get(k, 0) for k in keys]),
            "cum": _i64([cum[k] for k in keys])}, len(stacks)


def pool(facts: list[Facts]) -> Facts:
    """One Facts of several traces' entries: names in one string table, `trace` the
    position of the entry's file among `facts`."""
    strings: dict[str, int] = {}
    tables: dict[str, dict[str, list]] = {t: {} for t in TABLES}
    offsets = dict.fromkeys(TABLES, 0)
    ntraces = 0
    for f in facts:
        remap = np.array([strings.setdefault(s, len(strings)) for s in f.strings] + [-1], np.int64)
        for t in TABLES:
            cols = f.tables[t]
            for k, v in cols.items():
                if k == "trace":
                    v = v + ntraces
                elif k in _NAMED.get(t, ()):
                    v = remap[v]
                elif k == "inst":
                    v = v + offsets[_INST[t]]
                tables[t].setdefault(k, []).append(v)
        for t in TABLES:
            offsets[t] += len(f.tables[t]["trace"])
        ntraces += len(f.paths)
    joined = {t: {k: np.concatenate(v) for k, v in cols.items()} for t, cols in tables.items()}
    flat = lambda attr: [x for f in facts for x in getattr(f, attr)]  # noqa: E731
    return Facts(flat("paths"), list(strings), joined, flat("duration_ns"), flat("gomaxprocs"), flat("cpu_samples"),
                 flat("mmu"), flat("heap_max"), flat("heap_end"), flat("stats"))
