"""The ``dimensions`` block: per dimension means, gap with its Welch interval and test,
Cliff's delta, agreement and the gap the design can detect."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import stats
from . import rules
from .common import Array, Family, num, pair, welch_family
from .document import Dimension, ItemMeans, Reasons
from .prepare import Prepared, weighted_means


@dataclass(frozen=True)
class DimensionFacts:
    """What the conflict rules and the alignment index need from this block."""

    gap: Array  # (D,) b - a, NaN where a side has no data
    means: tuple[Array, Array]  # (D,) per partner: respondent means, or means of role means
    n: tuple[Array, Array]  # respondents with a score, per dimension
    tests: Family  # Welch tests of b - a with BH q-values across dimensions
    delta: Array  # (D,)
    ranges: Array  # (D,) scale range


def _items(p: Prepared) -> dict[str, ItemMeans]:
    """Item-level means per partner (descriptive only: no tests at item level)."""
    a, b = p.groups
    means_a, means_b = (
        [None if math.isnan(v) else v for v in weighted_means(g.likert, None).tolist()]
        for g in (a, b)
    )
    out: dict[str, ItemMeans] = {}
    for item, ma, mb in zip(p.survey.items_of("likert"), means_a, means_b, strict=True):
        out[item.id] = {
            "means": {a.key: ma, b.key: mb},
            "gap": None if ma is None or mb is None else mb - ma,
            "reverse": item.reverse,
        }
    return out


def dimensions_block(p: Prepared) -> tuple[list[Dimension], DimensionFacts]:
    """One entry per dimension of the survey, in file order."""
    a, b = p.groups
    dims = p.survey.dimensions
    ranges = np.array([float(d.scale.range) for d in dims])
    na, nb = (np.sum(~np.isnan(g.dims), axis=0) for g in (a, b))
    by_role = p.survey.scoring.profile == "role_means"
    roles = (list(a.roles), list(b.roles)) if by_role else None
    tests = welch_family(a.dims, b.dims, rules.FDR_Q, roles)
    if by_role:  # every role counts once, as in the priority profiles
        ma, mb = (stats.mean_se_columns(g.dims, g.roles)[1] for g in (a, b))
    else:
        ma, mb = (weighted_means(g.dims, None) for g in (a, b))
    gap = mb - ma
    delta, defined = stats.cliffs_delta_columns(b.dims, a.dims)
    ci = tests.welch.confidence_interval(p.confidence)
    floor = rules.GAP_MIN * ranges
    detectable = np.maximum(tests.welch.detectable(tests.alpha_single), floor)
    items = _items(p)
    out: list[Dimension] = []
    for d, dim in enumerate(dims):
        reasons: Reasons = {}
        entry: Dimension = {
            "id": dim.id,
            "label": dim.label[p.survey.default_language],
            "scale": {"min": dim.scale.min, "max": dim.scale.max},
            "means": {a.key: num(ma[d]), b.key: num(mb[d])},
            "n": {a.key: int(na[d]), b.key: int(nb[d])},
            "gap": num(gap[d]),
            "gap_ci": pair(ci[0, d], ci[1, d]),
            "cliffs_delta": float(delta[d]) if defined[d] else None,
            "agreement": None,
            "p_value": num(tests.p[d]),
            "q_value": num(tests.q[d]),
            "detectable_gap": num(detectable[d]),
            "items": {i: items[i] for i in dim.items},
            "reasons": reasons,
        }
        if np.isnan(gap[d]):
            for key in ("gap", "gap_ci", "cliffs_delta", "agreement", "p_value", "detectable_gap"):
                reasons[key] = "no_data"
        else:
            entry["agreement"] = float(100.0 * (1.0 - abs(gap[d]) / ranges[d]))
            why = tests.welch.reasons[d]
            if why:
                for key in ("gap_ci", "p_value", "detectable_gap"):
                    reasons[key] = why
        out.append(entry)
    facts = DimensionFacts(gap, (ma, mb), (na, nb), tests, np.where(defined, delta, 0.0), ranges)
    return out, facts
