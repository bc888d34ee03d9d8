"""Driving the real TraceApp in tests: wait until its background loader has built the model."""
from __future__ import annotations

import asyncio


async def until_loaded(app, pilot, seconds: float = 10.0) -> None:
    """Wait (at most `seconds`) for `app.loaded`, fail if the trace did not load, then let
    the app draw."""
    for _ in range(int(seconds * 100)):
        if app.loaded.is_set():
            break
        await asyncio.sleep(0.01)
    assert app.loaded.is_set(), "the trace did not load"
    await pilot.pause()
