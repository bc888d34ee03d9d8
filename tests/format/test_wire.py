"""Tests of tracetui.format.wire: the construct description, the raw event reader and
writer, and `dump_wire` against `go tool trace -d=wire`."""
from __future__ import annotations

import random

import construct as cs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import goref
from tracetui.format import spec as S
from tracetui.format import wire
from tracetui.format.errors import TraceError
from tracetui.format.goquote import go_quote, go_unquote
from tracetui.format.wire import RawEvent, encode_trace, iter_raw_events

U64_MAX = (1 << 64) - 1


def dump(data) -> tuple[bytes, str | None]:
    """dump_wire as `go tool trace -d=wire` would print it: (stdout, error message or None)."""
    out = []
    try:
        for s in wire.dump_wire(data):
            out.append(s + "\n")
    except TraceError as e:
        return "".join(out).encode("utf-8", "surrogateescape"), e.message
    return "".join(out).encode("utf-8", "surrogateescape"), None


def assert_same_as_go(data: bytes):
    stdout, stderr, rc = goref.go_tool_trace_bytes(data, "wire")
    ours, err = dump(data)
    assert ours == stdout
    if rc == 0:
        assert err is None
    else:
        assert err == stderr.decode().strip()


# --- uvarints and header --------------------------------------------------------------------------

@pytest.mark.parametrize("value, minimal", [
    (0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"),
    (U64_MAX, b"\xff" * 9 + b"\x01"),
])
def test_uvarint_encoding(value, minimal):
    assert wire.uvarint(value) == minimal
    assert wire.UVarint.build(value) == minimal
    padded = wire.PaddedUVarint.build(value)
    assert len(padded) == 10
    assert wire.UVarint.parse(minimal) == value
    assert wire.UVarint.parse(padded) == value  # non-minimal encodings are accepted


def test_uvarint_errors():
    with pytest.raises(cs.ConstructError, match="overflows"):
        wire.UVarint.parse(b"\xff" * 9 + b"\x02")
    with pytest.raises(cs.ConstructError, match="overflows"):
        wire.UVarint.parse(b"\x80" * 10 + b"\x00")
    with pytest.raises(cs.ConstructError, match="unexpected EOF"):
        wire.UVarint.parse(b"\x80")
    with pytest.raises(ValueError):
        wire.uvarint(1 << 64)


# Checked against `go tool trace -d=wire` (Go's version.ReadHeader uses fmt.Fscanf).
@pytest.mark.parametrize("header, expect", [
    (b"go 1.26 trace\0\0\0", (26, 16)),
    (b"go 1.22 trace\0\0\0", (22, 16)),
    (b"go 1.026 trace\0\0\0", (26, 17)),
    (b"go 1. 26 trace\0\0\0", (26, 17)),
    (b"go  1.26 trace\0\0\0", (26, 17)),
    (b"go 1.26  trace\0\0\0", (26, 17)),
    (b"go 1.26\ttrace\0\0\0", (26, 16)),
    (b"go 1.26trace\0\0\0", "bad file format: not a Go execution trace?"),
    (b"go 1.+26 trace\0\0\0", "bad file format: not a Go execution trace?"),
    (b"go 1.26 trace\0\0", "bad file format: not a Go execution trace?"),
    (b"go 1.4294967322 trace\0\0\0", "bad file format: not a Go execution trace?"),
    (b"go 1.26\ntrace\0\0\0", "bad file format: not a Go execution trace?"),
    (b"", "bad file format: not a Go execution trace?"),
    (b"go 1.20 trace\0\0\0", "unknown or unsupported trace version go 1.20"),
])
def test_read_header(header, expect):
    if isinstance(expect, str):
        with pytest.raises(TraceError) as e:
            wire.read_header(header)
        assert e.value.message == expect and e.value.offset == 0
    else:
        assert wire.read_header(header + b"\x01") == expect


def test_header_construct():
    assert wire.Header.parse(b"go 1.25 trace\0\0\0") == 25
    assert wire.Header.build(23) == b"go 1.23 trace\0\0\0"


# --- construct descriptions -------------------------------------------------------------------------

def test_batch_descriptions_round_trip():
    hdr = dict(gen=3, m=U64_MAX, time=123456, size=5)
    raw = wire.EventBatchHeader.build(hdr)
    assert raw[0] == S.EvEventBatch and len(raw) == 1 + 1 + 10 + 3 + 10  # size padded to 10 bytes
    assert {k: v for k, v in wire.EventBatchHeader.parse(raw).items() if k != "_io"} == {"type": 1, **hdr}
    exp = wire.ExperimentalBatchHeader.build(dict(exp=1, gen=1, m=2, time=3, size=0))
    assert exp[:2] == bytes([S.EvExperimentalBatch, 1])
    b = wire.Batch.parse(wire.EventBatchHeader.build(hdr) + b"abcde")
    assert b.data == b"abcde" and b.header.gen == 3
    assert wire.Batch.parse(bytes([S.EvEndOfGeneration])).data is None


def test_table_descriptions():
    strings = bytes([S.EvStrings, S.EvString, 1, 3]) + b"abc" + bytes([S.EvString, 2, 0])
    p = wire.StringsBatch.parse(strings)
    assert [(s.id, s.data) for s in p.strings] == [(1, b"abc"), (2, b"")]
    stacks = bytes([S.EvStacks, S.EvStack, 7, 2, 1, 2, 3, 4, 5, 6, 7, 8])
    p = wire.StacksBatch.parse(stacks)
    assert [(f.pc, f.func, f.file, f.line) for f in p.stacks[0].frames] == [(1, 2, 3, 4), (5, 6, 7, 8)]
    cpu = bytes([S.EvCPUSamples, S.EvCPUSample, 9, 1, 2, 3, 4])
    assert wire.CPUSamplesBatch.parse(cpu).samples[0].stack == 4
    sync = bytes([S.EvSync, S.EvFrequency, 100, S.EvClockSnapshot, 1, 2, 3, 4])
    entries = wire.sync_batch(S.GO125).parse(sync).entries
    assert entries[0].freq == 100 and entries[1].nsec == 4
    assert wire.sync_batch(S.GO122).parse(bytes([S.EvFrequency, 100])).entries[0].freq == 100
    with pytest.raises(cs.ConstructError):
        wire.StringsBatch.parse(strings + b"\x07")  # junk after the entries


def test_iter_batches_errors():
    body = wire.EventBatchHeader.build(dict(gen=1, m=1, time=1, size=4)) + b"\x02\x02"
    with pytest.raises(TraceError, match="failed to read full batch: read 2 but wanted 4"):
        list(wire.iter_batches(wire.encode_header(26) + body))
    with pytest.raises(TraceError, match="expected batch event, got event 9"):
        list(wire.iter_batches(wire.encode_header(26) + b"\x09"))
    with pytest.raises(TraceError, match="error reading batch M ID: EOF"):
        list(wire.iter_batches(wire.encode_header(26) + b"\x01\x01"))
    big = wire.EventBatchHeader.build(dict(gen=1, m=1, time=1, size=S.MAX_BATCH_SIZE + 1))
    with pytest.raises(TraceError, match="invalid batch size 65537, maximum is 65536"):
        list(wire.iter_batches(wire.encode_header(26) + big))


# --- raw events -----------------------------------------------------------------------------------

def small_trace(version=S.GO126) -> list[RawEvent]:
    def ev(t, *args, data=None):
        return RawEvent(version, t, tuple(args), data)
    return [
        ev(S.EvEventBatch, 1, U64_MAX, 100, 6),
        ev(S.EvStrings), ev(S.EvString, 1, data=b"main"),
        ev(S.EvEventBatch, 1, U64_MAX, 101, 9),
        ev(S.EvStacks), ev(S.EvStack, 1, 1, 0x401000, 1, 1, 42),
        ev(S.EvEventBatch, 1, 5, 102, 6),
        ev(S.EvProcStatus, 1, 0, S.ProcRunningStatus), ev(S.EvGoStatus, 1, 1, 5, S.GoRunningStatus),
    ]


def test_iter_raw_events_and_offsets():
    events = small_trace()
    data = encode_trace(S.GO126, events)
    got = list(iter_raw_events(data))
    assert got == events
    assert got[0].offset == 16 and got[1].offset == 16 + 1 + 1 + 10 + 1 + 1  # type, gen, m, time, size
    assert all(data[e.offset] == e.type for e in got)
    assert got[5].frames() == [(0x401000, 1, 1, 42)]
    assert str(got[5]) == "Stack id=1 nframes=1\n\tpc=4198400 func=1 file=1 line=42"
    assert str(got[2]) == 'String id=1\n\tdata="main"'
    assert got[2].encoded_size() == 1 + 1 + 1 + 4


def test_truncation_semantics():
    data = encode_trace(S.GO126, small_trace())
    # Cut at an event boundary's first uvarint: Go's raw.Reader returns io.EOF, i.e. a clean end.
    cut = data[:16 + 1]
    assert list(iter_raw_events(cut, truncated_ok=True)) == []
    with pytest.raises(TraceError, match="unexpected EOF"):
        list(iter_raw_events(cut))
    # Cut inside a uvarint: an error either way.
    cut = data[:16 + 3]  # type, gen, then the first byte of m (0xff...)
    with pytest.raises(TraceError, match="unexpected EOF") as e:
        list(iter_raw_events(cut, truncated_ok=True))
    assert e.value.offset == len(cut)
    # Cut inside a String's data: a clean end for Go.
    i = data.index(b"main")
    assert len(list(iter_raw_events(data[:i + 2], truncated_ok=True))) == 2


def test_version_specific_types():
    hdr23, hdr26 = wire.encode_header(23), wire.encode_header(26)
    with pytest.raises(TraceError, match="invalid event type: 128") as e:
        list(iter_raw_events(hdr23 + bytes([128, 1, 2, 3, 4])))
    assert e.value.offset == 16
    with pytest.raises(TraceError, match="invalid event type: 45"):
        list(iter_raw_events(wire.encode_header(22) + bytes([45])))
    with pytest.raises(TraceError, match="invalid event type: 0"):
        list(iter_raw_events(hdr26 + b"\x00"))
    # In 1.26 Go's spec table has unnamed slots 53..127: they read as argument-less events.
    (ev,) = iter_raw_events(hdr26 + bytes([60]))
    assert ev.type == 60 and ev.args == () and str(ev) == ""
    (ev,) = iter_raw_events(hdr26 + bytes([S.EvSpan, 1, 2, 3, 4]))
    assert str(ev) == "Span dt=1 id=2 npages_value=3 kindclass=4"
    # Old versions have no spec table at all.
    with pytest.raises(TraceError, match="invalid event type: 1"):
        list(iter_raw_events(wire.encode_header(21) + b"\x01"))


def test_experimental_batch_is_one_event():
    ev = RawEvent(S.GO126, S.EvExperimentalBatch, (1, 2, 3, 4), b"\x80\x81opaque")
    data = encode_trace(S.GO126, [ev])
    assert list(iter_raw_events(data)) == [ev]
    padded = encode_trace(S.GO126, [ev], pad_batch_size=True)
    assert len(padded) == len(data) + 9
    (b,) = wire.iter_batches(padded)
    assert (b.exp, b.gen, b.m, b.time, b.data) == (1, 2, 3, 4, b"\x80\x81opaque")


def test_encode_errors():
    with pytest.raises(TraceError, match="mismatched version"):
        encode_trace(S.GO125, small_trace(S.GO126))
    with pytest.raises(TraceError, match="args, want"):
        encode_trace(S.GO126, [RawEvent(S.GO126, S.EvProcStop, ())])
    with pytest.raises(TraceError, match="args, want"):
        encode_trace(S.GO126, [RawEvent(S.GO126, S.EvStack, (1, 2, 1, 2, 3, 4))])
    with pytest.raises(TraceError, match="invalid event type"):
        encode_trace(S.GO122, [RawEvent(S.GO122, S.EvGoSwitch, (1, 2, 3))])


# --- property: encode and read back ---------------------------------------------------------------

ARG = st.one_of(st.integers(0, 200), st.integers(0, U64_MAX))


@st.composite
def raw_event_lists(draw, text_safe: bool = False):
    """A version and raw events of random types and arguments (no meaning, only shape).
    `text_safe`: events the text format can carry (named types; data always present)."""
    version = draw(st.sampled_from(S.SUPPORTED_VERSIONS))
    specs = wire.raw_specs(version)
    types = [t for t in range(1, len(specs)) if not text_safe or specs[t].name]
    events = []
    for _ in range(draw(st.integers(0, 12))):
        t = draw(st.sampled_from(types))
        spec = specs[t]
        args = [draw(ARG) for _ in spec.args]
        if spec.is_stack:
            args[1] = draw(st.integers(0, 3))
            args += [draw(ARG) for _ in range(4 * args[1])]
        data = None
        if spec.has_data:
            if text_safe:
                data = draw(st.binary(max_size=40))
            else:
                data = draw(st.one_of(st.none(), st.binary(min_size=1, max_size=40)))
        events.append(RawEvent(version, t, tuple(args), data))
    return version, events


@settings(max_examples=300, deadline=None)
@given(raw_event_lists())
def test_encode_then_read_round_trip(case):
    version, events = case
    for pad in (False, True):
        data = encode_trace(version, events, pad_batch_size=pad)
        assert list(iter_raw_events(data)) == events
    assert len(encode_trace(version, events)) == 16 + sum(e.encoded_size() for e in events)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64), st.sampled_from(S.SUPPORTED_VERSIONS))
def test_garbage_never_crashes(body, version):
    data = wire.encode_header(version) + body
    try:
        events = list(iter_raw_events(data, truncated_ok=True))
    except TraceError as e:
        assert e.offset is not None
    else:
        # Whatever reads cleanly prints, and re-encodes to no more bytes than it came from.
        assert all(isinstance(str(e), str) for e in events)
        assert len(encode_trace(version, events)) <= len(data)


# --- against Go -------------------------------------------------------------------------------------

def traces_to_check():
    traces = goref.committed_v2_traces()
    if traces:
        return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in traces]
    return [pytest.param(None, id="sample")]  # made by the test (needs go)


def load(path):
    if path is None:
        goref.require_go()
        path = goref.sample_trace()
    return path, path.read_bytes()


@pytest.mark.parametrize("path", traces_to_check())
def test_dump_wire_matches_go(path):
    path, data = load(path)
    goref.require_go()
    stdout, stderr, rc = goref.go_tool_trace(path, "wire")
    assert rc == 0, stderr
    assert dump(data) == (stdout, None)


@pytest.mark.parametrize("path", traces_to_check())
def test_real_trace_round_trip(path):
    path, data = load(path)
    version, _ = wire.read_header(data)
    events = list(iter_raw_events(data))
    # The runtime writes minimal uvarints except the batch size, which it pads to 10 bytes.
    assert encode_trace(version, events, pad_batch_size=True) == data
    minimal = encode_trace(version, events)  # what Go's raw.Writer writes
    nbatches = sum(e.type in (S.EvEventBatch, S.EvExperimentalBatch) for e in events)
    assert len(data) - len(minimal) == sum(10 - len(wire.uvarint(e.args[3] if e.type == S.EvEventBatch
                                                                   else len(e.data or b"")))
                                           for e in events if e.type in (S.EvEventBatch, S.EvExperimentalBatch))
    assert list(iter_raw_events(minimal)) == events and nbatches > 0


@pytest.mark.parametrize("path", traces_to_check())
def test_construct_agrees_with_raw_reader(path):
    path, data = load(path)
    version, _ = wire.read_header(data)
    strings = {e.args[0]: e.data or b"" for e in iter_raw_events(data) if e.type == S.EvString}
    stacks = {e.args[0]: e.frames() for e in iter_raw_events(data) if e.type == S.EvStack}
    got_strings, got_stacks, n = {}, {}, 0
    for b in wire.iter_batches(data):
        timed = b.data and b.data[0] not in (S.EvStrings, S.EvStacks, S.EvCPUSamples, S.EvFrequency, S.EvSync)
        if timed and n > 8:
            continue  # construct is slow: check the timed-events description on a few batches only
        parsed = wire.parse_batch_data(b, version)
        n += 1
        if parsed is not None and "strings" in parsed:
            got_strings.update((s.id, s.data) for s in parsed.strings)
        if parsed is not None and "stacks" in parsed:
            got_stacks.update((s.id, [(f.pc, f.func, f.file, f.line) for f in s.frames]) for s in parsed.stacks)
    assert got_strings == strings and got_stacks == stacks and n > 0


def synthetic_trace(version: int, seed: int) -> bytes:
    """Every type Go's raw reader knows for `version`, with odd arguments and string bytes."""
    rng = random.Random(seed)
    specs = wire.raw_specs(version)
    events = []
    for t in range(1, len(specs)):
        spec = specs[t]
        args = [rng.choice([0, 1, 127, 128, U64_MAX, rng.getrandbits(64)]) for _ in spec.args]
        if spec.is_stack:
            args[1] = 2
            args += [rng.getrandbits(rng.choice([8, 40, 64])) for _ in range(8)]
        data = None
        if spec.has_data:
            data = bytes(rng.randrange(256) for _ in range(60)) + "é\u2028😀\U000E0001".encode() + b"\"\\"
        events.append(RawEvent(version, t, tuple(args), data))
    events.append(RawEvent(version, S.EvString, (9,), bytes(range(256))))
    return encode_trace(version, events, pad_batch_size=bool(seed % 2))


@pytest.mark.parametrize("version", S.SUPPORTED_VERSIONS)
def test_synthetic_every_type_matches_go(version):
    goref.require_go()
    for seed in (1, 2):
        assert_same_as_go(synthetic_trace(version, seed))


def fuzz_corpus():
    d = goref.go_testdata_dir()
    if d is None:
        return []
    out = []
    for p in sorted((d / "fuzz" / "FuzzReader").glob("*")):
        lines = p.read_text().split("\n")
        lit = lines[1].strip()
        if lines[0].startswith("go test fuzz v1") and lit.startswith("[]byte(") and lit.endswith(")"):
            out.append(pytest.param(go_unquote(lit[len("[]byte("):-1]), id=p.name))
    return out


@pytest.mark.parametrize("data", fuzz_corpus() or [pytest.param(None, id="no-go")])
def test_go_fuzz_corpus_matches_go(data):
    goref.require_go()
    assert_same_as_go(data)


def test_damaged_traces_match_go():
    """Truncated and bit-flipped traces: same output and same error as Go."""
    goref.require_go()
    traces = goref.committed_v2_traces()
    base = (traces[0] if traces else goref.sample_trace()).read_bytes()
    rng = random.Random(7)
    cases = [base[:n] for n in (15, 16, 17, 18, 30)]
    cases += [base[:rng.randrange(16, len(base))] for _ in range(6)]
    for _ in range(6):
        b = bytearray(base[:2000])
        b[rng.randrange(16, len(b))] = rng.randrange(256)
        cases.append(bytes(b))
    cases.append(base[:16] + b"\xff" * 11)  # varint overflow
    for data in cases:
        assert_same_as_go(data)


def test_go_quote_cases():
    # Results of Go's strconv.Quote.
    assert go_quote(b"plain") == '"plain"'
    assert go_quote(b"\x00\x07\x7f\t\n\"\\") == '"\\x00\\a\\x7f\\t\\n\\"\\\\"'
    assert go_quote("ü\u2028😀\U000E0001".encode()) == '"ü\\u2028😀\\U000e0001"'
    assert go_quote(b"\xff\xed\xa0\x80\xe2\x82") == '"\\xff\\xed\\xa0\\x80\\xe2\\x82"'
