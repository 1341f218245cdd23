"""Intraclass correlations (McGraw & Wong 1996; Shrout & Fleiss 1979), closed form with numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .errors import DegenerateInputError, as_float_array, check_confidence

ICC_FORMS = ("1,1", "A,1", "C,1", "1,k", "A,k", "C,k")


@dataclass(frozen=True)
class IccResult:
    """An intraclass correlation with its F-test of ICC = 0 and its confidence interval."""

    statistic: float
    form: str
    f: float
    df1: float
    df2: float
    pvalue: float
    ci: tuple[float, float]
    confidence: float = 0.95


@dataclass(frozen=True)
class _MeanSquares:
    n: int  # targets
    k: int  # raters
    rows: float  # MSR, between targets
    cols: float  # MSC, between raters
    error: float  # MSE, residual of the two-way model
    within: float  # MSW, within targets (one-way model)


def _mean_squares(x: NDArray[np.float64]) -> _MeanSquares:
    n, k = x.shape
    grand = x.mean()
    row_dev = x.mean(axis=1) - grand
    col_dev = x.mean(axis=0) - grand
    ss_rows = k * float(row_dev @ row_dev)
    ss_cols = n * float(col_dev @ col_dev)
    # The residual is summed directly, so that it cannot come out negative by cancellation.
    ss_error = float(((x - grand - row_dev[:, None] - col_dev[None, :]) ** 2).sum())
    return _MeanSquares(
        n=n,
        k=k,
        rows=ss_rows / (n - 1),
        cols=ss_cols / (k - 1),
        error=ss_error / ((n - 1) * (k - 1)),
        within=(ss_cols + ss_error) / (n * (k - 1)),
    )


def _icc_point(ms: _MeanSquares, form: str) -> float:
    model, unit = form.split(",")
    noise = ms.within if model == "1" else ms.error
    if unit == "1":
        denominator = ms.rows + (ms.k - 1) * noise
    else:
        denominator = ms.rows
    if model == "A":
        denominator += (ms.k if unit == "1" else 1) * (ms.cols - ms.error) / ms.n
    if denominator <= 0:
        raise DegenerateInputError("no_variation", f"ICC({form}) has a zero denominator")
    return (ms.rows - noise) / denominator


def _divide(numerator: float, denominator: float) -> float:
    if denominator == 0:
        raise DegenerateInputError("no_variation", "ICC confidence interval is undefined")
    return numerator / denominator


def _absolute_bounds(ms: _MeanSquares, unit: str, tail: float) -> tuple[float, float]:
    """McGraw & Wong (1996) Table 7 bounds of ICC(A,1) and ICC(A,k), Satterthwaite df."""
    n, k = ms.n, ms.k
    rho = _icc_point(ms, "A,1")
    a = k * rho  # a and b of McGraw & Wong, both multiplied by n (1 - rho)
    b = n * (1 + (k - 1) * rho) - k * rho
    v = _divide(
        (a * ms.cols + b * ms.error) ** 2,
        (a * ms.cols) ** 2 / (k - 1) + (b * ms.error) ** 2 / ((n - 1) * (k - 1)),
    )
    if not v > 0:
        raise DegenerateInputError("no_variation", "ICC confidence interval is undefined")
    f_low = float(stats.f.ppf(tail, n - 1, v))
    f_high = float(stats.f.ppf(tail, v, n - 1))
    # The ICC(A,k) bounds equal the Spearman-Brown transform of the ICC(A,1) bounds.
    spread = k * ms.cols + (k * n - k - n) * ms.error if unit == "1" else ms.cols - ms.error
    low_den, high_den = f_low * spread + n * ms.rows, spread + n * f_high * ms.rows
    if low_den < 0 or high_den < 0:
        # Possible for ICC(A,k) at n = 2-3 with rater variance above the residual's: the bound
        # changes sign and is no bound at all. That is too few targets, not "no variation".
        raise DegenerateInputError("n_below_minimum", "ICC interval undefined at this n")
    low = _divide(n * (ms.rows - f_low * ms.error), low_den)
    high = _divide(n * (f_high * ms.rows - ms.error), high_den)
    return low, high


def _icc_ci(
    ms: _MeanSquares, form: str, f: float, dfs: tuple[int, int], tail: float
) -> tuple[float, float]:
    """The interval; bounds that cross by a rounding error (k = 2) are put in order, bounds
    that cross by more are no interval."""
    low, high = _icc_bounds(ms, form, f, dfs, tail)
    if low > high + 1e-9 * max(1.0, abs(high)):
        raise DegenerateInputError("n_below_minimum", "ICC interval bounds cross at this n")
    return min(low, high), max(low, high)


def _icc_bounds(
    ms: _MeanSquares, form: str, f: float, dfs: tuple[int, int], tail: float
) -> tuple[float, float]:
    model, unit = form.split(",")
    if math.isinf(f) and (model != "A" or ms.cols == 0):
        return 1.0, 1.0  # no residual (and no rater) variance: both bounds are 1 in the limit
    if model == "A":
        return _absolute_bounds(ms, unit, tail)
    f_low = f / float(stats.f.ppf(tail, dfs[0], dfs[1]))
    f_high = f * float(stats.f.ppf(tail, dfs[1], dfs[0]))
    if unit == "1":
        return (f_low - 1) / (f_low + ms.k - 1), (f_high - 1) / (f_high + ms.k - 1)
    if f_low == 0:
        raise DegenerateInputError("no_variation", "no variation between targets")
    return 1 - 1 / f_low, 1 - 1 / f_high


def icc(data: ArrayLike, form: str = "A,1", *, confidence: float = 0.95) -> IccResult:
    """Intraclass correlation of targets rated by the same raters (McGraw & Wong 1996).

    Parameters
    ----------
    data : array_like of shape (targets, raters)
        Complete ratings: finite numbers, no missing value.
    form : {"1,1", "A,1", "C,1", "1,k", "A,k", "C,k"}
        McGraw & Wong's ICC(1), ICC(A,·) absolute agreement and ICC(C,·) consistency, for a
        single rating (1) or the mean of the k raters (k). Shrout & Fleiss (1979) call them
        ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), ICC(2,k), ICC(3,k).
    confidence : float in (0, 1)
        Level of the two-sided confidence interval.

    Returns
    -------
    IccResult
        ``statistic`` <= 1 (ICC(1) and ICC(C,1) are >= -1/(k-1); the other forms have no
        fixed lower bound), the F-test of ICC = 0 (``f``, ``df1``, ``df2``, one-sided
        ``pvalue``) and the interval ``ci``.

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` with fewer than 2 targets or 2 raters; ``"no_variation"`` when
        all ratings are equal, or a denominator of the ICC or of its interval is zero.

    Notes
    -----
    From the two-way ANOVA mean squares MSR (targets), MSC (raters), MSE (residual) and
    MSW = (SSC + SSE) / (n(k-1)): ICC(1) = (MSR - MSW)/(MSR + (k-1)MSW),
    ICC(C,1) = (MSR - MSE)/(MSR + (k-1)MSE),
    ICC(A,1) = (MSR - MSE)/(MSR + (k-1)MSE + k(MSC - MSE)/n); the k forms replace the
    denominators by MSR, MSR and MSR + (MSC - MSE)/n. F = MSR/MSW on (n-1, n(k-1)) df for
    ICC(1), F = MSR/MSE on (n-1, (n-1)(k-1)) df otherwise. Intervals from McGraw & Wong
    (1996), Table 7 (Satterthwaite approximation for the A forms).

    References
    ----------
    .. [1] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
       correlation coefficients. Psychological Methods, 1(1), 30-46 (correction: 1(4), 390).
    .. [2] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing
       rater reliability. Psychological Bulletin, 86(2), 420-428.
    """
    if form not in ICC_FORMS:
        raise ValueError(f"form must be one of {ICC_FORMS}, got {form!r}")
    level = check_confidence(confidence)
    x = as_float_array(data, "data", ndim=2, allow_nan=False)
    if x.shape[0] < 2 or x.shape[1] < 2:
        raise DegenerateInputError("n_below_minimum", "ICC needs at least 2 targets and 2 raters")
    if np.ptp(x) == 0:
        raise DegenerateInputError("no_variation", "all ratings are identical")
    ms = _mean_squares(x)
    noise, dfs = (
        (ms.within, (ms.n - 1, ms.n * (ms.k - 1)))
        if form.startswith("1")
        else (ms.error, (ms.n - 1, (ms.n - 1) * (ms.k - 1)))
    )
    if ms.rows == 0 and noise == 0:
        raise DegenerateInputError("no_variation", "no variation between or within targets")
    statistic = _icc_point(ms, form)
    f = math.inf if noise == 0 else ms.rows / noise
    ci = _icc_ci(ms, form, f, dfs, 1 - (1 - level) / 2)
    if not (math.isfinite(ci[0]) and math.isfinite(ci[1])):
        raise DegenerateInputError("no_variation", "ICC confidence interval is undefined")
    return IccResult(
        statistic=statistic,
        form=form,
        f=f,
        df1=float(dfs[0]),
        df2=float(dfs[1]),
        pvalue=float(stats.f.sf(f, *dfs)),
        ci=(float(ci[0]), float(ci[1])),
        confidence=level,
    )
