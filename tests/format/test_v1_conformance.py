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

import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests import goref
from tests.format.v1text import canonical
from tracetui.format import TraceError, read

TESTDATA = (sorted((goref.go_testdata_dir().parent / "internal" / "tracev1" / "testdata").glob("*_good"))
            if goref.go_testdata_dir() else [])
COMMITTED = sorted((goref.REPO / "traces" / "go1.21").glob("*.trace"))
CASES = TESTDATA + COMMITTED


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
    r = subprocess.run([sys.executable, "-m", "tracetui", "events", str(path)], capture_output=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == "".join(f"{ev}\n" for ev in read(path)).encode("utf-8", "surrogateescape")


def test_v1_error_is_one_trace_error():
    goref.require_go()
    data = TESTDATA[0].read_bytes()
    with pytest.raises(TraceError):
        read(data[:16] + b"\xff" * 64)


def go_and_ours(data: bytes) -> tuple[tuple[bytes, int], tuple[bytes, int]]:
    """((Go's -d=parsed text, exit status), (ours, 0 or 1 for a TraceError))."""
    go_out, _, go_rc = goref.go_tool_trace_bytes(data, "parsed")
    if go_rc not in (0, 1):
        pytest.skip(f"Go crashed on this input (exit {go_rc}): no reference")
    try:
        trace, rc = read(data), 0
    except TraceError as e:
        trace, rc = e.partial, 1
    ours = "".join(f"{ev}\n" for ev in trace).encode("utf-8", "surrogateescape") if trace is not None else b""
    return (go_out, go_rc), (ours, rc)


def assert_same_as_go(data: bytes) -> None:
    (go_out, go_rc), (ours, rc) = go_and_ours(data)
    assert rc == go_rc
    assert ours == go_out or canonical(ours) == canonical(go_out)


@pytest.mark.parametrize("name", ["annotations", "syscalls", "cpuprofile"])
@pytest.mark.parametrize("frac", [0.01, 0.3, 0.77, 0.999])
def test_truncated_v1_trace_matches_go(name, frac):
    """Go parses a v1 trace as a whole: a cut one is rejected, with no events."""
    goref.require_go()
    data = (goref.REPO / "traces" / "go1.21" / f"{name}.trace").read_bytes()
    assert_same_as_go(data[: 16 + int((len(data) - 16) * frac)])


def test_truncated_v1_trace_error_names_the_offset():
    data = (goref.REPO / "traces" / "go1.21" / "annotations.trace").read_bytes()
    with pytest.raises(TraceError) as e:
        read(data[: len(data) // 2])
    assert e.value.partial is None and 16 <= e.value.offset <= len(data) // 2


@pytest.mark.parametrize("seed", range(40))
def test_corrupted_v1_trace_matches_go(seed):
    """Flip a few bytes of a real old trace: we accept or reject exactly as Go does."""
    goref.require_go()
    rnd = random.Random(seed)
    paths = [p for p in CASES if p.stat().st_size < 30_000]
    data = bytearray(rnd.choice(paths).read_bytes())
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(16, len(data))
        data[i] = rnd.randrange(256)
    assert_same_as_go(bytes(data))


def futile_wakeup_trace() -> bytes:
    """go1.21/syscalls with a GCMarkAssistDone byte turned into FutileWakeup (type 36),
    an event the v1 parser accepts and Go's converter refuses half way through."""
    data = (goref.REPO / "traces" / "go1.21" / "syscalls.trace").read_bytes()
    for i in range(16, len(data)):
        if data[i] == 0x2C:  # GCMarkAssistDone, one inline argument (the time)
            d = data[:i] + b"\x24" + data[i + 1:]
            try:
                read(d)
            except TraceError as e:
                if e.message.startswith("unexpected event type"):
                    return d
    pytest.fail("no byte of the trace makes a FutileWakeup the converter refuses")


def test_conversion_error_keeps_the_events_before_it_as_go_does():
    goref.require_go()
    from tests.goref_salvage import go_salvage
    from tracetui.format.salvage import read_salvaged

    data = futile_wakeup_trace()
    with pytest.raises(TraceError) as e:
        read(data)
    assert e.value.message == "unexpected event type 36" and len(e.value.partial) > 100
    assert_same_as_go(data)
    _, report = read_salvaged(data)
    assert report.go_log()[1] == go_salvage(data).lost_line


def test_go121_cgo_callback_trace_is_rejected_as_go_does():
    """Go 1.21's trace of a C thread calling into Go (traces/programs, scenario cgo) has
    no consistent order for Go's v1 parser; tracetui rejects it with the same words."""
    goref.require_go()
    data = (Path(__file__).parent / "data" / "go1.21-cgo.trace").read_bytes()
    with pytest.raises(TraceError) as e:
        read(data)
    assert e.value.message == "no consistent ordering of events possible"
    assert_same_as_go(data)
