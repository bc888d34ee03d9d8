"""Speed of the report commands, from process start to output, as a user runs them.

- test_regions_committed: `tracetui regions` on a committed trace (always runs).
- test_report_big: `tracetui regions` (and gc, goroutines, tasks) on the ~100 MB
  trace; needs --big or TRACETUI_BIG=1 (see conftest.py).

Each round is a fresh `python -m tracetui ... --format json` process: the time
includes interpreter start, imports, reading the trace, building the model and
writing the output.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(argv: list[str]):
    pythonpath = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}

    def run():
        r = subprocess.run([sys.executable, "-m", "tracetui", *argv, "--format", "json"],
                           capture_output=True, text=True, env=env, timeout=900)
        assert r.returncode == 0, r.stderr[-1000:]
        return r.stdout

    return run


@pytest.mark.parametrize("path", ["go1.27/annotations"], indirect=True)
def test_regions_committed(benchmark, path):
    out = benchmark.pedantic(_run(["regions", str(path), "--sort", "max"]), rounds=3, iterations=1)
    assert json.loads(out)


@pytest.mark.parametrize("command", [["regions", "--sort", "max"], ["gc"], ["goroutines"], ["tasks"]],
                         ids=lambda c: c[0])
def test_report_big(benchmark, big_trace, command):
    benchmark.group = "big-reports"
    out = benchmark.pedantic(_run([command[0], str(big_trace), *command[1:]]), rounds=1, iterations=1)
    data = json.loads(out)
    benchmark.extra_info.update(bytes=big_trace.stat().st_size, rows=len(data))
