"""Speed of `tracetui pprof` and `tracetui export --format chrome` (from a built model).

- test_pprof_committed / test_chrome_committed: on a committed trace; fast.
- test_pprof_big / test_chrome_big: on the ~100 MB Go 1.27.3 trace (--big or
  TRACETUI_BIG=1); the Chrome JSON goes to a null stream, so this measures the
  formatting, not the disk. For comparison, `go tool trace -pprof=sched` takes
  the whole parse plus profile (about 20 s on that trace on the development machine).
"""
from __future__ import annotations

import pytest

from tracetui.format import read
from tracetui.model import build
from tracetui.exports.chrome import write_chrome
from tracetui.reports.pprof import pprof_profile


class _Null:
    def write(self, b) -> int:
        return len(b)


@pytest.fixture(scope="module")
def committed_model(committed_traces):
    return build(read(committed_traces["go1.27/gc"]))


@pytest.fixture(scope="module")
def big_model(big_trace):
    return build(read(big_trace))


@pytest.mark.parametrize("kind", ["sync", "sched"])
def test_pprof_committed(benchmark, committed_model, kind):
    assert benchmark(pprof_profile, committed_model, kind)


def test_chrome_committed(benchmark, committed_model):
    assert benchmark(write_chrome, committed_model, _Null()) > 0


@pytest.mark.parametrize("kind", ["sync", "sched"])
def test_pprof_big(benchmark, big_model, kind):
    assert benchmark.pedantic(pprof_profile, (big_model, kind), rounds=1, iterations=1)


def test_chrome_big(benchmark, big_model):
    assert benchmark.pedantic(write_chrome, (big_model, _Null()), rounds=1, iterations=1) > 0
