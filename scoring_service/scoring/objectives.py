"""The ``objectives`` block: priority profiles, compatibility, similarity, per-objective tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import stats
from . import rules
from .common import Array, attempt, ci_allowed, interval, intervals, num, permutation_q
from .prepare import Group, Prepared, weighted_means


@dataclass(frozen=True)
class ObjectiveFacts:
    """What the conflict rules and the alignment index need from this block."""

    profiles: tuple[Array | None, Array | None]  # label order
    boot: tuple[Array, Array]  # (B, K) resampled profiles
    compatibility: float | None  # 0-100
    compat_boot: Array | None  # (B,) where both sides have MIN_N_CI
    q: Array  # (K,) BH q-values, NaN where untested
    delta: Array  # (K,) Cliff's delta of b vs a, 0 where undefined
    n_alloc: tuple[int, int]


def _compat(a: Array, b: Array, R: Array) -> Any:
    """R-weighted cosine mapped to 0-100."""
    return 50.0 * (1.0 + stats.weighted_cosine(a, b, R))


def _top(w: Array, k: int = 3) -> set[int]:
    """Indices of the k largest weights, ties at the cut included (so no order dependence);
    an objective nobody gave a point is never a top objective."""
    cut = np.sort(w)[-k] if len(w) >= k else w.min()
    return set(np.flatnonzero((w >= cut - 1e-12) & (w > 0)).tolist())


def _resampled_profile(g: Group) -> tuple[Array, Array | None]:
    """The partner's profile on every bootstrap resample (B, K), and on each distinct resample
    (P, K) when the count patterns are known (the same numbers, computed once per pattern)."""
    if g.patterns is None or g.pattern_of is None:
        return weighted_means(g.alloc, g.counts, g.weights), None
    distinct = weighted_means(g.alloc, g.patterns, g.weights)
    return distinct[g.pattern_of], distinct


def _profile_intervals(p: Prepared, g: Group, boot: Array, distinct: Array | None) -> list[Any]:
    """Per-objective percentile intervals of one partner's profile."""
    if distinct is not None and g.pattern_freq is not None:
        try:
            lh = stats.percentile_intervals_repeated(distinct, g.pattern_freq, p.confidence)
            return [[float(lo), float(hi)] for lo, hi in lh.T]
        except stats.DegenerateInputError:
            pass
    return intervals(boot, p.confidence)


def _profiles_json(
    p: Prepared,
    profiles: tuple[Array | None, Array | None],
    resampled: tuple[tuple[Array, Array | None], tuple[Array, Array | None]],
) -> dict[str, Any]:
    """Both partners' profiles with per-objective intervals."""
    ids = p.survey.objective_ids
    out: dict[str, Any] = {}
    for g, w, (boot, distinct) in zip(p.groups, profiles, resampled, strict=True):
        entry: dict[str, Any] = {"n": g.n_alloc, "weights": None, "ci": None, "reasons": {}}
        out[g.key] = entry
        if w is None:
            entry["reasons"] = {"weights": "no_allocation", "ci": "no_allocation"}
            continue
        entry["weights"] = dict(zip(ids, w.tolist(), strict=True))
        cis = _profile_intervals(p, g, boot, distinct) if g.n_alloc >= rules.MIN_N_CI else []
        if not cis or any(ci is None for ci in cis):
            entry["reasons"]["ci"] = "n_below_minimum"
        else:
            entry["ci"] = dict(zip(ids, cis, strict=True))
    return out


def objectives_block(p: Prepared) -> tuple[dict[str, Any], ObjectiveFacts]:
    """Profiles, compatibility (with CI), Kendall tau-b, overlap, shared tops, differences."""
    a, b = p.groups
    R = p.survey.R
    profiles = (
        weighted_means(a.alloc, None, a.weights) if a.n_alloc else None,
        weighted_means(b.alloc, None, b.weights) if b.n_alloc else None,
    )
    resampled = (_resampled_profile(a), _resampled_profile(b))
    boots = (resampled[0][0], resampled[1][0])
    wa, wb = profiles
    reasons: dict[str, str] = {}
    out: dict[str, Any] = {
        "profiles": _profiles_json(p, profiles, resampled),
        "compatibility": None,
        "compatibility_ci": None,
        "kendall_tau_b": None,
        "overlap": None,
        "shared_top": None,
    }
    compat: float | None = None
    compat_boot = None
    if wa is None or wb is None:
        for key in ("compatibility", "compatibility_ci", "kendall_tau_b", "overlap", "shared_top"):
            reasons[key] = "no_allocation"
    else:
        value, reasons_c = attempt(_compat, wa, wb, R)
        compat = num(value)
        out["compatibility"] = compat
        if reasons_c:
            reasons["compatibility"] = reasons_c
        if not ci_allowed(a.n_alloc, b.n_alloc):
            reasons["compatibility_ci"] = "n_below_minimum"
        else:
            if a.n_alloc == a.n and b.n_alloc == b.n:  # every resample has every profile
                compat_boot = np.asarray(_compat(boots[0], boots[1], R))
            else:
                ok = ~(np.isnan(boots[0]).any(axis=1) | np.isnan(boots[1]).any(axis=1))
                compat_boot = np.full(p.n_resamples, np.nan)
                compat_boot[ok] = _compat(boots[0][ok], boots[1][ok], R)
            out["compatibility_ci"], why = interval(compat_boot, p.confidence)
            if why:
                reasons["compatibility_ci"] = why
        # Shares are means of points / total: round away float noise so that equal shares tie.
        tau, why = attempt(stats.kendall_tau_b, np.round(wa, 12), np.round(wb, 12))
        out["kendall_tau_b"] = num(tau)
        if why:
            reasons["kendall_tau_b"] = why
        out["overlap"] = float(stats.overlap(wa, wb))
        shared = _top(wa) & _top(wb)
        out["shared_top"] = [o for k, o in enumerate(p.survey.objective_ids) if k in shared]
    q, delta, differences = _differences(p, profiles, reasons)
    out["differences"] = differences
    out["reasons"] = reasons
    facts = ObjectiveFacts(profiles, boots, compat, compat_boot, q, delta, (a.n_alloc, b.n_alloc))
    return out, facts


def _differences(
    p: Prepared, profiles: tuple[Array | None, Array | None], reasons: dict[str, str]
) -> tuple[Array, Array, list[dict[str, Any]]]:
    """Per objective: b - a, Cliff's delta, and from MIN_N_TEST a side permutation p and BH q."""
    a, b = p.groups
    K = len(p.survey.objective_ids)
    wa, wb = profiles
    if wa is None or wb is None:
        reasons["differences"] = "no_allocation"
        return np.full(K, np.nan), np.zeros(K), []
    xa, xb = (g.alloc[~np.isnan(g.alloc[:, 0])] for g in (a, b))
    delta, _ = stats.cliffs_delta_columns(xb, xa)
    testable = min(len(xa), len(xb)) >= rules.MIN_N_TEST
    if testable:
        first, second = (g.alloc[~np.isnan(g.alloc[:, 0])] for g in p.in_canonical_order())
        pv, q = permutation_q(p, "objectives", first, second, np.ones(K, dtype=bool))
    else:
        pv = q = np.full(K, np.nan)
        reasons["differences.p_value"] = "n_below_minimum"
    rows = [
        {
            "objective": o,
            "difference": float(wb[k] - wa[k]),
            "cliffs_delta": float(delta[k]),
            "p_value": num(pv[k]),
            "q_value": num(q[k]),
        }
        for k, o in enumerate(p.survey.objective_ids)
    ]
    return q, delta, rows
