"""Agreement among raters: Krippendorff's alpha, r_wg, r_wg(J), Kendall's W (ICC: ``icc.py``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, cast, get_args

import krippendorff
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import DegenerateInputError, as_float_array, check_int

AlphaLevel = Literal["nominal", "ordinal", "interval", "ratio"]
ALPHA_LEVELS: tuple[str, ...] = get_args(AlphaLevel)


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


def rwg_j_groups(
    ratings: ArrayLike, groups: Sequence[Sequence[int]], options: Sequence[int]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """r_wg(J) of several groups of items answered by the same respondents, in one pass.

    Parameters
    ----------
    ratings : array_like of shape (respondents, items)
        ``NaN`` is missing, as in :func:`rwg_j`.
    groups : sequence of sequences of int
        Column indices of each group's items (e.g. the items of each survey dimension).
    options : sequence of int
        Number of scale points A of each group.

    Returns
    -------
    values : ndarray of shape (len(groups),)
        ``rwg_j(ratings[:, group], options)`` for each group; 0.0 where undefined.
    defined : ndarray of bool
        False where :func:`rwg_j` would raise ``n_below_minimum`` (no item with 2 ratings).

    Notes
    -----
    Same formula as :func:`rwg_j`; the item variances are computed once for all items, which
    saves the per-call overhead when a survey has a dozen dimensions.
    """
    values = as_float_array(ratings, "ratings", ndim=2)
    if len(groups) != len(options):
        raise ValueError("groups and options must have the same length")
    present = ~np.isnan(values)
    counts = present.sum(axis=0)
    usable = counts >= 2
    # Item variances (ddof 1) over the non-missing ratings, all items at once.
    filled = np.where(present, values, 0.0)
    means = filled.sum(axis=0) / np.maximum(counts, 1)
    squares = (np.where(present, values - means, 0.0) ** 2).sum(axis=0)
    variances = np.where(usable, squares / np.maximum(counts - 1, 1), 0.0)
    member = np.zeros((values.shape[1], len(groups)))
    for k, columns in enumerate(groups):
        member[list(columns), k] = 1.0
    used = usable.astype(np.float64) @ member  # J per group
    defined = used > 0
    null = np.array([_uniform_null_variance(points) for points in options])
    ratio = (variances @ member) / np.maximum(used, 1.0) / null
    with np.errstate(divide="ignore", invalid="ignore"):
        spearman_brown = used * (1 - ratio) / (used * (1 - ratio) + ratio)
    out = np.where(defined & (ratio < 1.0), spearman_brown, 0.0)
    return out, defined


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
    # Average ranks within each rater, and the tie groups, from one sort of every row: the runs
    # of equal values in a sorted row are the tie groups, and a run starting at position s
    # (0-based) of length t gets the average rank s + (t + 1) / 2 (what scipy.stats.rankdata's
    # "average" method gives; one pass instead of two).
    order = np.argsort(x, axis=1, kind="stable")
    ordered = np.take_along_axis(x, order, axis=1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.flatnonzero(starts.ravel())
    tie_sizes = np.diff(np.append(first, ordered.size)).astype(np.float64)
    run_rank = first % n + (tie_sizes + 1) / 2
    sorted_ranks = run_rank[np.cumsum(starts.ravel()) - 1].reshape(m, n)
    ranks = np.empty_like(sorted_ranks)
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - m * (n + 1) / 2) ** 2).sum())
    denominator = float(m**2 * (n**3 - n))
    if correct_ties:
        denominator -= m * float((tie_sizes**3 - tie_sizes).sum())
    if denominator <= 0:
        raise DegenerateInputError("all_tied", "every rater gives every object the same rank")
    # S cannot exceed the denominator / 12 (Cauchy-Schwarz); min() only absorbs rounding.
    return min(1.0, 12 * s / denominator)
