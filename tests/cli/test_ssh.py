"""Working over SSH: `ssh prod cat trace | tracetui -` opens the TUI with the trace from
stdin and the keys from the terminal (a real tmux pane), and `--save FILE` keeps a copy
of stdin or a live capture for every command and the TUI."""
from __future__ import annotations

import gzip
import io
import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.cli.test_sources import server  # noqa: F401 - the fixture
from tests.tmux import Tmux, needs_tmux
from tracetui.cli import main

REPO = Path(__file__).parent.parent.parent
TRACE = REPO / "traces" / "go1.27" / "contention.trace"


@pytest.fixture
def pane():
    panes = []

    def start(command: str) -> Tmux:
        panes.append(Tmux(command, keep_open=True))
        return panes[-1]

    yield start
    for p in panes:
        p.kill()


def lane_labels():
    from tracetui.format import read
    from tracetui.model import build
    from tracetui.widgets.rows import Rows

    rows = Rows(build(read(TRACE)))
    return [rows.label(i) for i in range(3)]


@needs_tmux
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_trace_from_stdin_keys_from_the_terminal(pane, tmp_path, gzipped):
    data = TRACE.read_bytes()
    piped = tmp_path / ("in.trace.gz" if gzipped else "in.trace")
    piped.write_bytes(gzip.compress(data) if gzipped else data)
    saved = tmp_path / "saved.trace"
    # `cat` stands in for `ssh prod cat`: stdin is a pipe, the terminal is tmux's
    p = pane(f"cat {shlex.quote(str(piped))} | {shlex.quote(sys.executable)} -m tracetui - "
             f"--save {shlex.quote(str(saved))}")
    screen = p.wait_for("cursor ")
    labels = lane_labels()
    lines = screen.splitlines()
    assert any(line.startswith("GC ") for line in lines) and any(line.startswith("STW ") for line in lines)
    assert f" {labels[0]}: " in lines[-2]             # the timeline's status line names the first lane
    p.keys("j", "j")                                   # keys reach the app: the selection moves
    p.wait_for(f" {labels[2]}: ")
    p.keys("q")
    p.wait_for("EXIT=0")
    assert saved.read_bytes() == piped.read_bytes()    # the copy is what came in


@needs_tmux
def test_empty_stdin_is_one_line_in_the_terminal(pane):
    p = pane(f"{shlex.quote(sys.executable)} -m tracetui - < /dev/null")
    screen = p.wait_for("EXIT=1")
    assert "tracetui: " in screen and "Traceback" not in screen


def test_save_keeps_stdin_for_every_command(tmp_path, capsys, monkeypatch):
    data = TRACE.read_bytes()
    for argv in (["stats"], ["regions"], ["events"], ["gc"], ["goroutines"], ["tasks"],
                 ["export", "-o", str(tmp_path / "out.json")], ["pprof", "--kind", "sync", "-o", str(tmp_path / "p")],
                 ["check", "--max", "gc:cycles:count=1000"]):
        saved = tmp_path / f"{argv[0]}.trace"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert main([argv[0], "-", "--save", str(saved), *argv[1:]]) == 0, argv
        assert saved.read_bytes() == data, argv
        assert not Path(f"{saved}.partial").exists()
        capsys.readouterr()


def test_save_keeps_a_broken_input_too(tmp_path, capsys, monkeypatch):
    cut = TRACE.read_bytes()[:5000]
    saved = tmp_path / "cut.trace"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(cut)))
    assert main(["stats", "-", "--save", str(saved)]) == 1     # nothing usable in it
    assert saved.read_bytes() == cut
    capsys.readouterr()


def test_save_keeps_a_live_capture(server, tmp_path, capsys):  # noqa: F811 - the fixture
    data = TRACE.read_bytes()

    def replay(h):
        h.send_response(200)
        h.end_headers()
        h.wfile.write(data)
    server.handle = replay
    saved = tmp_path / "capture.trace"
    url = f"http://127.0.0.1:{server.server_port}/debug/pprof/trace?seconds=1"
    assert main(["stats", url, "--save", str(saved), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert saved.read_bytes() == data
    assert main(["stats", str(saved), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == got


def test_save_to_an_unwritable_place_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TRACE.read_bytes())))
    assert main(["stats", "-", "--save", str(tmp_path / "no" / "such" / "dir" / "x.trace")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.trace" in err and "Traceback" not in err


@needs_tmux
def test_dash_on_a_terminal_says_to_pipe_a_trace(pane):
    p = pane(f"{shlex.quote(sys.executable)} -m tracetui stats -")
    screen = p.wait_for("EXIT=1", timeout=30)
    assert "tracetui: stdin is a terminal, not a trace: pipe one in" in screen
