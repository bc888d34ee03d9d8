"""The reports over several traces as one: pure functions of pooled `Facts`
(tracetui.reports.facts) giving the rows the single-trace reports give, with the
same fields (a region type's p99 is over every instance in every file).

`by="trace"` splits each group per file: the rows then carry `trace` (the file's
path). Instance rows always carry `trace`.
"""
from __future__ import annotations

import numpy as np

from tracetui.reports.durations import STATS, group_stats, log_histogram
from tracetui.reports.regions import BREAKDOWN


def _groups(facts, table: str, by: str, sel: np.ndarray | None = None):
    """(group of each selected row, group key rows {name[, trace]}, selected row indices)."""
    t = facts[table]
    idx = np.arange(len(t["name"])) if sel is None else np.flatnonzero(sel)
    names = np.asarray(t["name"])[idx]
    keys = names * (len(facts.paths) + 1) + t["trace"][idx] if by == "trace" else names
    uniq, group = np.unique(keys, return_inverse=True)
    group = np.asarray(group).reshape(-1)
    rows = []
    for u in uniq.tolist():
        if by == "trace":
            n, ti = divmod(u, len(facts.paths) + 1)
            rows.append({"name": facts.strings[n], "trace": facts.paths[ti]})
        else:
            rows.append({"name": facts.strings[u]})
    return group, rows, idx


def name_selection(facts, table: str, pattern: str | None) -> np.ndarray | None:
    if pattern is None:
        return None
    import re

    pat = re.compile(pattern)
    hit = np.array([bool(pat.search(s)) for s in facts.strings] + [False], bool)
    return hit[facts[table]["name"]]


def region_groups(facts, by: str = "name", name: str | None = None, histogram: bool = False) -> list[dict]:
    """As tracetui.reports.regions.region_groups (by name, or by name and trace)."""
    R = facts["regions"]
    group, rows, idx = _groups(facts, "regions", by, name_selection(facts, "regions", name))
    n = len(rows)
    d = R["duration"][idx]
    st = group_stats(group, d, n)
    incomplete = np.bincount(group, weights=R["incomplete"][idx], minlength=n).astype(np.int64)
    share = {b: np.bincount(group, weights=R[b][idx], minlength=n) for b in BREAKDOWN}
    denom = np.maximum(st["total"], 1).astype(np.float64)
    for gi, row in enumerate(rows):
        row["count"] = int(st["count"][gi])
        row["incomplete"] = int(incomplete[gi])
        row |= {f"{s}_ns": int(st[s][gi]) for s in STATS[1:]}
        row |= {f"{b}_share": float(share[b][gi] / denom[gi]) for b in BREAKDOWN}
    for key, col in _region_reasons(facts, idx, group, n).items():
        for gi, row in enumerate(rows):
            row[key] = int(col[gi])
    if histogram:
        order = np.argsort(group, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(st["count"])])
        sd = d[order]
        for gi, row in enumerate(rows):
            row["histogram"] = log_histogram(sd[bounds[gi]:bounds[gi + 1]])
    return rows


def region_rows(facts, name: str | None = None) -> list[dict]:
    """As tracetui.reports.regions.region_rows, with `trace`, in file order."""
    R = facts["regions"]
    sel = name_selection(facts, "regions", name)
    idx = np.arange(len(R["name"])) if sel is None else np.flatnonzero(sel)
    cols = {k: R[k][idx].tolist() for k in ("name", "goroutine", "task", "start", "duration", *BREAKDOWN,
                                            "incomplete", "trace")}
    reasons = {k: v.tolist() for k, v in _region_reasons(facts, idx, np.arange(len(idx)), len(idx)).items()}
    s, paths = facts.strings, facts.paths
    return [{"trace": paths[cols["trace"][i]], "name": s[cols["name"][i]], "goroutine": cols["goroutine"][i],
             "task": cols["task"][i], "start_ns": cols["start"][i], "duration_ns": cols["duration"][i],
             **{f"{b}_ns": cols[b][i] for b in BREAKDOWN}, "incomplete": cols["incomplete"][i],
             **{k: v[i] for k, v in reasons.items()}}
            for i in range(len(idx))]


def task_groups(facts, by: str = "name") -> list[dict]:
    """As tracetui.reports.tasks.task_groups."""
    T = facts["tasks"]
    group, rows, _ = _groups(facts, "tasks", by)
    n = len(rows)
    done = T["complete"]
    st = group_stats(group[done], T["duration"][done], n)
    count = np.bincount(group, minlength=n)
    logs = np.bincount(group, weights=T["logs"], minlength=n)
    for i, row in enumerate(rows):
        row |= {"count": int(count[i]), "complete": int(st["count"][i])}
        row |= {f"{s}_ns": int(st[s][i]) for s in STATS[1:]}
        row["logs"] = int(logs[i])
    tb = facts["task_block"]
    done_block = done[tb["inst"]]
    for k in np.unique(tb["key"]).tolist():
        sel = tb["key"] == k
        col = np.bincount(group[tb["inst"][sel & done_block]], weights=tb["ns"][sel & done_block], minlength=n)
        for i, row in enumerate(rows):
            row[facts.strings[k]] = int(col[i])
    return sorted(rows, key=lambda r: (r["name"], r.get("trace", "")))


def task_rows(facts) -> list[dict]:
    """One row per task: trace, id, name, start_ns, duration_ns, complete, logs."""
    T = facts["tasks"]
    cols = {k: T[k].tolist() for k in ("trace", "id", "name", "start", "duration", "complete", "logs")}
    s, paths = facts.strings, facts.paths
    tb, n = facts["task_block"], len(cols["id"])
    reasons = {}
    for k in np.unique(tb["key"]).tolist():
        sel = tb["key"] == k
        reasons[s[k]] = np.bincount(tb["inst"][sel], weights=tb["ns"][sel], minlength=n).astype(np.int64).tolist()
    return [{"trace": paths[cols["trace"][i]], "id": cols["id"][i], "name": s[cols["name"][i]],
             "start_ns": cols["start"][i], "duration_ns": cols["duration"][i], "complete": cols["complete"][i],
             "logs": cols["logs"][i], **{k: v[i] for k, v in sorted(reasons.items())}} for i in range(n)]


def _reason_columns(facts, n: int, table: str = "goroutine_block", row_of=None) -> dict[str, np.ndarray]:
    """`block_<reason>_ns` -> ns per output row (0..n-1) of the sparse block table; `row_of`
    maps the table's `inst` (a row of its instance table) to an output row, -1 to leave out.
    Only the reasons that occur in the selection are columns, as in the single-trace reports."""
    from tracetui.reports.goroutines import reason_key

    gb = facts[table]
    inst = gb["inst"] if row_of is None else row_of[gb["inst"]]
    keep = inst >= 0
    out: dict[str, np.ndarray] = {}
    for r in np.unique(gb["reason"][keep]).tolist():
        sel = keep & (gb["reason"] == r)
        col = out.setdefault(reason_key(facts.strings[r]), np.zeros(n, np.int64))
        np.add.at(col, inst[sel], gb["ns"][sel])
    return {k: out[k] for k in sorted(out)}


def _region_reasons(facts, idx: np.ndarray, out_row: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Block time by reason of the selected regions `idx`, summed into output rows `out_row`."""
    row_of = np.full(len(facts["regions"]["name"]), -1, np.int64)
    row_of[idx] = out_row
    return _reason_columns(facts, n, "region_block", row_of)


def goroutine_groups(facts, by: str = "name") -> list[dict]:
    """As tracetui.reports.goroutines.goroutine_groups."""
    from tracetui.reports.goroutines import TIMES

    G = facts["goroutines"]
    group, rows, _ = _groups(facts, "goroutines", by)
    n = len(rows)
    count = np.bincount(group, minlength=n)
    sums = {f"{k}_ns": np.bincount(group, weights=G[k], minlength=n) for k in TIMES}
    sums |= {k: np.bincount(group, weights=v, minlength=n) for k, v in _reason_columns(facts, len(group)).items()}
    for i, row in enumerate(rows):
        row["count"] = int(count[i])
        row |= {k: int(v[i]) for k, v in sums.items()}
    return sorted(rows, key=lambda r: (-r["exec_ns"], r["name"], r.get("trace", "")))


def goroutine_rows(facts) -> list[dict]:
    """As tracetui.reports.goroutines.goroutine_rows, with `trace`."""
    from tracetui.reports.goroutines import TIMES

    G = facts["goroutines"]
    cols = {f"{k}_ns": G[k].tolist() for k in TIMES}
    cols |= {k: v.tolist() for k, v in _reason_columns(facts, len(G["id"])).items()}
    ids, names, traces = G["id"].tolist(), G["name"].tolist(), G["trace"].tolist()
    s, paths = facts.strings, facts.paths
    return [{"trace": paths[traces[i]], "id": ids[i], "name": s[names[i]], **{k: v[i] for k, v in cols.items()}}
            for i in range(len(ids))]


def gc_summary(facts) -> dict:
    """As tracetui.reports.gc.gc_summary, summed over the traces."""
    mark, stw, assist = facts["cycles"]["duration"], facts["stw"]["duration"], facts["assists"]["duration"]
    duration = int(sum(facts.duration_ns))
    return {"duration_ns": duration, "cycles": len(mark), "mark_ns": int(mark.sum()),
            "mark_share": float(mark.sum() / duration) if duration else 0.0,
            "stw_count": len(stw), "stw_total_ns": int(stw.sum()), "stw_max_ns": int(stw.max(initial=0)),
            "assist_count": len(assist), "assist_total_ns": int(assist.sum()),
            "assist_max_ns": int(assist.max(initial=0))}


def stw_by_kind(facts) -> list[dict]:
    """As tracetui.reports.gc.stw_by_kind."""
    S = facts["stw"]
    kinds, group = np.unique(S["kind"], return_inverse=True)
    group = np.asarray(group).reshape(-1)
    per = group_stats(group, S["duration"], len(kinds))
    every = group_stats(np.zeros(len(S["duration"]), np.int64), S["duration"], 1)

    def fields(st, i):
        return {"count": int(st["count"][i]), **{f"{s}_ns": int(st[s][i]) for s in STATS[1:]}}
    rows = [{"kind": facts.strings[int(k)], **fields(per, i)} for i, k in enumerate(kinds)]
    rows.sort(key=lambda r: (-r["total_ns"], r["kind"]))
    if len(S["duration"]):
        rows.append({"kind": "(all)", **fields(every, 0)})
    return rows


def mmu_rows(facts, windows) -> list[dict]:
    """The MMU of several traces per window: the smallest of theirs."""
    return [{"window_ns": int(w), "mmu": min(m[int(w)] for m in facts.mmu)} for w in windows
            if all(int(w) in m for m in facts.mmu)]
