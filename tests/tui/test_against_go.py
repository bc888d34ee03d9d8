"""What the timeline draws and the details panel says, against Go's parsed events
(`go tool trace -d=parsed`, whose i-th event is tracetui's row i) on every
committed trace: no STW pause vanishes at any zoom, region nesting, the goroutine
that unblocked a span, and the stacks where a span began and ended."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tests import goref
from tests.tui.goparsed import go_events
from tracetui.format import read
from tracetui.model import build
from tracetui.model.lanes import WAITING
from tracetui.widgets import palette as P
from tracetui.widgets.cells import column_bounds
from tracetui.widgets.details import span_details
from tracetui.widgets.rows import STW, Rows

TRACES = goref.committed_traces()


@pytest.fixture(scope="module", params=TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def case(request):
    rows = Rows(build(read(request.param)))
    return rows, go_events(request.param)


@pytest.mark.parametrize("ncols", [60, 140])
def test_every_stw_pause_is_visible(case, ncols):
    """At full zoom each of Go's stop-the-world ranges colours the column it begins in."""
    rows, go = case
    starts = [int(e.fields["Time"]) for e in go
              if e.kind in ("RangeBegin", "RangeActive") and e.fields["Name"].startswith('"stop-the-world')]
    bounds = column_bounds(rows.t_first, rows.t_last + 1, ncols)
    chars, fg, bg = rows.fixed_cells(STW, bounds)
    stw = {P.STW_GC, P.STW_OTHER}
    for t in starts:
        c = min(int(np.searchsorted(bounds, t, side="right")) - 1, ncols - 1)
        assert int(bg[c]) in stw or int(fg[c]) in stw, f"STW at {t} not drawn in column {c}"
    assert len(starts) == len(rows.model.gc.stw["start"])


def test_region_depths_match_go_nesting(case):
    """Each region's row under its goroutine is its nesting depth in Go's RegionBegin/End order."""
    rows, go = case
    unmatched: dict[str, int] = {}
    open_: dict[str, int] = {}
    for e in go:  # pass 1: regions begun before the trace (an end with no begin) start the stack
        if e.kind == "RegionBegin":
            open_[e.fields["G"]] = open_.get(e.fields["G"], 0) + 1
        elif e.kind == "RegionEnd":
            g = e.fields["G"]
            if open_.get(g, 0):
                open_[g] -= 1
            else:
                unmatched[g] = unmatched.get(g, 0) + 1
    stack: dict[str, int] = {}
    want = {}
    for i, e in enumerate(go):
        g = e.fields.get("G")
        if e.kind == "RegionBegin":
            want[i] = unmatched.get(g, 0) + stack.get(g, 0)
            stack[g] = stack.get(g, 0) + 1
        elif e.kind == "RegionEnd":
            if stack.get(g, 0):
                stack[g] -= 1
            else:
                unmatched[g] -= 1
    r = rows.model.summary.regions
    got = {}
    for d in range(int(rows.region_rows.max(initial=0))):
        for g in np.flatnonzero(rows.region_rows > d).tolist():
            iv, ri = rows.region_intervals(g, d)
            for b in r["start_row"][ri].tolist():
                if b >= 0:
                    got[b] = d
    assert got == want


def test_unblocker_and_stacks_match_go(case):
    """For waiting spans ended by GoUnblock: the details' unblocker is the goroutine of Go's
    Waiting->Runnable event, and the stacks shown are Go's Stack= of the begin and end events."""
    rows, go = case
    tr = rows.trace
    checked = 0
    for g in rows.active.tolist():
        sp = rows.model.lanes.spans(g)
        for k in np.flatnonzero(sp["state"] == WAITING)[:20].tolist():
            b, e = int(sp["begin_row"][k]), int(sp["end_row"][k])
            d = span_details(rows, g, int(sp["start"][k]))
            ev = go[e] if e >= 0 else None
            if ev is not None and ev.kind == "StateTransition" and "Waiting->Runnable" in ev.line \
                    and ev.fields["G"] != "-1":
                assert ev.fields["GoID"] == str(int(tr.goroutine_ids[g]))
                assert "u" in d.links
                assert int(tr.goroutine_ids[d.links["u"].goroutine]) == int(ev.fields["G"])
            assert _shown_stack(d.markup(), "began at") == go[b].stack
            if e >= 0:
                assert _shown_stack(d.markup(), "ended at") == go[e].stack
            checked += 1
    assert checked > 0


def _shown_stack(markup: str, title: str) -> list[str]:
    lines = markup.splitlines()
    if f"[b]{title}[/b]" not in lines:
        return []
    out = []
    for line in lines[lines.index(f"[b]{title}[/b]") + 1:]:
        if line.startswith("    "):
            continue
        if not line.startswith("  "):
            break
        out.append(re.sub(r"\\\[", "[", line.strip()))
    return out


def test_logs_and_cpu_samples_are_marked(case):
    """Each of Go's Log and StackSample events marks its goroutine's lane in its column."""
    from tracetui.widgets.rows import LOG_MARK, SAMPLE_MARK

    rows, go = case
    ncols = 120
    bounds = column_bounds(rows.t_first, rows.t_last + 1, ncols)
    index = {int(gid): g for g, gid in enumerate(rows.ids.tolist())}
    want: dict[int, set[int]] = {}
    for e in go:
        if e.kind in ("Log", "StackSample") and e.fields["G"] != "-1":
            col = int(np.searchsorted(bounds, int(e.fields["Time"]), side="right")) - 1
            want.setdefault(index[int(e.fields["G"])], set()).add(col)
    for g, cols in want.items():
        chars = rows.cells(rows.row_of(g), bounds)[0]
        marked = {c for c in range(ncols) if chr(chars[c]) in (LOG_MARK, SAMPLE_MARK)}
        assert marked == cols


def test_proc_lanes_show_the_goroutine_go_started(case):
    """At every Runnable->Running transition Go prints on P=p for goroutine X, P p's lane
    shows X running just after it."""
    from tracetui.widgets.rows import PROC

    rows, go = case
    tr = rows.trace
    dense_p = {int(pid): p for p, pid in enumerate(tr.proc_ids.tolist())}
    checked = 0
    for e in go:
        if e.kind == "StateTransition" and "Runnable->Running" in e.line and "GoID=" in e.line \
                and e.fields["P"] != "-1":
            t = int(e.fields["Time"])
            iv, spans = rows.resource_intervals(PROC, dense_p[int(e.fields["P"])])
            k = iv.index_at(t)
            if k >= 0 and iv.end[k] > t:  # a zero-length span shows nothing
                g = rows.model.lanes.goroutine_of(spans[k])
                assert int(tr.goroutine_ids[g]) == int(e.fields["GoID"]), e.line
                checked += 1
    assert checked > 0


def test_blocked_colour_is_the_family_of_gos_reason(case):
    """A waiting span's colour is the family of the Reason Go prints on its Running->Waiting event."""
    rows, go = case
    checked = 0
    for g in rows.active.tolist():
        spans, _ = rows.goroutine_intervals(g)
        sp = rows.model.lanes.spans(g)
        for k in np.flatnonzero(sp["state"] == WAITING)[:50].tolist():
            ev = go[int(sp["begin_row"][k])]
            if "Running->Waiting" in ev.line:
                reason = re.search(r'Reason="((?:[^"\\]|\\.)*)"', ev.line).group(1)
                assert spans.cat[k] == P.reason_family(reason), ev.line
                checked += 1
    assert checked > 0
