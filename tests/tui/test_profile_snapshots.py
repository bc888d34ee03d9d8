"""Snapshots of the profile screen on the committed cpuprofile trace: the CPU flame graph at
80×24 (SSH size) with a frame selected, and at 160×48 zoomed into a frame with a search.
Update with `pytest tests/tui/test_profile_snapshots.py --snapshot-update` and look at the
SVGs before committing them."""
from __future__ import annotations

from tests.tui.screens_host import HostApp
from tests.tui.test_profile_screen import CPU
from tests.tui.test_screens import model_of
from tests.tui.test_screens_snapshots import settle


def test_profile_80x24(snap_compare):
    assert snap_compare(HostApp(model_of(CPU), "profile"), press=["down", "down", "down", "down"],
                        terminal_size=(80, 24), run_before=settle)


def test_profile_160x48(snap_compare):
    assert snap_compare(HostApp(model_of(CPU), "profile"),
                        press=["down", "down", "down", "right", "plus", "slash", *"sha256", "enter"],
                        terminal_size=(160, 48), run_before=settle)
