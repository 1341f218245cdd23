"""The partially overlapping samples t-test (Derrick, Russ, Toher and White 2017)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from scoring_service import stats

# Derrick, Toher and White (2017), The Quantitative Methods for Psychology 13(2), 120-126, the
# worked example, also the example of R's Partiallyoverlapping::Partover.test:
#   a.unpaired <- c(20,21,16,18,14,12,14,17); a.paired <- c(14,15,18,20,11,19,14,15)
#   b.unpaired <- c(10,16,18,16,15,14,13,10); b.paired <- c(15,10,15,17,13,19,12,13)
#   Partover.test(a.unpaired, b.unpaired, a.paired, b.paired, var.equal = TRUE)
#   p.value = 0.026 (T_new1 = 2.421 on 18.5 degrees of freedom)
A = [20, 21, 16, 18, 14, 12, 14, 17, 14, 15, 18, 20, 11, 19, 14, 15]
B = [10, 16, 18, 16, 15, 14, 13, 10, 15, 10, 15, 17, 13, 19, 12, 13]
PAIRS = [(8 + k, 8 + k) for k in range(8)]


def test_worked_example_pooled() -> None:
    r = stats.overlap_t_columns(np.c_[A], np.c_[B], PAIRS, equal_var=True)
    assert r.difference[0] == pytest.approx(2.0)
    assert r.difference[0] / r.se[0] == pytest.approx(2.421, abs=5e-4)
    assert r.df[0] == pytest.approx(18.5)
    assert r.pvalue()[0] == pytest.approx(0.026, abs=5e-4)
    assert r.n_paired[0] == 8 and (r.n_x[0], r.n_y[0]) == (16, 16)


def test_worked_example_welch_form() -> None:
    """T_new2 (the default) on the same data: equal sizes and close variances give nearly T_new1."""
    r = stats.overlap_t_columns(np.c_[A], np.c_[B], PAIRS)
    assert r.difference[0] / r.se[0] == pytest.approx(2.4191, abs=5e-4)
    assert r.pvalue()[0] == pytest.approx(0.0261, abs=5e-4)
    low, high = r.confidence_interval(0.95)[:, 0]
    assert low < 2.0 < high and (low + high) / 2 == pytest.approx(2.0)


def test_reasons_and_missing_values() -> None:
    x = np.array([[1.0, 2.0, 3.0], [1.0, 4.0, np.nan], [1.0, 3.0, np.nan]])
    y = np.array([[1.0, 5.0, 1.0], [1.0, 3.0, 2.0]])
    r = stats.overlap_t_columns(x, y, [(0, 0), (1, 1)])
    assert r.reasons == ("no_variation", None, "n_below_minimum")
    # column 1: the pairs (2, 5) and (4, 3) correlate at -1
    assert r.n_paired[1] == 2 and r.r[1] == pytest.approx(-1.0)
    assert np.isnan(r.pvalue()[0]) and np.isnan(r.se[2])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="pairs"):
        stats.overlap_t_columns(np.ones((2, 1)), np.ones((2, 1)), [(0, 5)])
    with pytest.raises(ValueError, match="at most once"):
        stats.overlap_t_columns(np.ones((2, 1)), np.ones((2, 1)), [(0, 0), (0, 1)])
    with pytest.raises(ValueError, match="columns"):
        stats.overlap_t_columns(np.ones((2, 1)), np.ones((2, 2)), [])


samples = st.lists(
    st.floats(-10, 10, allow_nan=False).map(lambda v: round(v, 3)), min_size=3, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(x=samples, y=samples)
def test_without_pairs_it_is_welch(x: list[float], y: list[float]) -> None:
    assume(np.ptp(x) > 0.01 and np.ptp(y) > 0.01)  # scipy warns of cancellation below
    r = stats.overlap_t_columns(np.c_[x], np.c_[y], [])
    if r.reasons[0] is None:
        ref = sps.ttest_ind(x, y, equal_var=False)
        assert r.pvalue()[0] == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(x=samples, shift=st.lists(st.floats(-3, 3, allow_nan=False), min_size=12, max_size=12))
def test_all_paired_it_is_the_paired_t_test(x: list[float], shift: list[float]) -> None:
    y = [a + round(s, 3) for a, s in zip(x, shift, strict=False)]
    assume(np.ptp(np.subtract(x, y)) > 0.01)
    r = stats.overlap_t_columns(np.c_[x], np.c_[y], [(k, k) for k in range(len(x))])
    if r.reasons[0] is None and r.n_paired[0] == len(x):
        ref = sps.ttest_rel(x, y)
        assert r.df[0] == len(x) - 1
        assert r.pvalue()[0] == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(x=samples, y=samples, k=st.integers(0, 3), c=st.floats(-5, 5, allow_nan=False))
def test_swap_and_shift(x: list[float], y: list[float], k: int, c: float) -> None:
    """Swapping the sides negates the difference, keeps p; a common shift changes nothing."""
    assume(np.ptp(x) > 0.01 and np.ptp(y) > 0.01)  # a shift may turn 1e-13 of spread into 0
    pairs = [(i, i) for i in range(min(k, len(x), len(y)))]
    r = stats.overlap_t_columns(np.c_[x], np.c_[y], pairs)
    s = stats.overlap_t_columns(np.c_[y], np.c_[x], [(j, i) for i, j in pairs])
    t = stats.overlap_t_columns(np.c_[x] + c, np.c_[y] + c, pairs)
    assert r.reasons == s.reasons == t.reasons
    if r.reasons[0] is None:
        assert s.difference[0] == pytest.approx(-r.difference[0], abs=1e-9)
        assert s.pvalue()[0] == pytest.approx(r.pvalue()[0], rel=1e-6, abs=1e-12)
        assert t.pvalue()[0] == pytest.approx(r.pvalue()[0], rel=1e-4, abs=1e-9)
