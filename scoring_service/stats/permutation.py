"""Permutation tests of a difference of means (exact, Monte Carlo, normal limit) and FDR control."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, combinations, islice

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from .errors import DegenerateInputError, as_float_array, check_int
from .resampling import _check_rng

# Splits are scored this many at a time, to bound memory on large Monte Carlo runs.
_BLOCK = 1024


@dataclass(frozen=True, eq=False)
class PermutationResult:
    """Per-column p-values of a two-sample permutation test.

    ``defined[j]`` is False where a sample has no value in column j; ``pvalues[j]`` is 1.0
    there. ``n_permutations`` counts the splits scored: all of them when ``exact``, none when
    ``method`` is ``"normal"``.
    """

    pvalues: NDArray[np.float64]
    exact: bool
    n_permutations: int
    defined: NDArray[np.bool_]
    method: str = "exact"


def _normal_pvalues(
    filled: NDArray[np.float64], present: NDArray[np.float64], n_x: int
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Two-sided p from the normal limit of the permutation distribution of the mean difference.

    Under random splits the difference of group means has mean 0 and variance
    s^2 (1/n_x + 1/n_y), s^2 the variance (ddof 1) of the pooled values (Hoeffding 1952).
    """
    counts_x, counts_y = present[:n_x].sum(axis=0), present[n_x:].sum(axis=0)
    defined = (counts_x > 0) & (counts_y > 0)
    cx, cy = np.maximum(counts_x, 1), np.maximum(counts_y, 1)  # guards; undefined -> p = 1
    mean_x, mean_y = filled[:n_x].sum(axis=0) / cx, filled[n_x:].sum(axis=0) / cy
    grand = filled.sum(axis=0) / np.maximum(counts_x + counts_y, 1)
    squares = (((filled - grand) * present) ** 2).sum(axis=0)
    variance = squares / np.maximum(counts_x + counts_y - 1, 1) * (1 / cx + 1 / cy)
    spread = np.sqrt(np.where(variance > 0, variance, 1.0))
    z = np.where(variance > 0, np.abs(mean_y - mean_x) / spread, 0.0)
    pvalues = np.where(defined, np.minimum(1.0, 2.0 * special.ndtr(-z)), 1.0)
    return pvalues, defined


def _split_blocks(
    n_total: int, n_first: int, n_splits: int, rng: np.random.Generator | None
) -> Iterator[NDArray[np.intp]]:
    """Yield blocks of member indices of the first group: every split, or random ones."""
    if rng is None:
        flat = chain.from_iterable(combinations(range(n_total), n_first))
        for start in range(0, n_splits, _BLOCK):
            rows = min(_BLOCK, n_splits - start)
            block = np.fromiter(islice(flat, rows * n_first), dtype=np.intp, count=rows * n_first)
            yield block.reshape(rows, n_first)
        return
    for start in range(0, n_splits, _BLOCK):
        rows = min(_BLOCK, n_splits - start)
        order = rng.permuted(np.tile(np.arange(n_total), (rows, 1)), axis=1)
        yield order[:, :n_first]


def _abs_mean_difference(
    members: NDArray[np.float64], filled: NDArray[np.float64], present: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """|mean of the rest - mean of the members| per split and column, and where it exists."""
    sums = members @ filled
    counts = members @ present
    rest_sums = filled.sum(axis=0) - sums
    rest_counts = present.sum(axis=0) - counts
    valid = (counts > 0) & (rest_counts > 0)
    mean = np.divide(sums, counts, out=np.zeros_like(sums), where=valid)
    rest_mean = np.divide(rest_sums, rest_counts, out=np.zeros_like(sums), where=valid)
    return np.abs(rest_mean - mean), valid


def permutation_pvalues(
    x: ArrayLike,
    y: ArrayLike,
    *,
    max_exact: int = 20_000,
    n_resamples: int = 9_999,
    rng: np.random.Generator | None = None,
    normal_from: int | None = None,
) -> PermutationResult:
    """Two-sample permutation test of the difference of means, column by column.

    Parameters
    ----------
    x : array_like of shape (n_x, d)
    y : array_like of shape (n_y, d)
        Respondents of two groups on d variables; ``None``/``NaN`` are missing, and each mean
        uses the non-missing values of its group in its column.
    max_exact : int >= 0
        Enumerate every split when there are at most this many, C(n_x + n_y, n_x).
    n_resamples : int >= 1
        Number of random splits when the test is not exact.
    rng : numpy.random.Generator, optional
        Required when the test is not exact.
    normal_from : int, optional
        When the test is not exact and both groups have at least this many respondents, use
        the normal limit of the permutation distribution instead of random splits (same null,
        O(n d) instead of O(n_resamples n d)); ``method`` is then ``"normal"``.

    Returns
    -------
    PermutationResult
        Two-sided p-values in (0, 1], ``defined`` mask, ``exact`` and ``n_permutations``.

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` when a group has no respondent.

    Notes
    -----
    Statistic T = |mean_y - mean_x|. Exact: p = #{splits s : T_s >= T_obs - 1e-12 scale} / P
    over all P splits of the pooled respondents, the observed one included, so p >= 1/P.
    Monte Carlo: p = (b + 1) / (m + 1) with b extreme splits among m random ones. A split
    leaving a group without a value in a column is left out of that column's reference
    distribution (numerator and denominator). The split matrix
    S (0/1, splits x respondents) gives all group sums and counts as S @ X and S @ mask.

    References
    ----------
    .. [1] Good, P. (2005). Permutation, parametric and bootstrap tests of hypotheses
       (3rd ed.), chapter 3. Springer.
    .. [2] Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
       Statistical Applications in Genetics and Molecular Biology, 9(1), Article 39.
    .. [3] Hoeffding, W. (1952). The large-sample power of tests based on permutations of
       observations. Annals of Mathematical Statistics, 23(2), 169-192.
    """
    a = as_float_array(x, "x", ndim=2)
    b = as_float_array(y, "y", ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"x and y must have the same number of columns, got {a.shape} and {b.shape}"
        )
    limit = check_int(max_exact, "max_exact", minimum=0)
    resamples = check_int(n_resamples, "n_resamples", minimum=1)
    if rng is not None:
        _check_rng(rng)
    n_x, n_total = a.shape[0], a.shape[0] + b.shape[0]
    if a.shape[0] < 1 or b.shape[0] < 1:
        raise DegenerateInputError("n_below_minimum", "each group needs at least 1 respondent")
    pooled = np.vstack([a, b])
    present = (~np.isnan(pooled)).astype(np.float64)
    filled = np.where(present > 0, pooled, 0.0)
    actual = np.zeros((1, n_total))
    actual[0, :n_x] = 1.0
    observed, defined = _abs_mean_difference(actual, filled, present)
    tolerance = 1e-12 * np.abs(filled).max(axis=0)
    exact = math.comb(n_total, n_x) <= limit
    if not exact and normal_from is not None and min(n_x, n_total - n_x) >= normal_from:
        pvalues, defined_cols = _normal_pvalues(filled, present, n_x)
        return PermutationResult(pvalues, False, 0, defined_cols, "normal")
    if not exact and rng is None:
        raise ValueError("rng is required when the test is not exact (too many splits)")
    n_splits = math.comb(n_total, n_x) if exact else resamples
    extreme = np.zeros(pooled.shape[1])
    counted = np.zeros(pooled.shape[1])  # splits where the statistic exists, per column
    for block in _split_blocks(n_total, n_x, n_splits, None if exact else rng):
        members = np.zeros((block.shape[0], n_total))
        np.put_along_axis(members, block, 1.0, axis=1)
        statistic, valid = _abs_mean_difference(members, filled, present)
        extreme += (valid & (statistic >= observed - tolerance)).sum(axis=0)
        counted += valid.sum(axis=0)
    # The reference distribution is the splits where the statistic exists (missing values can
    # leave a group empty in a column); the observed split is one of them.
    counted = np.maximum(counted, 1.0)
    pvalues = extreme / counted if exact else (extreme + 1) / (counted + 1)
    pvalues = np.where(defined[0], np.minimum(pvalues, 1.0), 1.0)
    return PermutationResult(
        pvalues=pvalues,
        exact=exact,
        n_permutations=n_splits,
        defined=defined[0],
        method="exact" if exact else "monte_carlo",
    )


def benjamini_hochberg(pvalues: ArrayLike) -> NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate).

    Parameters
    ----------
    pvalues : array_like of shape (m,)
        P-values in [0, 1], no missing value; may be empty.

    Returns
    -------
    ndarray of shape (m,)
        Adjusted p-values in the input order; rejecting where they are <= q controls the
        FDR at q for independent (or positively dependent) tests.

    Notes
    -----
    With p_(1) <= ... <= p_(m): p~_(i) = min_{j >= i} min(1, m p_(j) / j). Computed by
    ``scipy.stats.false_discovery_control(method="bh")``.

    References
    ----------
    .. [1] Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: A
       practical and powerful approach to multiple testing. Journal of the Royal Statistical
       Society, Series B, 57(1), 289-300.
    """
    p = as_float_array(pvalues, "pvalues", ndim=1, allow_nan=False)
    if ((p < 0) | (p > 1)).any():
        raise ValueError("pvalues must lie in [0, 1]")
    if p.size == 0:
        return np.empty(0, dtype=np.float64)
    return np.asarray(stats.false_discovery_control(p, method="bh"), dtype=np.float64)
