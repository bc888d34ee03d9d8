"""Speed of `tracetui pprof` and `tracetui export --format chrome|perfetto` (from a built model).

- test_pprof_committed / test_chrome_committed: on a committed trace; fast.
- test_pprof_big / test_chrome_big: on the ~100 MB Go 1.27.3 trace (--big or
  TRACETUI_BIG=1); the Chrome JSON goes to a null stream, so this measures the
  formatting, not the disk. For comparison, `go tool trace -pprof=sched` takes
  the whole parse plus profile (about 20 s on that trace on the development machine).
- test_perfetto_committed / test_perfetto_big: the Perfetto export, likewise.
- test_perfetto_vs_json_big: both exports of the big trace in the same run, to counting
  null streams: the Perfetto file is at most 1/5 the JSON's size and takes at most 1/2 its
  time (issue 15's targets).
- test_perfetto_rss_big: peak RSS of `tracetui export --format perfetto` (a child process,
  writing a file) against `tracetui regions` in the same run: at most 1.3 times.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tracetui.exports.chrome import write_chrome
from tracetui.exports.perfetto import write_perfetto
from tracetui.format import read
from tracetui.model import build
from tracetui.reports.pprof import pprof_profile


class _Null:
    size = 0

    def write(self, b) -> int:
        self.size += len(b)
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


def test_perfetto_committed(benchmark, committed_model):
    assert benchmark(write_perfetto, committed_model, _Null())["slices"] > 0


def test_perfetto_big(benchmark, big_model):
    assert benchmark.pedantic(write_perfetto, (big_model, _Null()), rounds=1, iterations=1)["slices"] > 0


def _timed(write, model) -> tuple[float, int]:
    out = _Null()
    t = time.perf_counter()
    write(model, out)
    return time.perf_counter() - t, out.size


def test_perfetto_vs_json_big(big_model, capsys):
    json_s, json_bytes = _timed(write_chrome, big_model)
    pf_s, pf_bytes = _timed(write_perfetto, big_model)
    with capsys.disabled():
        print(f"\nJSON {json_bytes / 1e6:.0f} MB in {json_s:.1f} s; Perfetto {pf_bytes / 1e6:.0f} MB in {pf_s:.1f} s "
              f"(size 1/{json_bytes / pf_bytes:.1f}, time {pf_s / json_s:.2f}x)")
    assert pf_bytes * 5 <= json_bytes
    assert pf_s * 2 <= json_s


def _peak_rss(argv: list[str]) -> int:
    """Peak RSS (bytes) of a tracetui child process."""
    proc = subprocess.Popen([sys.executable, "-m", "tracetui", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, proc.stderr.read().decode(errors="replace")
    return usage.ru_maxrss * 1024


def test_perfetto_rss_big(big_trace, tmp_path, capsys):
    regions = _peak_rss(["regions", str(big_trace), "--format", "json"])
    perfetto = _peak_rss(["export", str(big_trace), "--format", "perfetto", "-o", str(tmp_path / "big.pftrace")])
    with capsys.disabled():
        print(f"\npeak RSS: regions {regions / 2**20:.0f} MiB, export --format perfetto {perfetto / 2**20:.0f} MiB "
              f"({perfetto / regions:.2f}x)")
    assert perfetto <= 1.3 * regions
