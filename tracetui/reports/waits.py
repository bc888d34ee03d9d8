"""The waits report: the longest single blocking spans (tracetui.model.waits), with
the stack where each goroutine blocked and who unblocked it, with that goroutine's
stack at the unblock.

`wait_rows(model, top, reason, name, region)` filters by block reason (Go's string,
e.g. "chan receive", or its `block_<reason>_ns` word form, "chan_receive"), by
goroutine start function (a regular expression, re.search) and by region type
(waits overlapping a region of that name on the same goroutine). The runtime's own
goroutines (start function in package runtime, runtime/trace...) are left out
unless `runtime`.
"""
from __future__ import annotations

import re

import numpy as np

from tracetui.model.waits import in_regions, longest, waiting_spans
from tracetui.reports.goroutines import reason_key
from tracetui.reports.why import frames, top_frame

RUNTIME_STARTS = ("runtime.", "runtime/")


def _reason_codes(trace, reason: str) -> list[int]:
    want = reason_key(reason)
    return [i for i, s in enumerate(trace.strings) if s == reason or reason_key(s) == want]


def wait_rows(model, top: int = 20, reason: str | None = None, name: str | None = None,
              region: str | None = None, runtime: bool = False) -> list[dict]:
    """The `top` longest waits, longest first: goroutine, name, reason, start_ns,
    end_ns (from the trace's first event), duration_ns, open (still waiting at the
    trace's end), stack, top_frame, unblocker (goroutine id or None), unblocker_name,
    unblocker_stack, unblocker_frame."""
    tr = model.trace
    w = waiting_spans(model)
    keep = np.ones(len(w["span"]), bool)
    if reason is not None:
        keep &= np.isin(w["reason"], _reason_codes(tr, reason))
    gname = model.summary.goroutines["name"]
    if name is not None or not runtime:
        pat = re.compile(name or "")
        codes = [int(c) for c in np.unique(gname) if pat.search(tr.strings[int(c)])
                 and (runtime or not tr.strings[int(c)].startswith(RUNTIME_STARTS))]
        keep &= np.isin(gname[w["goroutine"]], codes)
    if region is not None:
        keep &= in_regions(model, w, {region})
    pick = longest(model, top, keep, w)
    first = int(tr.time[0]) if len(tr) else 0
    rows = []
    for i in range(len(pick["span"])):
        g, u = int(pick["goroutine"][i]), int(pick["unblocker"][i])
        stack = frames(model, int(tr.stack[pick["begin_row"][i]]))
        er = int(pick["end_row"][i])
        ustack = frames(model, int(tr.stack[er])) if u >= 0 else []
        rows.append({
            "goroutine": int(tr.goroutine_ids[g]), "name": tr.strings[int(gname[g])],
            "reason": tr.strings[int(pick["reason"][i])], "start_ns": int(pick["start"][i]) - first,
            "end_ns": int(pick["end"][i]) - first, "duration_ns": int(pick["end"][i] - pick["start"][i]),
            "open": bool(pick["open"][i]), "stack": stack, "top_frame": top_frame(stack),
            "unblocker": int(tr.goroutine_ids[u]) if u >= 0 else None,
            "unblocker_name": tr.strings[int(gname[u])] if u >= 0 else "",
            "unblocker_stack": ustack, "unblocker_frame": top_frame(ustack),
        })
    return rows
