"""The partially overlapping samples t-test: two samples that share some units (the same people
answering two rounds) and hold others of their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import as_float_array
from .ttest import _p, t_intervals

Array = NDArray[np.float64]


@dataclass(frozen=True)
class OverlapResult:
    """The partially overlapping samples t-test of ``mean(x) - mean(y)`` for each column.

    Arrays of one value per column; ``se`` and ``df`` are NaN where the test is undefined and
    ``reasons`` says why: ``"n_below_minimum"`` (a side has fewer than 2 values) or
    ``"no_variation"`` (a standard error of 0). ``n_paired`` counts the units present on both
    sides of a column whose correlation entered the standard error (0 below 2 such units: the
    samples are then treated as independent, Welch's test).
    """

    difference: Array
    se: Array
    df: Array
    n_x: NDArray[np.int64]
    n_y: NDArray[np.int64]
    n_paired: NDArray[np.int64]
    r: Array
    reasons: tuple[str | None, ...]

    @property
    def defined(self) -> NDArray[np.bool_]:
        """Columns where the test is defined."""
        return np.array([r is None for r in self.reasons], dtype=bool)

    def pvalue(self, alternative: str = "two-sided", null: float | Array = 0.0) -> Array:
        """p-value against ``difference = null`` (``greater``: the alternative difference >
        null; ``less``: < null); NaN where undefined."""
        return _p(self.difference - null, self.se, self.df, alternative, self.defined)

    def confidence_interval(self, confidence: float = 0.95) -> Array:
        """(2, d) two-sided t intervals of the difference; NaN where undefined."""
        return t_intervals(self.difference, self.se, self.df, self.defined, confidence)


def overlap_t_columns(
    x: ArrayLike,
    y: ArrayLike,
    pairs: Sequence[tuple[int, int]],
    *,
    equal_var: bool = False,
) -> OverlapResult:
    """The partially overlapping samples t-test of each column of ``x`` against ``y``.

    Parameters
    ----------
    x : array_like of shape (n_x, d)
    y : array_like of shape (n_y, d)
        Two samples of d variables; ``NaN`` is missing and omitted per column.
    pairs : sequence of (int, int)
        ``(i, j)``: row ``i`` of ``x`` and row ``j`` of ``y`` are the same unit (each row in at
        most one pair). In a column where either value of a pair is missing, its other value
        counts as an independent observation.
    equal_var : bool
        Pool the two variances (Derrick et al.'s T_new1); by default each side keeps its own
        (T_new2, with Welch's approximation).

    Returns
    -------
    OverlapResult

    Notes
    -----
    With all n_1 values of a side (paired and not) giving its mean m and variance s^2 (ddof 1),
    n_12 pairs whose Pearson correlation is r, and n_a, n_b the unpaired counts,

        d = m_x - m_y,
        se^2 = s_x^2 / n_1 + s_y^2 / n_2 - 2 r s_x s_y n_12 / (n_1 n_2),
        df = (n_12 - 1) + (gamma - n_12 + 1) (n_a + n_b) / (n_a + n_b + 2 n_12),

    gamma being Welch's degrees of freedom of the two full samples (T_new2). Pooled (T_new1):
    se = s_p sqrt(1/n_1 + 1/n_2 - 2 r n_12 / (n_1 n_2)), df = (n_12 - 1) + (n_a + n_b + n_12 -
    1) (n_a + n_b) / (n_a + n_b + 2 n_12). Without pairs it is Welch's (Student's) test, with
    every unit paired the paired t-test. Below 2 pairs, or with a constant side among the
    pairs, r is 0 (as in the authors' R package) and df is Welch's.

    References
    ----------
    .. [1] Derrick, B., Russ, B., Toher, D. and White, P. (2017). Test statistics for the
       comparison of means for two samples that include both paired and independent
       observations. Journal of Modern Applied Statistical Methods, 16(1), 137-157.
    .. [2] Derrick, B., Toher, D. and White, P. (2017). How to compare the means of two samples
       that include paired observations and independent observations: a companion to Derrick,
       Russ, Toher and White (2017). The Quantitative Methods for Psychology, 13(2), 120-126.

    Examples
    --------
    The worked example of [2] (R: ``Partiallyoverlapping::Partover.test(a.unpaired,
    b.unpaired, a.paired, b.paired, var.equal = TRUE)``, p = 0.026):

    >>> a = [20, 21, 16, 18, 14, 12, 14, 17, 14, 15, 18, 20, 11, 19, 14, 15]
    >>> b = [10, 16, 18, 16, 15, 14, 13, 10, 15, 10, 15, 17, 13, 19, 12, 13]
    >>> pairs = [(8 + k, 8 + k) for k in range(8)]
    >>> r = overlap_t_columns(np.c_[a], np.c_[b], pairs, equal_var=True)
    >>> round(float(r.pvalue()[0]), 3)
    0.026
    """
    a = as_float_array(x, "x", ndim=2)
    b = as_float_array(y, "y", ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x and y must have the same columns, got {a.shape[1]} and {b.shape[1]}")
    index = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    if index.size and (
        index.min() < 0 or index[:, 0].max() >= len(a) or index[:, 1].max() >= len(b)
    ):
        raise ValueError("pairs must index rows of x and y")
    if len(set(index[:, 0].tolist())) < len(index) or len(set(index[:, 1].tolist())) < len(index):
        raise ValueError("pairs must use each row at most once")
    columns = [_column(a[:, c], b[:, c], index, equal_var) for c in range(a.shape[1])]
    return OverlapResult(
        difference=np.array([c[0] for c in columns]),
        se=np.array([c[1] for c in columns]),
        df=np.array([c[2] for c in columns]),
        n_x=np.array([c[3] for c in columns], dtype=np.int64),
        n_y=np.array([c[4] for c in columns], dtype=np.int64),
        n_paired=np.array([c[5] for c in columns], dtype=np.int64),
        r=np.array([c[6] for c in columns]),
        reasons=tuple(c[7] for c in columns),
    )


def _column(
    x: Array, y: Array, pairs: NDArray[np.int64], equal_var: bool
) -> tuple[float, float, float, int, int, int, float, str | None]:
    """One column: difference, se, df, n_x, n_y, n_paired, r, reason."""
    nan = float("nan")
    xs, ys = x[~np.isnan(x)], y[~np.isnan(y)]
    n1, n2 = len(xs), len(ys)
    if n1 < 2 or n2 < 2:
        d = float(xs.mean() - ys.mean()) if n1 and n2 else nan
        return d, nan, nan, n1, n2, 0, nan, "n_below_minimum"
    both = pairs[~np.isnan(x[pairs[:, 0]]) & ~np.isnan(y[pairs[:, 1]])] if len(pairs) else pairs
    px, py = x[both[:, 0]], y[both[:, 1]]
    n12 = len(both)
    r = 0.0
    if n12 >= 2 and np.ptp(px) > 0 and np.ptp(py) > 0:
        r = float(np.corrcoef(px, py)[0, 1])
    else:
        n12 = 0  # no usable pairing: independent samples
    d = float(xs.mean() - ys.mean())
    v1, v2 = float(xs.var(ddof=1)), float(ys.var(ddof=1))
    unpaired = (n1 - n12) + (n2 - n12)
    q1, q2 = v1 / n1, v2 / n2
    if equal_var:
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
        se2 = pooled * (1 / n1 + 1 / n2 - 2 * r * n12 / (n1 * n2))
    else:
        se2 = q1 + q2 - 2 * r * n12 * float(np.sqrt(v1 * v2)) / (n1 * n2)
    if not se2 > 1e-24:  # both sides constant, or pairs that move in lockstep
        return d, nan, nan, n1, n2, n12, r, "no_variation"
    if equal_var:
        df = (n12 - 1) + (unpaired + n12 - 1) / (unpaired + 2 * n12) * unpaired
    else:
        gamma = (q1 + q2) ** 2 / (q1**2 / (n1 - 1) + q2**2 / (n2 - 1))
        df = (n12 - 1) + (gamma - n12 + 1) / (unpaired + 2 * n12) * unpaired if n12 else gamma
    return d, float(np.sqrt(se2)), float(df), n1, n2, n12, r, None
