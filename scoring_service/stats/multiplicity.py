"""Multiple testing: the Benjamini-Hochberg adjustment."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .errors import as_float_array


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
