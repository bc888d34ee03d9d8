"""The stack column starts as int16 and widens to int32 when a trace has more
than 32767 stacks; m and p are runs of int32 values (tracetui.format.runs), with
no such limit. Built traces cross that line; Go's parser is the reference for
the event stream."""
from __future__ import annotations

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.format.runs import RunColumn
from tracetui.format.wire import encode_header, uvarint

N = 33_000


def batch(gen: int, m: int, time: int, body: bytes) -> bytes:
    return bytes([S.EvEventBatch]) + uvarint(gen) + uvarint(m) + uvarint(time) + uvarint(len(body)) + body


def ev(typ: int, *args: int) -> bytes:
    return bytes([typ]) + b"".join(uvarint(a) for a in args)


def chunks(entries: list[bytes], prefix: bytes = b""):
    """Entries split into batch bodies under the 64 KiB limit, each starting with `prefix`."""
    out, cur = [], bytearray(prefix)
    for e in entries:
        if len(cur) + len(e) > 60_000:
            out.append(bytes(cur))
            cur = bytearray(prefix)
        cur += e
    out.append(bytes(cur))
    return out


def sync_batch() -> bytes:
    return batch(1, S.U64_MAX, 1, ev(S.EvFrequency, 1_000_000_000))


def many_threads_and_procs() -> bytes:
    """A Go 1.23 trace in which 33,000 threads each report one idle proc."""
    out = bytearray(encode_header(S.GO123)) + sync_batch()
    for i in range(N):
        out += batch(1, 100 + i, 10 + i, ev(S.EvProcStatus, 1, i, S.ProcIdleStatus))
    return bytes(out)


def many_stacks() -> bytes:
    """A Go 1.23 trace whose 33,000 goroutines each have their own one-frame stack."""
    out = bytearray(encode_header(S.GO123)) + sync_batch()
    out += batch(1, S.U64_MAX, 1, ev(S.EvStrings) + ev(S.EvString, 1, 6) + b"main.f" + ev(S.EvString, 2, 6) + b"main.g")
    stacks = [ev(S.EvStack, k, 1, 0x1000 + k, 1, 2, k) for k in range(1, N + 1)]
    for body in chunks(stacks, bytes([S.EvStacks])):
        out += batch(1, S.U64_MAX, 1, body)
    events = [ev(S.EvGoStatusStack, 1, k, S.U64_MAX, S.GoWaitingStatus, k) for k in range(1, N + 1)]
    for j, body in enumerate(chunks(events)):
        out += batch(1, 7, 100 + j, body)
    return bytes(out)


@pytest.mark.parametrize("build, column", [(many_threads_and_procs, "m"), (many_stacks, "stack")])
def test_columns_widen_and_match_go(build, column):
    data = build()
    trace = read(data)
    assert getattr(trace, column).dtype == np.int32
    if column == "m":
        assert isinstance(trace.m, RunColumn) and isinstance(trace.p, RunColumn)
        assert trace.p.dtype == np.int32 and len(trace.thread_ids) == N and len(trace.proc_ids) == N
        status = trace.type == S.EvProcStatus
        assert trace.proc_ids[trace.aux[status]].tolist() == list(range(N))
        # Thread i wrote the batch holding proc i's status, so each status event is on its own thread.
        assert trace.thread_ids[trace.m[status]].tolist() == [100 + i for i in range(N)]
        assert int(trace.m.values.max()) == N - 1 > np.iinfo(np.int16).max
        assert trace.stack.dtype == np.int16
    else:
        assert int(trace.stack.max()) == N
    goref.require_go()
    go_out, go_err, rc = goref.go_tool_trace_bytes(data, "parsed")
    assert rc == 0, go_err.decode()
    assert "".join(f"{e}\n" for e in trace).encode() == go_out


def test_small_traces_stay_narrow():
    trace = read(goref.committed_traces()[0])
    assert trace.stack.dtype == np.int16


@pytest.mark.parametrize("path", goref.committed_traces(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_thread_and_proc_runs_are_maximal(path):
    """The decoder starts a run only where the value changes: no two neighbouring runs
    hold the same value, and there are fewer runs than events (about half at most: in
    traces/go1.27/ab-a.trace, goroutines that mostly sleep, events alternate between a P
    and none, 0.51 runs per event)."""
    trace = read(path)
    for col in (trace.m, trace.p):
        assert isinstance(col, RunColumn) and len(col) == len(trace) and col.dtype == np.int32
        assert col.starts[0] == 0 and np.all(np.diff(col.starts) > 0) and col.starts[-1] < len(trace)
        assert np.all(col.values[1:] != col.values[:-1])
        assert len(col.values) < len(trace) * 0.6
