"""Read time of the hostile inputs of tests/format/test_hostile.py (the wall-clock
limits live here, not in tests/: they flake on a loaded machine).

- test_hostile_read_time: each hostile case, read in process (best of 3), takes
  under 5 s whether it is accepted or rejected.
- test_hostile_time_is_linear: the costliest inputs per byte, at 1x and 3x their size:
  the 3x read takes under 4x the 1x read + 0.5 s (best of 3 each).
"""
from __future__ import annotations

import time

import pytest

from tests.format.test_hostile import SCALING, cases
from tracetui.format import TraceError, read

NAMES = list(cases())


def best_read_seconds(data: bytes, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        try:
            read(data)
        except TraceError:
            pass
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("name", NAMES)
def test_hostile_read_time(name):
    seconds = best_read_seconds(cases()[name])
    assert seconds < 5, f"{name}: {seconds:.2f} s"


@pytest.mark.parametrize("name", list(SCALING))
def test_hostile_time_is_linear(name):
    small, big = (best_read_seconds(SCALING[name](k)) for k in (1, 3))
    assert big < 4 * small + 0.5, f"{name}: {small:.3f} s at 1x, {big:.3f} s at 3x"
