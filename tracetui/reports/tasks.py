"""The tasks report: user tasks (trace.NewTask) by type, one by one with their logs,
and as a tree.

Tasks are Go's summarizer's (`model.summary.tasks`): every task id the trace
mentions, including the background task 0 and tasks whose begin or end is outside
the trace. As `go tool trace` (/usertasks): a type's count includes every task, its
duration statistics only complete tasks (both begin and end in the trace). A single
task's interval is Go's: a missing begin is the trace's first event, a missing end its last.
"""
from __future__ import annotations

import numpy as np

from tracetui.reports.durations import STATS, group_stats


def _intervals(model) -> dict[str, np.ndarray]:
    tr, T = model.trace, model.summary.tasks
    first = int(tr.time[0]) if len(tr) else 0
    last = int(tr.time[-1]) if len(tr) else 0
    sr, er = np.asarray(T["start_row"]), np.asarray(T["end_row"])
    start = np.where(sr >= 0, tr.time[np.maximum(sr, 0)], first)
    end = np.where(er >= 0, tr.time[np.maximum(er, 0)], last)
    return dict(start=start, end=end, complete=(sr >= 0) & (er >= 0))


def task_groups(model) -> list[dict]:
    """One row per task type (name): count, complete, STATS of complete tasks as
    `<stat>_ns`, logs; sorted by name as Go does."""
    tr, T = model.trace, model.summary.tasks
    iv = _intervals(model)
    uniq, group = np.unique(np.asarray(T["name"]), return_inverse=True)
    group = np.asarray(group).reshape(-1)
    n = len(uniq)
    count = np.bincount(group, minlength=n)
    done = iv["complete"]
    st = group_stats(group[done], (iv["end"] - iv["start"])[done], n)
    logs = np.bincount(group, weights=np.asarray(T["logs"]), minlength=n)
    rows = []
    for i in range(n):
        row = {"name": tr.strings[int(uniq[i])], "count": int(count[i]), "complete": int(st["count"][i])}
        row |= {f"{s}_ns": int(st[s][i]) for s in STATS[1:]}
        row["logs"] = int(logs[i])
        rows.append(row)
    return sorted(rows, key=lambda r: r["name"])


def task_logs(model, ti: int) -> list[dict]:
    """The logs of task index `ti`: time_ns (from the trace's first event), goroutine, category, message."""
    tr, T = model.trace, model.summary.tasks
    rows = np.asarray(T["log_rows"][T["log_offsets"][ti]:T["log_offsets"][ti + 1]])
    t0 = int(tr.time[0]) if len(tr) else 0
    messages = tr.arg2_of(rows).tolist() if len(rows) else []
    return [{"time_ns": int(tr.time[r]) - t0, "goroutine": int(tr.goroutine_ids[tr.g[r]]) if tr.g[r] >= 0 else -1,
             "category": tr.strings[int(tr.aux[r])], "message": tr.strings[m]}
            for r, m in zip(rows.tolist(), messages)]


def task_rows(model, with_logs: bool = True) -> list[dict]:
    """One row per task, in trace order of their begin: id, name, parent (id, 0 = none),
    start_ns (from the trace's first event), duration_ns, complete, goroutines,
    regions, logs (count) and, with_logs, log_list (task_logs)."""
    tr, T = model.trace, model.summary.tasks
    iv = _intervals(model)
    t0 = int(tr.time[0]) if len(tr) else 0
    ids = np.asarray(T["id"]).astype(np.int64)
    parent = np.asarray(T["parent"])
    rows = []
    for ti in np.argsort(iv["start"], kind="stable").tolist():
        row = {"id": int(ids[ti]), "name": tr.strings[int(T["name"][ti])],
               "parent": int(ids[parent[ti]]) if parent[ti] >= 0 else 0,
               "start_ns": int(iv["start"][ti]) - t0, "duration_ns": int(iv["end"][ti] - iv["start"][ti]),
               "complete": bool(iv["complete"][ti]),
               "goroutines": int(T["goroutine_offsets"][ti + 1] - T["goroutine_offsets"][ti]),
               "regions": int(T["region_offsets"][ti + 1] - T["region_offsets"][ti]),
               "logs": int(T["logs"][ti])}
        if with_logs:
            row["log_list"] = task_logs(model, ti)
        rows.append(row)
    return rows


def task_tree(model) -> list[dict]:
    """task_rows (without logs) in depth-first order, children by start time, each
    with its `depth` (0 for a task without a parent in the trace)."""
    rows = task_rows(model, with_logs=False)
    known = {r["id"] for r in rows}
    children: dict[int, list[dict]] = {}
    roots = []
    for r in rows:
        if r["parent"] != 0 and r["parent"] in known and r["parent"] != r["id"]:
            children.setdefault(r["parent"], []).append(r)
        else:
            roots.append(r)
    out = []
    stack = [(r, 0) for r in reversed(roots)]
    while stack:
        r, depth = stack.pop()
        out.append(r | {"depth": depth})
        stack += [(c, depth + 1) for c in reversed(children.get(r["id"], []))]
    return out
