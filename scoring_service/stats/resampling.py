"""Bootstrap resampling: indices and percentile intervals (permutations: ``permutation.py``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import DegenerateInputError, as_float_array, check_confidence, check_int


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def bootstrap_indices(n: int, n_resamples: int, rng: np.random.Generator) -> NDArray[np.intp]:
    """Row indices of ``n_resamples`` bootstrap resamples of ``n`` observations.

    Parameters
    ----------
    n : int >= 1
        Number of observations in the group.
    n_resamples : int >= 1
        Number of resamples B.
    rng : numpy.random.Generator
        Source of randomness; the caller seeds it for reproducibility.

    Returns
    -------
    ndarray of intp, shape (n_resamples, n)
        Each row draws ``n`` indices uniformly from 0..n-1 with replacement. Draw one matrix
        per group and index every bootstrapped statistic of a request with it, so that the
        statistics are resampled jointly.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap, chapter 6.
       Chapman & Hall.
    """
    size = check_int(n, "n", minimum=1)
    count = check_int(n_resamples, "n_resamples", minimum=1)
    return _check_rng(rng).integers(0, size, size=(count, size), dtype=np.intp)


def _lower_tail(confidence: object) -> float:
    """Percentile (0-100) of the lower bound; 50 - 50 c is exact where 50 (1 - c) is not."""
    return 50 - 50 * check_confidence(confidence)


def _symmetric_bounds(values: NDArray[np.float64], tail: float) -> NDArray[np.float64]:
    """Lower and upper percentiles per column (NaN skipped), upper taken as -lower(-values).

    Mathematically the upper bound is the (100 - tail)th percentile; computing it from the
    negated values makes the interval of -values exactly (-high, -low) in floating point,
    which the linear interpolation of two separate percentiles does not guarantee.
    """
    if np.isnan(values).any():
        low = np.nanpercentile(values, tail, axis=0)
        high = -np.nanpercentile(-values, tail, axis=0)
        return np.asarray(np.stack([low, high]), dtype=np.float64)
    # Nothing missing (the usual case): numpy's "linear" rule at position q (n - 1) from the
    # bottom for the low bound and mirrored from the top for the high one. Only four order
    # statistics are needed, so a partition (linear time) replaces a sort.
    last = values.shape[0] - 1
    position = tail / 100.0 * last
    below = int(np.floor(position))
    frac = position - below
    above = min(below + 1, last)
    kth = sorted({below, above, last - above, last - below})
    part = np.partition(np.ascontiguousarray(values.T), kth, axis=-1)
    low = part[..., below] + frac * (part[..., above] - part[..., below])
    top, next_top = part[..., last - below], part[..., last - above]
    high = top - frac * (top - next_top)
    return np.asarray(np.stack([low, high]), dtype=np.float64)


def percentile_interval(samples: ArrayLike, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of one statistic.

    Parameters
    ----------
    samples : array_like of shape (B,)
        Bootstrap replicates of the statistic; ``NaN`` (a resample where the statistic is
        undefined) is dropped.
    confidence : float in (0, 1)
        Coverage of the two-sided interval.

    Returns
    -------
    tuple of float
        (low, high), the (1 - c)/2 and (1 + c)/2 quantiles (``numpy.percentile``, linear
        interpolation); the interval of -samples is exactly (-high, -low).

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` with fewer than 2 non-missing replicates.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap, section 13.3.
       Chapman & Hall.
    """
    tail = _lower_tail(confidence)
    values = as_float_array(samples, "samples", ndim=1)
    values = values[~np.isnan(values)]
    if values.size < 2:
        raise DegenerateInputError("n_below_minimum", "the interval needs at least 2 replicates")
    low, high = _symmetric_bounds(values, tail)
    return float(low), float(high)


def percentile_intervals(samples: ArrayLike, confidence: float = 0.95) -> NDArray[np.float64]:
    """Percentile bootstrap intervals of d statistics, column by column.

    Parameters
    ----------
    samples : array_like of shape (B, d)
        Bootstrap replicates, one column per statistic; ``NaN`` dropped per column.
    confidence : float in (0, 1)
        Coverage of each two-sided interval.

    Returns
    -------
    ndarray of shape (2, d)
        Row 0 the lower bounds, row 1 the upper bounds; column j equals
        ``percentile_interval(samples[:, j], confidence)``.

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` when a column has fewer than 2 non-missing replicates.

    References
    ----------
    .. [1] Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap, section 13.3.
       Chapman & Hall.
    """
    tail = _lower_tail(confidence)
    values = as_float_array(samples, "samples", ndim=2)
    short = np.flatnonzero((~np.isnan(values)).sum(axis=0) < 2)
    if short.size:
        raise DegenerateInputError(
            "n_below_minimum", f"columns {short.tolist()} have fewer than 2 replicates"
        )
    return _symmetric_bounds(values, tail)


def percentile_intervals_repeated(
    values: ArrayLike, repeats: ArrayLike, confidence: float = 0.95
) -> NDArray[np.float64]:
    """Percentile intervals of the replicates ``numpy.repeat(values, repeats, axis=0)``, column
    by column, without building them.

    Parameters
    ----------
    values : array_like of shape (P, d)
        The distinct replicates (e.g. a statistic on each distinct bootstrap resample).
    repeats : array_like of int, shape (P,)
        How many of the B replicates each row stands for (>= 1; B = sum >= 2).
    confidence : float in (0, 1)

    Returns
    -------
    ndarray of shape (2, d)
        Exactly ``percentile_intervals(numpy.repeat(values, repeats, axis=0), confidence)``.

    Notes
    -----
    A bootstrap mean of n respondents takes at most C(2n - 1, n) distinct values (126 at
    n = 5), so most of 2,000 resamples repeat one another. The k-th order statistic of the
    repeated sample is the value of the first sorted row whose cumulative repeat count
    exceeds k; the interpolation is the same as in :func:`percentile_intervals`.
    """
    tail = _lower_tail(confidence)
    v = as_float_array(values, "values", ndim=2)
    reps = np.asarray(repeats)
    if reps.shape != (v.shape[0],) or reps.dtype.kind not in "iu" or (reps < 1).any():
        raise ValueError("repeats must be positive integers, one per row of values")
    total = int(reps.sum())
    if total < 2:
        raise DegenerateInputError("n_below_minimum", "the interval needs at least 2 replicates")
    if np.isnan(v).any():
        return percentile_intervals(np.repeat(v, reps, axis=0), confidence)
    order = np.argsort(v, axis=0, kind="stable")
    ordered = np.take_along_axis(v, order, axis=0)
    cumulative = np.cumsum(reps[order], axis=0)
    columns = np.arange(v.shape[1])

    def statistic(k: int) -> NDArray[np.float64]:
        picked: NDArray[np.float64] = ordered[(cumulative <= k).sum(axis=0), columns]
        return picked

    last = total - 1
    position = tail / 100.0 * last
    below = int(np.floor(position))
    frac = position - below
    above = min(below + 1, last)
    low = statistic(below) + frac * (statistic(above) - statistic(below))
    top, next_top = statistic(last - below), statistic(last - above)
    high = top - frac * (top - next_top)
    return np.asarray(np.stack([low, high]), dtype=np.float64)
