"""Edge cases where our reader once differed from Go's parser, found by
tests/format/test_hostile.py and tests/format/test_fuzz.py, each with a small
reproducer compared with `go tool trace -d=parsed` (decision, events and error words):
- a first generation without events; goroutine/proc status values of 256 and more
  (Go keeps the low 8 bits); extra blanks in the header (Go's fmt.Fscanf accepts them);
  a bare io.EOF inside a table (Go ends the trace there); a cut-off last generation
  holding no event batch (no error for Go);
- error wording: frame read errors name the field, statuses are truncated, stacks are
  validated in id order, a decode error of the thread's next event wins over a bad
  table id, duplicate string ids name both strings.
One difference remains, kept as a strict xfail: ids of 2^64-1 (Go's NoGoroutine/NoProc).
`test_fuzz.known_discrepancy` recognises it in random input.
"""
from __future__ import annotations

import pytest

from tests import goref
from tests.format import tracebuild as B
from tracetui.format import TraceError, read
from tracetui.format import spec as S

U64 = (1 << 64) - 1
VERSIONS = (S.GO122, S.GO126)


def one_gen(v: int, events: str, **kw) -> bytes:
    kw.setdefault("strings", B.STRINGS)
    return B.trace(v, B.generation(v, 1, [B.batch(v, 1, 1, 100, events)], **kw))


def ours(data: bytes) -> tuple[int, bytes, str]:
    try:
        trace, rc, msg = read(data), 0, ""
    except TraceError as e:
        trace, rc, msg = e.partial, 1, e.message
    text = "".join(f"{ev}\n" for ev in trace) if trace is not None else ""
    return rc, text.encode("utf-8", "surrogateescape"), msg


def go(data: bytes) -> tuple[int, bytes, str]:
    goref.require_go()
    out, err, rc = goref.go_tool_trace_bytes(data, "parsed")
    return rc, out, err.decode("utf-8", "replace").strip()


def strict_xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason="decoder discrepancy: " + reason)


# --- accept/reject and events ---------------------------------------------------------------

MAX_IDS = {f"v{v}-{what}": one_gen(v, ev) for v in VERSIONS for what, ev in [
    ("proc-2^64-1-idle", f"ProcStatus dt=1 p={U64} pstatus=2\n"),
    ("goroutine-2^64-1-runnable", f"GoStatus dt=1 g={U64} m={U64} gstatus=1\n")]}


@strict_xfail("a goroutine or proc id of 2^64-1 (Go's NoGoroutine/NoProc, -1) is rejected up front "
              "('unsupported proc ID -1'); Go takes it like any other id and reads these traces without error")
@pytest.mark.parametrize("name", list(MAX_IDS))
def test_max_ids(name):
    data = MAX_IDS[name]
    assert go(data)[0] == 0
    assert ours(data) == go(data)


def eventless_first_generation(v: int) -> bytes:
    """Generation 1 has only its Sync, stacks and strings batches; generation 2 has a proc
    and a goroutine, by their status events."""
    return B.trace(v, B.generation(v, 1, []), B.generation(v, 2, [B.batch(
        v, 2, 1, 2020, f"ProcStatus dt=1 p=0 pstatus=2\nGoStatus dt=1 g=1 m={B.NO_M} gstatus=1\n")]))


@pytest.mark.parametrize("version", S.SUPPORTED_VERSIONS)
def test_eventless_first_generation(version):
    data = eventless_first_generation(version)
    assert go(data)[0] == 0
    assert ours(data) == go(data)


@pytest.mark.parametrize("version", VERSIONS)
def test_goroutine_status_is_8_bits(version):
    data = one_gen(version, "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=1 gstatus=258\n")
    assert go(data)[0] == 0
    assert ours(data) == go(data)


@pytest.mark.parametrize("header", [b"go  1.22 trace", b"go 1.22\ttrace", b"go \t1.22   trace"])
def test_header_blanks(header):
    data = header + b"\0\0\0" + B.simple_trace(S.GO122)[S.HEADER_LEN:]
    assert go(data)[0] == 0
    assert ours(data) == go(data)


def _sync_text(v: int) -> str:
    return ("Sync\nFrequency freq=1000000000\nClockSnapshot dt=1 mono=1 sec=1 nsec=0\n" if v >= S.GO125
            else "Frequency freq=1000000000\n")


def strings_batch_cut_after_type(v: int) -> bytes:
    body = bytes([S.EvStrings, S.EvString])  # an entry's type byte, then the batch ends
    return B.trace(v, B.batch(v, 1, B.NO_M, 10, _sync_text(v)) + B.batch_header(1, B.NO_M, 11, len(body)) + body
                   + B.batch(v, 1, 1, 100, "ProcStatus dt=1 p=0 pstatus=2\n") + (B.EOG if v >= S.GO126 else b""))


BARE_EOF = {f"v{v}-{name}": build(v) for v in VERSIONS for name, build in [
    ("strings-batch-ends-after-type-byte", strings_batch_cut_after_type),
    ("file-ends-after-experimental-batch-byte", lambda v: B.simple_trace(v) + bytes([S.EvExperimentalBatch]))]}


@pytest.mark.parametrize("name", list(BARE_EOF))
def test_bare_eof_ends_the_trace(name):
    data = BARE_EOF[name]
    assert go(data)[0] == 0
    assert ours(data) == go(data)


@pytest.mark.parametrize("version", (S.GO126,))
def test_structural_only_last_generation(version):
    data = B.simple_trace(version) + B.batch(version, 2, B.NO_M, 5000, _sync_text(version))
    assert go(data)[0] == 0
    assert ours(data) == go(data)


# --- error messages -------------------------------------------------------------------------

def stacks_batch(v: int, body: bytes) -> bytes:
    """A generation whose stacks batch holds `body` (after the EvStacks byte)."""
    stacks = bytes([S.EvStacks]) + body
    return B.trace(v, B.batch(v, 1, B.NO_M, 10, _sync_text(v))
                   + B.batch_header(1, B.NO_M, 11, len(stacks)) + stacks
                   + B.batch(v, 1, B.NO_M, 12, "Strings\n" + "".join(
                       f'String id={i}\n\tdata="{s}"\n' for i, s in B.STRINGS.items()))
                   + B.batch(v, 1, 1, 100, B.simple_events()) + (B.EOG if v >= S.GO126 else b""))


def frame(pc: int, func: int, file: int, line: int) -> bytes:
    return b"".join(B.uvarint(x) for x in (pc, func, file, line))


MESSAGES = {
    # A stack whose first frame ends after its PC.
    "frame-field": (stacks_batch(S.GO126, B.ev("Stack", 1, 1) + B.uvarint(0x401000)),
                    "reading frame 1's funcID for stack 1: EOF",
                    "the field being read is not named ('reading frame 1 for stack 1: EOF')"),
    "status-value": (one_gen(S.GO126, "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=1 gstatus=511\n"),
                     "invalid status for goroutine 1: 255",
                     "the status value is not truncated to 8 bits as Go's tracev2.GoStatus is ('...: 511')"),
    # Stacks 2 then 1, both naming string 9, which does not exist.
    "first-bad-stack": (stacks_batch(S.GO126, B.ev("Stack", 2, 1) + frame(0x401000, 9, 2, 7)
                                     + B.ev("Stack", 1, 1) + frame(0x402000, 9, 2, 8)),
                        "found invalid func string ID 9 for stack 1",
                        "stacks are validated in the order they appear, Go's in id order (its dense table): "
                        "we name stack 2"),
    # GoStop names stack 99 (there is none); the next byte is not a timed event.
    "error-precedence": (one_gen(S.GO126, "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=1 gstatus=2\n"
                                 "GoStop dt=1 reason_string=0 stack=99\nStrings\n"),
                         "found event without a timestamp: type=4",
                         "Go reads the next event of the thread before it returns (and checks the ids of) the "
                         "current one, so the decoding error wins; we report 'found invalid stack ID 99 for event "
                         "GoStop'"),
    "duplicate-string": (one_gen(S.GO126, B.simple_events(), strings={1: "a", 2: "b", 3: "c"})
                         .replace(b'\x05\x02\x01b', b'\x05\x01\x01b'),
                         "multiple strings with the same ID: id=1, new=b, existing=a",
                         "the message lacks Go's ', new=b, existing=a'"),
}


@pytest.mark.parametrize("name", list(MESSAGES))
def test_error_message(name):
    data, want, reason = MESSAGES[name]
    go_rc, go_out, go_msg = go(data)
    assert go_rc == 1 and go_msg == want  # the reproducer still shows what it should
    rc, out, msg = ours(data)
    assert (rc, out) == (go_rc, go_out)
    assert msg == go_msg, reason
