"""The ``alignment`` block: one 0-100 index with its interval and band."""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import Array
from .dimensions import DimensionFacts
from .objectives import ObjectiveFacts
from .prepare import Prepared


def _expectations(gap: Array, ranges: Array) -> Array:
    """Mean agreement 100 (1 - |gap| / range) over dimensions; works on (D,) and (B, D)."""
    return np.asarray(np.mean(100.0 * (1.0 - np.abs(gap) / ranges), axis=-1))


def alignment_block(p: Prepared, obj: ObjectiveFacts, dim: DimensionFacts) -> dict[str, Any]:
    """Weighted mean of compatibility and expectation agreement, renormalised over what exists.

    Dimensions without data on a side are left out of the expectation agreement. The index has
    an interval only when it is compatibility alone (the survey weights expectations 0, or
    nobody answered a Likert item): then it is compatibility's jackknife-t interval.
    """
    opts = p.survey.scoring
    have = ~np.isnan(dim.gap)
    expect = float(_expectations(dim.gap[have], dim.ranges[have])) if have.any() else None
    parts = {
        "compatibility": (obj.compatibility, opts.weight_compatibility),
        "expectations": (expect, opts.weight_expectations),
    }
    used = {k: w for k, (v, w) in parts.items() if v is not None and w > 0}
    reasons: dict[str, str] = {}
    components: dict[str, Any] = {k: {"value": v, "weight": w} for k, (v, w) in parts.items()}
    components["compatibility"]["ci"] = obj.compatibility_ci
    components["expectations"]["ci"] = None
    out: dict[str, Any] = {
        "score": None,
        "ci": None,
        "band": None,
        "bands_in_ci": None,
        "components": components,
        "reasons": reasons,
    }
    if not used:
        reasons["score"] = reasons["ci"] = reasons["band"] = "no_data"
        return out
    total = sum(used.values())
    score = 0.0
    for key, weight in used.items():
        score += float(parts[key][0] or 0.0) * weight / total
    out["score"] = score
    out["band"] = p.survey.band_for(score).id
    # |gap| is not smooth at a gap of 0, so no interval of the expectations component (nor of
    # the index that contains it) keeps its promise there: say so instead of giving one.
    if "expectations" in used:
        reasons["ci"] = reasons["bands_in_ci"] = "non_regular"
        components["expectations"]["reasons"] = {"ci": "non_regular"}
    elif obj.compatibility_ci is None:
        reasons["ci"] = reasons["bands_in_ci"] = "n_below_minimum"
    else:
        out["ci"] = list(obj.compatibility_ci)
        low, high = out["ci"]
        out["bands_in_ci"] = [b.id for b in p.survey.scoring.bands if _overlaps(p, b.id, low, high)]
    return out


def _overlaps(p: Prepared, band_id: str, low: float, high: float) -> bool:
    """Whether the interval [low, high] reaches into the band."""
    bands = p.survey.scoring.bands
    k = next(n for n, b in enumerate(bands) if b.id == band_id)
    upper = bands[k - 1].min if k > 0 else float("inf")
    return high >= bands[k].min and low < upper
