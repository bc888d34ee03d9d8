"""Speed of the many-trace commands, as ratios to `tracetui regions` measured in the same run.

- test_diff_big: `diff` of two ~100 MB traces (the benchmark trace and a second one of
  101 MiB, both from bigtrace.py) in at most 2.2x one `regions` run on the first;
- test_regions_many: `regions` over 40 traces of 2-5 MB (bigtrace.py's 2, 3 and 4 MiB
  traces: 2.6, 3.7 and 4.8 MB; copies of them) in at most 0.65x the sum of the single-file runs (the files
  are read in parallel, one worker per core);
- test_parquet_big: `export --format parquet` of the ~100 MB trace in at most 3x
  `regions`, with a peak RSS at most that of `regions` plus 50%.

Need --big or TRACETUI_BIG=1 (see conftest.py). Each command is a fresh process, timed
once (wall clock; peak RSS from wait4).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bigtrace import BigTraceUnavailable
from bigtrace import big_trace as _big_trace

REPO = Path(__file__).resolve().parent.parent


def _run(argv: list[str], cpu: bool = False):
    """(wall seconds, peak RSS KiB) of `python -m tracetui ARGV` (its output discarded);
    cpu: (wall, CPU seconds of the process and the workers it waited for)."""
    pythonpath = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "tracetui", *map(str, argv)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.returncode = os.waitstatus_to_exitcode(status)
    assert p.returncode in (0, 1), err[-1000:]
    return (wall, ru.ru_utime + ru.ru_stime) if cpu else (wall, ru.ru_maxrss)


def _trace(size_mb: int) -> Path:
    try:
        return _big_trace(size_mb)
    except BigTraceUnavailable as e:
        pytest.skip(f"trace of {size_mb} MiB unavailable: {e}")


def test_diff_big(benchmark, big_trace):
    second = _trace(101)
    regions, regions_cpu = _run(["regions", big_trace, "--format", "json"], cpu=True)
    diff, diff_cpu = benchmark.pedantic(lambda: _run(["diff", big_trace, second, "--format", "json"], cpu=True),
                                        rounds=1, iterations=1)
    ratio = diff / regions
    load = os.getloadavg()[0]
    benchmark.extra_info.update(regions_s=round(regions, 2), diff_s=round(diff, 2), ratio=round(ratio, 2),
                                regions_cpu_s=round(regions_cpu, 2), diff_cpu_s=round(diff_cpu, 2), load=load)
    print(f"\ndiff {diff:.2f}s, regions {regions:.2f}s: {ratio:.2f}x (target <= 2.2x); CPU: diff {diff_cpu:.2f}s "
          f"in all its processes, regions {regions_cpu:.2f}s; load average {load:.1f}")
    assert ratio <= 2.2


def test_regions_many(benchmark, big_trace, tmp_path):
    sources = [_trace(mb) for mb in (2, 3, 4)]
    for i in range(40):
        shutil.copy(sources[i % 3], tmp_path / f"t{i:02d}.trace")
    singles = [_run(["regions", s, "--format", "json"])[0] for s in sources]
    every = sum(singles[i % 3] for i in range(40))     # a copy reads as its source does
    wall = benchmark.pedantic(lambda: _run(["regions", tmp_path, "--format", "json"])[0], rounds=1, iterations=1)
    ratio = wall / every
    benchmark.extra_info.update(sum_single_s=round(every, 2), wall_s=round(wall, 2), ratio=round(ratio, 2),
                                cores=len(os.sched_getaffinity(0)))
    print(f"\nregions over 40 traces {wall:.2f}s, sum of single runs {every:.2f}s: {ratio:.2f}x (target <= 0.65x)")
    assert ratio <= 0.65


def test_parquet_big(benchmark, big_trace, tmp_path):
    pytest.importorskip("pyarrow", reason="the parquet extra (pyarrow) is not installed")
    regions, regions_rss = _run(["regions", big_trace, "--format", "json"])
    wall, rss = benchmark.pedantic(lambda: _run(["export", "--format", "parquet", "-o", tmp_path / "out", big_trace]),
                                   rounds=1, iterations=1)
    benchmark.extra_info.update(regions_s=round(regions, 2), export_s=round(wall, 2), regions_rss_kib=regions_rss,
                                export_rss_kib=rss)
    print(f"\nparquet export {wall:.2f}s ({wall / regions:.2f}x regions, target <= 3x), "
          f"peak RSS {rss >> 10} MiB ({rss / regions_rss:.2f}x regions, target <= 1.5x)")
    assert wall <= 3 * regions
    assert rss <= 1.5 * regions_rss
