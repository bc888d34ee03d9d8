"""The command line on bad input: broken traces, files that are not traces, files
that cannot be read. One line on stderr, the right exit code, never a traceback.

- `stats` (and `tracetui TRACE` when stdin or stdout is not a terminal, as under
  pytest) summarizes a broken trace as far as it can be read, with a one-line warning like go tool trace's, exit 0; `--strict` makes
  it exit 1.
- `events` prints the events before the error and then the error, exit 1 (as
  `go tool trace -d=parsed` does).
- Input that is not a trace at all: one line saying what it is, exit 1.

The TUI's answers to the same input are in tests/cli/test_cli.py and tests/tui.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests import goref
from tracetui.cli import main
from tracetui.commands import common

MULTIGEN = Path(__file__).parent.parent / "format" / "data" / "multigen"
COMMANDS = [["stats"], ["events"], ["events", "--wire"], ["events", "--format", "jsonl"], []]
# time_nanos=1; sample_type {type: 1, unit: 2}; string_table "", "samples", "count"
PROFILE = b"\x48\x01" + b"\x0a\x04\x08\x01\x10\x02" + b"\x32\x00" + b"\x32\x07samples" + b"\x32\x05count"



def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    return err.rstrip("\n")


@pytest.mark.parametrize("argv", [["stats"], []], ids=["stats", "default"])
def test_stats_on_truncated_trace_warns_and_summarizes(argv, truncated, capsys):
    assert main([*argv, str(truncated)]) == 0
    out, err = capsys.readouterr()
    line = one_line(err)
    # 1.8 KiB of 10.7 KiB is past the last complete generation: that leads, Go's "Lost 0.00%" follows
    assert line.startswith("tracetui: warning: 17% of the file could not be used "
                           "(1.8 KiB of 10.7 KiB past the last complete generation; go tool trace: Lost 0.00%) ")
    assert "due to error: failed to read full batch: read 1016 but wanted 2553 (byte 9957, generation 3)" in line
    assert re.search(r"^generations +2 *$", out, re.M) and "events" in out


def test_stats_strict_fails_on_truncated_trace(truncated, capsys):
    assert main(["stats", "--strict", str(truncated)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err) == "tracetui: failed to read full batch: read 1016 but wanted 2553 (byte 9957, generation 3)"


def test_stats_strict_passes_a_good_trace(capsys):
    assert main(["stats", "--strict", str(MULTIGEN / "go1.25.trace")]) == 0
    assert capsys.readouterr().err == ""


def test_stats_json_carries_the_salvage_report(truncated, capsys):
    assert main(["stats", "--format", "json", str(truncated)]) == 0
    out, err = capsys.readouterr()
    s = json.loads(out)
    r = s["salvage"]
    assert r["message"] == "failed to read full batch: read 1016 but wanted 2553" and r["generation"] == 3
    assert r["size"] == 11000 and r["lost_bytes"] == 0 and r["lost_percent"] == 0
    assert r["events"] == s["events"] and r["dropped_events"] == 0
    assert s["generations"] == 2
    one_line(err)


def test_stats_salvages_from_stdin(truncated, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(truncated.read_bytes())))
    assert main(["stats", "-"]) == 0
    out, err = capsys.readouterr()
    assert "due to error: failed to read full batch" in one_line(err) and re.search(r"^generations +2 *$", out, re.M)


def test_events_on_truncated_trace_prints_events_then_error(truncated, capsys):
    assert main(["events", str(truncated)]) == 1
    out, err = capsys.readouterr()
    assert one_line(err) == "tracetui: failed to read full batch: read 1016 but wanted 2553 (byte 9957, generation 3)"
    if goref.find_go():
        go_out, go_err, rc = goref.go_tool_trace(truncated, "parsed")
        assert rc == 1 and out.encode() == go_out
        assert go_err.decode().strip() == "failed to read full batch: read 1016 but wanted 2553"


def test_nothing_salvageable_is_one_line(tmp_path, capsys):
    """A broken trace with no complete Sync to keep: stats fails like go tool trace."""
    from tests.format.tracebuild import invalid_first_event
    p = tmp_path / "bad.trace"
    p.write_bytes(invalid_first_event((MULTIGEN / "go1.27.trace").read_bytes()))
    assert main(["stats", str(p)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "invalid event type" in one_line(err)


# --- not a trace ----------------------------------------------------------------------------

def _file(tmp_path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_empty_file(argv, tmp_path, capsys):
    assert main([*argv, _file(tmp_path, "empty.trace", b"")]) == 1
    assert one_line(capsys.readouterr().err) == "tracetui: empty file: not a Go execution trace (byte 0)"


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_not_a_trace(argv, tmp_path, capsys):
    assert main([*argv, _file(tmp_path, "notes.txt", b"hello, these are my notes\n" * 10)]) == 1
    assert "not a Go execution trace" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_pprof_profile(argv, tmp_path, capsys):
    # profile.proto, gzip-compressed: time_nanos first, as runtime/pprof writes a CPU profile
    # (tests/cli/test_profiles.py has real ones), a sample type and the string table
    profile = gzip.compress(PROFILE)
    path = _file(tmp_path, "cpu.pprof", profile)
    assert main([*argv, path]) == 1
    line = one_line(capsys.readouterr().err)
    assert line == (f"tracetui: {path}: this looks like a pprof profile of samples/count (gzip-compressed "
                    f"protobuf), not an execution trace: read it with `go tool pprof {path}`")


def test_gzipped_trace_is_read(tmp_path, capsys):
    """A gzip-compressed trace is decompressed (tests/cli/test_sources.py has the details)."""
    plain = MULTIGEN / "go1.22.trace"
    path = _file(tmp_path, "trace.out.gz", gzip.compress(plain.read_bytes()))
    assert main(["stats", "--format", "json", path]) == 0
    got = json.loads(capsys.readouterr().out)
    assert main(["stats", "--format", "json", str(plain)]) == 0
    want = json.loads(capsys.readouterr().out)
    assert got == want and got["events"] > 0


def test_other_gzip_data(tmp_path, capsys):
    path = _file(tmp_path, "x.gz", gzip.compress(b"just some text"))
    assert main(["stats", path]) == 1
    assert one_line(capsys.readouterr().err) == f"tracetui: {path}: gzip-compressed data, not a Go execution trace"


def test_pprof_on_stdin_still_named(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(PROFILE))))
    assert main(["stats", "-"]) == 1
    assert "pprof" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_directory(argv, tmp_path, capsys):
    assert main([*argv, str(tmp_path)]) == 1
    if argv in (["stats"], []):   # the report commands read every trace in a directory
        assert one_line(capsys.readouterr().err).startswith(f"tracetui: {tmp_path}: no traces in this directory")
    else:
        assert one_line(capsys.readouterr().err) == f"tracetui: {tmp_path} is a directory, not a trace file"


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_missing_file(argv, tmp_path, capsys):
    assert main([*argv, str(tmp_path / "nope.trace")]) == 1
    assert one_line(capsys.readouterr().err) == f"tracetui: {tmp_path / 'nope.trace'}: no such file"


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root from reading a file "
                                              "(test_unreadable_file_simulated covers the message)")
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_unreadable_file(argv, tmp_path, capsys):
    path = _file(tmp_path, "secret.trace", (MULTIGEN / "go1.22.trace").read_bytes())
    os.chmod(path, 0)
    try:
        assert main([*argv, path]) == 1
    finally:
        os.chmod(path, 0o600)
    assert one_line(capsys.readouterr().err) == f"tracetui: {path}: permission denied"


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_unreadable_file_simulated(argv, tmp_path, capsys, monkeypatch):
    """open() refusing the file as it would for a non-root user after chmod 000."""
    import builtins

    from tracetui.format import reader

    path = _file(tmp_path, "secret.trace", (MULTIGEN / "go1.22.trace").read_bytes())
    real_open = builtins.open

    def refuse(file, *a, **k):
        if os.fspath(file) == path:
            raise PermissionError(13, "Permission denied", path)
        return real_open(file, *a, **k)

    monkeypatch.setattr(reader, "open", refuse, raising=False)
    monkeypatch.setattr(common.Path, "read_bytes", lambda self: refuse(self).read())
    assert main([*argv, path]) == 1
    assert one_line(capsys.readouterr().err) == f"tracetui: {path}: permission denied"
