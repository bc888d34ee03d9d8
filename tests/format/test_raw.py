"""Tests of tracetui.format.raw: Go's raw text format, conversions to and from binary,
and Go's trace test files (txtar + expectation)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings

from tests import goref
from tests.format.test_wire import raw_event_lists
from tracetui.format import raw, wire
from tracetui.format import spec as S
from tracetui.format.errors import TraceError
from tracetui.format.goquote import go_unquote
from tracetui.format.wire import RawEvent

TEXT = """Trace Go1.25
EventBatch gen=1 m=18446744073709551615 time=9 size=16
Sync
Frequency freq=1000000000
ClockSnapshot dt=1 mono=99 sec=1740755049 nsec=123
EventBatch gen=1 m=18446744073709551615 time=12 size=20
Strings
String id=1
\tdata="hello \\x00\\xff world"
Stacks
Stack id=5 nframes=2
\tpc=1241251 func=3 file=6 line=124
\tpc=7534345 func=6 file=3 line=64
"""


def test_read_and_write_text():
    version, events = raw.read_text(TEXT)
    assert version == 25
    assert [e.name for e in events] == ["EventBatch", "Sync", "Frequency", "ClockSnapshot", "EventBatch",
                                        "Strings", "String", "Stacks", "Stack"]
    assert events[6].data == b"hello \x00\xff world"
    assert events[8].args == (5, 2, 1241251, 3, 6, 124, 7534345, 6, 3, 64)
    assert raw.write_text(version, events) == TEXT
    assert raw.read_text(TEXT.encode()) == (version, events)
    # Offsets point at the line each event starts on.
    assert TEXT[events[6].offset:].startswith("String id=1")


def test_text_binary_conversions():
    data = raw.text_to_binary(TEXT)
    assert data.startswith(b"go 1.25 trace\x00\x00\x00")
    assert raw.binary_to_text(data) == TEXT
    version, events = raw.read_text(TEXT)
    assert data == wire.encode_trace(version, events)  # sizes as written, minimal uvarints


def test_comments_blank_lines_and_spacing():
    text = "# leading comment\n\n  Trace \u00a0Go1.22\r\n\tStrings\r\n# c\nString   id=7\n\n#\n   data = `raw\\x`  \n"
    version, events = raw.read_text(text)
    assert version == 22
    assert events == [RawEvent(22, S.EvStrings), RawEvent(22, S.EvString, (7,), b"raw\\x")]


def test_empty_string_data_quirk():
    # Text `data=""` is an empty (non-nil) slice in Go and prints again; the wire reader leaves
    # empty data nil, which String() omits: a binary trace with an empty string is not text-safe.
    _, events = raw.read_text('Trace Go1.22\nString id=1\n\tdata=""\n')
    assert events[0].data == b"" and str(events[0]) == 'String id=1\n\tdata=""'
    data = raw.text_to_binary('Trace Go1.22\nString id=1\n\tdata=""\n')
    (back,) = wire.iter_raw_events(data)
    assert back.data is None and raw.binary_to_text(data) == "Trace Go1.22\nString id=1\n"


# Each message checked against Go's raw.TextReader (Go 1.27.3).
@pytest.mark.parametrize("text, message", [
    ("", "EOF"),
    ("# only a comment\n", "EOF"),
    ("Trace\n", "failed to parse header Go version"),
    ("Trace Go1.x\n", 'failed to parse header Go version: strconv.ParseUint: parsing "x": invalid syntax'),
    ("Trace Go1.20\n", "unknown or unsupported Go version 1.20"),
    ("Trace Go1.22 extra\n", 'encountered unexpected non-space at the end of the header: " extra"'),
    ("Trace Go1.22\nBogus a=1\n", "unidentified event: Bogus"),
    ("Trace Go1.22\nEventBatch gen=1 m=2 time=3\n", "reading args for EventBatch: no argument"),
    ("Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=4 x=5\n",
     'reading args for EventBatch: encountered unexpected non-space at the end of an event: " x=5"'),
    ("Trace Go1.22\nEventBatch gen=1 m=2 time=3 size\n", 'reading args for EventBatch: malformed argument: "size"'),
    ("Trace Go1.22\nEventBatch gen=1 m=2 time=3 siz=4\n",
     'reading args for EventBatch: expected argument "size", but got "siz"'),
    ("Trace Go1.22\nEventBatch gen=1 m=2 time=-3 size=4\n",
     'reading args for EventBatch: failed to parse argument value "-3" for arg "time"'),
    ("Trace Go1.22\nEventBatch gen=1 m=2 time=18446744073709551616 size=4\n",
     'reading args for EventBatch: failed to parse argument value "18446744073709551616" for arg "time"'),
    ("Trace Go1.22\nStack id=1 nframes=2\n pc=1 func=2 file=3 line=4\n",
     "unexpected EOF while reading stack: args=[1 2 1 2 3 4]"),
    ("Trace Go1.22\nStack id=1 nframes=1\n pc=1 func=2 file=3\n", "no argument"),
    ("Trace Go1.22\nString id=1\n", "unexpected EOF while reading data for String: args=[1]"),
    ('Trace Go1.22\nString id=1\n dat="x"\n', 'malformed data: " dat=\\"x\\""'),
    ('Trace Go1.22\nString id=1\n data="x\n', 'failed to parse data: " data=\\"x": invalid syntax'),
    ("Trace Go1.22\nStrings#c\n",
     'reading args for Strings: encountered unexpected non-space at the end of an event: "#c"'),
    ("Trace Go1.22\nGoSwitch dt=1 g=2 g_seq=3\n", "unidentified event: GoSwitch"),  # a 1.23 event
    ("Trace Go1.25\nSpan dt=1 id=2 npages_value=3 kindclass=4\n", "unidentified event: Span"),
    ("Trace Go1.21\nStrings\n", "unidentified event: Strings"),
])
def test_text_reader_errors(text, message):
    with pytest.raises(TraceError) as e:
        raw.read_text(text)
    assert e.value.message == message


def test_text_reader_go_quirks():
    assert raw.read_text("Trace Go1.4294967318\n")[0] == 22  # Go truncates the version to uint32
    (ev,) = raw.read_text("Trace Go1.26\nSpan dt=1 id=2 npages_value=3 kindclass=4\n")[1]
    assert ev.type == S.EvSpan
    (ev,) = raw.read_text("Trace Go1.22\nStack id=1 nframes=18446744073709551615\n")[1]
    assert ev.frames() == [] and raw.text_to_binary("Trace Go1.22\nStack id=1 nframes=18446744073709551615\n")


def test_write_text_version_mismatch():
    with pytest.raises(TraceError, match="mismatched version"):
        raw.write_text(22, [RawEvent(23, S.EvStrings)])


@settings(max_examples=300, deadline=None)
@given(raw_event_lists(text_safe=True))
def test_text_round_trip_property(case):
    version, events = case
    text = raw.write_text(version, events)
    assert raw.read_text(text) == (version, events)
    assert raw.text_to_binary(text) == wire.encode_trace(version, events)


# --- txtar and expectations ---------------------------------------------------------------------

def test_parse_txtar():
    comment, files = raw.parse_txtar(b"top\n-- a --\nA1\nA2\n--  b.txt  --\nB\n-- not a marker\n-- c --")
    assert comment == b"top\n"
    assert files == [("a", b"A1\nA2\n"), ("b.txt", b"B\n-- not a marker\n"), ("c", b"")]
    assert raw.parse_txtar(b"no files") == (b"no files\n", [])


@pytest.mark.parametrize("expect, result", [
    (b"SUCCESS\n", (True, None)),
    (b"SUCCESS anything after is ignored\n", (True, None)),
    (b"", (True, None)),
    (b'FAILURE "expected a proc but didn\'t have one"\n', (False, "expected a proc but didn't have one")),
    (b'FAILURE ".*bad \\\\d+.*"\r\nignored\n', (False, r".*bad \d+.*")),
    (b'FAILURE `raw \\s`\n', (False, r"raw \s")),
])
def test_parse_expectation(expect, result):
    assert raw.parse_expectation(expect) == result


@pytest.mark.parametrize("expect, message", [
    (b"FAILURE\n", 'bad header line for FAILURE: "FAILURE"'),
    (b"MAYBE\n", 'bad header line: "MAYBE"'),
    (b"FAILURE unquoted\n", "malformed pattern: not correctly quoted: unquoted: invalid syntax"),
    (b'FAILURE "("\n', "malformed pattern: not a valid regexp: ("),
])
def test_parse_expectation_errors(expect, message):
    with pytest.raises(TraceError) as e:
        raw.parse_expectation(expect)
    assert e.value.message.startswith(message)


def test_test_case_check():
    ok = raw.TestCase("x", True, None, b"")
    bad = raw.TestCase("y", False, "didn't have one", b"")
    assert ok.check(None) is None
    assert ok.check("boom") == "unexpected error while reading the trace: boom"
    assert bad.check(TraceError("expected a proc but didn't have one", offset=3)) is None
    assert bad.check(None).startswith("expected error while reading the trace")
    assert bad.check("other").startswith("unexpected error while reading the trace: want something matching")


def test_load_test_case_malformed(tmp_path):
    p = tmp_path / "t.test"
    p.write_text("-- expect --\nSUCCESS\n")
    with pytest.raises(TraceError, match="wrong number of files"):
        raw.load_test_case(p)
    p.write_text("-- trace --\nTrace Go1.22\n-- expect --\nSUCCESS\n")
    with pytest.raises(TraceError, match="bad filename trace"):
        raw.load_test_case(p)
    p.write_text("-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nBogus\n")
    with pytest.raises(TraceError, match="bad trace file: unidentified event: Bogus"):
        raw.load_test_case(p)
    p.write_text("-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nStrings\n")
    case = raw.load_test_case(p)
    assert (case.name, case.expect_success, case.version) == ("t", True, 22)
    assert case.trace_bytes == b"go 1.22 trace\x00\x00\x00" + bytes([S.EvStrings])


# --- Go's test files ------------------------------------------------------------------------------

def go_test_files():
    d = goref.go_testdata_dir()
    if d is None:
        return [pytest.param(None, id="no-go")]
    return [pytest.param(p, id=p.stem) for p in sorted((d / "tests").glob("*.test"))]


@pytest.mark.parametrize("path", go_test_files())
def test_go_test_file(path):
    if path is None:
        goref.skip_go("Go toolchain not found: no $GOROOT/src/internal/trace/testdata/tests")
    case = raw.load_test_case(path)
    assert case.name == path.stem and case.version in S.SUPPORTED_VERSIONS
    assert case.expect_success == (case.expect_error_regex is None)
    # The files are Go's text writer output: reading and writing again changes nothing.
    version, events = raw.read_text(case.trace_text)
    assert raw.write_text(version, events) == case.trace_text
    # Binary and back.
    assert raw.binary_to_text(case.trace_bytes) == case.trace_text
    assert list(wire.iter_raw_events(case.trace_bytes)) == events
    # Go's own raw reader sees the same events in the bytes we wrote.
    stdout, stderr, rc = goref.go_tool_trace_bytes(case.trace_bytes, "wire")
    assert rc == 0, stderr
    assert f"Trace Go1.{version}\n".encode() + stdout == case.trace_text.encode()


def test_go_test_file_expectations():
    d = goref.go_testdata_dir()
    if d is None:
        goref.skip_go("Go toolchain not found")
    cases = {p.stem: raw.load_test_case(p) for p in (d / "tests").glob("*.test")}
    assert len(cases) >= 20
    failing = {n: c.expect_error_regex for n, c in cases.items() if not c.expect_success}
    assert failing.get("go122-create-syscall-with-p") == ".*expected a proc but didn't have one.*"
    assert failing.get("go122-fail-first-gen-first") == "expected a proc but didn't have one"


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p.parent.name}/{p.name}")
                                  for p in goref.committed_v2_traces()[:6]] or [pytest.param(None, id="none")])
def test_real_trace_through_text(path):
    if path is None:
        pytest.skip("no committed traces under traces/go1.*/")
    data = path.read_bytes()
    text = raw.binary_to_text(data)
    version, events = wire.read_header(data)[0], list(wire.iter_raw_events(data))
    # Through text the bytes are Go's raw.Writer's: minimal uvarints, so no padded batch sizes.
    assert raw.text_to_binary(text) == wire.encode_trace(version, events)


def test_go_unquote_cases():
    assert go_unquote('"a\\tb\\x00\\377\\u00e9\\U0001F600"') == b"a\tb\x00\xff" + "é😀".encode()
    assert go_unquote("`a\\n\rb`") == b"a\\nb"
    for bad in ['"', '"a', 'a"', '"\\q"', '"\\ud800"', '"a\nb"', '"\\400"', '"x"y"']:
        with pytest.raises(ValueError):
            go_unquote(bad)
