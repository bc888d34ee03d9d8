"""Old traces (Go 1.11 to 1.21, the "v1" format) against Go's own parser.

`tracetui events` must print what `go tool trace -d=parsed` prints for every trace in
Go's tracev1 testdata and every committed traces/go1.21 trace. Go's v1 path is not
deterministic: it merges the per-P batches in map order (events with equal timestamps
come out in either order) and emits the goroutines that existed before the first
Gomaxprocs in map order, and it then makes every timestamp strictly larger than the
previous one. So the comparison is exact except inside a run of events whose printed
times are consecutive nanoseconds: there the events are compared as a multiset (with
the same list of times). Go itself, run twice, differs only inside such runs.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import goref
from tracetui.format import TraceError, read

TESTDATA = (sorted((goref.go_testdata_dir().parent / "internal" / "tracev1" / "testdata").glob("*_good"))
            if goref.go_testdata_dir() else [])
COMMITTED = sorted((goref.REPO / "traces" / "go1.21").glob("*.trace"))
CASES = TESTDATA + COMMITTED
_TIME = re.compile(rb" Time=(-?\d+)")


def records(text: bytes) -> list[bytes]:
    """One entry per event: its first line and the stack lines after it."""
    out: list[bytes] = []
    for line in text.splitlines(keepends=True):
        if line.startswith(b"M=") or not out:
            out.append(line)
        else:
            out[-1] += line
    return out


def canonical(text: bytes) -> list:
    """The event text with each run of consecutive-nanosecond events made order-free."""
    groups: list = []
    last = None
    for rec in records(text):
        m = _TIME.search(rec)
        t = int(m.group(1)) if m else None
        body = _TIME.sub(b" Time=", rec, count=1)
        if groups and t is not None and last is not None and t == last + 1:
            groups[-1][0].append(t)
            groups[-1][1].append(body)
        else:
            groups.append(([t], [body]))
        last = t
    return [(times, sorted(bodies)) for times, bodies in groups]


def test_the_normal_form_is_order_free_only_within_runs():
    a = b"M=1 P=1 G=1 X Time=5\nM=1 P=2 G=1 X Time=6\nM=1 P=1 G=1 Y Time=9\n"
    b = b"M=1 P=2 G=1 X Time=5\nM=1 P=1 G=1 X Time=6\nM=1 P=1 G=1 Y Time=9\n"
    c = b"M=1 P=1 G=1 Y Time=5\nM=1 P=2 G=1 X Time=6\nM=1 P=1 G=1 X Time=9\n"
    assert canonical(a) == canonical(b)
    assert canonical(a) != canonical(c)


def test_there_are_v1_traces_of_each_old_version():
    goref.require_go()
    heads = {p.read_bytes()[:16] for p in CASES}
    assert {b"go 1.11 trace\x00\x00\x00", b"go 1.19 trace\x00\x00\x00", b"go 1.21 trace\x00\x00\x00"} <= heads


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_v1_trace_equals_go_parsed(path):
    goref.require_go()
    go_out, go_err, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0, go_err.decode()
    ours = "".join(f"{ev}\n" for ev in read(path)).encode("utf-8", "surrogateescape")
    if ours != go_out:
        a, b = canonical(ours), canonical(go_out)
        for i, (x, y) in enumerate(zip(a, b)):
            assert x == y, f"event group {i}:\n ours: {x}\n go:   {y}"
        assert len(a) == len(b)


@pytest.mark.parametrize("path", TESTDATA[:3], ids=lambda p: p.name)
def test_events_command_prints_the_same(path):
    """The CLI prints the Event text (what the user sees)."""
    r = subprocess.run([sys.executable, "-m", "tracetui", "events", str(path)], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == "".join(f"{ev}\n" for ev in read(path)).encode("utf-8", "surrogateescape")


def test_v1_error_is_one_trace_error():
    goref.require_go()
    data = TESTDATA[0].read_bytes()
    with pytest.raises(TraceError):
        read(data[:16] + b"\xff" * 64)
