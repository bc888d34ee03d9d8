"""Fixtures every test folder shares."""
from __future__ import annotations

import pytest

from tests import goref


@pytest.fixture(scope="session")
def oracle():
    """path -> Go's summarizer's JSON for that trace (traceoracle); skips without ../shared or go."""
    return goref.traceoracle()
