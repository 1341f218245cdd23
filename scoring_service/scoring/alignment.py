"""The ``alignment`` block: one 0-100 index, and a band decided from its components' intervals.

The band is a decision, so it rests on intervals, never on the index alone: each component
gets the band its interval lies inside (compatibility: the jackknife-t interval; expectations:
the interval of the mean |gap| that the gaps' own intervals allow), and the overall band is the
lower of the two. Where an interval spans bands, ``band`` is null and ``bands_in_ci`` lists the
candidates.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from ..surveys import Band
from .common import Array
from .dimensions import DimensionFacts
from .document import Alignment, Component, ExpectationsComponent, Reasons
from .objectives import ObjectiveFacts
from .prepare import Prepared


def _expectations(gap: Array, ranges: Array) -> float:
    """Mean agreement 100 (1 - |gap| / range) over dimensions."""
    return float(np.mean(100.0 * (1.0 - np.abs(gap) / ranges)))


def mean_gap_interval(
    gap: Array, se: Array, df: Array, ranges: Array, confidence: float
) -> tuple[float, float] | None:
    """An interval of mean_d |g_d| / range_d from the gaps' Welch intervals, or None when a gap
    has none.

    Lower end: the mean distance from 0 of each gap's simultaneous interval (Bonferroni over the
    D dimensions): when all D hold, which they do with probability >= ``confidence``, each
    distance is at most |g_d|, so the end cannot pass the truth, also when every gap is 0 (the
    boundary, where a symmetric interval fails). Upper end: the mean of the farther end of each
    gap's own interval (the ``gap_ci`` the document reports); every one of D intervals missing
    on the same side at once is rare, and the coverage is proven by simulation
    (tests/test_coverage.py). The estimate lies between the ends by construction.
    """
    if np.isnan(se).any():
        return None
    t_joint = sps.t.ppf(1.0 - (1.0 - confidence) / (2 * len(gap)), df)
    lo, hi = (gap - t_joint * se) / ranges, (gap + t_joint * se) / ranges
    nearest = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
    t = sps.t.ppf(0.5 + confidence / 2, df)
    farthest = (np.abs(gap) + t * se) / ranges
    low, high = float(np.mean(nearest)), float(np.mean(farthest))
    return (low, high) if np.isfinite(low) and np.isfinite(high) else None


def _candidates(bands: tuple[Band, ...], low: float, high: float, key: str) -> list[int]:
    """Indices of the bands a component's interval reaches (bands best first).

    ``compatibility``: band k covers [compatibility_k, compatibility_(k-1)); ``max_gap``: band k
    covers (max_gap_(k-1), max_gap_k]."""
    out = []
    for k, band in enumerate(bands):
        if key == "compatibility":
            top = bands[k - 1].compatibility if k else float("inf")
            reached = high >= band.compatibility and low < top
        else:
            bottom = bands[k - 1].max_gap if k else -1.0
            reached = low <= band.max_gap and high > bottom
        if reached:
            out.append(k)
    return out


def _component_band(
    entry: Component, bands: tuple[Band, ...], reached: list[int] | None, why: str | None
) -> None:
    """Set ``band`` and ``bands_in_ci`` of one component (null until then), or their reason."""
    if reached is None:
        entry.setdefault("reasons", {})["band"] = why or "n_below_minimum"
        return
    entry["bands_in_ci"] = [bands[k].id for k in reached]
    if len(reached) == 1:
        entry["band"] = bands[reached[0]].id
    else:
        entry.setdefault("reasons", {})["band"] = "interval_spans_bands"


def alignment_block(p: Prepared, obj: ObjectiveFacts, dim: DimensionFacts) -> Alignment:
    """Weighted mean of compatibility and expectation agreement, renormalised over what exists,
    and the band of its components.

    Dimensions without data on a side are left out of the expectation agreement. The index has
    an interval only when it is compatibility alone (the survey weights expectations 0, or
    nobody answered a Likert item): then it is compatibility's jackknife-t interval.
    """
    opts = p.survey.scoring
    bands = opts.bands
    have = ~np.isnan(dim.gap)
    expect = _expectations(dim.gap[have], dim.ranges[have]) if have.any() else None
    parts = {
        "compatibility": (obj.compatibility, opts.weight_compatibility),
        "expectations": (expect, opts.weight_expectations),
    }
    used = {k: w for k, (v, w) in parts.items() if v is not None and w > 0}
    reasons: Reasons = {}
    ci = obj.compatibility_ci
    compat: Component = {
        "value": obj.compatibility,
        "weight": opts.weight_compatibility,
        "ci": ci,
        "band": None,
        "bands_in_ci": None,
    }
    reached = None if ci is None else _candidates(bands, ci[0], ci[1], "compatibility")
    _component_band(compat, bands, reached, obj.compatibility_reason)
    w = dim.tests.welch
    box = (
        mean_gap_interval(dim.gap[have], w.se[have], w.df[have], dim.ranges[have], p.confidence)
        if have.any()
        else None
    )
    expectations: ExpectationsComponent = {
        "value": expect,
        "weight": opts.weight_expectations,
        "ci": None if box is None else [100.0 * (1 - box[1]), 100.0 * (1 - box[0])],
        "mean_gap_ci": None if box is None else list(box),
        "band": None,
        "bands_in_ci": None,
    }
    reached = None if box is None else _candidates(bands, box[0], box[1], "max_gap")
    why = next((w.reasons[d] for d in np.flatnonzero(have) if w.reasons[d]), "n_below_minimum")
    _component_band(expectations, bands, reached, why if have.any() else "no_data")
    out: Alignment = {
        "score": None,
        "ci": None,
        "band": None,
        "bands_in_ci": None,
        "components": {"compatibility": compat, "expectations": expectations},
        "reasons": reasons,
    }
    if not used:
        reasons["score"] = reasons["ci"] = reasons["band"] = "no_data"
        return out
    total = sum(used.values())
    out["score"] = sum(float(parts[k][0] or 0.0) * wk / total for k, wk in used.items())
    by_name: dict[str, Component] = {"compatibility": compat, "expectations": expectations}
    _overall_band(out, [by_name[k] for k in used], bands)
    # |gap| is not smooth at a gap of 0, so no interval of the index that contains it keeps its
    # promise there without the conservatism of the component's own: say so instead.
    if "expectations" in used:
        reasons["ci"] = "non_regular"
    elif obj.compatibility_ci is None:
        reasons["ci"] = obj.compatibility_reason or "n_below_minimum"
    else:
        out["ci"] = list(obj.compatibility_ci)
    return out


def _overall_band(out: Alignment, used: list[Component], bands: tuple[Band, ...]) -> None:
    """The lower (worse) of the used components' bands; candidates where one is undecided."""
    ids = [b.id for b in bands]
    candidates = {ids[0]}
    for c in used:
        reached = c["bands_in_ci"]
        if reached is None:  # an undecided component leaves the band undecided, for its reason
            out["reasons"]["band"] = c["reasons"]["band"]
            return
        candidates = {ids[max(ids.index(x), ids.index(y))] for x in candidates for y in reached}
    in_ci = [b for b in ids if b in candidates]
    out["bands_in_ci"] = in_ci
    if len(candidates) == 1:
        out["band"] = in_ci[0]
    else:
        out["reasons"]["band"] = "interval_spans_bands"
