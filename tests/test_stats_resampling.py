"""Resampling against scipy, brute force and published examples, plus invariances
(``scoring_service.stats.resampling``)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as sps

from scoring_service.stats import (
    DegenerateInputError,
    benjamini_hochberg,
    bootstrap_indices,
    percentile_interval,
    percentile_intervals,
    percentile_intervals_repeated,
    permutation_pvalues,
)

NAN = np.nan


def _abs_mean_diff(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    return np.abs(np.mean(b, axis=axis) - np.mean(a, axis=axis))


def scipy_exact(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """scipy's exact two-sample permutation test of |mean_y - mean_x|, column by column."""
    result = sps.permutation_test(
        (x, y),
        statistic=_abs_mean_diff,
        permutation_type="independent",
        alternative="greater",
        vectorized=True,
        n_resamples=np.inf,
        axis=0,
    )
    return np.asarray(result.pvalue)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_indices_shape_range_and_reproducibility() -> None:
    idx = bootstrap_indices(7, 500, np.random.default_rng(3))
    assert idx.shape == (500, 7)
    assert idx.dtype == np.intp
    assert idx.min() >= 0 and idx.max() <= 6
    assert set(np.unique(idx)) == set(range(7))
    np.testing.assert_array_equal(idx, bootstrap_indices(7, 500, np.random.default_rng(3)))


def test_bootstrap_indices_errors() -> None:
    with pytest.raises(TypeError, match="rng"):
        bootstrap_indices(5, 10, np.random.RandomState(0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be >= 1"):
        bootstrap_indices(0, 10, np.random.default_rng())
    with pytest.raises(TypeError, match="n_resamples"):
        bootstrap_indices(5, 10.0, np.random.default_rng())  # type: ignore[arg-type]


def test_percentile_interval_matches_scipy_bootstrap() -> None:
    rng = np.random.default_rng(20240601)
    data = rng.normal(size=60)  # SD 1
    idx = bootstrap_indices(data.size, 20_000, rng)
    ours = percentile_interval(data[idx].mean(axis=1), 0.95)
    theirs = sps.bootstrap(
        (data,),
        np.mean,
        method="percentile",
        vectorized=True,
        n_resamples=20_000,
        rng=np.random.default_rng(5),
    ).confidence_interval
    assert ours == pytest.approx((theirs.low, theirs.high), abs=0.02)


def test_percentile_interval_hand_computed() -> None:
    # 0, 1, ..., 100: the 2.5th and 97.5th percentiles with linear interpolation sit at
    # positions 0.025 * 100 = 2.5 and 97.5, i.e. the values 2.5 and 97.5.
    assert percentile_interval(np.arange(101.0)) == (2.5, 97.5)
    assert percentile_interval(np.arange(101.0), confidence=0.5) == (25.0, 75.0)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 50), elements=st.floats(-1e3, 1e3)),
    st.floats(0.5, 0.99),
)
def test_percentile_interval_negation_and_order(samples: np.ndarray, level: float) -> None:
    low, high = percentile_interval(samples, level)
    # Exactly, not approximately: the interval of -x is (-high, -low).
    assert percentile_interval(-samples, level) == (-high, -low)
    assert samples.min() <= low <= high <= samples.max()


def test_percentile_interval_drops_missing_and_errors() -> None:
    assert percentile_interval([1.0, NAN, 2.0, 3.0]) == percentile_interval([1.0, 2.0, 3.0])
    with pytest.raises(DegenerateInputError) as excinfo:
        percentile_interval([1.0, NAN])
    assert excinfo.value.reason == "n_below_minimum"
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="confidence"):
            percentile_interval([1.0, 2.0], bad)
    with pytest.raises(TypeError, match="confidence"):
        percentile_interval([1.0, 2.0], "0.9")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(3, 30), st.integers(1, 4)),
        elements=st.one_of(st.floats(-10, 10), st.just(NAN)),
    )
)
def test_percentile_intervals_equal_column_by_column(samples: np.ndarray) -> None:
    counts = (~np.isnan(samples)).sum(axis=0)
    if (counts < 2).any():
        with pytest.raises(DegenerateInputError):
            percentile_intervals(samples)
        return
    bounds = percentile_intervals(samples, 0.9)
    assert bounds.shape == (2, samples.shape[1])
    np.testing.assert_array_equal(percentile_intervals(-samples, 0.9), -bounds[::-1])
    for j in range(samples.shape[1]):
        assert tuple(bounds[:, j]) == pytest.approx(percentile_interval(samples[:, j], 0.9))


# --------------------------------------------------------------------------- permutations


def test_permutation_exact_published_minimum_pvalues() -> None:
    # Fully separated groups: only the observed split and its mirror reach |diff|, so the
    # smallest two-sided p is 2 / C(6, 3) = 2/20 = 0.10 for 3 v 3 and 2 / C(10, 5) = 2/252
    # for 5 v 5 (as scipy.stats.permutation_test also gives, checked below).
    x3, y3 = np.array([[1.0], [2.0], [3.0]]), np.array([[4.0], [5.0], [6.0]])
    r3 = permutation_pvalues(x3, y3)
    assert r3.exact and r3.n_permutations == 20
    assert r3.pvalues[0] == pytest.approx(0.10)
    x5, y5 = np.arange(5.0)[:, None], np.arange(5.0, 10.0)[:, None]
    r5 = permutation_pvalues(x5, y5)
    assert r5.n_permutations == 252
    assert r5.pvalues[0] == pytest.approx(2 / 252)
    np.testing.assert_allclose(r3.pvalues, scipy_exact(x3, y3), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r5.pvalues, scipy_exact(x5, y5), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_permutation_exact_equals_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_x, n_y = rng.integers(2, 7, size=2)
    x = rng.integers(1, 6, size=(n_x, 3)).astype(float)
    y = rng.integers(1, 6, size=(n_y, 3)).astype(float) + rng.integers(0, 2)
    result = permutation_pvalues(x, y)
    assert result.exact and result.n_permutations == math.comb(n_x + n_y, n_x)
    np.testing.assert_allclose(result.pvalues, scipy_exact(x, y), rtol=0, atol=1e-12)
    assert result.defined.all()


def test_permutation_monte_carlo_close_to_scipy() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, size=(14, 2))
    y = rng.normal(0.6, 1.0, size=(13, 2))
    result = permutation_pvalues(x, y, max_exact=1000, n_resamples=9_999, rng=rng)
    assert not result.exact and result.n_permutations == 9_999
    theirs = sps.permutation_test(
        (x, y),
        statistic=_abs_mean_diff,
        permutation_type="independent",
        alternative="greater",
        vectorized=True,
        n_resamples=9_999,
        axis=0,
        rng=np.random.default_rng(12),
    ).pvalue
    np.testing.assert_allclose(result.pvalues, theirs, atol=0.02)
    assert (result.pvalues >= 1 / 10_000).all()


def _brute_force(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Loop over every split, nanmean per group, written independently of the module."""
    pooled = np.vstack([x, y])
    n, n_x = pooled.shape[0], x.shape[0]

    def stat(members: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(n, dtype=bool)
        mask[list(members)] = True
        a, b = pooled[mask], pooled[~mask]
        ok = (~np.isnan(a)).any(axis=0) & (~np.isnan(b)).any(axis=0)
        with np.errstate(invalid="ignore"):
            diff = np.abs(
                np.nansum(b, axis=0) / (~np.isnan(b)).sum(axis=0)
                - np.nansum(a, axis=0) / (~np.isnan(a)).sum(axis=0)
            )
        return diff, ok

    observed, _ = stat(tuple(range(n_x)))
    hits = np.zeros(pooled.shape[1])
    splits = list(itertools.combinations(range(n), n_x))
    for members in splits:
        diff, ok = stat(members)
        hits += ok & (diff >= observed - 1e-9)
    return hits / len(splits)


def test_permutation_missing_values_and_undefined_columns() -> None:
    x = np.array([[1.0, NAN, NAN], [2.0, 3.0, NAN], [NAN, 4.0, NAN]])
    y = np.array([[4.0, 1.0, 2.0], [5.0, NAN, 3.0], [6.0, 2.0, NAN], [NAN, 1.0, 1.0]])
    result = permutation_pvalues(x, y)
    np.testing.assert_array_equal(result.defined, [True, True, False])
    np.testing.assert_allclose(result.pvalues[:2], _brute_force(x, y)[:2], rtol=0, atol=1e-12)
    assert result.pvalues[2] == 1.0  # x has no value in column 3


likert = st.integers(1, 5).map(float)


def two_groups(d: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """(n_x, d) and (n_y, d) Likert groups small enough for exact enumeration."""
    side = hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.just(d)), elements=likert)
    return st.tuples(side, side)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3).flatmap(two_groups))
def test_permutation_invariances(groups: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = groups
    result = permutation_pvalues(x, y)
    assert ((result.pvalues > 0) & (result.pvalues <= 1)).all()
    np.testing.assert_allclose(permutation_pvalues(y, x).pvalues, result.pvalues, atol=1e-12)
    rng = np.random.default_rng(0)
    shuffled = permutation_pvalues(rng.permutation(x), rng.permutation(y))
    np.testing.assert_allclose(shuffled.pvalues, result.pvalues, atol=1e-12)
    assert result.pvalues.min() >= 1 / result.n_permutations - 1e-12


def test_permutation_errors() -> None:
    with pytest.raises(DegenerateInputError) as excinfo:
        permutation_pvalues(np.empty((0, 2)), np.ones((3, 2)))
    assert excinfo.value.reason == "n_below_minimum"
    with pytest.raises(ValueError, match="rng is required"):
        permutation_pvalues(np.ones((10, 1)), np.ones((10, 1)), max_exact=100)
    with pytest.raises(TypeError, match="rng"):
        permutation_pvalues(np.ones((2, 1)), np.ones((2, 1)), rng=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same number of columns"):
        permutation_pvalues(np.ones((2, 1)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="n_resamples"):
        permutation_pvalues(np.ones((2, 1)), np.ones((2, 1)), n_resamples=0)


# --------------------------------------------------------------------------- BH


def test_benjamini_hochberg_published_example() -> None:
    # Benjamini & Hochberg (1995), section 4 (Neuhaus et al. 1992 trial, 15 p-values): at
    # q = 0.05 the procedure rejects the 4 smallest (Bonferroni only 3).
    ps = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
          0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
    adjusted = benjamini_hochberg(ps)
    assert (adjusted <= 0.05).sum() == 4
    # Self-check with the step-up formula written out: min over j >= i of m p_(j) / j.
    m = len(ps)
    by_hand = np.minimum.accumulate((m * np.array(ps) / np.arange(1, m + 1))[::-1])[::-1]
    np.testing.assert_allclose(adjusted, np.minimum(by_hand, 1.0))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 1)))
def test_benjamini_hochberg_properties(p: np.ndarray) -> None:
    q = benjamini_hochberg(p)
    assert q.shape == p.shape
    assert (q >= p - 1e-15).all() and (q <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(q[order]) >= -1e-15).all()


def test_benjamini_hochberg_empty_and_errors() -> None:
    assert benjamini_hochberg([]).shape == (0,)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 1.2])
    with pytest.raises(ValueError, match="missing"):
        benjamini_hochberg([0.2, NAN])


def test_normal_limit_agrees_with_monte_carlo() -> None:
    """From 50 a side the normal limit of the permutation distribution (Hoeffding 1952) gives
    the Monte Carlo p-value to within its own noise."""
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, size=(60, 4))
    y = rng.normal([0.0, 0.2, 0.4, 0.6], 1.0, size=(70, 4))
    y[3, 1] = np.nan
    normal = permutation_pvalues(x, y, rng=np.random.default_rng(1), normal_from=50)
    monte = permutation_pvalues(x, y, n_resamples=20_000, rng=np.random.default_rng(1))
    assert normal.method == "normal" and normal.n_permutations == 0
    assert monte.method == "monte_carlo"
    np.testing.assert_allclose(normal.pvalues, monte.pvalues, atol=0.015)
    assert normal.defined.all()


def test_normal_limit_is_not_used_when_exact_or_small() -> None:
    rng = np.random.default_rng(2)
    small = permutation_pvalues(rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), normal_from=3)
    assert small.method == "exact"
    mid = permutation_pvalues(
        rng.normal(size=(20, 2)), rng.normal(size=(20, 2)), rng=rng, normal_from=50
    )
    assert mid.method == "monte_carlo"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda p: st.tuples(
            hnp.arrays(np.float64, (p, 3), elements=st.integers(-20, 20).map(lambda v: v / 4)),
            st.lists(st.integers(1, 40), min_size=p, max_size=p),
        )
    ),
    st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]),
)
def test_repeated_intervals_equal_the_expanded_ones(
    case: tuple[np.ndarray, list[int]], confidence: float
) -> None:
    """Distinct replicates with repeat counts give exactly the interval of the full sample."""
    values, repeats = case
    reps = np.array(repeats)
    if reps.sum() < 2:
        return
    expanded = np.repeat(values, reps, axis=0)
    np.testing.assert_array_equal(
        percentile_intervals_repeated(values, reps, confidence),
        percentile_intervals(expanded, confidence),
    )
