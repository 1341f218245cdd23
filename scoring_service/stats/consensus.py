"""Agreement and reliability within one group of raters: r_wg(J) under other null
distributions, r*_wg(J), its significance by simulation, and Cronbach's alpha."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import DegenerateInputError, as_float_array, check_int

Array = NDArray[np.float64]

# Variances of the null response distributions of a 5-point scale (LeBreton & Senter 2008,
# table 2, after James, Demaree & Wolf 1984): the uniform one, (A^2 - 1) / 12 = 2, and the
# slightly skewed one, proportions (.05, .15, .20, .35, .25).
SLIGHTLY_SKEWED_5 = (0.05, 0.15, 0.20, 0.35, 0.25)


def null_variance(options: int, null: str = "uniform") -> float:
    """Variance of a null response distribution on ``options`` points.

    Parameters
    ----------
    options : int >= 2
        Points A of the scale.
    null : {"uniform", "slightly_skewed"}
        The uniform distribution, (A^2 - 1) / 12; or LeBreton & Senter's (2008, table 2)
        slightly skewed one, defined for A = 5 as (.05, .15, .20, .35, .25): variance 1.34.

    Returns
    -------
    float

    References
    ----------
    .. [1] LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
       reliability and interrater agreement. Organizational Research Methods, 11(4), 815-852.
    """
    points = check_int(options, "options", minimum=2)
    if null == "uniform":
        return (points**2 - 1) / 12
    if null == "slightly_skewed":
        if points != 5:
            raise ValueError("the slightly skewed null is defined for 5-point scales")
        p = np.array(SLIGHTLY_SKEWED_5)
        k = np.arange(1, 6)
        return float(p @ k**2 - (p @ k) ** 2)
    raise ValueError(f"null must be 'uniform' or 'slightly_skewed', got {null!r}")


def mean_item_variance(ratings: ArrayLike) -> float:
    """Mean over items of the item variances (ddof 1), items with 2 ratings; NaN omitted.

    Raises ``DegenerateInputError("n_below_minimum")`` when no item has 2 ratings."""
    values = as_float_array(ratings, "ratings", ndim=2)
    usable = (~np.isnan(values)).sum(axis=0) >= 2
    if not usable.any():
        raise DegenerateInputError("n_below_minimum", "no item has at least 2 ratings")
    return float(np.nanvar(values[:, usable], axis=0, ddof=1).mean())


def rwg_j_from_variance(mean_variance: float, n_items: int, null_var: float) -> float:
    """r_wg(J) = J (1 - v / s2) / (J (1 - v / s2) + v / s2), 0 where v >= s2 (James et al.
    1984; truncation as LeBreton & Senter 2008)."""
    ratio = mean_variance / null_var
    if ratio >= 1.0:
        return 0.0
    return n_items * (1 - ratio) / (n_items * (1 - ratio) + ratio)


def rwg_star_j(ratings: ArrayLike, options: int) -> float:
    """r*_wg(J) of Lindell, Brandt & Whitney (1999): 1 - mean item variance / uniform variance.

    Parameters
    ----------
    ratings : array_like of shape (respondents, items)
        ``NaN`` is missing; items with fewer than 2 ratings are dropped.
    options : int >= 2

    Returns
    -------
    float
        In [1 - max variance / sigma_EU^2, 1]: negative when the raters disagree more than
        uniformly random answers would (down to -1 for a 5-point scale split between 1 and 5).

    Notes
    -----
    Unlike r_wg(J) it is not stepped up by Spearman-Brown over the items, so it does not grow
    with the number of items, and it is not truncated at 0.

    References
    ----------
    .. [1] Lindell, M. K., Brandt, C. J., & Whitney, D. J. (1999). A revised index of interrater
       agreement for multi-item ratings of a single target. Applied Psychological Measurement,
       23(2), 127-135.
    """
    return 1.0 - mean_item_variance(ratings) / null_variance(options)


@lru_cache(maxsize=256)
def _null_rwg_j(n: int, n_items: int, options: int, draws: int) -> Array:
    """Sorted r_wg(J) of ``draws`` groups of n raters answering J items uniformly at random."""
    rng = np.random.default_rng([n, n_items, options, draws])  # fixed: the same table each time
    x = rng.integers(1, options + 1, size=(draws, n, n_items)).astype(float)
    v = x.var(axis=1, ddof=1).mean(axis=1)
    ratio = v / null_variance(options)
    with np.errstate(divide="ignore", invalid="ignore"):  # ratio >= 1 is set to 0
        out = np.where(ratio < 1, n_items * (1 - ratio) / (n_items * (1 - ratio) + ratio), 0.0)
    out.sort()
    return out


def rwg_j_pvalue(value: float, n: int, n_items: int, options: int, draws: int = 20_000) -> float:
    """p-value of an observed r_wg(J) against raters answering uniformly at random.

    Parameters
    ----------
    value : float
        The observed r_wg(J).
    n : int >= 2
        Raters in the group.
    n_items : int >= 1
        Items J.
    options : int >= 2
        Scale points A.
    draws : int
        Simulated groups (a fixed seed per design, so the same input gives the same p); fewer
        for large designs, about 2 million simulated ratings but never fewer than 1,000 groups.

    Returns
    -------
    float
        (1 + #{simulated >= value}) / (draws + 1): small when the group agrees more than random
        raters would.

    Notes
    -----
    The critical values of r_wg and r_wg(J) depend on n, J and A and are tabulated by
    simulation (Dunlap, Burke & Smith-Crowe 2003 for r_wg; Cohen, Doveh & Nahum-Shani 2009 for
    r_wg(J)); this computes the same reference distribution for the design at hand.

    References
    ----------
    .. [1] Dunlap, W. P., Burke, M. J., & Smith-Crowe, K. (2003). Accurate tests of statistical
       significance for r_WG and average deviation interrater agreement indexes. Journal of
       Applied Psychology, 88(2), 356-362.
    .. [2] Cohen, A., Doveh, E., & Nahum-Shani, I. (2009). Testing agreement for multi-item
       scales with the indices rWG(J) and ADM(J). Organizational Research Methods, 12(1),
       148-164.
    """
    n = check_int(n, "n", minimum=2)
    n_items = check_int(n_items, "n_items", minimum=1)
    draws = min(check_int(draws, "draws", minimum=1), max(1000, 2_000_000 // (n * n_items)))
    null = _null_rwg_j(n, n_items, check_int(options, "options", minimum=2), draws)
    extreme = null.size - int(np.searchsorted(null, value - 1e-12, side="left"))
    return (1 + extreme) / (null.size + 1)


def cronbach_alpha(scores: ArrayLike) -> float:
    """Cronbach's alpha of J items over the respondents who answered all of them.

    Parameters
    ----------
    scores : array_like of shape (respondents, items)
        Item scores (reverse-keyed items already turned); rows with a ``NaN`` are dropped
        (listwise deletion).

    Returns
    -------
    float
        alpha = J / (J - 1) (1 - sum_j s_j^2 / s_T^2), s_j^2 the item variances and s_T^2 the
        variance of the respondents' totals (ddof 1); at most 1, negative when the items
        disagree.

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` with fewer than 2 items or 2 complete respondents;
        ``"no_variation"`` when the totals do not vary.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
       Psychometrika, 16(3), 297-334.

    Examples
    --------
    Four respondents, three items: item variances 5/3 each, totals 3, 6, 9, 12 (variance 15):
    alpha = 3/2 (1 - 5/15) = 1. With the third item reversed in meaning (4, 3, 2, 1), the item
    variances still sum to 5 but the totals are 5, 6, 7, 8 (variance 5/3): alpha = 3/2 (1 - 3)
    = -3.

    >>> round(cronbach_alpha([[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]]), 6)
    1.0
    >>> round(cronbach_alpha([[1, 1, 4], [2, 2, 3], [3, 3, 2], [4, 4, 1]]), 6)
    -3.0
    """
    x = as_float_array(scores, "scores", ndim=2)
    x = x[~np.isnan(x).any(axis=1)]
    n, items = x.shape
    if items < 2 or n < 2:
        raise DegenerateInputError("n_below_minimum", "alpha needs 2 items and 2 respondents")
    total_var = float(np.var(x.sum(axis=1), ddof=1))
    if total_var == 0:
        raise DegenerateInputError("no_variation", "the respondents' totals do not vary")
    item_var = float(np.var(x, axis=0, ddof=1).sum())
    return float(items / (items - 1) * (1.0 - item_var / total_var))
