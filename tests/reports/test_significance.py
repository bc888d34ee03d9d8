"""The tests diff states (tracetui.reports.significance): the statistics against a
brute-force count, and p-values calibrated under the null hypothesis (about alpha of
same-distribution samples come out significant at alpha), and power on a real shift."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracetui.reports.significance import mann_whitney, proportion_test, quantile_test, rate_test


def _mw_brute(x, y) -> float:
    """U by counting pairs, variance with the tie correction, normal approximation."""
    u = sum((a > b) + 0.5 * (a == b) for a in x for b in y)
    n1, n2 = len(x), len(y)
    n = n1 + n2
    _, t = np.unique(np.concatenate([x, y]), return_counts=True)
    var = n1 * n2 / 12 * ((n + 1) - (t ** 3 - t).sum() / (n * (n - 1)))
    d = abs(u - n1 * n2 / 2)
    if var == 0:
        return 1.0
    z = (d - 0.5) / math.sqrt(var) if d > 0.5 else 0.0
    return math.erfc(z / math.sqrt(2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=5, max_size=25), st.lists(st.integers(0, 6), min_size=5, max_size=25))
def test_mann_whitney_equals_pair_count(x, y):
    assert mann_whitney(x, y) == pytest.approx(_mw_brute(np.array(x), np.array(y)), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("test", ["mw", "q90", "rate"])
def test_calibrated_under_the_null(test):
    rng = np.random.default_rng(1)
    p = []
    for _ in range(400):
        a, b = rng.lognormal(0, 0.5, 300), rng.lognormal(0, 0.5, 300)
        if test == "mw":
            p.append(mann_whitney(a, b))
        elif test == "q90":
            p.append(quantile_test(a, b, 90))
        else:
            p.append(rate_test(a[: rng.poisson(200)], 1.0, b[: rng.poisson(200)], 1.0))
    p = np.array(p)
    assert 0.02 <= (p < 0.05).mean() <= 0.09        # 5% expected; binomial sd 1.1%
    assert (p < 0.01).mean() <= 0.03


def test_power_on_a_shift():
    rng = np.random.default_rng(2)
    a, b = rng.lognormal(0, 0.3, 300), rng.lognormal(0, 0.3, 300) * 1.2
    assert mann_whitney(a, b) < 1e-6
    assert quantile_test(a, b * 1.0, 90) < 0.01
    assert rate_test(np.ones(1000), 1.0, np.ones(1300), 1.0) < 1e-6
    assert proportion_test(100, 1000, 160, 1000) < 1e-3


def test_too_few_instances_have_no_test():
    assert mann_whitney([1, 2], [3, 4, 5, 6, 7]) is None
    assert quantile_test([1, 2, 3, 4], [1, 2, 3, 4, 5], 99) is None


def test_large_samples_are_tested_on_a_fixed_sample():
    rng = np.random.default_rng(3)
    a, b = rng.lognormal(0, 0.3, 500_000), rng.lognormal(0, 0.3, 400_000)
    assert mann_whitney(a, b) == mann_whitney(a, b)          # the same sample each time
    assert mann_whitney(a, b) > 1e-3
    assert mann_whitney(a, b * 1.05) < 1e-12                 # half the default --min-change
