"""Fixtures for the decoder benchmarks (run with ``pytest benchmarks/``).

- ``committed_traces``: {"go1.26/gc": Path, ...} for traces/go1.*/*.trace in the repo.
- ``path``: one committed trace, chosen by name through indirect parametrization.
- ``big_trace``: the cached ~100 MB Go 1.27.3 trace from bigtrace.py; only with
  ``--big`` or ``TRACETUI_BIG=1`` (size from ``TRACETUI_BIG_MB``, default 100).
- ``go_reference``: folder holding Go's ``tracebench``, built by
  ../shared/tools/go-reference/build.sh once per session, and only when a test
  asks for it (the first build takes about a minute); skipped if unavailable.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GO_REFERENCE_BUILD = REPO.parent / "shared" / "tools" / "go-reference" / "build.sh"

# Run from a checkout without `pip install -e .`: import tracetui from the repo root.
if importlib.util.find_spec("tracetui") is None:
    sys.path.insert(0, str(REPO))

from bigtrace import BigTraceUnavailable, big_trace as _big_trace  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--big",
        action="store_true",
        default=False,
        help="also run the ~100 MB trace benchmarks (same as TRACETUI_BIG=1)",
    )


@pytest.fixture(scope="session")
def committed_traces() -> dict[str, Path]:
    found = {
        f"{p.parent.name}/{p.stem}": p for p in sorted(REPO.glob("traces/go1.*/*.trace"))
    }
    if not found:
        pytest.skip(f"no committed traces under {REPO / 'traces'}")
    return found


@pytest.fixture
def path(request, committed_traces) -> Path:
    """The committed trace named by the parameter, e.g. "go1.26/gc"."""
    p = committed_traces.get(request.param)
    if p is None:
        pytest.skip(f"traces/{request.param}.trace is not committed")
    return p


@pytest.fixture(scope="session")
def big_trace(pytestconfig) -> Path:
    wanted = pytestconfig.getoption("--big", default=False) or os.environ.get("TRACETUI_BIG") == "1"
    if not wanted:
        pytest.skip("set TRACETUI_BIG=1 or --big to generate the ~100 MB trace")
    try:
        return _big_trace(int(os.environ.get("TRACETUI_BIG_MB", "100")))
    except BigTraceUnavailable as e:
        pytest.skip(f"big trace unavailable: {e}")


@pytest.fixture(scope="session")
def go_reference() -> Path:
    if not GO_REFERENCE_BUILD.exists():
        pytest.skip(f"Go reference reader not available: {GO_REFERENCE_BUILD} not found")
    try:
        r = subprocess.run(
            ["bash", str(GO_REFERENCE_BUILD)], capture_output=True, text=True, timeout=900
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"Go reference build failed: {e}")
    lines = r.stdout.strip().splitlines()
    folder = Path(lines[-1]) if r.returncode == 0 and lines else None
    if folder is None or not (folder / "tracebench").exists():
        pytest.skip(f"Go reference build failed (exit {r.returncode}): {r.stderr.strip()[-1000:]}")
    return folder
