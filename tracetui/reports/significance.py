"""The tests `tracetui diff` states for each metric, with numpy only (two-sided p-values).

- `mann_whitney(x, y)`: Mann–Whitney U on two samples of per-instance values (region
  durations, per-goroutine times, runnable waits): average ranks for ties, the tie-
  corrected variance and the normal approximation with a continuity correction. Tests a
  shift of the distribution: the test of p50 and of per-instance means.
- `quantile_test(x, y, q)`: for an upper percentile (p90, p99): the pooled sample's
  q-th percentile c, then a two-proportion z-test on the share of each sample above c
  (a generalised median test; Mood's when q = 50). Cheap on millions of instances,
  unlike a bootstrap, and exact about what it asks: is the tail above c heavier.
- `rate_test(x, t1, y, t2)`: for counts, totals and shares of time: the values summed
  over an exposure (trace duration) are compound Poisson, so S/T has variance
  sum(v^2)/T^2 (what a Poisson bootstrap estimates); a z-test on the difference of the
  two rates. For counts every value is 1 (the classic comparison of two Poisson rates).
- `proportion_test(k1, n1, k2, n2)`: two-proportion z-test (CPU sample shares).

The normal approximation needs a few instances per side: with fewer than `MIN_N` a
test returns None (no p-value: the row is never reported as changed). Above `MAX_N`
instances a side is tested on a seeded random sample of MAX_N of them (the same sample
on every run): at that size a change as small as the default --min-change of 10%
still gives p far below 0.01, and a 100 MB trace's million regions or runnable waits
are not sorted for nothing.
"""
from __future__ import annotations

import math

import numpy as np

MIN_N = 5
MAX_N = 200_000


def _sample(v: np.ndarray) -> np.ndarray:
    if len(v) <= MAX_N:
        return v
    return v[np.random.default_rng(len(v)).choice(len(v), MAX_N, replace=False)]


def _p_from_z(z: float) -> float:
    return float(math.erfc(abs(z) / math.sqrt(2)))


def _runs(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of an ascending array and how often each occurs."""
    if len(s) == 0:
        return s, np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]]))
    return s[starts], np.diff(np.append(starts, len(s)))


def mann_whitney(x, y, presorted: bool = False) -> float | None:
    """Two-sided p of Mann–Whitney U. `presorted`: x and y are ascending already.

    U counts the pairs with x > y (ties count a half), by binary search of each x in
    the sorted y; the tie correction sums t^3 - t over the pooled sample's tied values."""
    x, y = np.asarray(x), np.asarray(y)
    if len(x) > MAX_N or len(y) > MAX_N:
        x, y, presorted = _sample(x), _sample(y), False
    n1, n2 = len(x), len(y)
    if n1 < MIN_N or n2 < MIN_N:
        return None
    if not presorted:
        x, y = np.sort(x), np.sort(y)
    ux, cx = _runs(x)
    uy, cy = _runs(y)
    below = np.searchsorted(y, ux, side="left")
    equal = np.searchsorted(y, ux, side="right") - below
    u1 = float((cx * (below + 0.5 * equal)).sum())
    t = np.concatenate([cx + equal, cy[~np.isin(uy, ux, assume_unique=True)]]).astype(np.float64)
    n = n1 + n2
    mu = n1 * n2 / 2
    tie = float((t ** 3 - t).sum())
    var = n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1)))
    if var <= 0:
        return 1.0
    d = u1 - mu
    z = (abs(d) - 0.5) / math.sqrt(var) if abs(d) > 0.5 else 0.0
    return _p_from_z(z)


def nearest_rank(sorted_values: np.ndarray, q: float):
    """The nearest-rank q-th percentile of an ascending array (as tracetui.reports.durations)."""
    rank = max(math.ceil(q / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def quantile_test(x, y, q: float) -> float | None:
    x = _sample(np.asarray(x))
    y = _sample(np.asarray(y))
    n1, n2 = len(x), len(y)
    if n1 < MIN_N or n2 < MIN_N:
        return None
    c = nearest_rank(np.sort(np.concatenate([x, y])), q)
    k1, k2 = int((x > c).sum()), int((y > c).sum())
    return proportion_test(k1, n1, k2, n2)


def proportion_test(k1: int, n1: int, k2: int, n2: int) -> float | None:
    if n1 < MIN_N or n2 < MIN_N:
        return None
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return _p_from_z((k2 / n2 - k1 / n1) / se)


def rate_test(x, t1: float, y, t2: float) -> float | None:
    """x, y: the values summed (durations, or ones for counts) over exposures t1, t2 > 0."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    if t1 <= 0 or t2 <= 0 or len(x) + len(y) < MIN_N:
        return None
    var = float((x * x).sum()) / t1 ** 2 + float((y * y).sum()) / t2 ** 2
    if var == 0:
        return 1.0
    return _p_from_z((float(y.sum()) / t2 - float(x.sum()) / t1) / math.sqrt(var))
