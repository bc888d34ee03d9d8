"""Fixtures for the report tests: Go's summarizer as JSON (traceoracle, from
tests/gohelpers; skipped with a reason without Go) and models of the
committed traces, built once per session."""
from __future__ import annotations

import functools
from pathlib import Path

from tests import goref

TRACES = goref.committed_traces()


def trace_id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


@functools.cache
def model_of(path: Path):
    from tracetui.format import read
    from tracetui.model import build

    return build(read(path))


