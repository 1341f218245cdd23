"""Welch's t-test by column, t intervals on the logit scale, and the two-sample jackknife."""

from __future__ import annotations

from collections.abc import Sequence
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
    # Each side's variance estimate s2 on d degrees of freedom, and the factor c with
    # Var(mean) = sigma^2 c (1/n for a plain mean; sum_r 1/n_r / R^2 for a mean of R role means).
    s2_x: Array
    s2_y: Array
    c_x: Array
    c_y: Array
    d_x: Array
    d_y: Array

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
        t-test, df = n_x + n_y - 2 for plain means); NaN where the Welch test is undefined."""
        d = self.d_x + self.d_y
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = (self.d_x * self.s2_x + self.d_y * self.s2_y) / d
            se = np.sqrt(pooled * (self.c_x + self.c_y))
        return _p(self.difference - null, se, d, alternative, self.defined)

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
        return t_intervals(self.difference, self.se, self.df, self.defined, confidence)

    def detectable(self, alpha: float | Array, power: float = 0.80) -> Array:
        """The difference a two-sided test at ``alpha`` finds with ``power``, at this design:
        (t(1 - alpha/2, df) + t(power, df)) x se; NaN where undefined."""
        with np.errstate(invalid="ignore"):
            size = stats.t.ppf(1 - np.asarray(alpha) / 2, self.df) + stats.t.ppf(power, self.df)
        return np.where(self.defined, size * self.se, np.nan)


def t_intervals(
    difference: Array, se: Array, df: Array, defined: NDArray[np.bool_], confidence: float
) -> Array:
    """(2, d) two-sided t intervals ``difference -/+ t(df) se``; NaN where not ``defined``."""
    level = check_confidence(confidence)
    with np.errstate(invalid="ignore"):
        half = stats.t.ppf(0.5 + level / 2, df) * se
    lo = np.where(defined, difference - half, np.nan)
    hi = np.where(defined, difference + half, np.nan)
    return np.vstack([lo, hi])


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
    (n_x, m_x, v_x), (n_y, m_y, v_y) = _moments(a), _moments(b)
    fx, fy = n_x.astype(np.float64), n_y.astype(np.float64)
    with np.errstate(divide="ignore"):
        c_x, c_y = 1.0 / fx, 1.0 / fy
    with np.errstate(invalid="ignore", divide="ignore"):
        q_x, q_y = v_x / fx, v_y / fy
    return _combine(
        (n_x, m_x, v_x, c_x, fx - 1.0, q_x, fx - 1.0), (n_y, m_y, v_y, c_y, fy - 1.0, q_y, fy - 1.0)
    )


# n, mean, pooled s2, c, its df d, Var(mean) q, and q's df
Side = tuple[NDArray[np.int64], Array, Array, Array, Array, Array, Array]


def _combine(x: Side, y: Side) -> WelchResult:
    """The Welch test of mean_x - mean_y from each side's figures (``Side``)."""
    (n_x, m_x, s2_x, c_x, d_x, q_x, e_x), (n_y, m_y, s2_y, c_y, d_y, q_y, e_y) = x, y
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(q_x + q_y)
        # A side without variance adds nothing to the df's denominator (not 0 / 0).
        df = (q_x + q_y) ** 2 / (
            np.where(q_x > 0, q_x**2 / e_x, 0.0) + np.where(q_y > 0, q_y**2 / e_y, 0.0)
        )
    reasons = tuple(
        "n_below_minimum" if min(dx, dy) < 1 else ("no_variation" if s == 0 else None)
        for dx, dy, s in zip(
            np.nan_to_num(d_x).tolist(),
            np.nan_to_num(d_y).tolist(),
            np.nan_to_num(se).tolist(),
            strict=True,
        )
    )
    ok = np.array([r is None for r in reasons], dtype=bool)
    return WelchResult(
        difference=m_x - m_y,
        se=np.where(ok, se, np.nan),
        df=np.where(ok, df, np.nan),
        n_x=n_x,
        n_y=n_y,
        reasons=reasons,
        s2_x=s2_x,
        s2_y=s2_y,
        c_x=c_x,
        c_y=c_y,
        d_x=d_x,
        d_y=d_y,
    )


def stratified_welch_columns(
    x: ArrayLike, strata_x: Sequence[str], y: ArrayLike, strata_y: Sequence[str]
) -> WelchResult:
    """Welch's test of the difference of two means of stratum means, by column.

    Parameters
    ----------
    x : array_like of shape (n_x, d)
    strata_x : sequence of str, length n_x
        The stratum (role) of each row of ``x``.
    y, strata_y
        The same for the other sample. ``NaN`` are missing and omitted per column.

    Returns
    -------
    WelchResult
        Of W_x - W_y, W the unweighted mean of the stratum means present in the column.

    Notes
    -----
    With R strata of sizes n_r in a column, W = (1/R) sum_r m_r has
    Var(W) = sum_r s_r^2 / (R^2 n_r), with each stratum's own variance s_r^2 (Cochran 1977,
    section 5.4), Satterthwaite's degrees of freedom over the strata, at most n - R. A stratum of
    one respondent counts in W but has no variance of its own: it takes the larger of the pooled
    within-stratum variance s_w^2 = sum_r sum_i (x_i - m_r)^2 / (n - R) and the column's total
    variance (conservative when strata differ); nothing is defined when every stratum has one
    respondent. The two sides are then combined as in Welch's test. ``pooled_pvalue``
    uses s_w^2 on both sides (Var(W) = s^2 sum_r 1/(R^2 n_r)). With one stratum it is
    :func:`welch_columns`.

    References
    ----------
    .. [1] Cochran, W. G. (1977). Sampling techniques (3rd ed.). New York: Wiley.
    """
    a = as_float_array(x, "x", ndim=2)
    b = as_float_array(y, "y", ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x and y must have the same columns, got {a.shape[1]} and {b.shape[1]}")
    for name, data, strata in (("strata_x", a, strata_x), ("strata_y", b, strata_y)):
        if len(strata) != data.shape[0]:
            raise ValueError(f"{name} must have one stratum per row")
    return _combine(_stratified(a, list(strata_x)), _stratified(b, list(strata_y)))


def _stratified(x: Array, strata: list[str]) -> Side:
    """The figures of a mean of stratum means, per column (see ``Side``)."""
    cols = x.shape[1]
    n = np.zeros(cols, dtype=np.int64)
    w, s2, c, d, q, e = (np.full(cols, np.nan) for _ in range(6))
    labels = np.array(strata)
    for k in range(cols):
        present = ~np.isnan(x[:, k])
        groups = [x[present & (labels == r), k] for r in sorted(set(labels[present].tolist()))]
        if not groups:
            continue
        sizes = np.array([len(g) for g in groups], dtype=float)
        big = len(groups) ** 2
        n[k] = int(sizes.sum())
        w[k] = float(np.mean([g.mean() for g in groups]))
        d[k] = sizes.sum() - len(groups)
        c[k] = float(np.sum(1.0 / sizes)) / big
        if d[k] < 1:
            continue
        s2[k] = sum(float(((g - g.mean()) ** 2).sum()) for g in groups) / d[k]
        # A stratum of one has no variance of its own; it takes the larger of the pooled
        # within-stratum variance and the column's total variance (which also holds the spread
        # between strata), so that strata that differ do not make the error look small.
        lone = max(s2[k], float(np.var(np.concatenate(groups), ddof=1)))
        own = np.array([g.var(ddof=1) if len(g) > 1 else lone for g in groups])
        terms = own / (big * sizes)
        dfs = np.where(sizes > 1, sizes - 1, d[k])
        q[k] = float(terms.sum())
        if q[k] == 0:  # no variation within any role: Satterthwaite is 0/0, take n - R
            e[k] = d[k]
            continue
        e[k] = min(float(q[k] ** 2 / np.sum(terms**2 / dfs)), d[k])
    return n, w, s2, c, d, q, e


def mean_se_columns(
    x: ArrayLike, strata: Sequence[str] | None = None
) -> tuple[NDArray[np.int64], Array, Array, Array]:
    """Per column: n, the mean (or, with ``strata``, the mean of stratum means), its standard
    error and that error's degrees of freedom, as :func:`welch_columns` and
    :func:`stratified_welch_columns` use them for one side; NaN where undefined."""
    a = as_float_array(x, "x", ndim=2)
    if strata is None:
        n, mean, var = _moments(a)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(var / n).astype(np.float64)
        return n, mean, se, n.astype(np.float64) - 1.0
    if len(strata) != a.shape[0]:
        raise ValueError("strata must have one stratum per row")
    n, w, _, _, _, q, e = _stratified(a, list(strata))
    return n, w, np.sqrt(q), e


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
