"""Fixtures every test folder shares."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import goref


GO_PROGRAM_FIXTURES = {"oracle", "gommu", "go_reference"}  # each builds a Go program by goref.go_program


def pytest_collection_modifyitems(items):
    """Mark `go` every test that runs one of our Go programs (see GO_PROGRAM_FIXTURES)."""
    for item in items:
        if GO_PROGRAM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.go)


@pytest.fixture(scope="session")
def oracle():
    """path -> Go's summarizer's JSON for that trace (tests/gohelpers/traceoracle, built
    on demand with the test extras' Go); goref.skip_go without Go."""
    return goref.traceoracle()


@pytest.fixture
def truncated(tmp_path) -> Path:
    """The go 1.27 multigen trace cut in its third generation: two generations salvageable."""
    data = (Path(__file__).parent / "format" / "data" / "multigen" / "go1.27.trace").read_bytes()
    p = tmp_path / "truncated.trace"
    p.write_bytes(data[:11000])
    return p
