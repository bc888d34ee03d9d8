"""The column-wise protobuf writer against protobuf's own parser (Perfetto's TracePacket
descriptors): random values, widths and optional fields round-trip."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracetui.exports.protowire import Fixed64, Message, Text, Varint, encode

pb = pytest.importorskip("perfetto.protos.perfetto.trace.perfetto_trace_pb2",
                         reason="the perfetto package (test extra) supplies Perfetto's trace descriptors")

u64 = st.integers(0, 2**64 - 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(u64, u64, st.integers(-2**63, 2**63 - 1), st.one_of(st.none(), u64),
                          st.sampled_from(["", "a", "wait: chan receive", "é" * 70])), min_size=1, max_size=40))
def test_round_trip(rows):
    ts, track, value, flow, name = zip(*rows)
    n = len(rows)
    flows = np.array([f or 0 for f in flow], np.uint64)
    has_flow = np.array([f is not None for f in flow])
    names = sorted(set(name))
    table = [s.encode() for s in names]
    data = encode(n, [Message(1, [Varint(8, np.array(ts, np.uint64)), Varint(10, 1), Message(11, [
        Varint(11, np.array(track, np.uint64)), Varint(30, np.array(value, np.int64)),
        Fixed64(47, flows, present=has_flow), Text(23, table, np.array([names.index(s) for s in name]))])])])
    trace = pb.Trace()
    trace.ParseFromString(data)
    assert len(trace.packet) == n
    for p, (t, tr, v, f, s) in zip(trace.packet, rows):
        e = p.track_event
        assert (p.timestamp, p.trusted_packet_sequence_id, e.track_uuid, e.counter_value, e.name) == (t, 1, tr, v, s)
        assert list(e.flow_ids) == ([] if f is None else [f])


def test_absent_message_and_empty():
    assert encode(0, [Varint(1, np.zeros(0, np.uint64))]) == b""
    data = encode(3, [Message(1, [Varint(8, np.array([5, 6, 7]))], present=np.array([True, False, True]))])
    trace = pb.Trace()
    trace.ParseFromString(data)
    assert [p.timestamp for p in trace.packet] == [5, 7]
