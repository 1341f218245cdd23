"""Small helpers shared by the blocks of the result: nulls with reasons, intervals, tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from .. import stats
from . import rules
from .prepare import Prepared

T = TypeVar("T")
Array = NDArray[np.float64]


def attempt(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T | None, str | None]:
    """Run a statistic; a degenerate input becomes ``(None, reason)`` instead of an exception."""
    try:
        return fn(*args, **kwargs), None
    except stats.DegenerateInputError as exc:
        return None, exc.reason


def num(x: Any) -> float | None:
    """A finite float for JSON, or None (NaN and infinities never leave the engine)."""
    if x is None:
        return None
    value = float(x)
    return value if np.isfinite(value) else None


def interval(samples: Array, confidence: float) -> tuple[list[float] | None, str | None]:
    """Percentile interval of bootstrap replicates as ``[low, high]``, or a reason."""
    ci, reason = attempt(stats.percentile_interval, samples, confidence)
    return (None, reason) if ci is None else ([float(ci[0]), float(ci[1])], None)


def intervals(samples: Array, confidence: float) -> list[list[float] | None]:
    """Percentile intervals of every column of (B, d) replicates at once; None where undefined."""
    if samples.shape[1] == 0:
        return []
    try:
        lh = stats.percentile_intervals(samples, confidence)
    except stats.DegenerateInputError:
        return [interval(samples[:, k], confidence)[0] for k in range(samples.shape[1])]
    return [[float(lo), float(hi)] for lo, hi in lh.T]


def ci_allowed(n_a: int, n_b: int) -> bool:
    """Whether both sides are large enough for a bootstrap interval."""
    return min(n_a, n_b) >= rules.MIN_N_CI


def permutation_q(
    prep: Prepared, name: str, x: Array, y: Array, usable: NDArray[np.bool_]
) -> tuple[Array, Array]:
    """Permutation p-values of ``y`` vs ``x`` by column, and BH q-values over usable columns.

    ``name`` ("dimensions", "objectives") records in ``prep.tests_run`` which test ran.
    ``x`` and ``y`` must be in canonical order so that Monte Carlo draws never depend on labels.
    Unusable columns get NaN in both outputs (turned into null with a reason by the caller).
    """
    p = np.full(x.shape[1], np.nan)
    q = np.full(x.shape[1], np.nan)
    if not usable.any():
        return p, q
    result = stats.permutation_pvalues(
        x[:, usable],
        y[:, usable],
        max_exact=rules.MAX_EXACT,
        n_resamples=rules.N_PERMUTATIONS,
        rng=prep.rng,
        normal_from=rules.NORMAL_FROM,
    )
    prep.tests_run[name] = result.method
    sub_p = np.where(result.defined, result.pvalues, np.nan)
    p[usable] = sub_p
    ok = ~np.isnan(sub_p)
    if ok.any():
        sub_q = np.full(sub_p.shape, np.nan)
        sub_q[ok] = stats.benjamini_hochberg(sub_p[ok])
        q[usable] = sub_q
    return p, q


def flag(
    kind: str, key: str, severity: str, basis: str, size: float, **rest: Any
) -> dict[str, Any]:
    """A conflict in the documented shape; ``_size`` orders flags of equal severity."""
    out: dict[str, Any] = {"id": f"{kind}:{key}", "kind": kind, "severity": severity}
    out.update(basis=basis, objectives=[], dimensions=[], partners=[], roles=[])
    out.update(rest)
    out["_size"] = size
    return out
