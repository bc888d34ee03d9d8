"""One event as a JSON-ready dict: the `--format jsonl` form of `tracetui events`.

Field names follow Go's accessors: time (ns), kind, type (wire event name),
thread/proc/goroutine (-1 = none), then the kind's own fields, and `stack` as a
list of {func, file, line, pc} frames (innermost first) when the event has one.
`tracetui events` prints the same lines from the columns (tracetui.format.dump).
"""
from __future__ import annotations

from tracetui.format import spec as S
from tracetui.format.event import Event


def _frames(trace, stack: int) -> list[dict]:
    cache = trace._cache.setdefault("json_frames", {})
    if stack not in cache:
        cache[stack] = [dict(func=f, file=file, line=line, pc=pc) for f, file, line, pc in trace.frames(stack)]
    return cache[stack]


def event_json(trace, i: int) -> dict:
    ev = Event(trace, i)
    t, kind = ev.type, ev.kind
    name = "Sync" if t == S.EvSyncPublic else S.SPECS[t].name
    d = dict(time=ev.time, kind=kind, type=name, thread=ev.thread, proc=ev.proc, goroutine=ev.goroutine)
    if kind == "Metric":
        d["name"], d["value"] = ev.metric()
    elif kind == "Label":
        d["label"] = ev.string(ev.aux)
    elif kind.startswith("Range"):
        d["name"], d["scope"] = ev.range()
        if t == S.EvGCSweepEnd:
            d["bytes_swept"], d["bytes_reclaimed"] = ev.arg, ev.arg2
    elif kind in ("TaskBegin", "TaskEnd"):
        d.update(task=ev.arg, parent=ev.arg2, task_type=ev.string(ev.aux))
    elif kind in ("RegionBegin", "RegionEnd"):
        d.update(task=ev.arg, region_type=ev.string(ev.aux))
    elif kind == "Log":
        d.update(task=ev.arg, category=ev.string(ev.aux), message=ev.string(ev.arg2))
    elif kind == "StateTransition":
        res, rid, frm, to, reason, stk = ev.state_transition()
        d.update(resource=res, id=rid, **{"from": frm, "to": to}, reason=reason)
        if stk:
            d["transition_stack"] = _frames(trace, stk)
    elif kind == "Sync":
        d["n"] = ev.arg
        if ev.aux >= 0:
            g = trace.generations[ev.aux]
            d["generation"] = g["gen"]
            if g["has_snapshot"]:
                d["clock_snapshot"] = dict(trace=g["snap_trace"], mono=g["snap_mono"],
                                           wall_sec=g["snap_sec"], wall_nsec=g["snap_nsec"])
    elif kind == "Experimental":
        vals = trace.experimental_args[ev.arg]
        d["args"] = dict(zip(S.SPECS[t].args[1:], vals))
    if ev.stack:
        d["stack"] = _frames(trace, ev.stack)
    return d
