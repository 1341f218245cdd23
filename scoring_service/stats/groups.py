"""Do groups of one sample differ? A permutation test of group labels (between-group sum of
squares), and the smallest p-value such a test can reach."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import DegenerateInputError, as_float_array, check_int

Array = NDArray[np.float64]


@dataclass(frozen=True)
class GroupTestResult:
    """The observed statistic, its permutation p-value, whether every relabelling was
    enumerated, and the smallest p-value the design allows."""

    statistic: float
    pvalue: float
    exact: bool
    p_floor: float


def p_floor(sizes: ArrayLike) -> float:
    """The smallest p-value of a permutation test of group labels invariant to naming the groups.

    Parameters
    ----------
    sizes : array_like of int
        The group sizes.

    Returns
    -------
    float
        s / N with N = n! / prod(n_g!) the distinct labellings and s = prod over each group size
        of (number of groups of that size)!, the relabellings that only swap the names of equal
        groups (they leave a between-group statistic unchanged). All groups of one respondent
        give 1: no test is possible.

    Notes
    -----
    A test that rejects at level a needs p_floor <= a; below that no data can reach the level,
    whatever the effect (Good 2005, section 3.6, on the attainable levels of permutation tests).

    References
    ----------
    .. [1] Good, P. (2005). Permutation, parametric and bootstrap tests of hypotheses (3rd ed.).
       New York: Springer.
    """
    counts = [check_int(s, "sizes", minimum=1) for s in np.asarray(sizes).ravel().tolist()]
    total = math.factorial(sum(counts))
    for c in counts:
        total //= math.factorial(c)
    same = 1
    for multiplicity in Counter(counts).values():
        same *= math.factorial(multiplicity)
    return same / total


def between_ss(x: Array, members: list[NDArray[np.intp]], metric: Array | None = None) -> Any:
    """sum_g n_g (m_g - m)' M (m_g - m) for the rows ``members[g]`` of ``x``; the index arrays
    may carry leading batch dimensions (then one value per batch entry). NaN are omitted per
    column when ``metric`` is None (M = I)."""
    if metric is None:
        grand = np.nanmean(x, axis=0)
        total = 0.0
        for idx in members:
            rows = x[idx]  # (..., n_g, d)
            present = ~np.isnan(rows)
            n = present.sum(axis=-2)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(present, rows, 0.0).sum(axis=-2) / n
            total = total + np.nansum(n * (mean - grand) ** 2, axis=-1)
        return total
    grand = x.mean(axis=0)
    total = 0.0
    for idx in members:
        dev = x[idx].mean(axis=-2) - grand
        total = total + idx.shape[-1] * np.einsum("...i,ij,...j->...", dev, metric, dev)
    return total


def group_permutation_test(
    x: ArrayLike,
    groups: ArrayLike,
    *,
    metric: ArrayLike | None = None,
    n_resamples: int = 9999,
    rng: np.random.Generator | None = None,
) -> GroupTestResult:
    """Permutation test that the rows of ``x`` do not depend on their group.

    Parameters
    ----------
    x : array_like of shape (n, d)
        One row per observation; with ``metric`` None, ``NaN`` are missing and omitted per
        column (a row keeps its group label whatever it misses).
    groups : array_like of shape (n,)
        Group labels (any hashable values).
    metric : array_like of shape (d, d), optional
        A positive definite M for the distance of group means (default the identity); rows may
        then not contain ``NaN``.
    n_resamples : int
        Random relabellings when there are more distinct ones than this; otherwise all are
        enumerated and the test is exact.
    rng : numpy.random.Generator, optional
        Source of the random relabellings.

    Returns
    -------
    GroupTestResult

    Raises
    ------
    DegenerateInputError
        ``"n_below_minimum"`` with fewer than two groups.

    Notes
    -----
    Statistic T = sum_g n_g (m_g - m)' M (m_g - m), the trace of the between-group sum of squares
    (one-way PERMANOVA's numerator, Anderson 2001; with M = I and one column, the between-group sum
    of squares of a one-way ANOVA). Under the null the labels are exchangeable, so the p-value is
    the share of relabellings (group sizes kept) with T at least the observed one: exact when
    enumerated, (b + 1) / (m + 1) otherwise (Phipson & Smyth 2010). Written here because
    :func:`scipy.stats.permutation_test` needs two observations in every group, and a role with one
    respondent is the common case. It stays exact whatever each observation's own distribution, as
    long as observations are exchangeable under the null (a respondent's response style moves with
    the respondent). The total sum of squares is the same in every relabelling, so T orders
    relabellings as the pseudo-F does.

    References
    ----------
    .. [1] Anderson, M. J. (2001). A new method for non-parametric multivariate analysis of
       variance. Austral Ecology, 26(1), 32-46.
    .. [2] Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
       Statistical Applications in Genetics and Molecular Biology, 9(1), Article 39.
    """
    data = as_float_array(x, "x", ndim=2)
    labels = np.asarray(groups)
    if labels.shape != (data.shape[0],):
        raise ValueError(f"groups must have one label per row of x, got shape {labels.shape}")
    M = None if metric is None else as_float_array(metric, "metric", ndim=2, allow_nan=False)
    if M is not None and np.isnan(data).any():
        raise ValueError("x must not contain missing values when a metric is given")
    names = sorted(set(labels.tolist()))
    if len(names) < 2:
        raise DegenerateInputError("n_below_minimum", "a group test needs at least two groups")
    samples = [np.flatnonzero(labels == g) for g in names]
    sizes = [len(x) for x in samples]
    m = check_int(n_resamples, "n_resamples", minimum=1)
    observed = float(between_ss(data, samples, M))
    distinct = math.factorial(len(labels)) // math.prod(math.factorial(k) for k in sizes)
    exact = distinct <= m
    if exact:
        batches = _all_labellings(len(labels), sizes)
    else:
        gen = np.random.default_rng() if rng is None else rng
        order = gen.permuted(np.tile(np.arange(len(labels)), (m, 1)), axis=1)
        batches = np.split(order, np.cumsum(sizes)[:-1], axis=1)
    values = np.asarray(between_ss(data, batches, M))
    # Relabellings that tie with the observed one up to rounding count as at least as extreme.
    extreme = int(np.sum(values >= observed - 1e-9 * max(1.0, abs(observed))))
    pvalue = extreme / distinct if exact else (extreme + 1) / (m + 1)
    return GroupTestResult(observed, min(1.0, pvalue), exact, p_floor(sizes))


def _all_labellings(n: int, sizes: list[int]) -> list[NDArray[np.intp]]:
    """Every assignment of 0..n-1 to groups of the given sizes, as one (N, size) index array
    per group (N = n! / prod(size!)), the observed assignment among them."""
    rows: list[list[tuple[int, ...]]] = []

    def place(left: tuple[int, ...], k: int, chosen: list[tuple[int, ...]]) -> None:
        if k == len(sizes) - 1:
            rows.append([*chosen, left])
            return
        for pick in combinations(left, sizes[k]):
            rest = tuple(x for x in left if x not in pick)
            place(rest, k + 1, [*chosen, pick])

    place(tuple(range(n)), 0, [])
    return [np.array([r[g] for r in rows], dtype=np.intp) for g in range(len(sizes))]
