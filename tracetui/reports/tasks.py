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


def task_block_by_reason(model) -> dict[str, np.ndarray]:
    """Per task (index into summary.tasks): block time by reason, `block_<reason>_ns`
    (the goroutines report's names), summed over the task's outermost regions: Go's
    per-region block time of each region of the task that no other region of the same
    task on the same goroutine contains (a nested region's time is its parent's already).
    A region belongs to the task its begin names; a goroutine created inside the task
    brings the unnamed region it inherits."""
    from tracetui.reports.regions import block_by_reason

    T, R = model.summary.tasks, model.summary.regions
    ids = np.asarray(T["id"]).astype(np.int64)
    ntasks = len(ids)
    by_id = np.argsort(ids, kind="stable")
    reg = np.flatnonzero(R["in_summary"])
    pos = np.minimum(np.searchsorted(ids[by_id], R["task"][reg].astype(np.int64)), max(ntasks - 1, 0))
    known = (ids[by_id[pos]] == R["task"][reg]) if ntasks else np.zeros(len(reg), bool)
    reg, task_of = reg[known], by_id[pos[known]]
    by_reason = block_by_reason(model)
    if not len(reg) or not by_reason:
        return {k: np.zeros(ntasks, np.int64) for k in by_reason}
    task_of_region = np.full(len(R["name"]), -1, np.int64)
    task_of_region[reg] = task_of
    # Nested: some region of the same task, open on the goroutine at its begin (the
    # summarizer's `outer` chain), is one Go's summary lists.
    inside = np.zeros(len(R["name"]), bool)
    up = np.asarray(R["outer"], np.int64)
    while (up >= 0).any():
        inside |= (up >= 0) & R["in_summary"][np.maximum(up, 0)]
        up = np.where(up >= 0, R["outer"][np.maximum(up, 0)], -1)
    outer = ~inside
    # A region begun before the trace was open from its start, but the summarizer meets
    # it only at its end: the regions of its task and goroutine begun before that are in it.
    pre = np.flatnonzero(R["in_summary"] & (R["start_row"] < 0))
    near = np.flatnonzero(np.isin(R["goroutine"], R["goroutine"][pre]) & (R["start_row"] >= 0))
    for ri in pre.tolist():
        inside = (R["goroutine"][near] == R["goroutine"][ri]) & (R["task"][near] == R["task"][ri]) & \
            (R["start"][near] < R["end"][ri])
        outer[near[inside]] = False
    out = {}
    for name, (regions, ns) in by_reason.items():
        keep = outer[regions]
        out[name] = np.bincount(task_of_region[regions[keep]], weights=ns[keep], minlength=ntasks).astype(np.int64)
    return out


def task_groups(model) -> list[dict]:
    """One row per task type (name): count, complete, STATS of complete tasks as
    `<stat>_ns`, logs, block time by reason of the complete tasks (`block_<reason>_ns`,
see task_block_by_reason); sorted by name as Go does."""
    tr, T = model.trace, model.summary.tasks
    iv = _intervals(model)
    uniq, group = np.unique(np.asarray(T["name"]), return_inverse=True)
    group = np.asarray(group).reshape(-1)
    n = len(uniq)
    count = np.bincount(group, minlength=n)
    done = iv["complete"]
    st = group_stats(group[done], (iv["end"] - iv["start"])[done], n)
    logs = np.bincount(group, weights=np.asarray(T["logs"]), minlength=n)
    blocks = {k: np.bincount(group[done], weights=v[done], minlength=n) for k, v in task_block_by_reason(model).items()}
    rows = []
    for i in range(n):
        row = {"name": tr.strings[int(uniq[i])], "count": int(count[i]), "complete": int(st["count"][i])}
        row |= {f"{s}_ns": int(st[s][i]) for s in STATS[1:]}
        row["logs"] = int(logs[i])
        row |= {k: int(v[i]) for k, v in blocks.items()}
        rows.append(row)
    return sorted(rows, key=lambda r: r["name"])


def _logs(model) -> list[dict]:
    """Every task log in log_rows order: time_ns (from the trace's first event),
    goroutine, category, message."""
    tr, T = model.trace, model.summary.tasks
    rows = np.asarray(T["log_rows"], np.int64)
    t0 = int(tr.time[0]) if len(tr) else 0
    g = tr.g[rows].astype(np.int64)
    gid = np.where(g >= 0, tr.goroutine_ids[np.maximum(g, 0)], -1).tolist()
    s = tr.strings
    return [{"time_ns": t - t0, "goroutine": gi, "category": s[c], "message": s[m]}
            for t, gi, c, m in zip(tr.time[rows].tolist(), gid, tr.aux[rows].tolist(), tr.arg2_of(rows).tolist())]


def task_rows(model, with_logs: bool = True) -> list[dict]:
    """One row per task, in order of their start: id, name, parent (id, 0 = none),
    start_ns (from the trace's first event), duration_ns, complete, goroutines,
    regions, logs (count), block time by reason (`block_<reason>_ns`, see
    task_block_by_reason) and, with_logs, log_list (time_ns, goroutine, category, message)."""
    tr, T = model.trace, model.summary.tasks
    iv = _intervals(model)
    t0 = int(tr.time[0]) if len(tr) else 0
    ids = np.asarray(T["id"]).astype(np.int64)
    parent = np.asarray(T["parent"])
    cols = dict(
        id=ids, name=np.asarray(T["name"]), parent=np.where(parent >= 0, ids[np.maximum(parent, 0)], 0),
        start_ns=iv["start"] - t0, duration_ns=iv["end"] - iv["start"], complete=iv["complete"],
        goroutines=np.diff(T["goroutine_offsets"]), regions=np.diff(T["region_offsets"]), logs=np.asarray(T["logs"]),
        **task_block_by_reason(model))
    order = np.argsort(iv["start"], kind="stable")
    lists = {k: v[order].tolist() for k, v in cols.items()}
    strings = tr.strings
    lists["name"] = [strings[n] for n in lists["name"]]
    rows = [dict(zip(lists, values)) for values in zip(*lists.values())]
    if with_logs:
        logs, off = _logs(model), np.asarray(T["log_offsets"])[:-1][order].tolist()
        ends = np.asarray(T["log_offsets"])[1:][order].tolist()
        for row, a, b in zip(rows, off, ends):
            row["log_list"] = logs[a:b]
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
