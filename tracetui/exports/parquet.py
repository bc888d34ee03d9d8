"""The model as Parquet tables (pyarrow), for DuckDB in-process and Spark, Trino or
BigQuery at fleet scale: `write_parquet(model, trace_name, out_dir)` writes
`OUT/<table>/<trace_name>.parquet` for each table of TABLES, so a directory of
exports of many traces is one dataset per table (`read_parquet('OUT/regions/*.parquet')`).

Every row carries `trace` (the trace file's name, dictionary-encoded). Times are ns
from the trace's first event (`start_ns`, `end_ns`, `time_ns`) as in the reports'
JSON; goroutine, proc and thread columns are Go's ids (NULL: none); strings are
dictionary-encoded columns built from the trace's string table, every column from
numpy arrays (no Python object per row). The goroutine state spans are written in
row groups of SPAN_CHUNK spans, so memory stays near the model's own. Schemas: the
README ("Parquet export") and SCHEMAS below.
"""
from __future__ import annotations

import os

import numpy as np

from tracetui.format import spec as S

SPAN_CHUNK = 1 << 20
_STATE_NAMES = ["", "", "runnable", "running", "waiting", "syscall"]   # by GoState number
_METRICS = ("/memory/classes/heap/objects:bytes", "/gc/heap/goal:bytes", "/sched/gomaxprocs:threads")

# table -> (column, type) with types: i64, i32, bool, str (dictionary), f64
SCHEMAS = {
    "goroutines": [("goroutine", "i64"), ("name", "str"), ("creation_ns", "i64"), ("start_ns", "i64"),
                   ("end_ns", "i64"), ("exec_ns", "i64"), ("sched_wait_ns", "i64"), ("syscall_ns", "i64"),
                   ("syscall_block_ns", "i64"), ("block_ns", "i64"), ("assist_ns", "i64"), ("total_ns", "i64")],
    "goroutine_block": [("goroutine", "i64"), ("reason", "str"), ("block_ns", "i64")],
    "states": [("goroutine", "i64"), ("state", "str"), ("start_ns", "i64"), ("end_ns", "i64"),
               ("duration_ns", "i64"), ("reason", "str"), ("stack", "i64"), ("end_stack", "i64"),
               ("unblocker", "i64")],
    "regions": [("name", "str"), ("goroutine", "i64"), ("task", "i64"), ("start_ns", "i64"), ("end_ns", "i64"),
                ("duration_ns", "i64"), ("running_ns", "i64"), ("runnable_ns", "i64"), ("blocked_ns", "i64"),
                ("syscall_ns", "i64"), ("incomplete", "bool"), ("stack", "i64")],
    "tasks": [("task", "i64"), ("name", "str"), ("parent", "i64"), ("start_ns", "i64"), ("end_ns", "i64"),
              ("duration_ns", "i64"), ("complete", "bool"), ("logs", "i64")],
    "logs": [("time_ns", "i64"), ("goroutine", "i64"), ("task", "i64"), ("category", "str"), ("message", "str"),
             ("stack", "i64")],
    "gc_cycles": [("seq", "i64"), ("start_ns", "i64"), ("end_ns", "i64"), ("duration_ns", "i64")],
    "gc_pauses": [("kind", "str"), ("goroutine", "i64"), ("start_ns", "i64"), ("end_ns", "i64"),
                  ("duration_ns", "i64")],
    "metrics": [("metric", "str"), ("time_ns", "i64"), ("value", "i64")],
    "cpu_samples": [("time_ns", "i64"), ("goroutine", "i64"), ("proc", "i64"), ("thread", "i64"), ("stack", "i64")],
    "stacks": [("stack", "i64"), ("depth", "i32"), ("frame", "i64")],
    "frames": [("frame", "i64"), ("func", "str"), ("file", "str"), ("line", "i64"), ("pc", "i64")],
}
TABLES = tuple(SCHEMAS)


def _pa():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("Parquet needs pyarrow: pip install 'tracetui[parquet]'") from None
    return pa, pq


def _schema(pa, table):
    kinds = {"i64": pa.int64(), "i32": pa.int32(), "bool": pa.bool_(), "f64": pa.float64(),
             "str": pa.dictionary(pa.int32(), pa.string())}
    return pa.schema([("trace", pa.dictionary(pa.int32(), pa.string()))] +
                     [(c, kinds[k]) for c, k in SCHEMAS[table]])


def _ids(ids: np.ndarray, dense) -> tuple[np.ndarray, np.ndarray]:
    """Go ids of dense indices, and the mask of the missing ones (-1)."""
    dense = np.asarray(dense, np.int64)
    missing = (dense < 0) | (dense >= len(ids))
    return np.where(missing, 0, ids[np.clip(dense, 0, max(len(ids) - 1, 0))] if len(ids) else 0).astype(np.int64), \
        missing


class _Writer:
    def __init__(self, pa, pq, out_dir, trace_name, strings):
        self.pa, self.pq, self.out_dir, self.name = pa, pq, out_dir, trace_name
        clean = [s.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for s in strings]
        self.none = len(clean)                 # index of "" for missing strings
        extra = [*_STATE_NAMES, *_METRICS]     # names the export adds to the trace's strings
        self.extra = {name: self.none + 1 + i for i, name in enumerate(extra)}
        self.states = np.array([self.extra[n] for n in _STATE_NAMES], np.int64)
        self.strings = pa.array(clean + [""] + extra, pa.string())
        self.trace_dict = pa.array([trace_name], pa.string())
        self.rows = {}

    def write(self, table, columns: dict, masks: dict | None = None, writer=None):
        """One row group: columns by name (numpy; str columns as string indices, -1: NULL)."""
        pa = self.pa
        n = len(next(iter(columns.values()))) if columns else 0
        arrays = [pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), self.trace_dict)]
        for col, kind in SCHEMAS[table]:
            v = columns[col]
            mask = (masks or {}).get(col)
            if kind == "str":
                idx = np.asarray(v, np.int64)
                nulls = idx < 0
                arr = pa.DictionaryArray.from_arrays(
                    pa.array(np.where(nulls, self.none, idx).astype(np.int32), mask=nulls if nulls.any() else None),
                    self.strings)
            else:
                dtype = {"i64": np.int64, "i32": np.int32, "bool": np.bool_, "f64": np.float64}[kind]
                arr = pa.array(np.asarray(v).astype(dtype, copy=False),
                               mask=mask if mask is not None and mask.any() else None)
            arrays.append(arr)
        batch = pa.RecordBatch.from_arrays(arrays, schema=_schema(pa, table))
        own = writer is None
        if own:
            writer = self.open(table)
        writer.write_batch(batch)
        self.rows[table] = self.rows.get(table, 0) + n
        if own:
            writer.close()

    def open(self, table):
        folder = os.path.join(self.out_dir, table)
        os.makedirs(folder, exist_ok=True)
        return self.pq.ParquetWriter(os.path.join(folder, f"{self.name}.parquet"), _schema(self.pa, table),
                                     compression="zstd")


def write_parquet(model, trace_name: str, out_dir: str) -> dict[str, int]:
    """Write every table of one trace; returns rows per table."""
    from tracetui.reports.goroutines import _columns
    from tracetui.reports.regions import region_instances
    from tracetui.reports.tasks import _intervals

    pa, pq = _pa()
    tr = model.trace
    t0 = int(tr.time[0]) if len(tr) else 0
    last = int(tr.time[-1]) if len(tr) else 0
    w = _Writer(pa, pq, out_dir, trace_name, tr.strings)
    gids = tr.goroutine_ids.astype(np.int64)

    live, times, _ = _columns(model)
    G = model.summary.goroutines
    rel = {k: np.asarray(G[k])[live] for k in ("creation", "start", "end")}
    w.write("goroutines", {"goroutine": gids[live], "name": G["name"][live],
                           **{f"{k}_ns": np.where(v >= 0, v - t0, 0) for k, v in rel.items()},
                           **{f"{k}_ns": v for k, v in times.items()}},
            {f"{k}_ns": v < 0 for k, v in rel.items()})
    gb = np.asarray(model.summary.goroutine_block, np.int64).reshape(-1, 3)
    gb = gb[np.isin(gb[:, 0], live)]
    w.write("goroutine_block", {"goroutine": gids[gb[:, 0]], "reason": gb[:, 1], "block_ns": gb[:, 2]})

    _states(w, model, t0, last, gids)

    inst = region_instances(model)
    w.write("regions", {"name": inst["name"], "goroutine": inst["goroutine"], "task": inst["task"],
                        "start_ns": inst["start"] - t0, "end_ns": inst["end"] - t0, "duration_ns": inst["duration"],
                        **{f"{b}_ns": inst[b] for b in ("running", "runnable", "blocked", "syscall")},
                        "incomplete": inst["incomplete"], "stack": inst["stack"]})

    T = model.summary.tasks
    iv = _intervals(model)
    tid = np.asarray(T["id"]).astype(np.int64)
    parent = np.asarray(T["parent"])
    w.write("tasks", {"task": tid, "name": T["name"], "parent": np.where(parent >= 0, tid[np.maximum(parent, 0)], 0),
                      "start_ns": iv["start"] - t0, "end_ns": iv["end"] - t0, "duration_ns": iv["end"] - iv["start"],
                      "complete": iv["complete"], "logs": T["logs"]})

    L = model.logs
    g, gmiss = _ids(gids, L["goroutine"])
    w.write("logs", {"time_ns": L["time"] - t0, "goroutine": g, "task": L["task"].astype(np.int64),
                     "category": L["category"], "message": L["message"], "stack": L["stack"]}, {"goroutine": gmiss})

    gc = model.gc
    c = gc.cycles
    w.write("gc_cycles", {"seq": c["seq"], "start_ns": c["start"] - t0, "end_ns": c["end"] - t0,
                          "duration_ns": c["end"] - c["start"]})
    g, gmiss = _ids(gids, gc.stw["goroutine"])
    w.write("gc_pauses", {"kind": gc.stw["kind"], "goroutine": g, "start_ns": gc.stw["start"] - t0,
                          "end_ns": gc.stw["end"] - t0, "duration_ns": gc.stw["end"] - gc.stw["start"]},
            {"goroutine": gmiss})

    metrics = zip(_METRICS, (gc.heap_alloc, gc.heap_goal, gc.gomaxprocs))
    mt = [(np.full(len(t), w.extra[m], np.int64), t, v) for m, (t, v) in metrics]
    w.write("metrics", {"metric": np.concatenate([a for a, _, _ in mt]),
                        "time_ns": np.concatenate([np.asarray(t, np.int64) for _, t, _ in mt]) - t0,
                        "value": np.concatenate([np.asarray(v, np.int64) for _, _, v in mt])})

    C = model.cpu_samples
    g, gm = _ids(gids, C["goroutine"])
    p, pm = _ids(tr.proc_ids.astype(np.int64), C["proc"])
    m, mm = _ids(tr.thread_ids.astype(np.int64), C["thread"])
    w.write("cpu_samples", {"time_ns": C["time"] - t0, "goroutine": g, "proc": p, "thread": m, "stack": C["stack"]},
            {"goroutine": gm, "proc": pm, "thread": mm})

    off = tr.stack_offsets.astype(np.int64)
    n = np.diff(off)
    stack = np.repeat(np.arange(len(n), dtype=np.int64), n)
    depth = np.arange(len(stack), dtype=np.int64) - np.repeat(off[:-1], n)
    w.write("stacks", {"stack": stack, "depth": depth, "frame": tr.stack_frames})
    nf = len(tr.frame_func)
    w.write("frames", {"frame": np.arange(nf), "func": tr.frame_func, "file": tr.frame_file,
                       "line": tr.frame_line, "pc": tr.frame_pc.astype(np.int64)})
    return w.rows


def _states(w, model, t0, last, gids):
    """The goroutine state spans, SPAN_CHUNK at a time."""
    lanes, tr = model.lanes, model.trace
    total = len(lanes.begin_row)
    writer = w.open("states")
    try:
        for lo in range(0, max(total, 1), SPAN_CHUNK):
            hi = min(lo + SPAN_CHUNK, total)
            b = lanes.begin_row[lo:hi]
            e = lanes.end_rows(slice(lo, hi))
            ee = np.maximum(e, 0)
            start = tr.time[b].astype(np.int64)
            end = np.where(e >= 0, tr.time[ee], last).astype(np.int64)
            reason = np.where(tr.type[b] == S.EvGoBlock, tr.aux[b], -1)
            unblock = (e >= 0) & (tr.type[ee] == S.EvGoUnblock)
            ub, umiss = _ids(gids, np.where(unblock, tr.g[ee], -1))
            w.write("states", {"goroutine": gids[lanes.goroutine_of(np.arange(lo, hi))],
                               "state": w.states[lanes.state[lo:hi]],
                               "start_ns": start - t0, "end_ns": end - t0, "duration_ns": end - start,
                               "reason": reason, "stack": tr.stack[b], "end_stack": np.where(e >= 0, tr.stack[ee], 0),
                               "unblocker": ub}, {"unblocker": umiss}, writer)
    finally:
        writer.close()
