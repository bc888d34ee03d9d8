"""Fixtures for the decoder benchmarks (run with ``pytest benchmarks/``).

- ``committed_traces``: {"go1.26/gc": Path, ...} for traces/go1.*/*.trace in the repo.
- ``path``: one committed trace, chosen by name through indirect parametrization.
- ``big_trace``: the cached ~100 MB Go 1.27.3 trace from bigtrace.py; only with
  ``--big`` or ``TRACETUI_BIG=1`` (size from ``TRACETUI_BIG_MB``, default 100).
- ``go_reference``: folder holding Go's reader timed (``tracebench``, from
  benchmarks/gohelpers/tracebench), built with the test extras' Go by
  ``tests.goref.go_program`` into ~/.cache/tracetui/gohelpers only when a test asks
  for it (a first build compiles internal/trace: under a minute); ``goref.skip_go``
  when Go is missing (a failure with TRACETUI_REQUIRE_GO=1).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Run from a checkout without `pip install -e .`: import tracetui from the repo root.
if importlib.util.find_spec("tracetui") is None:
    sys.path.insert(0, str(REPO))
if importlib.util.find_spec("tests") is None:  # tests.goref, the Go toolchain helpers
    sys.path.append(str(REPO))

from bigtrace import BigTraceUnavailable, big_trace as _big_trace
from tests import goref


pytest_collection_modifyitems = goref.mark_go_tests


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
        goref.skip_go(f"big trace unavailable (it is written by a Go program): {e}")


@pytest.fixture(scope="session")
def go_reference() -> Path:
    return goref.go_program(Path(__file__).resolve().parent / "gohelpers" / "tracebench").parent
