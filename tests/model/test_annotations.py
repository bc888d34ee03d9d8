"""Logs and CPU samples tables, and the per-span facts of the lanes (unblocker,
stacks, blocked syscalls, assists), against Go's parsed events."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.format.goquote import go_quote
from tracetui.model import build
from tracetui.model.lanes import RUNNING, SYSCALL

TRACES = goref.committed_traces()
LOG = re.compile(r"^M=\S+ P=\S+ G=(\S+) Log Time=(\d+) Task=(\d+) Category=(\".*\") Message=(\".*\")$")
SAMPLE = re.compile(r"^M=(\S+) P=(\S+) G=(\S+) StackSample Time=(\d+)")


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_logs_and_samples_equal_go(path):
    out, _, rc = goref.go_tool_trace(path, "parsed")
    if rc != 0:
        goref.skip_go("go tool trace rejected this trace")
    lines = (out.decode("utf-8", "surrogateescape") if isinstance(out, bytes) else out).splitlines()
    tr = read(path)
    m = build(tr)
    gid = lambda g: int(tr.goroutine_ids[g]) if g >= 0 else -1
    L = m.logs
    q = lambda i: go_quote(tr.strings[i].encode("utf-8", "surrogateescape"))
    ours = [(str(gid(g)), str(t), str(task), q(c), q(msg))
            for g, t, task, c, msg in zip(L["goroutine"].tolist(), L["time"].tolist(), L["task"].tolist(),
                                          L["category"].tolist(), L["message"].tolist())]
    go = [LOG.match(line).groups() for line in lines if " Log Time=" in line]
    assert ours == go
    C = m.cpu_samples
    go_samples = [SAMPLE.match(line).groups() for line in lines if " StackSample " in line]
    assert len(go_samples) == len(C["row"])
    assert [int(s[3]) for s in go_samples] == C["time"].tolist()
    assert [int(s[2]) for s in go_samples] == [gid(g) for g in C["goroutine"].tolist()]


def _trace(name):
    path = next(p for p in TRACES if f"{p.parent.name}/{p.stem}" == name)
    tr = read(path)
    return tr, build(tr)


def test_unblockers_were_running_when_they_unblocked():
    _, m = _trace("go1.27/contention")
    checked = 0
    for g in range(len(m.lanes)):
        sp = m.lanes.spans(g)
        for end, who in zip(sp["end"][m.lanes.unblockers(g) >= 0], m.lanes.unblockers(g)[m.lanes.unblockers(g) >= 0]):
            other = m.lanes.spans(int(who))
            k = np.searchsorted(other["start"], end, side="right") - 1
            assert k >= 0 and other["state"][k] == RUNNING and other["end"][k] >= end
            checked += 1
    assert checked > 10


def test_span_stacks_are_the_transition_stacks():
    tr, m = _trace("go1.27/contention")
    for g in range(len(m.lanes)):
        begin, _ = m.lanes.stacks(g)
        b = m.lanes.spans(g)["begin_row"]
        blocks = np.isin(tr.type[b], [S.EvGoBlock, S.EvGoStop, S.EvGoSyscallBegin])
        assert (begin[blocks] == tr.stack[b[blocks]]).all()


def test_blocked_syscalls_end_runnable_and_assists_belong_to_their_goroutine():
    _, m = _trace("go1.27/syscalls")
    blocked = 0
    for g in range(len(m.lanes)):
        sb = m.lanes.syscall_blocked(g)
        sp = m.lanes.spans(g)
        assert (sp["state"][sb] == SYSCALL).all()
        blocked += int(sb.sum())
    summary_blocked = int((m.summary.goroutines["syscall_block"] > 0).sum())
    assert (blocked > 0) == (summary_blocked > 0)
    _, m = _trace("go1.27/gc")
    for g in np.unique(m.gc.assists["goroutine"]).tolist():
        start, end = m.gc.assists_of(g)
        assert (np.diff(start) >= 0).all() and (end >= start).all()
