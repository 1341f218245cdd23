"""The ``consensus`` block: agreement within each partner, and its roles' compatibility."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .. import stats
from . import rules
from .common import Array, Flag, attempt, num
from .document import Consensus, RoleCompatibility, RolePair
from .prepare import Group, Prepared


@dataclass(frozen=True)
class RoleFacts:
    """Role-level priority profiles of one partner, for the roles' compatibility."""

    profiles: dict[str, Array]  # role -> mean allocation shares (roles that allocated)
    profile_n: dict[str, int]


def role_facts(g: Group) -> RoleFacts:
    """Means per role, in sorted role order (one matrix product per quantity, all roles)."""
    roles = sorted(set(g.roles))
    member = np.array([[float(r == role) for role in roles] for r in g.roles]).T  # (roles, n)
    has_alloc = ~np.isnan(g.alloc[:, 0])
    alloc_n = member @ has_alloc
    alloc_sum = member @ np.where(has_alloc[:, None], g.alloc, 0.0)
    profiles = {r: alloc_sum[k] / alloc_n[k] for k, r in enumerate(roles) if alloc_n[k] > 0}
    return RoleFacts(
        profiles=profiles,
        profile_n={r: int(alloc_n[k]) for k, r in enumerate(roles) if alloc_n[k] > 0},
    )


def _agreement(
    p: Prepared, g: Group, reasons: dict[str, str]
) -> dict[str, dict[str, float | None]]:
    """Per dimension: r_wg(J) against the uniform and the slightly skewed null, r*_wg(J), the
    p-value of r_wg(J) against random answering, and Cronbach's alpha."""
    columns = {item.id: k for k, item in enumerate(p.survey.items_of("likert"))}
    out: dict[str, dict[str, float | None]] = {
        key: {} for key in ("rwg_j", "rwg_j_skewed", "rwg_star_j", "rwg_j_p", "reliability")
    }
    for dim in p.survey.dimensions:
        x = g.likert[:, [columns[i] for i in dim.items]]
        points = dim.scale.points
        v, why = attempt(stats.mean_item_variance, x)
        raters = int(np.sum(~np.isnan(x).all(axis=1)))
        used = int(np.sum((~np.isnan(x)).sum(axis=0) >= 2))
        for key in ("rwg_j", "rwg_j_skewed", "rwg_star_j", "rwg_j_p"):
            out[key][dim.id] = None
        if v is None:
            for key in ("rwg_j", "rwg_j_skewed", "rwg_star_j", "rwg_j_p"):
                reasons[f"{key}.{dim.id}"] = why or "n_below_minimum"
        else:
            uniform = stats.null_variance(points)
            rwg = stats.rwg_j_from_variance(v, used, uniform)
            out["rwg_j"][dim.id] = rwg
            out["rwg_star_j"][dim.id] = 1.0 - v / uniform
            out["rwg_j_p"][dim.id] = stats.rwg_j_pvalue(rwg, raters, used, points)
            if points == 5:
                skewed = stats.null_variance(5, "slightly_skewed")
                out["rwg_j_skewed"][dim.id] = stats.rwg_j_from_variance(v, used, skewed)
            else:
                reasons[f"rwg_j_skewed.{dim.id}"] = "not_five_points"
        complete = int(np.sum(~np.isnan(x).any(axis=1)))
        if complete < rules.MIN_N_RELIABILITY:
            out["reliability"][dim.id] = None
            reasons[f"reliability.{dim.id}"] = "n_below_minimum"
        else:
            alpha, why = attempt(stats.cronbach_alpha, x)
            out["reliability"][dim.id] = num(alpha)
            if why:
                reasons[f"reliability.{dim.id}"] = why
    return out


def _role_pairs(p: Prepared, facts: RoleFacts) -> RoleCompatibility:
    """Compatibility 0-100 between every two roles that allocated points."""
    pairs: list[RolePair] = []
    combos = list(combinations(sorted(facts.profiles), 2))
    cos = None
    if combos:  # every pair in one call: a dozen roles make 66 pairs
        left = np.array([facts.profiles[r] for r, _ in combos])
        right = np.array([facts.profiles[s] for _, s in combos])
        value, _ = attempt(stats.weighted_cosine, left, right, p.survey.R)
        cos = None if value is None else np.atleast_1d(value)
    for k, (r, s) in enumerate(combos):
        small = min(facts.profile_n[r], facts.profile_n[s]) < rules.MIN_N_ROLE
        pairs.append(
            {
                "roles": [r, s],
                "compatibility": None if cos is None else 50.0 * (1.0 + float(cos[k])),
                "n": {r: facts.profile_n[r], s: facts.profile_n[s]},
                "basis": "descriptive" if small else "effect_size",
            }
        )
    values: list[float] = [x["compatibility"] for x in pairs if x["compatibility"] is not None]
    return {"min": min(values) if values else None, "pairs": pairs}


def _partner(p: Prepared, g: Group, internal: list[Flag], not_run: dict[str, str]) -> Consensus:
    """Consensus figures of one partner, with its internal conflicts (flagged or, with the
    reason, not tested)."""
    reasons: dict[str, str] = {}
    agreement = _agreement(p, g, reasons)
    alpha, why = attempt(stats.krippendorff_alpha, g.likert, "interval")
    if why:
        reasons["krippendorff_alpha"] = why
    alloc = g.alloc[~np.isnan(g.alloc[:, 0])] if g.alloc.size else g.alloc
    w, why_w = attempt(stats.kendall_w, alloc) if len(alloc) else (None, "no_allocation")
    if why_w:
        reasons["kendall_w"] = why_w
    facts = role_facts(g)
    roles = _role_pairs(p, facts)
    if roles["min"] is None:
        reasons["role_compatibility"] = "fewer_than_two_roles"
    reasons.update(not_run)
    out: Consensus = {
        "n": g.n,
        "rwg_j": agreement["rwg_j"],
        "rwg_j_skewed": agreement["rwg_j_skewed"],
        "rwg_star_j": agreement["rwg_star_j"],
        "rwg_j_p": agreement["rwg_j_p"],
        "reliability": agreement["reliability"],
        # Agreement not significantly above random answering: the partner's mean on that
        # dimension stands for no shared view.
        "weakly_supported": [
            d for d, pv in agreement["rwg_j_p"].items() if pv is not None and pv > rules.RWG_ALPHA
        ],
        "krippendorff_alpha": num(alpha),
        "kendall_w": num(w),
        "role_compatibility": roles,
        "reasons": reasons,
        "internal_conflict": any(
            f.kind == "internal_conflict" and f.partners == (g.key,) for f in internal
        ),
    }
    return out


def consensus_block(
    p: Prepared, internal: list[Flag], not_run: dict[str, dict[str, str]]
) -> dict[str, Consensus]:
    """Consensus per partner, keyed by partner.

    Parameters
    ----------
    p
        The prepared responses.
    internal, not_run
        ``internal.internal_flags(p)``: the internal-conflict flags of both partners, and per
        partner the reasons of the role tests that did not run.
    """
    return {g.key: _partner(p, g, internal, not_run[g.key]) for g in p.groups}
