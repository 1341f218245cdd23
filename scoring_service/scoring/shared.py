"""What both partners see alike: ``shared_concern`` flags (both rate a dimension low) and the
``strengths`` block (both rate it high).

A difference between the partners is not the only finding worth a meeting: when both rate trust 1-2
of 5 there is no gap, but there is a problem. Per dimension, each partner's mean is tested against
the scale's midpoint with a one-sided t bound at ``SHARED_ALPHA`` (the mean of role means and its
stratified error under ``role_means``; a sign test where nobody varies); a concern needs both
partners' upper bounds below the midpoint (an intersection-union test, Berger 1982) and both means
at least ``SHARED_MIN`` of the range below it. A strength is the mirror image.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as sps

from .. import stats
from . import rules
from .common import Array, Flag
from .document import SharedConcernEvidence, Strength
from .prepare import Prepared


def _bounds(x: Array, roles: tuple[str, ...] | None) -> tuple[Array, Any, Array, Array]:
    """Per column: mean (of role means under ``role_means``), n, and the one-sided
    (1 - SHARED_ALPHA) lower and upper t bounds; NaN where no test is possible.

    A column without any variation (everyone gave the same score) has no t bound; there the
    exact sign test decides: n respondents all on one side of the midpoint have p = 0.5^n, so
    from 5 of them (0.031 <= 0.05) the bound is the common value itself."""
    n, mean, se, df = stats.mean_se_columns(x, roles)
    with np.errstate(invalid="ignore"):
        half = sps.t.ppf(1 - rules.SHARED_ALPHA, df) * se
    ok = (se > 0) & np.isfinite(half)
    unanimous = (se == 0) & (0.5 ** n.astype(float) <= rules.SHARED_ALPHA)
    low = np.asarray(np.where(ok, mean - half, np.where(unanimous, mean, np.nan)), dtype=float)
    high = np.asarray(np.where(ok, mean + half, np.where(unanimous, mean, np.nan)), dtype=float)
    return mean, n, low, high


def shared_findings(p: Prepared) -> tuple[list[Flag], list[Strength]]:
    """``shared_concern`` flags, and the ``strengths`` block."""
    a, b = p.groups
    dims = p.survey.dimensions
    lang = p.survey.default_language
    mid = np.array([(d.scale.min + d.scale.max) / 2 for d in dims])
    room = rules.SHARED_MIN * np.array([float(d.scale.range) for d in dims])
    by_role = p.survey.scoring.profile == "role_means"
    (ma, na, la, ua), (mb, nb, lb, ub) = (
        _bounds(g.dims, g.roles if by_role else None) for g in (a, b)
    )
    flags: list[Flag] = []
    strengths: list[Strength] = []
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
        evidence: SharedConcernEvidence = {
            "means": means,
            "upper_bounds": {a.key: float(ua[d]), b.key: float(ub[d])},
            "midpoint": float(mid[d]),
            "level": rules.SHARED_ALPHA,
            "n": n,
        }
        flags.append(
            Flag(
                "shared_concern",
                "medium",
                float(mid[d] - max(ma[d], mb[d])) / float(dims[d].scale.range),
                evidence,
                message,
                dimensions=(dim.id,),
                partners=(a.key, b.key),
            )
        )
    return flags, strengths
