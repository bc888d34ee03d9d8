"""Fixtures for the report tests: Go's summarizer as JSON (traceoracle, from
../shared/tools/go-reference; skipped with a reason when absent) and models of the
committed traces, built once per session."""
from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest

from tests import goref

BUILD = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "go-reference" / "build.sh"
TRACES = goref.committed_traces()


def trace_id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


@functools.lru_cache(maxsize=None)
def model_of(path: Path):
    from tracetui.format import read
    from tracetui.model import build

    return build(read(path))


@pytest.fixture(scope="session")
def oracle():
    if not BUILD.exists():
        pytest.skip(f"Go reference tools not available ({BUILD} is missing)")
    if goref.find_go() is None:
        pytest.skip("go is not installed: cannot run Go's summarizer")
    r = subprocess.run(["bash", str(BUILD)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"could not build traceoracle: {r.stderr[-300:]}")
    exe = Path(r.stdout.strip().splitlines()[-1]) / "traceoracle"

    @functools.lru_cache(maxsize=None)
    def run(path):
        return json.loads(subprocess.check_output([str(exe), str(path)]))
    return run
