"""The ``objectives`` block: priority profiles, compatibility, similarity, per-objective tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from .. import stats
from . import rules
from .common import Array, Family, attempt, num, pair, welch_family
from .document import Difference, Objectives, Profile, Reasons
from .prepare import Group, Prepared, weighted_means


@dataclass(frozen=True)
class ObjectiveFacts:
    """What the conflict rules and the alignment index need from this block."""

    profiles: tuple[Array | None, Array | None]  # label order
    compatibility: float | None  # 0-100
    compatibility_ci: list[float] | None
    compatibility_reason: str | None  # why compatibility_ci is null
    tests: Family | None  # Welch tests of b - a per objective, BH across objectives
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


def _leave_one_out(g: Group) -> Array:
    """(n_alloc, K) the partner's profile with each allocating respondent left out in turn."""
    x = g.allocated
    w = None if g.weights is None else g.weights[~np.isnan(g.alloc[:, 0])]
    keep = 1.0 - np.eye(len(x))
    return weighted_means(x, keep, w)


def compatibility_interval(
    p: Prepared, wa: Array, wb: Array
) -> tuple[list[float] | None, str | None]:
    """Jackknife-t interval of 50 (1 + C) made on atanh(C) (Fisher's z), or a reason.

    se from the delete-one jackknife over both partners' allocating respondents (Arvesen 1969),
    t with min(n_A, n_B) - 1 degrees of freedom; C = +/-1 (a boundary) has no interval.
    """
    a, b = p.groups
    n = min(a.n_alloc, b.n_alloc)
    if n < rules.MIN_N_COMPAT_CI:
        return None, "n_below_minimum"
    R = p.survey.R
    c = float(stats.weighted_cosine(wa, wb, R))
    if abs(c) >= 1.0 - 1e-12:
        return None, "boundary"
    loo_a = np.arctanh(np.clip(stats.weighted_cosine(_leave_one_out(a), wb, R), -1, 1))
    loo_b = np.arctanh(np.clip(stats.weighted_cosine(wa, _leave_one_out(b), R), -1, 1))
    if not (np.isfinite(loo_a).all() and np.isfinite(loo_b).all()):
        return None, "boundary"
    se = stats.jackknife_se(loo_a, loo_b)
    half = float(sps.t.ppf(0.5 + p.confidence / 2, n - 1)) * se
    z = float(np.arctanh(c))
    return [50.0 * (1.0 + float(np.tanh(z - half))), 50.0 * (1.0 + float(np.tanh(z + half)))], None


def _profiles_json(p: Prepared, profiles: tuple[Array | None, Array | None]) -> dict[str, Profile]:
    """Both partners' profiles with per-objective logit-t intervals from MIN_N_PROFILE_CI."""
    ids = p.survey.objective_ids
    out: dict[str, Profile] = {}
    for g, w in zip(p.groups, profiles, strict=True):
        entry: Profile = {"n": g.n_alloc, "weights": None, "ci": None, "reasons": {}}
        out[g.key] = entry
        if w is None:
            entry["reasons"] = {"weights": "no_allocation", "ci": "no_allocation"}
            continue
        entry["weights"] = dict(zip(ids, w.tolist(), strict=True))
        if g.n_alloc < rules.MIN_N_PROFILE_CI:
            entry["reasons"]["ci"] = "n_below_minimum"
        elif g.weights is not None:
            entry["reasons"]["ci"] = "role_weighted"
        else:
            lh = stats.logit_t_intervals(g.allocated, p.confidence)
            cis = {o: pair(lh[0, k], lh[1, k]) for k, o in enumerate(ids)}
            entry["ci"] = cis
            missing = [o for o, ci in cis.items() if ci is None]
            if missing:
                entry["reasons"]["ci"] = "boundary"  # an objective nobody (or everybody) chose
    return out


def objectives_block(p: Prepared) -> tuple[Objectives, ObjectiveFacts]:
    """Profiles, compatibility (with CI), Kendall tau-b, overlap, shared tops, differences."""
    a, b = p.groups
    R = p.survey.R
    profiles = (
        weighted_means(a.alloc, None, a.weights) if a.n_alloc else None,
        weighted_means(b.alloc, None, b.weights) if b.n_alloc else None,
    )
    wa, wb = profiles
    reasons: Reasons = {}
    out: Objectives = {
        "profiles": _profiles_json(p, profiles),
        "compatibility": None,
        "compatibility_ci": None,
        "kendall_tau_b": None,
        "overlap": None,
        "shared_top": None,
        "differences": [],
        "reasons": reasons,
    }
    compat: float | None = None
    if wa is None or wb is None:
        for key in ("compatibility", "compatibility_ci", "kendall_tau_b", "overlap", "shared_top"):
            reasons[key] = "no_allocation"
    else:
        value, reasons_c = attempt(_compat, wa, wb, R)
        compat = num(value)
        out["compatibility"] = compat
        if reasons_c:
            reasons["compatibility"] = reasons_c
        else:
            out["compatibility_ci"], why = compatibility_interval(p, wa, wb)
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
    tests, delta, differences = _differences(p, profiles, reasons)
    out["differences"] = differences
    facts = ObjectiveFacts(
        profiles,
        compat,
        out["compatibility_ci"],
        reasons.get("compatibility_ci"),
        tests,
        delta,
        (a.n_alloc, b.n_alloc),
    )
    return out, facts


def _differences(
    p: Prepared, profiles: tuple[Array | None, Array | None], reasons: dict[str, str]
) -> tuple[Family | None, Array, list[Difference]]:
    """Per objective: b - a, Cliff's delta, and Welch p with BH q across objectives."""
    a, b = p.groups
    K = len(p.survey.objective_ids)
    wa, wb = profiles
    if wa is None or wb is None:
        reasons["differences"] = "no_allocation"
        return None, np.zeros(K), []
    delta, _ = stats.cliffs_delta_columns(b.allocated, a.allocated)
    by_role = p.survey.scoring.profile == "role_means"
    roles = (a.allocated_roles, b.allocated_roles) if by_role else None
    tests = welch_family(a.allocated, b.allocated, rules.FDR_Q, roles)
    ci = tests.welch.confidence_interval(p.confidence)
    rows: list[Difference] = []
    for k, o in enumerate(p.survey.objective_ids):
        row: Difference = {
            "objective": o,
            "difference": float(wb[k] - wa[k]),
            "difference_ci": pair(ci[0, k], ci[1, k]),
            "cliffs_delta": float(delta[k]),
            "p_value": num(tests.p[k]),
            "q_value": num(tests.q[k]),
        }
        why = tests.welch.reasons[k]
        if why:
            row["reasons"] = {"difference_ci": why, "p_value": why}
        rows.append(row)
    return tests, delta, rows
