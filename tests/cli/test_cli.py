"""The command line, through main([...]) and through the installed entry point."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests import goref
from tracetui.cli import DEMO_TRACE, main

TRACE = next(p for p in goref.committed_traces() if p.parent.name == "go1.25" and p.name == "annotations.trace")


def test_events_text_equals_go(capsys):
    goref.require_go()
    assert main(["events", str(TRACE)]) == 0
    go_out, _, rc = goref.go_tool_trace(TRACE, "parsed")
    assert capsys.readouterr().out.encode() == go_out


def test_events_wire_equals_go(capsys):
    goref.require_go()
    assert main(["events", "--wire", str(TRACE)]) == 0
    go_out, _, rc = goref.go_tool_trace(TRACE, "wire")
    assert capsys.readouterr().out.encode() == go_out


def test_events_jsonl(capsys):
    from tracetui.format import read

    assert main(["events", "--format", "jsonl", str(TRACE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    trace = read(TRACE)
    assert len(lines) == len(trace)
    objs = [json.loads(line) for line in lines]
    assert objs[0]["kind"] == "Sync" and objs[-1]["kind"] == "Sync"
    logs = [o for o in objs if o["kind"] == "Log"]
    assert logs and all({"task", "category", "message", "goroutine"} <= o.keys() for o in logs)
    assert [o["time"] for o in objs] == trace.time.tolist()


def test_stats_json(capsys):
    assert main(["stats", "--format", "json", str(TRACE)]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["version"] == "go 1.25" and s["events"] > 0 and s["wall_clock_start"]
    assert s["regions"] > 0 and s["tasks"] > 0


@pytest.mark.parametrize("argv", [["stats", "/nonexistent.trace"], ["events", "/nonexistent.trace"]])
def test_missing_file_one_line_exit_1(argv, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nonexistent" in err and "Traceback" not in err


def test_truncated_trace_one_line_exit_1(tmp_path, capsys):
    """With --strict; without it stats summarizes what it can (tests/cli/test_robustness.py)."""
    cut = tmp_path / "cut.trace"
    cut.write_bytes(TRACE.read_bytes()[:5000])
    assert main(["stats", "--strict", str(cut)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "byte" in err


def test_usage_error_exit_2(capsys):
    assert main(["events", "--no-such-flag", str(TRACE)]) == 2
    assert "usage" in capsys.readouterr().err


def test_demo_trace_ships_in_package(capsys):
    """Without a terminal (as here, under pytest) `--demo` prints the demo trace's stats."""
    assert DEMO_TRACE.is_file() and DEMO_TRACE.stat().st_size < 2_000_000
    assert main(["--demo"]) == 0
    assert "go 1.26" in capsys.readouterr().out


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdin and stdout are a terminal; record the TUI launches instead of running them."""
    from tracetui import cli
    from tracetui.app import TraceApp
    from tracetui.commands import tui

    monkeypatch.setattr(cli, "interactive", lambda: True)
    monkeypatch.setattr(tui, "interactive", lambda: True)
    monkeypatch.setattr(tui, "keys_from_terminal", lambda: None)  # the test's stdin stays where it is
    opened = []
    monkeypatch.setattr(TraceApp, "run", lambda self: opened.append(self.path))
    return opened


@pytest.mark.parametrize("argv", [[str(TRACE)], ["tui", str(TRACE)], ["--demo"]])
def test_default_opens_the_tui_in_a_terminal(argv, terminal, capsys):
    assert main(argv) == 0
    assert terminal == [DEMO_TRACE if argv == ["--demo"] else TRACE]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("content,message", [
    (None, "no such file"), (b"", "empty file: not a Go execution trace"),
    (b"hello, these are my notes\n", "not a Go execution trace"),
])
def test_tui_on_a_file_that_is_no_trace_one_line_exit_1(content, message, terminal, tmp_path, capsys):
    path = tmp_path / "x.trace"
    if content is not None:
        path.write_bytes(content)
    assert main([str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert terminal == []


def test_tui_needs_a_terminal(capsys):
    assert main(["tui", str(TRACE)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a terminal" in err


@pytest.mark.parametrize("argv", [["tui", "-"], ["-"]])
def test_tui_reads_the_trace_from_stdin_then_keys_from_the_terminal(argv, monkeypatch, capsys):
    """`ssh prod cat trace | tracetui -`: the trace is read to its end first, then fd 0
    becomes the terminal (tests/cli/test_ssh.py runs it for real in tmux)."""
    import io

    from tracetui import cli
    from tracetui.app import TraceApp
    from tracetui.commands import tui

    events = []
    stdin = io.BytesIO(TRACE.read_bytes())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
    monkeypatch.setattr(cli, "interactive", lambda: True)
    monkeypatch.setattr(tui, "interactive", lambda: True)
    monkeypatch.setattr(tui, "keys_from_terminal", lambda: events.append(("keys", stdin.tell())))
    monkeypatch.setattr(TraceApp, "run", lambda self: events.append(("run", self.path.read_bytes(), self.sub_title)))
    assert main(argv) == 0
    assert events == [("keys", TRACE.stat().st_size), ("run", TRACE.read_bytes(), "stdin")]


@pytest.mark.parametrize("stdout_tty, stdin_tty, dev_tty, want", [
    (True, True, False, True), (True, False, True, True), (True, False, False, False), (False, True, True, False),
])
def test_interactive(stdout_tty, stdin_tty, dev_tty, want, monkeypatch):
    """The TUI when the screen is a terminal and keys can come from one (stdin or /dev/tty)."""
    import os

    from tracetui.commands import tui

    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.setattr(sys, "stdout", Stream(stdout_tty))
    monkeypatch.setattr(sys, "stdin", Stream(stdin_tty))
    monkeypatch.setattr(tui, "_terminal", lambda: os.open(os.devnull, os.O_RDONLY) if dev_tty else None)
    assert tui.interactive() is want


def test_python_dash_m():
    r = subprocess.run([sys.executable, "-m", "tracetui", "stats", str(TRACE)], capture_output=True, text=True)
    assert r.returncode == 0 and "go 1.25" in r.stdout


def test_installed_entry_point():
    exe = shutil.which("tracetui")
    if exe is None:
        pytest.skip("tracetui is not installed as a command (pip install -e .)")
    r = subprocess.run([exe, "--demo"], capture_output=True, text=True)
    assert r.returncode == 0 and "go 1.26" in r.stdout
    r = subprocess.run([exe, "stats", "/nonexistent"], capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.count("\n") == 1
