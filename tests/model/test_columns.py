"""The model's compiled column scans (rows_of_types, payloads_at) against the
format layer's own lookups (Trace.rows_where, arg_of, arg2_of) on every committed
trace, and its cursor over m/p runs (_Runs, through runs_at) against the dense
column, for any column (hypothesis) and rows in any order."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.goref import committed_traces
from tracetui.format import read
from tracetui.format import spec as S
from tracetui.format.runs import RunColumn
from tracetui.model._lanes import payloads_at, rows_of_types, runs_at


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


@st.composite
def column_and_rows(draw):
    """A dense column of runs of 1-5 rows and rows of it in any order."""
    runs = draw(st.lists(st.tuples(st.integers(-1, 3), st.integers(1, 5)), max_size=15))
    dense = np.repeat(np.array([v for v, _ in runs], np.int32), np.array([k for _, k in runs], np.int64))
    rows = draw(st.lists(st.integers(0, len(dense) - 1), max_size=30)) if len(dense) else []
    return dense, np.array(rows, np.int64)


@settings(max_examples=300)
@given(column_and_rows())
def test_compiled_cursor(case):
    """_Runs.at over rows in the drawn order, then sorted: every value as the dense column's."""
    dense, rows = case
    col = RunColumn.from_dense(dense)
    for order in (rows, np.sort(rows), np.arange(len(dense))):
        assert np.array_equal(runs_at(col, order), dense[order])


def test_compiled_cursor_far_jumps():
    """Steps of one row, a few runs and many runs, forward and back, over a column of 10,000 runs."""
    rng = np.random.default_rng(5)
    dense = np.repeat(rng.integers(-1, 50, 10_000).astype(np.int32), rng.integers(1, 4, 10_000))
    col = RunColumn.from_dense(dense)
    rows = np.concatenate([np.arange(len(dense)), rng.integers(0, len(dense), 5_000),
                           np.cumsum(rng.integers(0, 40, 1000))])
    rows = rows[rows < len(dense)]
    assert np.array_equal(runs_at(col, rows), dense[rows])
    assert runs_at(RunColumn.from_dense(np.zeros(0, np.int32)), []).tolist() == []


@pytest.mark.parametrize("path", committed_traces(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_cursor_on_decoded_runs(path):
    trace = read(path)
    rows = np.random.default_rng(1).integers(0, len(trace), 2000)
    for col in (trace.m, trace.p):
        dense = np.asarray(col)
        for order in (rows, np.sort(rows), np.arange(len(trace))):
            assert np.array_equal(runs_at(col, order), dense[order])
