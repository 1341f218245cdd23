"""Agreement and reliability among raters: Krippendorff's alpha, ICC, r_wg, r_wg(J), Kendall's W."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast, get_args

import krippendorff
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .errors import DegenerateInputError, as_float_array, check_confidence, check_int

AlphaLevel = Literal["nominal", "ordinal", "interval", "ratio"]
ALPHA_LEVELS: tuple[str, ...] = get_args(AlphaLevel)
ICC_FORMS = ("1,1", "A,1", "C,1", "1,k", "A,k", "C,k")


def krippendorff_alpha(data: ArrayLike, level: str = "interval") -> float:
    """Krippendorff's alpha reliability of raters coding the same units.

    Parameters
    ----------
    data : array_like of shape (raters, units)
        Codes given by each rater to each unit; ``None`` or ``NaN`` is missing. Finite
        numbers; non-negative for ``level="ratio"``.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which selects the difference function.

    Returns
    -------
    float
        Alpha in (-inf, 1]; 1 is perfect agreement, 0 agreement at chance level.

    Raises
    ------
    DegenerateInputError
        ``"nothing_pairable"`` with fewer than 2 raters or no unit coded by at least 2 raters;
        ``"no_variation"`` when all pairable values are equal (expected disagreement 0).

    Notes
    -----
    alpha = 1 - D_o / D_e, with the coincidence matrix o_ck = sum_u (number of c-k pairs in
    unit u) / (m_u - 1), n_c = sum_k o_ck, n = sum_c n_c, D_o = (1/n) sum_ck o_ck delta^2_ck and
    D_e = 1/(n(n-1)) sum_ck n_c n_k delta^2_ck (Krippendorff 2011). Computed by the
    ``krippendorff`` package; units with fewer than 2 values cannot be paired and are dropped
    first, which leaves alpha unchanged.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
       for Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability
       measure for coding data. Communication Methods and Measures, 1(1), 77-89.
    """
    if level not in ALPHA_LEVELS:
        raise ValueError(f"level must be one of {ALPHA_LEVELS}, got {level!r}")
    values = as_float_array(data, "data", ndim=2)
    coded = ~np.isnan(values)
    if level == "ratio" and (values[coded] < 0).any():
        raise ValueError("data must be non-negative for level='ratio'")
    pairable_units = coded.sum(axis=0) >= 2
    if values.shape[0] < 2 or not pairable_units.any():
        raise DegenerateInputError(
            "nothing_pairable", "alpha needs at least one unit coded by at least 2 raters"
        )
    pairable = values[:, pairable_units]
    if np.ptp(pairable[~np.isnan(pairable)]) == 0:
        raise DegenerateInputError("no_variation", "all pairable values are identical")
    result = float(
        krippendorff.alpha(reliability_data=pairable, level_of_measurement=cast(AlphaLevel, level))
    )
    if not math.isfinite(result):  # defensive: the checks above make D_e > 0
        raise DegenerateInputError("no_variation", "expected disagreement is zero")
    return result


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
    low = _divide(n * (ms.rows - f_low * ms.error), f_low * spread + n * ms.rows)
    high = _divide(n * (f_high * ms.rows - ms.error), spread + n * f_high * ms.rows)
    return low, high


def _icc_ci(
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


def _uniform_null_variance(options: object) -> float:
    points = check_int(options, "options", minimum=2)
    return (points**2 - 1) / 12


def rwg(ratings: ArrayLike, options: int) -> float:
    """Within-group agreement r_wg of one group on one item (James, Demaree & Wolf 1984).

    Parameters
    ----------
    ratings : array_like of shape (respondents,)
        Ratings of the group on an ``options``-point scale; ``None``/``NaN`` are omitted.
    options : int >= 2
        Number of points A of the declared response scale.

    Returns
    -------
    float
        r_wg in [0, 1]; 1 is perfect agreement.

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` with fewer than 2 non-missing ratings.

    Notes
    -----
    r_wg = 1 - s^2 / sigma_EU^2 with s^2 the sample variance (ddof = 1) and
    sigma_EU^2 = (A^2 - 1) / 12 the variance of the discrete uniform null distribution;
    r_wg is set to 0 when s^2 >= sigma_EU^2, as LeBreton & Senter (2008) recommend.

    References
    ----------
    .. [1] James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.
    .. [2] LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
       reliability and interrater agreement. Organizational Research Methods, 11(4), 815-852.
    """
    null_variance = _uniform_null_variance(options)
    values = as_float_array(ratings, "ratings", ndim=1)
    values = values[~np.isnan(values)]
    if values.size < 2:
        raise DegenerateInputError("n_below_minimum", "r_wg needs at least 2 ratings")
    variance = float(np.var(values, ddof=1))
    return max(0.0, 1.0 - variance / null_variance)


def rwg_j(ratings: ArrayLike, options: int) -> float:
    """Within-group agreement r_wg(J) of one group on J parallel items (James et al. 1984).

    Parameters
    ----------
    ratings : array_like of shape (respondents, items)
        Ratings on an ``options``-point scale; ``None``/``NaN`` are missing. Each item's
        variance uses its non-missing ratings; items with fewer than 2 are dropped.
    options : int >= 2
        Number of points A of the declared response scale.

    Returns
    -------
    float
        r_wg(J) in [0, 1].

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` when no item has 2 non-missing ratings.

    Notes
    -----
    With J the number of items used, s̄^2 the mean item variance (ddof = 1) and
    sigma_EU^2 = (A^2 - 1) / 12: r_wg(J) = J(1 - s̄^2/sigma_EU^2) / (J(1 - s̄^2/sigma_EU^2)
    + s̄^2/sigma_EU^2), the Spearman-Brown formula applied to r_wg. It is set to 0 when
    s̄^2 >= sigma_EU^2, where the raw formula turns negative and then diverges
    (LeBreton & Senter 2008).

    References
    ----------
    .. [1] James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
       reliability with and without response bias. Journal of Applied Psychology, 69(1), 85-98.
    .. [2] LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
       reliability and interrater agreement. Organizational Research Methods, 11(4), 815-852.
    """
    null_variance = _uniform_null_variance(options)
    values = as_float_array(ratings, "ratings", ndim=2)
    usable = (~np.isnan(values)).sum(axis=0) >= 2
    if not usable.any():
        raise DegenerateInputError("n_below_minimum", "no item has at least 2 ratings")
    items = values[:, usable]
    mean_variance = float(np.nanvar(items, axis=0, ddof=1).mean())
    ratio = mean_variance / null_variance
    if ratio >= 1.0:
        return 0.0
    n_items = int(items.shape[1])
    return n_items * (1 - ratio) / (n_items * (1 - ratio) + ratio)


def kendall_w(scores: ArrayLike, correct_ties: bool = True) -> float:
    """Kendall's coefficient of concordance W of m raters ranking the same n objects.

    Parameters
    ----------
    scores : array_like of shape (m raters, n objects)
        Scores (or ranks) of each rater; finite, no missing value. They are ranked within
        each rater, tied scores receiving their average rank.
    correct_ties : bool
        Subtract the tie correction m T from the denominator.

    Returns
    -------
    float
        W in [0, 1]; 1 when all raters rank the objects identically.

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` when m < 2 or n < 2; ``"all_tied"`` when the corrected
        denominator is 0 (every rater ties every object).

    Notes
    -----
    With R_j the rank sum of object j, S = sum_j (R_j - m(n+1)/2)^2 and
    T = sum_raters sum_tie-groups (t^3 - t): W = 12 S / (m^2 (n^3 - n) - m T), or
    12 S / (m^2 (n^3 - n)) without correction. Friedman's chi-square is m (n - 1) W.

    References
    ----------
    .. [1] Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. The Annals
       of Mathematical Statistics, 10(3), 275-287.
    .. [2] Siegel, S., & Castellan, N. J. (1988). Nonparametric statistics for the behavioral
       sciences (2nd ed.), section 9.4. McGraw-Hill.
    """
    if not isinstance(correct_ties, bool | np.bool_):
        raise TypeError(f"correct_ties must be a bool, got {type(correct_ties).__name__}")
    x = as_float_array(scores, "scores", ndim=2, allow_nan=False)
    m, n = x.shape
    if m < 2 or n < 2:
        raise DegenerateInputError("n_below_minimum", "W needs at least 2 raters and 2 objects")
    ranks = stats.rankdata(x, axis=1)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - m * (n + 1) / 2) ** 2).sum())
    denominator = float(m**2 * (n**3 - n))
    if correct_ties:
        tie_sizes = np.concatenate([np.unique(row, return_counts=True)[1] for row in x])
        denominator -= m * float((tie_sizes**3 - tie_sizes).sum())
    if denominator <= 0:
        raise DegenerateInputError("all_tied", "every rater gives every object the same rank")
    # S cannot exceed the denominator / 12 (Cauchy-Schwarz); min() only absorbs rounding.
    return min(1.0, 12 * s / denominator)
