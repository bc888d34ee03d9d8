"""The model's compiled column scans (rows_of_types, payloads_at) against the
format layer's own lookups (Trace.rows_where, arg_of, arg2_of) on every committed trace."""
from __future__ import annotations

import numpy as np
import pytest

from tests.goref import committed_traces
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.model._lanes import payloads_at, rows_of_types


@pytest.mark.parametrize("path", committed_traces(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scans_match_format(path):
    try:
        trace = read(path)
    except Exception as e:  # a committed trace meant to be rejected
        pytest.skip(f"not a valid trace: {e}")
    for types in ([S.EvHeapAlloc], [S.EvGCSweepBegin, S.EvGCSweepEnd, S.EvGoCreate], []):
        assert (rows_of_types(trace, types) == trace.rows_where(types)).all()
    rng = np.random.default_rng(0)
    rows = np.concatenate([rng.integers(-1, len(trace) + 2, 400), trace.rows_where([S.EvHeapAlloc, S.EvGCSweepEnd])])
    assert (payloads_at(trace, rows) == trace.arg_of(rows)).all()
    assert (payloads_at(trace, rows, second=True) == trace.arg2_of(rows)).all()
    assert payloads_at(trace, rows.reshape(-1, 1)).shape == (len(rows), 1)
