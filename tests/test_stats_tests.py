"""Welch's t-test, logit t intervals, the two-sample jackknife and the role permutation test."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as sps

from scoring_service import stats

# R 4.x, the documentation example of t.test (Welch by default), Student's sleep data:
#   > t.test(extra ~ group, data = sleep)
#   t = -1.8608, df = 17.776, p-value = 0.07939
#   95 percent confidence interval: -3.3654832  0.2054832
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_against_r_sleep() -> None:
    r = stats.welch_columns(np.c_[SLEEP_1], np.c_[SLEEP_2])
    assert r.statistic[0] == pytest.approx(-1.8608, abs=5e-5)
    assert r.df[0] == pytest.approx(17.776, abs=5e-4)
    assert r.pvalue()[0] == pytest.approx(0.07939, abs=5e-6)
    assert r.confidence_interval(0.95)[:, 0] == pytest.approx([-3.3654832, 0.2054832], abs=5e-8)
    # R: t.test(extra ~ group, data = sleep, alternative = "less")$p.value = 0.0397
    assert r.pvalue("less")[0] == pytest.approx(0.07939 / 2, abs=5e-6)


def test_welch_reasons() -> None:
    x = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, np.nan], [1.0, 2.0, np.nan]])
    y = np.array([[2.0, 5.0, 1.0], [2.0, 3.0, 2.0]])
    r = stats.welch_columns(x, y)
    assert r.reasons == ("no_variation", None, "n_below_minimum")
    assert np.isnan(r.pvalue()[[0, 2]]).all() and not np.isnan(r.pvalue()[1])
    assert r.difference.tolist()[:2] == [-1.0, -2.0]


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (6, 3), elements=st.integers(1, 5).map(float)),
    arrays(np.float64, (4, 3), elements=st.integers(1, 5).map(float)),
)
def test_welch_agrees_with_scipy(x: np.ndarray, y: np.ndarray) -> None:
    r = stats.welch_columns(x, y)
    for k in range(3):
        if r.reasons[k] is not None:
            assert x[:, k].std() == 0 and y[:, k].std() == 0
            continue
        with warnings.catch_warnings():  # scipy warns of one constant side; we do not
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = sps.ttest_ind(x[:, k], y[:, k], equal_var=False)
        assert r.pvalue()[k] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
        ci = ref.confidence_interval(0.9)
        assert r.confidence_interval(0.9)[:, k] == pytest.approx([ci.low, ci.high], rel=1e-9)
        lo, hi = r.confidence_interval(0.95)[:, k]
        assert lo <= r.difference[k] <= hi
        # The detectable difference at alpha grows as alpha shrinks.
        assert r.detectable(0.01)[k] > r.detectable(0.05)[k] > 0


def test_logit_t_interval() -> None:
    """Shares (0.1, 0.2, 0.3, 0.4): mean 0.25, se 0.0645; logit 0.25 = -1.0986,
    se(logit) = 0.0645 / (0.25 x 0.75) = 0.3443, t(0.975, 3) = 3.1824."""
    x = np.array([[0.1, 0.0], [0.2, 0.0], [0.3, 0.0], [0.4, 0.0]])
    lh = stats.logit_t_intervals(x, 0.95)
    se = np.std([0.1, 0.2, 0.3, 0.4], ddof=1) / 2 / (0.25 * 0.75)
    half = sps.t.ppf(0.975, 3) * se
    expit = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert lh[:, 0] == pytest.approx([expit(math.log(1 / 3) - half), expit(math.log(1 / 3) + half)])
    assert 0 < lh[0, 0] < 0.25 < lh[1, 0] < 1
    assert np.isnan(lh[:, 1]).all()  # a mean of 0: the boundary


def test_jackknife_se_of_a_mean_is_the_textbook_one() -> None:
    """The delete-one jackknife of a mean gives s / sqrt(n) exactly (Efron & Tibshirani 1993,
    problem 11.1); for a difference of two means, the Welch standard error."""
    x = np.array([2.0, 4.0, 7.0, 1.0, 9.0])
    y = np.array([3.0, 3.5, 8.0, 6.0])
    loo_x = (x.sum() - x) / (len(x) - 1)
    loo_y = (y.sum() - y) / (len(y) - 1)
    assert stats.jackknife_se(loo_x) == pytest.approx(x.std(ddof=1) / math.sqrt(len(x)))
    welch = stats.welch_columns(np.c_[x], np.c_[y]).se[0]
    assert stats.jackknife_se(loo_x, loo_y) == pytest.approx(welch)
    with pytest.raises(ValueError, match="at least 2"):
        stats.jackknife_se([1.0])


def test_p_floor() -> None:
    assert stats.p_floor([5, 5]) == pytest.approx(2 / 252)  # the mirror split ties
    assert stats.p_floor([3, 3]) == pytest.approx(0.1)
    assert stats.p_floor([1, 1, 1]) == 1.0  # singletons: every relabelling is the same
    assert stats.p_floor([2, 1, 1, 1, 1, 1, 1]) == pytest.approx(math.factorial(6) / 20160)
    assert stats.p_floor([4, 3]) == pytest.approx(1 / 35)


def test_group_test_exact_by_hand() -> None:
    """Two groups of 3 that do not overlap: of C(6, 3) = 20 splits only the observed one and
    its mirror reach the observed between-group sum of squares, p = 2 / 20."""
    x = np.c_[[1.0, 2.0, 3.0, 7.0, 8.0, 9.0]]
    r = stats.group_permutation_test(x, ["a", "a", "a", "b", "b", "b"])
    assert r.exact and r.pvalue == pytest.approx(0.1) and r.p_floor == pytest.approx(0.1)
    assert r.statistic == pytest.approx(6 * 3.0**2)  # 3 (2 - 5)^2 + 3 (8 - 5)^2 = 54


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (9,), elements=st.integers(1, 5).map(float)))
def test_group_test_agrees_with_scipy(values: np.ndarray) -> None:
    """Three groups of 3: the exact p equals scipy.stats.permutation_test's on the one-way
    between-group sum of squares (scipy needs two observations a group, we do not)."""
    groups = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    ours = stats.group_permutation_test(values[:, None], groups, n_resamples=10_000)

    def between(*samples: np.ndarray, axis: int) -> Any:
        grand = values.mean()
        return sum(s.shape[axis] * (np.mean(s, axis=axis) - grand) ** 2 for s in samples)

    ref = sps.permutation_test(
        tuple(values[np.array(groups) == g] for g in range(3)),
        between,
        permutation_type="independent",
        alternative="greater",
        n_resamples=10_000,
    )
    assert ours.exact and ours.pvalue == pytest.approx(ref.pvalue, abs=1e-12)


def test_group_test_with_a_metric_and_missing_values() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3))
    R = np.array([[1.0, -0.8, 0.0], [-0.8, 1.0, 0.0], [0.0, 0.0, 1.0]])
    r = stats.group_permutation_test(x, [0, 0, 0, 0, 1, 1, 1, 1], metric=R)
    assert 0 < r.pvalue <= 1 and r.exact
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing"):
        stats.group_permutation_test(x, [0] * 4 + [1] * 4, metric=R)
    missing = stats.group_permutation_test(x, [0] * 4 + [1] * 4)
    assert 0 < missing.pvalue <= 1
    with pytest.raises(stats.DegenerateInputError):
        stats.group_permutation_test(x, [0] * 8)


def test_stratified_welch_with_one_stratum_is_welch() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    plain = stats.welch_columns(x, y)
    strat = stats.stratified_welch_columns(x, ["a"] * 7, y, ["b"] * 5)
    for key in ("difference", "se", "df"):
        np.testing.assert_allclose(getattr(strat, key), getattr(plain, key), rtol=1e-12)
    np.testing.assert_allclose(strat.pooled_pvalue(), plain.pooled_pvalue(), rtol=1e-12)


def test_stratified_welch_by_hand() -> None:
    """x: legal (1, 3), IT (5); y: legal (2), IT (4, 6, 8). W_x = (2 + 5)/2 = 3.5,
    W_y = (2 + 6)/2 = 4. Within-role SS: x 2 on 3 - 2 = 1 df, y 8 on 4 - 2 = 2 df. A role of
    one takes the larger of the pooled within variance and the column's total variance:
    x max(2, 4) = 4, y max(4, 20/3) = 20/3. Var(W_x) = (2/2 + 4/1)/4 = 1.25,
    Var(W_y) = (20/3 / 1 + 4/3)/4 = 2."""
    x = np.c_[[1.0, 3.0, 5.0]]
    y = np.c_[[2.0, 4.0, 6.0, 8.0]]
    r = stats.stratified_welch_columns(x, ["legal", "legal", "it"], y, ["legal", "it", "it", "it"])
    assert r.difference[0] == pytest.approx(-0.5)
    assert r.se[0] == pytest.approx(math.sqrt(1.25 + 2.0))
    # Satterthwaite per side over the role terms (a lone role on the pooled df), capped at n - R.
    q = (1.25, 2.0)
    e_x = min(1.25**2 / (0.25**2 / 1 + 1.0**2 / 1), 1)
    e_y = min(2.0**2 / ((5 / 3) ** 2 / 2 + (1 / 3) ** 2 / 2), 2)
    assert r.df[0] == pytest.approx(sum(q) ** 2 / (q[0] ** 2 / e_x + q[1] ** 2 / e_y))
    # Pooled: (1 x 2 + 2 x 4) / 3 = 10/3 on 3 df, times c = (1/2 + 1)/4 + (1 + 1/3)/4.
    se = math.sqrt(10 / 3 * (0.375 + 1 / 3))
    assert r.pooled_pvalue()[0] == pytest.approx(2 * sps.t.sf(0.5 / se, 3))
    # A side whose strata are all single respondents has no degree of freedom.
    none = stats.stratified_welch_columns(x, ["a", "b", "c"], y, ["a"] * 4)
    assert none.reasons == ("n_below_minimum",)
