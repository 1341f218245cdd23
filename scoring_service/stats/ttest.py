"""Welch's t-test by column, t intervals on the logit scale, and the two-sample jackknife."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.special import expit

from .errors import as_float_array, check_confidence

Array = NDArray[np.float64]
ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class WelchResult:
    """Welch's t-test of ``mean(x) - mean(y)`` for each column.

    Attributes are arrays of one value per column; ``se``, ``df`` and the statistic are NaN
    where the test is undefined, and ``reasons`` says why: ``"n_below_minimum"`` (a side has
    fewer than 2 values) or ``"no_variation"`` (both sides constant, a standard error of 0).
    """

    difference: Array
    se: Array
    df: Array
    n_x: NDArray[np.int64]
    n_y: NDArray[np.int64]
    reasons: tuple[str | None, ...]
    var_x: Array
    var_y: Array

    @property
    def defined(self) -> NDArray[np.bool_]:
        """Columns where the test is defined."""
        return np.array([r is None for r in self.reasons], dtype=bool)

    @property
    def statistic(self) -> Array:
        """t = difference / se."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.defined, self.difference / self.se, np.nan)

    def pvalue(self, alternative: str = "two-sided", null: float | Array = 0.0) -> Array:
        """p-value against ``difference = null`` (``greater``: the alternative difference >
        null); NaN where undefined."""
        return _p(self.difference - null, self.se, self.df, alternative, self.defined)

    def pooled_pvalue(self, alternative: str = "two-sided", null: float | Array = 0.0) -> Array:
        """Student's pooled-variance p-value of the same difference (the classical two-sample
        t-test, df = n_x + n_y - 2); NaN where the Welch test is undefined."""
        n_x, n_y = self.n_x.astype(float), self.n_y.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = ((n_x - 1) * self.var_x + (n_y - 1) * self.var_y) / (n_x + n_y - 2)
            se = np.sqrt(pooled * (1 / n_x + 1 / n_y))
        return _p(self.difference - null, se, n_x + n_y - 2, alternative, self.defined)

    def conservative_pvalue(
        self, alternative: str = "two-sided", null: float | Array = 0.0
    ) -> Array:
        """The larger of Welch's and Student's p-values.

        Valid when either test's assumptions hold: equal variances (Student, whose p the
        permutation distribution approaches when both samples come from one distribution, also
        skewed ones) or normal data with unequal variances (Welch). With equal sizes the two
        statistics coincide and Student has more degrees of freedom, so this is Welch's p."""
        return np.maximum(self.pvalue(alternative, null), self.pooled_pvalue(alternative, null))

    def confidence_interval(self, confidence: float = 0.95) -> Array:
        """(2, d) two-sided Welch intervals of the difference; NaN where undefined."""
        level = check_confidence(confidence)
        with np.errstate(invalid="ignore"):
            half = stats.t.ppf(0.5 + level / 2, self.df) * self.se
        lo = np.where(self.defined, self.difference - half, np.nan)
        hi = np.where(self.defined, self.difference + half, np.nan)
        return np.vstack([lo, hi])

    def detectable(self, alpha: float | Array, power: float = 0.80) -> Array:
        """The difference a two-sided test at ``alpha`` finds with ``power``, at this design:
        (t(1 - alpha/2, df) + t(power, df)) x se; NaN where undefined."""
        with np.errstate(invalid="ignore"):
            size = stats.t.ppf(1 - np.asarray(alpha) / 2, self.df) + stats.t.ppf(power, self.df)
        return np.where(self.defined, size * self.se, np.nan)


def _p(excess: Array, se: Array, df: Array, alternative: str, defined: NDArray[np.bool_]) -> Array:
    """p-value of t = excess / se on df degrees of freedom; NaN where not ``defined``."""
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        t = excess / se
        if alternative == "greater":
            p = stats.t.sf(t, df)
        elif alternative == "less":
            p = stats.t.cdf(t, df)
        else:
            p = np.minimum(1.0, 2.0 * stats.t.sf(np.abs(t), df))
    return np.where(defined, p, np.nan)


def welch_columns(x: ArrayLike, y: ArrayLike) -> WelchResult:
    """Welch's unequal-variance t-test of each column of ``x`` against the same column of ``y``.

    Parameters
    ----------
    x : array_like of shape (n_x, d)
    y : array_like of shape (n_y, d)
        Two independent samples of d variables; ``None``/``NaN`` are missing and omitted per
        column ("drop, then compute").

    Returns
    -------
    WelchResult
        Differences of means, standard errors, Welch-Satterthwaite degrees of freedom and the
        reason of every undefined column; p-values and intervals are its methods.

    Notes
    -----
    With sample means m, variances s^2 (ddof 1) and sizes n per side,

        d = m_x - m_y,   se^2 = s_x^2 / n_x + s_y^2 / n_y,
        df = se^4 / ((s_x^2 / n_x)^2 / (n_x - 1) + (s_y^2 / n_y)^2 / (n_y - 1)),

    and t = d / se is referred to Student's t with df degrees of freedom (Welch 1947). Each side
    needs 2 values; when both variances are 0 the test is undefined (``no_variation``) rather
    than infinitely significant. Equal to ``scipy.stats.ttest_ind(x, y, equal_var=False)``.

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of "Student's" problem when several different
       population variances are involved. Biometrika, 34(1/2), 28-35.

    Examples
    --------
    R's ``t.test(extra ~ group, data = sleep)`` (Cushny & Peebles, via Student 1908):
    t = -1.8608, df = 17.776, p = 0.07939, 95% CI (-3.3654832, 0.2054832).

    >>> g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> r = welch_columns(np.c_[g1], np.c_[g2])
    >>> round(float(r.statistic[0]), 4), round(float(r.df[0]), 3)
    (-1.8608, 17.776)
    """
    a = as_float_array(x, "x", ndim=2)
    b = as_float_array(y, "y", ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x and y must have the same columns, got {a.shape[1]} and {b.shape[1]}")
    moments = [_moments(m) for m in (a, b)]
    (n_x, m_x, v_x), (n_y, m_y, v_y) = moments
    with np.errstate(invalid="ignore", divide="ignore"):
        q_x, q_y = v_x / n_x, v_y / n_y
        se = np.sqrt(q_x + q_y)
        df = (q_x + q_y) ** 2 / (q_x**2 / (n_x - 1) + q_y**2 / (n_y - 1))
    reasons = tuple(
        "n_below_minimum" if min(nx, ny) < 2 else ("no_variation" if s == 0 else None)
        for nx, ny, s in zip(n_x.tolist(), n_y.tolist(), np.nan_to_num(se).tolist(), strict=True)
    )
    ok = np.array([r is None for r in reasons], dtype=bool)
    return WelchResult(
        difference=m_x - m_y,
        se=np.where(ok, se, np.nan),
        df=np.where(ok, df, np.nan),
        n_x=n_x,
        n_y=n_y,
        reasons=reasons,
        var_x=v_x,
        var_y=v_y,
    )


def _moments(x: Array) -> tuple[NDArray[np.int64], Array, Array]:
    """Per column: number of values, mean and variance (ddof 1), NaN omitted."""
    present = ~np.isnan(x)
    n = present.sum(axis=0)
    filled = np.where(present, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=0) / n
        var = np.where(present, (x - mean) ** 2, 0.0).sum(axis=0) / (n - 1)
    return n.astype(np.int64), mean, var


def logit_t_intervals(x: ArrayLike, confidence: float = 0.95) -> Array:
    """t intervals of column means of shares in (0, 1), made on the logit scale.

    Parameters
    ----------
    x : array_like of shape (n, d)
        Shares in [0, 1] (rows of an allocation); ``NaN`` rows are missing and omitted.
    confidence : float
        Two-sided level.

    Returns
    -------
    ndarray of shape (2, d)
        Lower and upper bounds; NaN for a column with fewer than 2 values, a mean of 0 or 1 (at
        the boundary the logit is infinite) or no variation.

    Notes
    -----
    With m the mean and s / sqrt(n) its standard error, the delta method gives
    se(logit m) = s / (sqrt(n) m (1 - m)), and the interval is
    expit(logit m -/+ t(1 - a/2, n - 1) se(logit m)): it contains m by construction and stays
    inside (0, 1), where a t interval on the raw scale spills below 0 for the rare objectives
    of a skewed allocation (Agresti & Coull 1998 on the raw-scale interval of a proportion;
    the logit transform as in Agresti 2013, section 16.1.4).

    References
    ----------
    .. [1] Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
       estimation of binomial proportions. The American Statistician, 52(2), 119-126.
    .. [2] Agresti, A. (2013). Categorical data analysis (3rd ed.). Hoboken, NJ: Wiley.
    """
    level = check_confidence(confidence)
    a = as_float_array(x, "x", ndim=2)
    n, m, v = _moments(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v / n) / (m * (1 - m))
        half = stats.t.ppf(0.5 + level / 2, n - 1) * se
        centre = np.log(m) - np.log1p(-m)
        ok = (n >= 2) & (m > 0) & (m < 1) & (v > 0)
        lo, hi = expit(centre - half), expit(centre + half)
    return np.vstack([np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)])


def jackknife_se(*leave_one_out: ArrayLike) -> float:
    """Standard error of a statistic of independent samples from its leave-one-out values.

    Parameters
    ----------
    *leave_one_out : array_like, 1-D
        For each sample g, the statistic recomputed with observation i of g left out
        (i = 1..n_g); every sample needs at least 2.

    Returns
    -------
    float

    Notes
    -----
    se^2 = sum_g (n_g - 1) / n_g sum_i (theta_(g,i) - mean_i theta_(g,i))^2, the delete-one
    jackknife variance (Efron & Tibshirani 1993, eq. 11.5) summed over independent samples
    (Arvesen 1969).

    References
    ----------
    .. [1] Arvesen, J. N. (1969). Jackknifing U-statistics. The Annals of Mathematical
       Statistics, 40(6), 2076-2100.
    .. [2] Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. New York:
       Chapman & Hall, chapter 11.
    """
    total = 0.0
    for k, values in enumerate(leave_one_out):
        theta = as_float_array(values, f"leave_one_out[{k}]", ndim=1, allow_nan=False)
        n = theta.size
        if n < 2:
            raise ValueError(f"leave_one_out[{k}] needs at least 2 values, got {n}")
        total += (n - 1) / n * float(np.sum((theta - theta.mean()) ** 2))
    return float(np.sqrt(total))
