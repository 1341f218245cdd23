"""What both partners see alike: ``shared_concern`` flags (both rate a dimension low) and the
``strengths`` block (both rate it high).

A difference between the partners is not the only finding worth a meeting: when both rate trust
1-2 of 5 there is no gap, but there is a problem. Per dimension, each partner's mean is tested
against the scale's midpoint with a one-sided t bound at ``SHARED_ALPHA``; a concern needs both
partners' upper bounds below the midpoint (an intersection-union test, Berger 1982) and both
means at least ``SHARED_MIN`` of the range below it. A strength is the mirror image.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as sps

from . import rules
from .common import Array, flag
from .prepare import Prepared


def _bounds(x: Array, alpha: float) -> tuple[Array, Array, Array, Array]:
    """Per column: mean, n, and the one-sided (1 - alpha) lower and upper t bounds (NaN where
    fewer than 2 values or no variation)."""
    present = ~np.isnan(x)
    n = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, x, 0.0).sum(axis=0) / n
        sd = np.sqrt(np.where(present, (x - mean) ** 2, 0.0).sum(axis=0) / (n - 1))
        half = sps.t.ppf(1 - alpha, n - 1) * sd / np.sqrt(n)
    ok = (n >= 2) & (sd > 0)
    return mean, n, np.where(ok, mean - half, np.nan), np.where(ok, mean + half, np.nan)


def shared_findings(p: Prepared) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``shared_concern`` flags, and the ``strengths`` block."""
    a, b = p.groups
    dims = p.survey.dimensions
    lang = p.survey.default_language
    mid = np.array([(d.scale.min + d.scale.max) / 2 for d in dims])
    room = rules.SHARED_MIN * np.array([float(d.scale.range) for d in dims])
    (ma, na, la, ua), (mb, nb, lb, ub) = (_bounds(g.dims, rules.SHARED_ALPHA) for g in (a, b))
    flags, strengths = [], []
    for d, dim in enumerate(dims):
        means = {a.key: float(ma[d]), b.key: float(mb[d])}
        n = {a.key: int(na[d]), b.key: int(nb[d])}
        concern = ua[d] < mid[d] and ub[d] < mid[d]
        concern = concern and max(ma[d], mb[d]) <= mid[d] - room[d] + rules.TOLERANCE
        strong = la[d] > mid[d] and lb[d] > mid[d]
        strong = strong and min(ma[d], mb[d]) >= mid[d] + room[d] - rules.TOLERANCE
        if strong:
            strengths.append(
                {
                    "dimension": dim.id,
                    "means": means,
                    "lower_bounds": {a.key: float(la[d]), b.key: float(lb[d])},
                    "midpoint": float(mid[d]),
                    "n": n,
                }
            )
        if not concern:
            continue
        label = dim.label[lang]
        message = (
            f"Both partners rate {label} low ({a.key} {means[a.key]:.1f}, {b.key} "
            f"{means[b.key]:.1f} on a {dim.scale.min}-{dim.scale.max} scale, midpoint "
            f"{mid[d]:g}): a shared concern to take up together."
        )
        evidence = {
            "means": means,
            "upper_bounds": {a.key: float(ua[d]), b.key: float(ub[d])},
            "midpoint": float(mid[d]),
            "level": rules.SHARED_ALPHA,
            "n": n,
        }
        flags.append(
            flag(
                "shared_concern",
                dim.id,
                "medium",
                "inferential",
                float(mid[d] - max(ma[d], mb[d])) / float(dims[d].scale.range),
                dimensions=[dim.id],
                partners=[a.key, b.key],
                evidence=evidence,
                message=message,
            )
        )
    return flags, strengths
