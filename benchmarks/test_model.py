"""Model build speed and memory, next to the decode it follows.

- test_model_committed: build() on the largest committed traces; fast, runs in CI.
- test_model_big_vs_decode: decode then build on the ~100 MB trace, best of 3 each,
  with Go's summarizer (tracebench `sum`: read + summarize) beside it when the
  reference tools are there. Target from the model issue: build <= decode.
- test_model_big_peak_rss: peak RSS of a fresh process that decodes and builds the
  model; target from the issue: <= 6x the file size (TRACETUI_MODEL_RSS_LIMIT).
  Measured 569 MiB = 5.67x (was 631 MiB = 6.28x before thread and proc were stored
  as runs): decode keeps 419 MiB (341 MiB of columns), the model adds ~150 MiB.

The big tests need --big or TRACETUI_BIG=1.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracetui.format import read
from tracetui.model import build

REPO = Path(__file__).resolve().parent.parent
COMMITTED = ["go1.27/gc", "go1.27/iter", "go1.22/gc"]


@pytest.mark.parametrize("path", COMMITTED, indirect=True)
def test_model_committed(benchmark, path):
    trace = read(path)
    model = benchmark(build, trace)
    benchmark.extra_info.update(events=len(trace), goroutines=len(model.lanes), spans=len(model.lanes.state))
    assert len(model.lanes) == len(trace.goroutine_ids)


def _best(f, rounds=3):
    best, out = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def test_model_big_vs_decode(benchmark, big_trace, request):
    benchmark.group = "big-model"
    decode_s, trace = _best(lambda: read(big_trace))
    model = benchmark.pedantic(build, args=(trace,), rounds=3, iterations=1)
    build_s = benchmark.stats.stats.min
    go = ""
    try:
        ref = request.getfixturevalue("go_reference")
        r = subprocess.run([str(Path(ref) / "tracebench"), str(big_trace), "sum"], capture_output=True,
                           text=True, timeout=900)
        go = r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else ""
    except pytest.skip.Exception:
        pass
    benchmark.extra_info.update(decode_s=round(decode_s, 3), build_s=round(build_s, 3),
                                regions=len(model.summary.regions["name"]), spans=len(model.lanes.state), go=go)
    print(f"\nbig model: decode {decode_s:.2f} s, build {build_s:.2f} s "
          f"({build_s / decode_s:.2f}x decode; target <= 1x); Go read+summarize: {go or 'n/a'}")
    assert build_s <= float(os.environ.get("TRACETUI_MODEL_TIME_LIMIT", "1")) * decode_s


RSS_PROBE = """\
import sys
from tracetui.format import read
from tracetui.model import build
def kib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
base = kib()
trace = read(sys.argv[1])
after_decode = kib()
model = build(trace)
print(len(trace), base, after_decode, kib())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS is read from /proc (Linux)")
def test_model_big_peak_rss(benchmark, big_trace):
    benchmark.group = "big-rss"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}

    def probe() -> str:
        r = subprocess.run([sys.executable, "-c", RSS_PROBE, str(big_trace)], capture_output=True, text=True,
                           env=env, timeout=900)
        assert r.returncode == 0, f"RSS probe failed: {r.stderr.strip()[-1000:]}"
        return r.stdout

    events, _base, decoded, peak = map(int, benchmark.pedantic(probe, rounds=1, iterations=1).split())
    size = big_trace.stat().st_size
    ratio = peak * 1024 / size
    limit = float(os.environ.get("TRACETUI_MODEL_RSS_LIMIT", "6"))
    benchmark.extra_info.update(events=events, bytes=size, peak_rss_kib=peak, decode_peak_kib=decoded,
                                rss_ratio=round(ratio, 2))
    print(f"\nbig decode+model peak RSS: {peak / 1024:.0f} MiB = {ratio:.2f}x the file "
          f"(decode alone {decoded / 1024:.0f} MiB; limit {limit:g}x)")
    assert ratio <= limit
