"""RunColumn (tracetui.format.runs) against the dense ndarray it stands for:
indexing, slicing, comparisons and materialising must give what numpy gives on
the dense column, for any column (hypothesis) and for the decoded m and p
columns of a real trace. The model's compiled reader of runs is checked in
tests/model/test_columns.py."""
from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import goref
from tracetui.format import read
from tracetui.format.runs import RunColumn


def _repeat(runs) -> np.ndarray:
    return np.repeat(np.array([v for v, _ in runs], np.int32), np.array([k for _, k in runs], np.int64))


# Runs of 1-5 rows drawn from few values, so that neighbouring runs often repeat a value.
dense_columns = st.lists(st.tuples(st.integers(-1, 3), st.integers(1, 5)), max_size=15).map(_repeat)


@st.composite
def column_and_rows(draw):
    dense = draw(dense_columns)
    n = len(dense)
    rows = draw(st.lists(st.integers(-n, n - 1), max_size=30)) if n else []
    return dense, np.array(rows, np.int64)


def test_from_dense_runs():
    col = RunColumn.from_dense(np.array([5, 5, -1, -1, -1, 5, 7], np.int32))
    assert col.starts.tolist() == [0, 2, 5, 6] and col.values.tolist() == [5, -1, 5, 7]
    assert col.lengths().tolist() == [2, 3, 1, 1]
    assert len(col) == 7 and col.shape == (7,) and col.dtype == np.int32 and col.nbytes == 4 * 8 + 4 * 4


def test_bad_runs_are_refused():
    for starts, values, n in [([1], [0], 3), ([0, 3], [0, 1], 3), ([0], [], 3), ([], [], 2), ([0], [1], 0)]:
        with pytest.raises(ValueError):
            RunColumn(np.array(starts, np.int64), np.array(values, np.int32), n)


@given(column_and_rows())
def test_integer_indexing(case):
    dense, rows = case
    col = RunColumn.from_dense(dense)
    got = col[rows]
    assert got.dtype == dense.dtype and got.shape == rows.shape and np.array_equal(got, dense[rows])
    assert np.array_equal(col[rows.reshape(-1, 1)], dense[rows.reshape(-1, 1)])
    assert np.array_equal(col[rows.tolist()], dense[rows.tolist()])
    for i in rows.tolist():
        assert col[i] == dense[i] and col[np.int64(i)] == dense[np.int64(i)]
    for bad in (len(dense), -len(dense) - 1):
        with pytest.raises(IndexError):
            col[bad]
        with pytest.raises(IndexError):
            col[np.array([0, bad])]


@given(dense_columns, st.data())
def test_mask_indexing(dense, data):
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(dense), max_size=len(dense))), bool)
    col = RunColumn.from_dense(dense)
    assert np.array_equal(col[mask], dense[mask])
    with pytest.raises(IndexError):
        col[np.ones(len(dense) + 1, bool)]


@given(dense_columns, st.data(), st.sampled_from([None, 1, 2, -1, 3]))
def test_slicing(dense, data, step):
    bound = st.integers(-len(dense) - 3, len(dense) + 3) | st.none()
    lo, hi = data.draw(bound), data.draw(bound)
    col = RunColumn.from_dense(dense)
    got = col[lo:hi:step]
    want = dense[lo:hi:step]
    if step in (None, 1):
        assert isinstance(got, RunColumn) and len(got) == len(want)
        assert np.all(np.diff(got.starts) > 0) and (len(got.starts) == 0 or got.starts[0] == 0)
    assert np.array_equal(np.asarray(got), want)


@given(dense_columns, st.integers(-2, 4), st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]))
def test_comparisons(dense, x, name):
    col = RunColumn.from_dense(dense)
    op = getattr(operator, name)
    for got, want in [(op(col, x), op(dense, x)), (op(col, np.int16(x)), op(dense, np.int16(x))),
                      (op(x, col), op(x, dense)), (op(col, dense[::-1]), op(dense, dense[::-1])),
                      (op(dense[::-1], col), op(dense[::-1], dense))]:
        assert isinstance(got, np.ndarray) and got.dtype == bool and np.array_equal(got, want)


@given(dense_columns)
def test_materialise(dense):
    col = RunColumn.from_dense(dense)
    assert np.array_equal(np.asarray(col), dense) and np.asarray(col).dtype == np.int32
    assert np.asarray(col, np.int64).dtype == np.int64
    assert list(col) == dense.tolist()
    with pytest.raises(TypeError):  # ufuncs are refused, never applied to an object array
        np.maximum(col, 0)
    with pytest.raises(ValueError):
        np.array(col, copy=False)


@pytest.mark.parametrize("path", goref.committed_traces(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_decoded_columns_read_like_dense(path):
    """On real traces: the decoded runs, indexed every way, equal their dense copy."""
    trace = read(path)
    rows = np.random.default_rng(1).integers(0, len(trace), 2000)
    for col in (trace.m, trace.p):
        dense = np.asarray(col)
        assert len(dense) == len(trace)
        assert np.array_equal(col[rows], dense[rows]) and np.array_equal(col[dense >= 0], dense[dense >= 0])
        assert np.array_equal(col == -1, dense == -1)
        head = col[: len(trace) // 3]
        assert np.array_equal(np.asarray(head), dense[: len(trace) // 3])
