"""Bad input gets one clear TraceError with an offset; truncated and corrupted
real traces are handled exactly as Go's parser handles them (same events before
the error, same accept/reject decision)."""
from __future__ import annotations

import gzip
import random

import pytest

from tests import goref
from tracetui.format import TraceError, read

TRACES = goref.committed_traces()


def small(version: str, name: str = "mixed"):
    return next(p for p in TRACES if p.parent.name == version and p.name == f"{name}.trace")


def test_empty_input():
    with pytest.raises(TraceError, match="empty file") as e:
        read(b"")
    assert e.value.offset == 0


@pytest.mark.parametrize("v", [11, 19, 21])
def test_old_format_garbage_gets_gos_error(v):
    """A pre-1.22 header goes to the v1 reader, which rejects garbage with Go's message."""
    data = f"go 1.{v} trace\x00\x00\x00".encode() + b"\x00" * 32
    with pytest.raises(TraceError) as e:
        read(data)
    assert e.value.message == "unknown event type 0" and e.value.offset == 16 and e.value.partial is None
    if goref.find_go():
        _, err, rc = goref.go_tool_trace_bytes(data, "parsed")
        assert rc == 1 and b"unknown event type 0" in err


def test_unknown_version_is_named():
    with pytest.raises(TraceError, match=r"unknown or unsupported trace version go 1\.99.*supported"):
        read(b"go 1.99 trace\x00\x00\x00" + b"\x01" * 8)


def test_not_a_trace():
    with pytest.raises(TraceError, match="not a Go execution trace"):
        read(b"hello, this is not a trace at all")


def test_pprof_profile_is_recognised():
    with pytest.raises(TraceError, match="pprof"):
        read(gzip.compress(b"\x0a\x04some profile"))


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(TraceError, match="directory"):
        read(tmp_path)
    with pytest.raises(TraceError, match="no such file"):
        read(tmp_path / "nope.trace")


def go_view(data: bytes):
    out, _, rc = goref.go_tool_trace_bytes(data, "parsed")
    return out, rc


def ours_view(data: bytes):
    try:
        trace, rc = read(data), 0
    except TraceError as e:
        if e.partial is None:
            return b"", 1
        trace, rc = e.partial, 1
    return "".join(f"{ev}\n" for ev in trace).encode("utf-8", "surrogateescape"), rc


@pytest.mark.parametrize("version", ["go1.22", "go1.25", "go1.26", "go1.27"])
@pytest.mark.parametrize("frac", [0.3, 0.77, 0.999])
def test_truncated_trace_matches_go(version, frac):
    goref.require_go()
    data = small(version).read_bytes()
    cut = data[: int(len(data) * frac)]
    go_out, go_rc = go_view(cut)
    ours, rc = ours_view(cut)
    assert rc == go_rc
    assert ours == go_out


def test_truncated_trace_error_has_offset_and_partial():
    data = small("go1.27", "gc").read_bytes()
    with pytest.raises(TraceError) as e:
        read(data[: len(data) // 2])
    err = e.value
    assert err.offset is not None and 0 < err.offset <= len(data) // 2
    assert err.generation is not None
    assert err.partial is not None and err.partial.valid_bytes < len(data) // 2


@pytest.mark.parametrize("seed", range(60))
def test_corrupted_trace_matches_go(seed):
    """Flip a few bytes of a real trace: we accept or reject exactly as Go does."""
    goref.require_go()
    rnd = random.Random(seed)
    data = bytearray(small(rnd.choice(["go1.22", "go1.25", "go1.27"]), "annotations").read_bytes())
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(16, len(data))
        data[i] = rnd.randrange(256)
    go_out, go_rc = go_view(bytes(data))
    if go_rc not in (0, 1):
        goref.skip_go(f"Go's parser crashed on this input (exit {go_rc}); no reference")
    ours, rc = ours_view(bytes(data))
    assert rc == go_rc
    assert ours == go_out
