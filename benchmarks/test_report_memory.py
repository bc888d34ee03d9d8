"""Peak RSS of each report command on the ~100 MB benchmark trace, against issue 18's targets.

Each command runs in a fresh process (`python -m tracetui CMD TRACE ...`, output to a
temporary directory); its peak RSS is the child's own ru_maxrss (os.wait4), compared
with the file size. Targets: regions, tasks, goroutines, stats and check at most 3x the
file; gc, pprof and export at most 4x. Needs --big or TRACETUI_BIG=1.

The commands still above their target are marked xfail (strict: one that gets under
its target fails until the mark goes) with the figure measured on 2026-12-04 and why:
every report starts from the decoded columns, 389 MB for this 105 MB file (3.7x) plus
the decoder's transient state (read() alone peaks at 5.4x), and the summary-based ones
add Go's summarizer tables (1.7 M regions, 400 k tasks: ~190 MB) and its working state.
Getting under 3x needs the summaries computed generation by generation without keeping
the event columns (see the README's speed section).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK_BUDGETS = ["--max", "region:x:p99=5ms", "--max", "gc:stw:max=1ms",
                 "--max", "goroutine:main.main:sched_wait=200ms", "--max", "gc:heap:max=512MiB"]
TARGETS = {"regions": 3, "tasks": 3, "goroutines": 3, "stats": 3, "check": 3, "gc": 4, "pprof": 4, "export": 4}
# Peak RSS / file size measured when the mark was set (see the module docstring).
MEASURED = {"regions": 9.6, "tasks": 8.3, "goroutines": 8.3, "stats": 6.2, "check": 9.4, "gc": 8.2, "pprof": 10.5,
            "export": 16.0}


def _args(command: str, trace, out) -> list[str]:
    if command in ("pprof", "export"):
        return [command, str(trace), "-o", str(out / command)]
    return [command, str(trace), *(CHECK_BUDGETS if command == "check" else []), "--format", "json"]


def peak_rss(argv: list[str], stdout) -> tuple[int, int]:
    """(exit code, peak RSS in bytes) of a fresh `python -m tracetui ARGV`."""
    p = subprocess.Popen([sys.executable, "-m", "tracetui", *argv], stdout=stdout, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, TZ="UTC"))
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_maxrss * 1024


def _param(command: str):
    marks = [pytest.mark.xfail(strict=True, reason=f"measured {MEASURED[command]}x the file "
                                                    f"(target {TARGETS[command]}x): see the module docstring")]
    return pytest.param(command, marks=marks if command in MEASURED else [], id=command)


@pytest.mark.parametrize("command", [_param(c) for c in TARGETS])
def test_report_peak_rss(benchmark, big_trace, tmp_path, command):
    benchmark.group = "big"
    size = big_trace.stat().st_size
    with open(tmp_path / "stdout", "wb") as out:
        rc, rss = benchmark.pedantic(peak_rss, (_args(command, big_trace, tmp_path), out), rounds=1, iterations=1)
    assert rc in (0, 1), f"{command} exited {rc}"  # check exits 1 when a budget breaks
    ratio = rss / size
    benchmark.extra_info.update(peak_rss_mb=round(rss / 2**20), file_mb=round(size / 2**20), ratio=round(ratio, 2))
    print(f"\n{command}: peak {rss / 2**20:.0f} MiB = {ratio:.2f}x the file (target {TARGETS[command]}x)")
    assert ratio <= TARGETS[command], f"{command}: peak RSS {ratio:.2f}x the file, target {TARGETS[command]}x"
