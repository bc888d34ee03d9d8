"""A real terminal for tests: a detached tmux session running one shell command line,
whose screen is read back with capture-pane and fed keys with send-keys."""
from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """`command` runs in the repository with the repository on PYTHONPATH.

    With `keep_open`, the session stays up after the command and prints `EXIT=<status>`,
    so a test can read how the command ended.
    """

    def __init__(self, command: str, size=(80, 24), keep_open: bool = False):
        self.name = f"tracetui-test-{uuid.uuid4().hex[:8]}"
        env = f"PYTHONPATH={shlex.quote(str(REPO))} TERM=xterm-256color"
        line = f"cd {shlex.quote(str(REPO))} && "
        line += f"({env} {command}); echo EXIT=$?; sleep 60" if keep_open else f"{env} {command}"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]), line],
                       check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s = self.screen()
            if text in s:
                return s
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode == 0

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)
