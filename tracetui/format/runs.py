"""`RunColumn`: an event column stored as runs of equal values.

The decoder stores the `m` and `p` columns this way: events come in per-thread
batches, so a trace's thread and proc change far less often than once per event
(on a 17M-event trace, about 200,000 times each). A run is a start row and a
value; run k covers rows `starts[k]` up to the next run's start (the last run
up to the column's length).

A RunColumn stands in for the dense ndarray wherever Python code reads it:
`len()`, `dtype`, `shape`, `nbytes`, indexing by an integer, an integer array or
a boolean mask (which return what the dense array would; an integer index
remembers its run, so rows read in order cost no search), slicing with step 1
(which returns a RunColumn), comparisons (with a scalar: computed per run, then
expanded to one bool per row; with an array: on the dense column) and
`np.asarray(col)` (the dense column, for the rare whole-column use). Numpy ufuncs are
refused (`__array_ufunc__ = None`) so that no operation silently sees a one-element
object array: index it first.
Compiled code reads `starts`/`values` directly (tracetui/model/_columns.pxi).
"""
from __future__ import annotations

import operator

import numpy as np


class RunColumn:
    """Rows 0..n-1 of a column as runs: `starts` (int64, ascending, first 0) and
    `values` (one per run)."""

    __slots__ = ("starts", "values", "_n", "_lo", "_hi", "_last")
    __array_ufunc__ = None

    def __init__(self, starts: np.ndarray, values: np.ndarray, n: int):
        self.starts = np.asarray(starts, np.int64)
        self.values = np.asarray(values)
        self._n = int(n)
        self._lo = self._hi = 0  # the run read last by an integer index: rows [lo, hi), value _last
        self._last = None
        if len(self.starts) != len(self.values) or (self._n > 0) != (len(self.starts) > 0) or (
                self._n > 0 and (self.starts[0] != 0 or self.starts[-1] >= self._n)):
            raise ValueError(f"bad runs: {len(self.starts)} starts, {len(self.values)} values for {n} rows")

    @classmethod
    def from_dense(cls, column) -> RunColumn:
        """The runs of a dense 1-d array."""
        column = np.asarray(column)
        starts = np.flatnonzero(np.concatenate([[True], column[1:] != column[:-1]])) if len(column) else []
        return cls(starts, column[starts], len(column))

    def __len__(self) -> int:
        return self._n

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def shape(self) -> tuple[int]:
        return (self._n,)

    @property
    def nbytes(self) -> int:
        return self.starts.nbytes + self.values.nbytes

    def lengths(self) -> np.ndarray:
        """Rows in each run."""
        return np.diff(self.starts, append=self._n)

    def _at(self, rows: np.ndarray) -> np.ndarray:
        """Values of rows already checked to lie in 0..n-1."""
        return self.values[np.searchsorted(self.starts, rows, "right") - 1]

    def __getitem__(self, key):
        if isinstance(key, slice):
            lo, hi, step = key.indices(self._n)
            if step != 1:
                return self[np.arange(lo, hi, step)]
            if hi <= lo:
                return RunColumn([], self.values[:0], 0)
            first, last = np.searchsorted(self.starts, [lo, hi - 1], "right") - 1
            starts = self.starts[first:last + 1] - lo
            starts[0] = 0
            return RunColumn(starts, self.values[first:last + 1], hi - lo)
        if isinstance(key, (int, np.integer)):
            i = int(key)
            return self._last if self._lo <= i < self._hi else self._scalar(i)
        rows = np.asarray(key)
        if rows.dtype == bool:
            if rows.shape != self.shape:
                raise IndexError(f"boolean index of shape {rows.shape} for a column of {self._n} rows")
            return self._at(np.flatnonzero(rows))
        if rows.size == 0:
            return np.empty(rows.shape, self.dtype)
        if rows.dtype.kind not in "iu":
            raise IndexError(f"column indices must be integers or booleans, not {rows.dtype}")
        rows = rows.astype(np.int64)
        if rows.min() < -self._n or rows.max() >= self._n:
            raise IndexError(f"index out of bounds for a column of {self._n} rows")
        return self._at(np.where(rows < 0, rows + self._n, rows))

    def _scalar(self, i: int):
        """Row i's value, and its run remembered: rows read one by one in order
        (Event views, dumps) mostly fall in the run read last."""
        if i < 0:
            i += self._n
        if self._lo <= i < self._hi:
            return self._last
        if not 0 <= i < self._n:
            raise IndexError(f"index {i} is out of bounds for a column of {self._n} rows")
        k = int(np.searchsorted(self.starts, i, "right")) - 1
        self._lo = int(self.starts[k])
        self._hi = int(self.starts[k + 1]) if k + 1 < len(self.starts) else self._n
        self._last = self.values[k]
        return self._last

    def _compare(self, other, op):
        if np.ndim(other) == 0:
            return np.repeat(op(self.values, other), self.lengths())
        return op(np.asarray(self), other)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    __hash__ = None

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("a RunColumn cannot be viewed as a dense array without a copy")
        dense = np.repeat(self.values, self.lengths())
        return dense if dtype is None else dense.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"RunColumn({len(self.values)} runs over {self._n} rows, {self.dtype})"
