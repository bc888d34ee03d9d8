"""Speed of `tracetui why`, from process start to output, against `tracetui regions`
on the same trace in the same run.

- test_why_committed: `why --region handler` on the committed critical trace (always runs).
- test_why_big: on the ~100 MB trace (--big or TRACETUI_BIG=1), with the region type
  that has the most instances: `why --region NAME` within 1.5x `regions`, and the
  aggregate over its slowest 1% (`--slowest 1%`) within 2x `regions`. `regions` runs
  before and after the why commands; the faster of its two runs is the baseline.

Each run is a fresh `python -m tracetui ... --format json` process (interpreter start,
imports, reading the trace, building the model, the walk, writing the output).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(argv: list[str]) -> tuple[float, str]:
    pythonpath = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tracetui", *argv, "--format", "json"],
                       capture_output=True, text=True, env=env, timeout=1800)
    took = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr[-1000:]
    return took, r.stdout


@pytest.mark.parametrize("path", ["go1.27/critical"], indirect=True)
def test_why_committed(benchmark, path):
    out = benchmark.pedantic(lambda: _run(["why", str(path), "--region", "handler"])[1], rounds=3, iterations=1)
    assert json.loads(out)["target"]["name"] == "handler"


def test_why_big(benchmark, big_trace):
    benchmark.group = "big-why"
    took, out = _run(["regions", str(big_trace)])
    groups = json.loads(out)
    name = max(groups, key=lambda r: r["count"])["name"]
    count = max(r["count"] for r in groups)
    times = {"regions": [took]}
    times["why"], out = _run(["why", str(big_trace), "--region", name])
    one = json.loads(out)
    assert sum(s["duration_ns"] for s in one["path"]) == one["target"]["duration_ns"]
    times["aggregate"], out = _run(["why", str(big_trace), "--region", name, "--slowest", "1%"])
    agg = json.loads(out)
    assert agg["target"]["instances"] == -(-count // 100)
    times["regions"].append(_run(["regions", str(big_trace)])[0])
    base = min(times["regions"])
    ratios = {"why": times["why"] / base, "aggregate": times["aggregate"] / base}
    benchmark.extra_info.update(region=name, instances=count, regions_s=times["regions"], why_s=times["why"],
                                aggregate_s=times["aggregate"], **{f"{k}_ratio": round(v, 2) for k, v in ratios.items()})
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    print(f"\nregions {times['regions']} s; why --region {name} {times['why']:.2f} s ({ratios['why']:.2f}x); "
          f"--slowest 1% of {count} {times['aggregate']:.2f} s ({ratios['aggregate']:.2f}x)")
    assert ratios["why"] <= 1.5, f"why --region took {ratios['why']:.2f}x regions"
    assert ratios["aggregate"] <= 2.0, f"why --slowest 1% took {ratios['aggregate']:.2f}x regions"
