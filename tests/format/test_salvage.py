"""Salvage of broken traces (`tracetui.format.salvage`) against `go tool trace` itself.

cmd/trace, given a broken trace, keeps the events up to the last Sync and logs
"Lost X% of the latest trace data due to error (A of B)". For truncated and
corrupted traces with three generations in every format (1.22, 1.23, 1.25: a
generation ends at the next one's first batch; 1.26: EndOfGeneration markers), for
Go's failing test traces and for real traces cut short, we check:
- the same decision: read fine / salvaged / nothing salvageable;
- the same "Lost ..." line, character for character;
- the salvaged events are exactly the events cmd/trace keeps.
"""
from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from tests import goref
from tests.format.tracebuild import invalid_first_event
from tests.goref_salvage import go_salvage, prefetch
from tracetui.format import TraceError, read
from tracetui.format.raw import load_test_case
from tracetui.format.salvage import SalvageReport, byte_count, read_salvaged

MULTIGEN = sorted((Path(__file__).parent / "data" / "multigen").glob("*.trace"))
VERSIONS = [p.stem for p in MULTIGEN]  # go1.22, go1.23, go1.25, go1.27


def multigen(version: str) -> bytes:
    return (Path(__file__).parent / "data" / "multigen" / f"{version}.trace").read_bytes()


def _cases() -> list[tuple[str, bytes]]:
    """Named broken inputs: cuts at and around generation boundaries, byte flips."""
    cases = []
    for version in VERSIONS:
        data = multigen(version)
        gens = read(data).generations
        b1, b2 = gens[0]["end"], gens[1]["end"]
        for name, cut in [("gen1-end", b1), ("gen1-end+1", b1 + 1), ("gen1-end-1", b1 - 1),
                          ("mid-gen2", (b1 + b2) // 2), ("gen2-end", b2), ("mid-gen3", (b2 + len(data)) // 2),
                          ("last-byte", len(data) - 1), ("mid-gen1", b1 // 2)]:
            cases.append((f"{version}-cut-{name}", data[:cut]))
        rnd = random.Random(version)
        for k in range(4):
            d = bytearray(data)
            for _ in range(2):
                i = rnd.randrange(b1, b2)
                d[i] = rnd.randrange(256)
            cases.append((f"{version}-flip-gen2-{k}", bytes(d)))
    for version in ("go1.22", "go1.25", "go1.27"):
        gc = next(p for p in goref.committed_traces() if p.parent.name == version and p.name == "gc.trace")
        d = gc.read_bytes()
        cases.append((f"{version}-gc-half", d[: len(d) // 2]))
    td = goref.go_testdata_dir()
    if td is not None:
        for p in sorted((td / "tests").glob("*.test")):
            tc = load_test_case(p)
            if not tc.expect_success:
                cases.append((p.stem, tc.trace_bytes))
    return cases


CASES = _cases() if goref.find_go() else []


@pytest.fixture(scope="module", autouse=True)
def _go_results():
    if CASES:
        prefetch([d for _, d in CASES])


def ours(data: bytes):
    try:
        trace, report = read_salvaged(data)
    except TraceError as e:
        return "failed", None, e
    return ("read" if report is None else "salvaged"), trace, report


@pytest.mark.parametrize("name,data", CASES, ids=[n for n, _ in CASES])
def test_salvage_matches_go_tool_trace(name, data):
    goref.require_go()
    go = go_salvage(data)
    decision, trace, report = ours(data)
    go_decision = "failed" if go.failed else "salvaged" if go.error is not None else "read"
    assert decision == go_decision, (go, report)
    if decision != "salvaged":
        return
    assert report.go_log()[1] == go.lost_line
    # The events kept are what Go's parser returned up to and including the last Sync.
    out, _, rc = goref.go_tool_trace_bytes(data, "parsed")
    assert rc == 1
    kept = "".join(f"{ev}\n" for ev in trace).encode("utf-8", "surrogateescape")
    assert len(trace) == report.events and trace.type[-1] == 255
    assert out.startswith(kept)
    dropped = out[len(kept):].decode("utf-8", "surrogateescape").splitlines()
    assert sum(line.startswith("M=") for line in dropped) == report.dropped_events
    assert not any(line.startswith("M=-1 P=-1 G=-1 Sync ") for line in dropped)


def test_go_reports_zero_loss_for_a_truncated_trace():
    """Go has read to the end of the file when reading the cut generation fails, so it
    counts every byte as valid; our `incomplete_bytes` says what is really missing."""
    data = multigen("go1.27")
    gens = read(data).generations
    cut = data[: (gens[1]["end"] + gens[2]["end"]) // 2]
    trace, report = read_salvaged(cut)
    assert report.lost_bytes == 0 and report.go_log()[1].startswith("Lost 0.00% ")
    assert report.complete_bytes == gens[1]["end"] and report.incomplete_bytes == len(cut) - gens[1]["end"]
    assert len(trace.generations) == 2 and report.dropped_events == 0
    assert "past the last complete generation" in report.warning()
    assert trace.type[-1] == 255 and str(trace[len(trace) - 1]).endswith(" N=3")  # Syncs: gen 1, gen 2, error




def break_ordering(version: str, gen: int) -> bytes:
    """The multigen trace with a bit of generation `gen` (0-based) flipped so that the
    generation reads fine but ordering its events fails part way."""
    data = multigen(version)
    gens = read(data).generations
    rnd = random.Random(f"{version}-{gen}")
    for _ in range(500):
        d = bytearray(data)
        i = rnd.randrange(gens[gen]["offset"] + 200, gens[gen]["end"] - 200)
        d[i] ^= 1 << rnd.randrange(8)
        try:
            _, report = read_salvaged(bytes(d))
        except TraceError:
            continue
        if report is not None and report.dropped_events and report.generation == gens[gen]["gen"]:
            return bytes(d)
    raise AssertionError("no flip made ordering fail")


def test_read_ahead_is_counted_like_go():
    """Go's count is how far its 4 KiB bufio.Reader had read when the last Sync was
    returned: here the Sync of the failing generation 2, read through its end."""
    data = break_ordering("go1.27", 1)
    gens = read(multigen("go1.27")).generations
    trace, report = read_salvaged(data)
    assert len(trace.generations) == 2 and report.complete_bytes == gens[0]["end"]
    assert report.valid_bytes > gens[1]["end"]  # read-ahead past the generation's EndOfGeneration
    assert report.valid_bytes in (len(data), 4096 * (report.valid_bytes // 4096))
    if goref.find_go():
        assert report.go_log()[1] == go_salvage(data).lost_line


def test_dropped_events_are_those_after_the_last_sync():
    data = break_ordering("go1.25", 0)
    trace, report = read_salvaged(data)
    assert report.dropped_events > 0 and report.events == len(trace)
    with pytest.raises(TraceError) as e:
        read(data)
    partial = e.value.partial
    assert len(trace) == report.events < len(partial)
    assert [str(partial[i]) for i in range(len(trace))] == [str(ev) for ev in trace]
    assert trace.type[-1] == 255 and (partial.type[report.events:] != 255).all()
    # The sliced trace is a working Trace.
    from tracetui.format.stats import trace_stats
    assert trace_stats(trace)["events"] == report.events
    assert list(trace.arg_of(range(len(trace)))) == list(partial.arg_of(range(len(trace))))
    if goref.find_go():
        out, _, rc = goref.go_tool_trace_bytes(data, "parsed")
        assert rc == 1 and out.startswith("".join(f"{ev}\n" for ev in trace).encode())


def test_valid_trace_has_no_report():
    data = multigen("go1.25")
    trace, report = read_salvaged(data)
    assert report is None and len(trace) == len(read(data))


def test_sources_path_bytes_and_file_agree(tmp_path):
    cut = multigen("go1.23")[:9000]
    p = tmp_path / "cut.trace"
    p.write_bytes(cut)
    reports = [read_salvaged(src)[1] for src in (cut, p, str(p), io.BytesIO(cut))]
    assert all(r == reports[0] for r in reports) and reports[0] is not None


def test_nothing_salvageable_raises():
    """Not a trace, or no Sync before the error (cmd/trace: "failed to parse any useful part")."""
    with pytest.raises(TraceError, match="not a Go execution trace"):
        read_salvaged(b"hello")
    with pytest.raises(TraceError, match="empty"):
        read_salvaged(b"")
    # Go 1.26 format: the first event batch's first event gets an invalid type. The
    # generation reads fine; the batch cursor fails before its Sync is returned.
    data = invalid_first_event(multigen("go1.27"))
    with pytest.raises(TraceError, match="invalid event type") as e:
        read_salvaged(bytes(data))
    assert e.value.partial is not None and len(e.value.partial) == 0
    if goref.find_go():
        assert go_salvage(bytes(data)).failed.startswith("failed to parse any useful part of the trace")


def test_report_text():
    r = SalvageReport(message="failed to read full batch: read 1 but wanted 9", offset=123, generation=2,
                      size=10_000, valid_bytes=8_000, events=10, dropped_events=3, complete_bytes=7_000)
    assert r.lost_bytes == 2_000 and r.lost_percent == 20.0 and r.incomplete_bytes == 3_000
    assert r.go_log() == ["Encountered error, but able to proceed. Error: "
                          "failed to read full batch: read 1 but wanted 9",
                          "Lost 20.00% of the latest trace data due to error (2.0 KiB of 9.8 KiB)"]
    # the share of the file not used leads; Go's figure follows
    assert r.warning() == ("30% of the file could not be used (2.9 KiB of 9.8 KiB past the last complete "
                           "generation; 3 events of the broken generation dropped; go tool trace: Lost 20.00%) "
                           "due to error: failed to read full batch: read 1 but wanted 9 (byte 123, generation 2)")
    assert r.unusable_percent == 30.0
    assert r.as_dict()["lost_percent"] == 20.0
    assert [byte_count(n) for n in (0, 1023, 1024, 1536, 5 << 20, 3 << 30)] == \
        ["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 MiB", "3.0 GiB"]
