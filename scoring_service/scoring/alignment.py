"""The ``alignment`` block: one 0-100 index with its interval and band."""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import Array, interval
from .dimensions import DimensionFacts
from .objectives import ObjectiveFacts
from .prepare import Prepared


def _expectations(gap: Array, ranges: Array) -> Array:
    """Mean agreement 100 (1 - |gap| / range) over dimensions; works on (D,) and (B, D)."""
    return np.asarray(np.mean(100.0 * (1.0 - np.abs(gap) / ranges), axis=-1))


def alignment_block(p: Prepared, obj: ObjectiveFacts, dim: DimensionFacts) -> dict[str, Any]:
    """Weighted mean of compatibility and expectation agreement, renormalised over what exists.

    Dimensions without data on a side are left out of the expectation agreement; the interval
    comes from the same bootstrap resamples as every other interval of the request.
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
    out: dict[str, Any] = {
        "score": None,
        "ci": None,
        "band": None,
        "bands_in_ci": None,
        "components": {k: {"value": v, "weight": w} for k, (v, w) in parts.items()},
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
    boot = np.zeros(p.n_resamples)
    if "compatibility" in used:
        if obj.compat_boot is None:
            reasons["ci"] = "n_below_minimum"
            return out
        boot += obj.compat_boot * used["compatibility"]
    if "expectations" in used:
        if not dim.ci_ok:
            reasons["ci"] = "n_below_minimum"
            return out
        boot += _expectations(dim.gap_boot[:, have], dim.ranges[have]) * used["expectations"]
    out["ci"], why = interval(boot / total, p.confidence)
    if why:
        reasons["ci"] = why
    else:
        low, high = out["ci"]
        out["bands_in_ci"] = [b.id for b in p.survey.scoring.bands if _overlaps(p, b.id, low, high)]
    return out


def _overlaps(p: Prepared, band_id: str, low: float, high: float) -> bool:
    """Whether the interval [low, high] reaches into the band."""
    bands = p.survey.scoring.bands
    k = next(n for n, b in enumerate(bands) if b.id == band_id)
    upper = bands[k - 1].min if k > 0 else float("inf")
    return high >= bands[k].min and low < upper
