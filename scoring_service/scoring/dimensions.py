"""The ``dimensions`` block: per dimension means, gap, Cliff's delta, agreement, CI and tests."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import stats
from . import rules
from .common import Array, intervals, num, permutation_q
from .prepare import Prepared, weighted_means


@dataclass(frozen=True)
class DimensionFacts:
    """What the conflict rules and the alignment index need from this block."""

    gap: Array  # (D,) b - a, NaN where a side has no data
    gap_boot: Array  # (B, D)
    n: tuple[Array, Array]  # respondents with a score, per dimension
    p: Array  # (D,) permutation p-values, NaN where untested
    q: Array  # (D,) BH q-values, NaN where untested
    delta: Array  # (D,)
    ranges: Array  # (D,) scale range
    ci_ok: bool  # both sides large enough for intervals on every dimension that has data


def _items(p: Prepared) -> dict[str, dict[str, Any]]:
    """Item-level means per partner (descriptive only: no tests at item level)."""
    a, b = p.groups
    means_a, means_b = (
        [None if math.isnan(v) else v for v in weighted_means(g.likert, None).tolist()]
        for g in (a, b)
    )
    out = {}
    for item, ma, mb in zip(p.survey.items_of("likert"), means_a, means_b, strict=True):
        out[item.id] = {
            "means": {a.key: ma, b.key: mb},
            "gap": None if ma is None or mb is None else mb - ma,
            "reverse": item.reverse,
        }
    return out


def dimensions_block(p: Prepared) -> tuple[list[dict[str, Any]], DimensionFacts]:
    """One entry per dimension of the survey, in file order."""
    a, b = p.groups
    dims = p.survey.dimensions
    ranges = np.array([float(d.scale.range) for d in dims])
    ma, mb = (weighted_means(g.dims, None) for g in (a, b))
    na, nb = (np.sum(~np.isnan(g.dims), axis=0) for g in (a, b))
    gap = mb - ma
    gap_boot = weighted_means(b.dims, b.counts) - weighted_means(a.dims, a.counts)
    delta, defined = stats.cliffs_delta_columns(b.dims, a.dims)
    first, second = p.in_canonical_order()
    usable = (np.minimum(na, nb) >= rules.MIN_N_TEST) & ~np.isnan(gap)
    pv, q = permutation_q(p, "dimensions", first.dims, second.dims, usable)
    items = _items(p)
    with_ci = np.flatnonzero((np.minimum(na, nb) >= rules.MIN_N_CI) & ~np.isnan(gap))
    cis = dict(zip(with_ci.tolist(), intervals(gap_boot[:, with_ci], p.confidence), strict=True))
    out = []
    for d, dim in enumerate(dims):
        reasons: dict[str, str] = {}
        entry: dict[str, Any] = {
            "id": dim.id,
            "label": dim.label[p.survey.default_language],
            "scale": {"min": dim.scale.min, "max": dim.scale.max},
            "means": {a.key: num(ma[d]), b.key: num(mb[d])},
            "n": {a.key: int(na[d]), b.key: int(nb[d])},
            "gap": num(gap[d]),
            "gap_ci": None,
            "cliffs_delta": float(delta[d]) if defined[d] else None,
            "agreement": None,
            "p_value": num(pv[d]),
            "q_value": num(q[d]),
        }
        if np.isnan(gap[d]):
            for key in ("gap", "gap_ci", "cliffs_delta", "agreement", "p_value"):
                reasons[key] = "no_data"
        else:
            entry["agreement"] = float(100.0 * (1.0 - abs(gap[d]) / ranges[d]))
            entry["gap_ci"] = cis.get(d)
            if entry["gap_ci"] is None:
                reasons["gap_ci"] = "n_below_minimum"
            if not usable[d]:
                reasons["p_value"] = "n_below_minimum"
        entry["items"] = {i: items[i] for i in dim.items}
        entry["reasons"] = reasons
        out.append(entry)
    facts = DimensionFacts(
        gap,
        gap_boot,
        (na, nb),
        pv,
        q,
        np.where(defined, delta, 0.0),
        ranges,
        bool(np.all(np.minimum(na, nb)[~np.isnan(gap)] >= rules.MIN_N_CI)),
    )
    return out, facts
