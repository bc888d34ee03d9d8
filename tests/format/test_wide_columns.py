"""The m, p and stack columns start as int16 and widen to int32 when a trace has
more than 32767 threads, procs or stacks. Built traces cross that line; Go's
parser is the reference for the event stream."""
from __future__ import annotations

import numpy as np
import pytest

from tests import goref
from tracetui.format import read
from tracetui.format import spec as S
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
        assert trace.p.dtype == np.int32 and len(trace.thread_ids) == N and len(trace.proc_ids) == N
        assert trace.proc_ids[trace.aux[trace.type == S.EvProcStatus]].tolist() == list(range(N))
    else:
        assert int(trace.stack.max()) == N
    goref.require_go()
    go_out, go_err, rc = goref.go_tool_trace_bytes(data, "parsed")
    assert rc == 0, go_err.decode()
    assert "".join(f"{e}\n" for e in trace).encode() == go_out


def test_small_traces_stay_narrow():
    trace = read(goref.committed_traces()[0])
    assert trace.m.dtype == trace.p.dtype == trace.stack.dtype == np.int16
