"""Decode speed and memory of tracetui.format.read.

- test_decode_committed: read() on the largest committed traces (gc, iter) of
  several Go versions; fast, runs in CI.
- test_decode_big_vs_go: read() on the ~100 MB Go 1.27.3 trace against Go's own
  internal/trace reader (tracebench, best of 3) on the same file; target:
  our events/s >= Go's.
- test_decode_v1_vs_go: read() on the largest committed old-format trace
  (go1.21/gc, converted from the pre-1.22 format) against Go's reader (tracebench)
  on the same file; target: our events/s >= Go's.
- test_decode_big_peak_rss: peak RSS of a fresh process reading the big trace;
  target: <= TRACETUI_RSS_LIMIT (default 5) times the file size.

The big tests need --big or TRACETUI_BIG=1. Rates use MB = 1e6 bytes, as Go's
tracebench does. Our timings include reading the file; Go's do not.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracetui.format import read

REPO = Path(__file__).resolve().parent.parent
COMMITTED = ["go1.21/gc", "go1.22/gc", "go1.25/gc", "go1.26/gc", "go1.27/gc", "go1.23/iter", "go1.27/iter"]

TRACEBENCH = re.compile(
    r"events=(?P<events>\d+) bytes=(?P<bytes>\d+) best=\S+\s+"
    r"(?P<mev_s>[\d.]+) Mev/s\s+(?P<mb_s>[\d.]+) MB/s"
)


def _timed_read(path, times: list[float]):
    """A benchmark target: read(path), appending its duration; returns the event count
    so that no Trace outlives its round."""

    def run() -> int:
        t0 = time.perf_counter()
        n = len(read(path))
        times.append(time.perf_counter() - t0)
        return n

    return run


@pytest.mark.parametrize("path", COMMITTED, indirect=True)
def test_decode_committed(benchmark, path):
    times: list[float] = []
    events = benchmark(_timed_read(path, times))
    size = path.stat().st_size
    benchmark.extra_info.update(
        events=events,
        bytes=size,
        mev_s=round(events / min(times) / 1e6, 3),
        mb_s=round(size / min(times) / 1e6, 2),
    )


def test_decode_big_vs_go(benchmark, big_trace, go_reference):
    # big_trace comes first: without --big this skips before Go's reader is built.
    benchmark.group = "big"
    times: list[float] = []
    events = benchmark.pedantic(_timed_read(big_trace, times), rounds=3, iterations=1)
    size = big_trace.stat().st_size
    ours_mev_s = events / min(times) / 1e6
    ours_mb_s = size / min(times) / 1e6

    r = subprocess.run(
        [str(go_reference / "tracebench"), str(big_trace)],
        capture_output=True, text=True, timeout=900,
    )
    assert r.returncode == 0, f"tracebench failed: {r.stderr.strip()[-1000:]}"
    m = TRACEBENCH.search(r.stdout)
    assert m, f"unexpected tracebench output: {r.stdout!r}"
    go_mev_s, go_mb_s = float(m["mev_s"]), float(m["mb_s"])
    ratio = ours_mev_s / go_mev_s

    benchmark.extra_info.update(
        events=events, bytes=size,
        ours_mev_s=round(ours_mev_s, 3), ours_mb_s=round(ours_mb_s, 2),
        go_mev_s=go_mev_s, go_mb_s=go_mb_s, ratio=round(ratio, 3),
    )
    print(
        f"\nbig decode ({events} events, {size / 1e6:.1f} MB): ours {ours_mev_s:.2f} Mev/s "
        f"{ours_mb_s:.1f} MB/s | Go {go_mev_s:.2f} Mev/s {go_mb_s:.1f} MB/s | "
        f"ratio {ratio:.2f}x"
    )
    assert int(m["events"]) == events, "Go and tracetui disagree on the event count"
    assert ours_mev_s >= go_mev_s, f"slower than Go: {ratio:.2f}x Go's events/s"


def go_tracebench(go_reference: Path, path: Path) -> re.Match:
    """Go's own reader on `path` (tracebench: best of its runs, file already in memory)."""
    r = subprocess.run([str(go_reference / "tracebench"), str(path)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"tracebench failed: {r.stderr.strip()[-1000:]}"
    m = TRACEBENCH.search(r.stdout)
    assert m, f"unexpected tracebench output: {r.stdout!r}"
    return m


def test_decode_v1_vs_go(benchmark, committed_traces, go_reference):
    path = committed_traces.get("go1.21/gc")
    if path is None:
        pytest.skip("traces/go1.21/gc.trace is not committed")
    benchmark.group = "v1"
    times: list[float] = []
    events = benchmark.pedantic(_timed_read(path, times), rounds=7, iterations=1)
    m = go_tracebench(go_reference, path)
    ours_mev_s = events / min(times) / 1e6
    go_mev_s = float(m["mev_s"])
    ratio = ours_mev_s / go_mev_s
    benchmark.extra_info.update(events=events, bytes=path.stat().st_size, ours_mev_s=round(ours_mev_s, 3),
                                go_mev_s=go_mev_s, ratio=round(ratio, 3))
    print(f"\nv1 decode ({events} events): ours {ours_mev_s:.2f} Mev/s | Go {go_mev_s:.2f} Mev/s | ratio {ratio:.2f}x")
    assert int(m["events"]) == events, "Go and tracetui disagree on the event count"
    assert ours_mev_s >= go_mev_s, f"slower than Go on an old trace: {ratio:.2f}x Go's events/s"


RSS_PROBE = """\
import resource, sys
from tracetui.format import read
def kib():
    # Linux: VmHWM, the peak RSS of this process image. ru_maxrss would also count
    # the parent's peak, which exec inherits when subprocess spawns with vfork.
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss // 1024 if sys.platform == "darwin" else rss  # macOS: bytes
base = kib()
n = len(read(sys.argv[1]))
print(n, base, kib())
"""


def test_decode_big_peak_rss(benchmark, big_trace):
    # Uses the benchmark fixture (one round, timing the whole subprocess) so the
    # figures land in the benchmark JSON and the test runs under --benchmark-only.
    benchmark.group = "big-rss"
    pythonpath = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}

    def probe() -> str:
        r = subprocess.run(
            [sys.executable, "-c", RSS_PROBE, str(big_trace)],
            capture_output=True, text=True, env=env, timeout=900,
        )
        assert r.returncode == 0, f"RSS probe failed: {r.stderr.strip()[-1000:]}"
        return r.stdout

    out = benchmark.pedantic(probe, rounds=1, iterations=1)
    events, base_kib, peak_kib = map(int, out.split())
    size = big_trace.stat().st_size
    ratio = peak_kib * 1024 / size
    limit = float(os.environ.get("TRACETUI_RSS_LIMIT", "5"))
    benchmark.extra_info.update(
        events=events, bytes=size, peak_rss_kib=peak_kib, baseline_rss_kib=base_kib,
        rss_ratio=round(ratio, 2),
        bytes_per_event=round((peak_kib - base_kib) * 1024 / events, 1),
    )
    print(
        f"\nbig peak RSS: {peak_kib / 1024:.0f} MiB for a {size / 2**20:.0f} MiB trace = "
        f"{ratio:.2f}x (limit {limit:g}x; {base_kib / 1024:.0f} MiB before reading, "
        f"{(peak_kib - base_kib) * 1024 / events:.0f} B/event above that)"
    )
    assert ratio <= limit, f"peak RSS is {ratio:.2f}x the file size (limit {limit:g}x)"
