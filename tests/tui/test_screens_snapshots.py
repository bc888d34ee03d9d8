"""Snapshots of every analysis screen on the demo trace at 80×24 (SSH size), and the
regions screen at 160×48. Deterministic: a fixed trace, no clock, no animation.
Update with `pytest tests/tui/test_screens_snapshots.py --snapshot-update` and look
at the SVGs before committing them."""
from __future__ import annotations

import pytest

from tests.tui.screens_host import HostApp
from tests.tui.test_screens import DEMO, GC_TRACE, model_of


async def settle(pilot):
    """Let the screen's threads finish (the MMU curve, a whole-trace selection)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("screen,keys", [
    ("regions", ["j"]),                 # the second type: its histogram and instances
    ("tasks", ["enter", "j"]),          # a handleRequest task and its logs
    ("goroutines", ["enter"]),          # the goroutines of the busiest group, stacked bars
    ("gc", []),
    ("logs", ["slash", *"hit=true", "enter"]),
    ("selection", []),
])
def test_screen_80x24(snap_compare, screen, keys):
    assert snap_compare(HostApp(model_of(DEMO), screen), press=keys, terminal_size=(80, 24), run_before=settle)


def test_gc_kinds_80x24(snap_compare):
    assert snap_compare(HostApp(model_of(GC_TRACE), "gc"), press=["v"], terminal_size=(80, 24), run_before=settle)


def test_regions_160x48(snap_compare):
    assert snap_compare(HostApp(model_of(DEMO), "regions"), terminal_size=(160, 48), run_before=settle)
