"""The why report: what an interval (a region, a task, a stretch of one goroutine)
spent its time on, along its critical path (tracetui.model.critical).

- `region_target`, `task_target`, `goroutine_target` pick the interval (a `Target`);
- `why(model, target)` walks it and gives plain data in the shape `tracetui why
  --format json` prints: `target`, `path` (the steps, in time order), `summary` (time
  per goroutine, state and reason, largest first) and `edges` (the unblocks followed);
- `folded(model, report)`: collapsed stacks, "goroutine;state;frames... ns" lines;
- `aggregate(model, name, fraction)`: the attribution summed over the slowest
  `fraction` of the instances of a region type, by (goroutine name, role, state, reason).

Times in the output (`start_ns`, `end_ns`) count from the trace's first event, as
the other reports do. Goroutines are Go's ids.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tracetui.model.critical import Walker, lifetime, scheduler_wait

RUNTIME_PREFIXES = ("runtime.", "internal/", "runtime/internal")


class TargetError(ValueError):
    """The interval asked for does not exist; the message says what does."""


@dataclass
class Target:
    kind: str       # region, task, goroutine
    name: str
    goroutine: int  # dense index of the goroutine the walk ends on
    start: int      # ns, trace clock
    end: int


def _first(model) -> int:
    return int(model.trace.time[0]) if len(model.trace) else 0


def _gid(model, g: int) -> int:
    return int(model.trace.goroutine_ids[g])


def _dense(model, gid: int) -> int:
    hit = np.flatnonzero(model.trace.goroutine_ids == gid)
    if not len(hit):
        raise TargetError(f"no goroutine {gid} in this trace")
    return int(hit[0])


def region_instances_named(model, name: str) -> np.ndarray:
    """Indices (into summary.regions) of the summarized regions named exactly `name`."""
    tr, R = model.trace, model.summary.regions
    if name not in tr.strings:
        idx = np.array([], np.int64)
    else:
        codes = [i for i, s in enumerate(tr.strings) if s == name]
        idx = np.flatnonzero(R["in_summary"] & np.isin(R["name"], codes))
    if not len(idx):
        names = sorted({tr.strings[int(n)] for n in np.unique(R["name"][R["in_summary"]])})
        known = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
        raise TargetError(f"no region named {name!r}" + (f" (regions: {known})" if names else " (no regions)"))
    return idx


def slowest_first(model, idx: np.ndarray) -> np.ndarray:
    R = model.summary.regions
    d = R["end"][idx] - R["start"][idx]
    return idx[np.lexsort((R["start"][idx], -d))]


def region_target(model, name: str, rank: int = 1, instance: tuple[int, int] | None = None) -> Target:
    """The `rank`-th slowest region named `name` (1: the slowest), or with `instance`
    = (goroutine id, start ns from the trace's first event) the one of that goroutine
    that starts nearest that time."""
    R = model.summary.regions
    idx = region_instances_named(model, name)
    if instance is not None:
        gid, at = instance
        mine = idx[model.trace.goroutine_ids[R["goroutine"][idx]] == gid]
        if not len(mine):
            raise TargetError(f"no region {name!r} on goroutine {gid}")
        ri = int(mine[np.argmin(np.abs(R["start"][mine] - (_first(model) + at)))])
    else:
        order = slowest_first(model, idx)
        if not 1 <= rank <= len(order):
            raise TargetError(f"--rank {rank}: there are {len(order)} regions named {name!r}")
        ri = int(order[rank - 1])
    return Target("region", name, int(R["goroutine"][ri]), int(R["start"][ri]), int(R["end"][ri]))


def task_target(model, key: str) -> Target:
    """The task with id `key`, else the slowest complete task named `key`. The walk
    ends on the goroutine that ended the task (or began it, for one never ended)."""
    tr, T = model.trace, model.summary.tasks
    ids = np.asarray(T["id"]).astype(np.int64)
    sr, er = np.asarray(T["start_row"]), np.asarray(T["end_row"])
    first, last = _first(model), int(tr.time[-1]) if len(tr) else 0
    start = np.where(sr >= 0, tr.time[np.maximum(sr, 0)], first)
    end = np.where(er >= 0, tr.time[np.maximum(er, 0)], last)
    names = np.array([tr.strings[int(n)] for n in np.asarray(T["name"])], object)
    hit = np.flatnonzero(ids == int(key)) if key.isdigit() else np.array([], np.int64)
    if not len(hit):
        cand = np.flatnonzero((names == key) & (sr >= 0) & (er >= 0))
        if not len(cand):
            cand = np.flatnonzero(names == key)
        if not len(cand):
            known = ", ".join(sorted(set(names.tolist()) - {""})[:20])
            raise TargetError(f"no task with id or name {key!r}" + (f" (tasks: {known})" if known else ""))
        hit = cand[[int(np.argmax((end - start)[cand]))]]
    t = int(hit[0])
    row = int(er[t]) if er[t] >= 0 else int(sr[t])
    if row < 0 or tr.g[row] < 0:
        raise TargetError(f"task {ids[t]} has no begin or end on a goroutine in this trace")
    return Target("task", str(names[t]), int(tr.g[row]), int(start[t]), int(end[t]))


def goroutine_target(model, gid: int, t_from: int | None, t_to: int | None) -> Target:
    """Goroutine `gid` from `t_from` to `t_to` (ns from the trace's first event; None:
    its first or last span), clipped to its life."""
    g = _dense(model, gid)
    a, b = lifetime(model, g)
    first = _first(model)
    lo = a if t_from is None else max(a, first + t_from)
    hi = b if t_to is None else min(b, first + t_to)
    if hi <= lo:
        raise TargetError(f"goroutine {gid} lives from {a - first} to {b - first} ns: nothing to explain there")
    return Target("goroutine", _name(model, g), g, lo, hi)


def _name(model, g: int) -> str:
    return model.trace.strings[int(model.summary.goroutines["name"][g])]


def frames(model, stack: int) -> list[dict]:
    """Frames of a stack, innermost first: func, file, line."""
    tr = model.trace
    off = tr.stack_offsets
    s = tr.strings
    return [{"func": s[int(tr.frame_func[f])], "file": s[int(tr.frame_file[f])], "line": int(tr.frame_line[f])}
            for f in tr.stack_frames[off[stack]:off[stack + 1]].tolist()]


def top_frame(stack: list[dict]) -> str:
    """The innermost frame outside the runtime (the innermost at all if none is)."""
    for f in stack:
        if not f["func"].startswith(RUNTIME_PREFIXES):
            return f"{f['func']} {f['file'].rsplit('/', 1)[-1]}:{f['line']}"
    return f"{stack[0]['func']}" if stack else ""


def why(model, target: Target, walker: Walker | None = None) -> dict:
    """The report of `target`: target, path, summary, edges (see the module docstring)."""
    walker = walker or Walker(model)
    p = walker.walk(target.goroutine, target.start, target.end)
    first = _first(model)
    total = max(p.end - p.start, 1)
    names: dict[int, str] = {}
    path = []
    for g, state, reason, a, b, st, depth in zip(p.g, p.state, p.reason, p.seg_start, p.seg_end, p.stack, p.depth):
        name = names.get(g) or names.setdefault(g, _name(model, g))
        stack = frames(model, st)
        step = {"goroutine": _gid(model, g), "name": name, "state": state, "reason": reason,
                "start_ns": a - first, "end_ns": b - first, "duration_ns": b - a, "share": (b - a) / total,
                "depth": depth, "top_frame": top_frame(stack), "stack": stack}
        if state == "runnable":
            w = scheduler_wait(model, a, b)
            step["held_by"] = [{"goroutine": _gid(model, h), "name": names.get(h) or names.setdefault(h, _name(model, h)),
                                "ns": ns} for h, ns in w["holders"]]
            step["stw_ns"], step["gc_ns"] = w["stw_ns"], w["gc_ns"]
        path.append(step)
    return {"target": {"kind": target.kind, "name": target.name, "goroutine": _gid(model, target.goroutine),
                       "start_ns": p.start - first, "end_ns": p.end - first, "duration_ns": p.end - p.start},
            "path": path, "summary": summarize(path, p.end - p.start),
            "edges": [{"kind": kind, "waiter": _gid(model, w), "unblocker": _gid(model, u), "time_ns": t - first,
                       "row": row} for w, u, row, t, kind in p.edges]}


def summarize(path: list[dict], total: int) -> list[dict]:
    """Time per (goroutine, state, reason), largest first."""
    acc: dict[tuple, int] = {}
    names = {}
    for s in path:
        key = (s["goroutine"], s["state"], s["reason"])
        acc[key] = acc.get(key, 0) + s["duration_ns"]
        names[s["goroutine"]] = s["name"]
    rows = [{"goroutine": g, "name": names[g], "state": st, "reason": r, "duration_ns": ns,
             "share": ns / max(total, 1)} for (g, st, r), ns in acc.items()]
    return sorted(rows, key=lambda r: (-r["duration_ns"], r["goroutine"], r["state"], r["reason"]))


def detail(step: dict) -> str:
    """A step's reason with, for scheduler wait, who held the Ps and the STW/GC overlap."""
    from tracetui.reports.output import human_ns

    out = step["reason"]
    if step["state"] == "runnable":
        held = ", ".join(f"G{h['goroutine']} {h['name']} {human_ns(h['ns'])}" for h in step["held_by"])
        parts = [out] if out else []
        parts.append(f"Ps held by {held}" if held else "Ps idle")
        if step["stw_ns"]:
            parts.append(f"STW {human_ns(step['stw_ns'])}")
        if step["gc_ns"]:
            parts.append(f"GC {human_ns(step['gc_ns'])}")
        out = "; ".join(parts)
    return out


def folded(report: dict) -> list[str]:
    """Collapsed stacks of the path, root first: "G<id> <name>;<state>[ <reason>];<outermost>;...;<innermost> <ns>",
    equal lines merged (flame-graph tools read them: inferno, flamegraph.pl, speedscope)."""
    acc: dict[str, int] = {}
    for s in report["path"]:
        state = s["state"] + (f" {s['reason']}" if s["reason"] else "")
        parts = [f"G{s['goroutine']} {s['name']}", state] + [f["func"] for f in reversed(s["stack"])]
        key = ";".join(p.replace(";", ",") for p in parts)
        acc[key] = acc.get(key, 0) + s["duration_ns"]
    return [f"{k} {v}" for k, v in acc.items() if v > 0]


def aggregate(model, name: str, fraction: float) -> dict:
    """The attribution summed over the slowest `fraction` (0..1] of the regions named
    `name` (at least one): target (name, count, instances, duration_ns of them all,
    min/max duration), summary rows by (goroutine name, role "self" on the region's own
    goroutine or "other", state, reason): duration_ns, share, instances (how many
    of the walks it appears in)."""
    R = model.summary.regions
    order = slowest_first(model, region_instances_named(model, name))
    n = max(1, math.ceil(fraction * len(order)))
    pick = order[:n]
    walker = Walker(model)
    acc: dict[tuple, list] = {}
    gname = model.summary.goroutines["name"]
    strings = model.trace.strings
    total = 0
    for ri in pick.tolist():
        g, a, b = int(R["goroutine"][ri]), int(R["start"][ri]), int(R["end"][ri])
        p = walker.walk(g, a, b)
        total += p.end - p.start
        seen = set()
        for sg, state, reason, x, y in zip(p.g, p.state, p.reason, p.seg_start, p.seg_end):
            key = (int(gname[sg]), "self" if sg == g else "other", state, reason)
            cell = acc.get(key)
            if cell is None:
                cell = acc[key] = [0, 0]
            cell[0] += y - x
            if key not in seen:
                seen.add(key)
                cell[1] += 1
    d = R["end"][pick] - R["start"][pick]
    rows = [{"name": strings[k[0]], "role": k[1], "state": k[2], "reason": k[3], "duration_ns": v[0],
             "share": v[0] / max(total, 1), "instances": v[1]} for k, v in acc.items()]
    rows.sort(key=lambda r: (-r["duration_ns"], r["name"], r["role"], r["state"], r["reason"]))
    return {"target": {"kind": "region", "name": name, "count": len(order), "instances": n,
                       "fraction": fraction, "duration_ns": total, "min_ns": int(d.min()), "max_ns": int(d.max())},
            "summary": rows}
