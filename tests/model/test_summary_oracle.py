"""The model's summarizer pass equals Go's summarizer (internal/trace summary.go)
on every committed trace: per-goroutine stats, region intervals and task facts,
to the nanosecond. Go's side is tests/gohelpers/traceoracle."""
from __future__ import annotations

import numpy as np
import pytest

from tests import goref
from tracetui.format import Trace, read
from tracetui.model._summary import Summarizer


def ours(source):
    """Our summary in traceoracle's JSON shape, of a Trace or of what `read` accepts."""
    tr = source if isinstance(source, Trace) else read(source)
    forever = tr.strings.index("forever") if "forever" in tr.strings else -1
    out = Summarizer().run(tr, forever, tr.strings)
    G, names = out["goroutines"], out["range_names"]
    block, ranges = {}, {}
    for gi, r, ns in out["block"]:
        block.setdefault(gi, {})[tr.strings[r]] = ns
    for gi, r, ns in out["ranges"]:
        ranges.setdefault(gi, {})[names[r]] = ns
    R = out["regions"]
    nreg = np.bincount(R["goroutine"][R["done"]], minlength=len(G["live"]))
    gs = [dict(id=int(tr.goroutine_ids[gi]), name=tr.strings[G["name"][gi]], exec_ns=int(G["exec"][gi]),
               sched_wait_ns=int(G["sched_wait"][gi]), syscall_ns=int(G["syscall"][gi]),
               syscall_block_ns=int(G["syscall_block"][gi]), total_ns=int(G["total"][gi]),
               block_ns=block.get(gi, {}), range_ns=ranges.get(gi, {}), regions=int(nreg[gi]))
          for gi in np.flatnonzero(G["live"])]
    first, last = int(tr.time[0]), int(tr.time[-1])
    regions = []
    for ri in np.flatnonzero(R["done"]):
        sr, er = int(R["start_row"][ri]), int(R["end_row"][ri])
        regions.append(dict(name=tr.strings[R["name"][ri]], goroutine=int(tr.goroutine_ids[R["goroutine"][ri]]),
                            task=int(R["task"][ri]), start=int(tr.time[sr]) if sr >= 0 else first,
                            end=int(tr.time[er]) if er >= 0 else last, has_start=sr >= 0, has_end=er >= 0))
    T = out["tasks"]
    tasks = [dict(id=int(T["id"][ti]), name=tr.strings[T["name"][ti]],
                  parent=int(T["id"][T["parent"][ti]]) if T["parent"][ti] >= 0 else 0,
                  complete=bool(T["start_row"][ti] >= 0 and T["end_row"][ti] >= 0), logs=int(T["logs"][ti]),
                  regions=int(np.diff(T["region_offsets"])[ti]), goroutines=int(np.diff(T["goroutine_offsets"])[ti]))
             for ti in range(len(T["id"]))]
    return gs, regions, tasks


def key(r):
    return r["start"], r["goroutine"], r["end"], r["name"]


@pytest.mark.parametrize("path", goref.committed_traces(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_summary_equals_go(oracle, path):
    go = oracle(path)
    gs, regions, tasks = ours(path)
    assert sorted(gs, key=lambda g: g["id"]) == go["goroutines"]
    assert sorted(regions, key=key) == sorted(go["regions"] or [], key=key)
    assert sorted(tasks, key=lambda t: t["id"]) == (go["tasks"] or [])
