"""Fixtures every test folder shares."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import goref

pytest_collection_modifyitems = goref.mark_go_tests


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
