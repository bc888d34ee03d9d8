"""Snapshots (pytest-textual-snapshot) of the main views at 80x24 and 160x48.

Update them after an intended change with `pytest tests/tui/test_snapshots.py
--snapshot-update`, and look at the SVGs before committing them. They hold no clock
and nothing random: the trace is committed and the app waits until it has loaded."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests import goref
from tracetui.app import TraceApp

ANNOTATIONS = Path(goref.REPO) / "traces" / "go1.27" / "annotations.trace"
CONTENTION = Path(goref.REPO) / "traces" / "go1.27" / "contention.trace"
SIZES = [(80, 24), (160, 48)]


async def _loaded(pilot):
    for _ in range(1000):
        if pilot.app.loaded.is_set():
            break
        await asyncio.sleep(0.01)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline(snap_compare, size):
    assert snap_compare(TraceApp(ANNOTATIONS), terminal_size=size, run_before=_loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_zoomed_regions_and_details(snap_compare, size):
    async def before(pilot):
        await _loaded(pilot)
        app = pilot.app
        app.jump_region_type("compute")
        app.clear_notifications()  # its toast times out: not deterministic
        await pilot.pause()
        await pilot.press("o", "o", "enter")
        await pilot.pause()

    assert snap_compare(TraceApp(ANNOTATIONS), terminal_size=size, run_before=before)


def test_help(snap_compare):
    async def before(pilot):
        await _loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(TraceApp(CONTENTION), terminal_size=(80, 24), run_before=before)


def test_filtered_and_sorted(snap_compare):
    async def before(pilot):
        await _loaded(pilot)
        await pilot.press("slash", *"main", "enter", "s", "s", "s")
        await pilot.pause()

    assert snap_compare(TraceApp(CONTENTION), terminal_size=(160, 48), run_before=before)
