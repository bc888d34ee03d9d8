"""The real app in a real terminal: tmux runs `python -m tracetui TRACE` at 80x24, sends
keys and reads the screen back, as a user over SSH would see it."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import goref
from tests.tmux import Tmux, needs_tmux
from tracetui.format import read
from tracetui.model import build
from tracetui.widgets.rows import FIXED, Rows
from tracetui.widgets.timeline import HEADER, cut_label

REPO = Path(goref.REPO)
TRACE = REPO / "traces" / "go1.27" / "contention.trace"

pytestmark = needs_tmux


@pytest.fixture
def tui():
    t = Tmux(f"{shlex.quote(sys.executable)} -m tracetui {shlex.quote(str(TRACE))}")
    yield t
    t.kill()


def test_real_terminal_80x24(tui):
    rows = Rows(build(read(TRACE)))
    screen = tui.wait_for("cursor ")
    lines = screen.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    assert [line.split("│")[0].strip() for line in lines[1:HEADER]] == list(FIXED)
    # the P lanes, then the goroutine lanes in id order, under the fixed lanes
    for i in range(8):
        assert lines[HEADER + i].startswith(cut_label(rows.label(i), 20)), lines[HEADER + i]
    tui.keys("j", "j")
    screen = tui.wait_for(rows.label(2)[:20] + ": ")  # the status line names the selected lane
    tui.keys("Enter")
    screen = tui.wait_for("state ")
    tui.keys("Escape")
    time.sleep(0.3)  # an Escape followed at once by a key reads as alt+key
    tui.keys("?")
    tui.wait_for("zoom in")
    tui.keys("Escape")
    time.sleep(0.3)
    tui.keys("q")
    end = time.monotonic() + 10
    while tui.alive() and time.monotonic() < end:
        time.sleep(0.1)
    assert not tui.alive(), "q did not quit"


def test_ctrl_c_quits():
    t = Tmux(f"{shlex.quote(sys.executable)} -m tracetui {shlex.quote(str(TRACE))}")
    try:
        t.wait_for("cursor ", timeout=60)
        t.keys("C-c")
        end = time.monotonic() + 10
        while t.alive() and time.monotonic() < end:
            time.sleep(0.1)
        assert not t.alive(), "ctrl+c did not quit"
    finally:
        t.kill()


def test_256_colour_terminal():
    """In a 256-colour terminal (TERM=xterm-256color, no COLORTERM) the app sends palette
    colours only, and the legend's swatches are distinct ones: for each state, the
    nearest of the 256 to its truecolor hex (rich's downgrade, which Textual applies)."""
    import re

    from rich.color import Color, ColorSystem

    from tracetui.widgets import palette as P

    # (pytest sets COLUMNS and LINES, which would size the app at 80x24)
    t = Tmux(f"env -u COLORTERM -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m tracetui {shlex.quote(str(TRACE))}", size=(160, 48))
    try:
        t.wait_for("blocked: other")  # the legend line, shown from 100x32 up
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", t.name], capture_output=True,
                                text=True).stdout
        assert "38;5;" in screen and "38;2;" not in screen and "48;2;" not in screen
        legend = next(line for line in screen.splitlines() if "running" in line and "blocked: sync" in line)
        shown = {int(n) for n in re.findall(r"48;5;(\d+)", legend)}
        want = [Color.parse(P.COLORS[c]).downgrade(ColorSystem.EIGHT_BIT).number for c in P.LEGEND_ORDER]
        assert len(set(want)) == len(want) and set(want) <= shown
    finally:
        t.kill()


def test_worker_pool_task_end_to_end_at_80x24():
    """The worker-pool task as a user does it over SSH, on the demo trace: the Regions screen
    (1), db.query (j), its longest instance (Enter: instances sorted longest first; Enter:
    jump), its details (Enter), its goroutine's lane (g), span by span (n) to a wait with
    an unblocker, follow it (u), come back ([), and Esc back to the Regions screen."""
    demo = REPO / "traces" / "go1.27" / "mixed.trace"
    t = Tmux(f"{shlex.quote(sys.executable)} -m tracetui {shlex.quote(str(demo))}")
    try:
        t.wait_for("runnable Gs")
        t.keys("1")
        t.wait_for("instances of compute")
        t.keys("j")
        t.wait_for("instances of db.query")
        t.keys("Enter")
        time.sleep(0.5)
        t.keys("Enter")
        t.wait_for("GC ")  # the timeline is back (its fixed lanes)
        t.keys("Enter")
        screen = t.wait_for("region db.query")
        m = re.search(r"goroutine (G\d+)", screen)
        assert m, screen
        worker = m.group(1)
        t.keys("g")
        for _ in range(60):
            t.keys("n")
            time.sleep(0.15)
            if "u unblocker" in t.screen():
                break
        screen = t.screen()
        assert "u unblocker" in screen, screen
        unblocker = re.search(r"unblocker (G\d+)", screen.replace("\n", " ")).group(1)
        assert unblocker != worker
        t.keys("u")
        t.wait_for(f"{unblocker} ")
        time.sleep(0.3)
        assert re.search(rf"│\s*{unblocker}\b", t.screen()), t.screen()   # the panel's title
        t.keys("[")
        time.sleep(0.3)
        assert re.search(rf"│\s*{worker}\b", t.screen()), t.screen()
        t.keys("Escape")
        time.sleep(0.3)
        t.keys("Escape")
        t.wait_for("instances of db.query")       # back on the Regions screen
        assert t.alive()
    finally:
        t.kill()
