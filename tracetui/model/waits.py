"""Blocking spans: every span a goroutine spent waiting (Go's GoBlock ... GoUnblock),
with its reason, and who ended it.

`waiting_spans(model)` lists them all as numpy columns (span index, goroutine, start,
end, reason string index, the rows that began and ended the wait, the unblocking
goroutine: -1 when no goroutine did, e.g. a timer or the network poller woke it, or
it was still waiting at the trace's end). `longest(model, top, keep)` picks the
`top` longest of the ones a boolean mask keeps; `in_regions(model, spans, names)`
says which waits overlap a region of those names on the same goroutine.
"""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S
from tracetui.model.lanes import WAITING

_WAKE_TYPES = (S.EvGoUnblock, S.EvGoSwitch, S.EvGoSwitchDestroy)


def waiting_spans(model) -> dict[str, np.ndarray]:
    """span, goroutine (dense), start, end (ns; an open wait ends at the last event),
    reason (string index; 0 where the wait did not begin with GoBlock), begin_row,
    end_row (-1: open), unblocker (dense goroutine or -1), open."""
    L, tr = model.lanes, model.trace
    spans = np.flatnonzero(L.state == WAITING)
    b = L.begin_row[spans]
    e = L.end_rows(spans)
    last = tr.time[-1] if len(tr) else 0
    ee = np.maximum(e, 0)
    woke = (e >= 0) & np.isin(tr.type[ee], _WAKE_TYPES)
    g = L.goroutine_of(spans)
    unblocker = np.where(woke, tr.g[ee], -1).astype(np.int64)
    unblocker[unblocker == g] = -1
    return dict(span=spans, goroutine=g, start=tr.time[b], end=np.where(e >= 0, tr.time[ee], last),
                reason=np.where(tr.type[b] == S.EvGoBlock, tr.aux[b], 0), begin_row=b, end_row=e,
                unblocker=unblocker, open=e < 0)


def longest(model, top: int, keep: np.ndarray | None = None, waits: dict | None = None) -> dict[str, np.ndarray]:
    """The `top` longest waits (of those `keep` marks), longest first (ties: earlier first)."""
    w = waits if waits is not None else waiting_spans(model)
    idx = np.arange(len(w["span"])) if keep is None else np.flatnonzero(keep)
    d = (w["end"] - w["start"])[idx]
    if top < len(idx):
        cut = np.argpartition(-d, top - 1)[:top]
        idx, d = idx[cut], d[cut]
    idx = idx[np.lexsort((w["start"][idx], -d))]
    return {k: v[idx] for k, v in w.items()}


def in_regions(model, waits: dict, names: set[str]) -> np.ndarray:
    """Which waits overlap (in time, on the same goroutine) a region named one of `names`."""
    tr, R = model.trace, model.summary.regions
    codes = [i for i, s in enumerate(tr.strings) if s in names]
    sel = np.flatnonzero(R["in_summary"] & np.isin(R["name"], codes))
    if not len(sel) or not len(waits["span"]):
        return np.zeros(len(waits["span"]), bool)
    base = min(int(R["start"][sel].min()), int(waits["start"].min()))
    big = max(int(R["end"][sel].max()), int(waits["end"].max())) - base + 1
    rg = R["goroutine"][sel].astype(np.int64)
    order = np.lexsort((R["start"][sel], rg))
    rkey = rg[order] * big + (R["start"][sel][order] - base)
    rend = R["end"][sel][order] - base
    reach = np.maximum.accumulate(rg[order] * big + rend) - rg[order] * big   # latest region end so far, per goroutine
    g = waits["goroutine"].astype(np.int64)
    s, e = waits["start"] - base, waits["end"] - base
    # the last region of g starting before the wait ends: one overlaps iff the latest
    # end among g's regions up to it passes the wait's start
    j = np.searchsorted(rkey, g * big + e, side="left") - 1
    jj = np.maximum(j, 0)
    same = (j >= 0) & (rg[order][jj] == g)
    return same & (reach[jj] > s)
