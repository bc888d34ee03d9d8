"""Opening the regions screen on a model with 1,000,000 regions: from the key press to
the first drawn screen (80×24), the report numbers and the sorted instance table
included. The issue asks for under a second.

The model is synthetic (the arrays the regions screen reads: Go's summary columns for
1,000,000 regions of 50 types on 1,000 goroutines, log-normal durations), so it runs
without the big trace. With --big or TRACETUI_BIG=1 the same is measured on the big trace.
"""
from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import numpy as np

from tests.tui.screens_host import HostApp

N_REGIONS = 1_000_000


class SyntheticTrace:
    def __init__(self, n_events: int, strings: list[str], ngoroutines: int):
        self.time = np.arange(n_events, dtype=np.int64) * 100 + 1_000_000_000
        self.strings = strings
        self.goroutine_ids = np.arange(ngoroutines, dtype=np.int64) + 1
        self.stack = np.zeros(n_events, np.int32)
        self.stack_offsets = np.zeros(2, np.int64)
        self.stack_frames = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return len(self.time)


def synthetic_model(n: int = N_REGIONS, types: int = 50, goroutines: int = 1000, seed: int = 7):
    rng = np.random.default_rng(seed)
    strings = [""] + [f"region.type{i:02d}" for i in range(types)]
    tr = SyntheticTrace(2 * n + 2, strings, goroutines)
    start_row = np.sort(rng.choice(2 * n, n, replace=False)).astype(np.int64)
    dur = np.minimum(rng.lognormal(10, 2, n).astype(np.int64), 10**9)
    start = tr.time[start_row]
    end = start + dur
    regions = {
        "in_summary": np.ones(n, bool), "name": rng.integers(1, types + 1, n).astype(np.int32),
        "goroutine": rng.integers(0, goroutines, n).astype(np.int32), "task": rng.integers(0, 5000, n),
        "start": start, "end": end, "start_row": start_row, "end_row": start_row + 1,
        "exec": dur // 2, "sched_wait": dur // 8, "syscall": dur // 16, "syscall_block": np.zeros(n, np.int64),
    }
    summary = SimpleNamespace(regions=regions, region_block=np.zeros((0, 3), np.int64), _cache={})
    return SimpleNamespace(trace=tr, summary=summary)


def open_regions(model) -> float:
    """Seconds from asking for the regions screen to its first drawn frame."""
    async def go():
        app = HostApp(model, None)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            t = time.perf_counter()
            app.action_analysis("regions")
            await pilot.pause()
            await pilot.pause()
            elapsed = time.perf_counter() - t
            assert app.screen.name == "regions"
            assert len(app.screen.query_one("#instances").order) > 0
            return elapsed
    return asyncio.run(go())


def test_open_regions_screen_1m(benchmark):
    model = synthetic_model()
    seconds = []
    benchmark.pedantic(lambda: seconds.append(open_regions(model)), rounds=3, iterations=1)
    benchmark.extra_info["open_seconds"] = seconds
    print(f"\nregions screen, {N_REGIONS:,} regions: opened in {min(seconds):.3f} s (best of {len(seconds)})")


def test_open_regions_screen_big_trace(benchmark, big_trace):
    from tracetui.format import read
    from tracetui.model import build

    model = build(read(big_trace))
    seconds = []
    benchmark.pedantic(lambda: seconds.append(open_regions(model)), rounds=2, iterations=1)
    benchmark.extra_info["open_seconds"] = seconds
    benchmark.extra_info["regions"] = int(model.summary.regions["in_summary"].sum())
