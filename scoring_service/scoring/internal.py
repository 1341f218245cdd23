"""``internal_conflict`` flags: roles inside one partner that pull apart.

Two rules, both on role means (documented in docs/statistics.md):
- objectives: on a ``conflicts`` relation (i, j), some role leans to i (mean share of i minus
  share of j at least ``INTERNAL_LEAN``) while another leans as far to j;
- dimensions: two roles whose means differ by ``INTERNAL_DIM_GAP`` of the scale range on at least
  ``INTERNAL_DIM_COUNT`` dimensions.
With fewer than ``MIN_N_ROLE`` respondents in either role the contrast is descriptive (low).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import rules
from .common import flag
from .consensus import RoleFacts
from .prepare import Prepared


def _basis(*sizes: int) -> tuple[str, bool]:
    """('descriptive', True) when any role is below MIN_N_ROLE respondents."""
    small = min(sizes) < rules.MIN_N_ROLE
    return ("descriptive" if small else "effect_size"), small


def _objective_rule(p: Prepared, key: str, facts: RoleFacts) -> list[dict[str, Any]]:
    """Roles leaning to opposite sides of a negative relation."""
    if len(facts.profiles) < 2:
        return []
    ids = p.survey.objective_ids
    lang = p.survey.default_language
    names = p.survey.labels
    flags = []
    for rel in (r for r in p.survey.relations if r.kind == "conflicts"):
        i, j = ids.index(rel.a), ids.index(rel.b)
        lean = {role: float(w[i] - w[j]) for role, w in facts.profiles.items()}
        to_i = max(lean, key=lambda r: (lean[r], r))
        to_j = min(lean, key=lambda r: (lean[r], r))
        if not (
            rules.reaches(lean[to_i], rules.INTERNAL_LEAN)
            and rules.reaches(-lean[to_j], rules.INTERNAL_LEAN)
        ):
            continue
        basis, small = _basis(facts.profile_n[to_i], facts.profile_n[to_j])
        severity = "low" if small else "high"
        step = f": {rel.next_step[lang]}" if rel.next_step else "."
        note = f" (under {rules.MIN_N_ROLE} respondents in a role: descriptive)" if small else ""
        message = (
            f"Inside {key}, {names[to_i]} leans to {names[rel.a]} and {names[to_j]} to "
            f"{names[rel.b]}, which the survey marks as conflicting"
            f"{note}{step}"
        )
        evidence = {
            "rule": "objectives",
            "relation": rel.kind,
            "lean": {to_i: lean[to_i], to_j: lean[to_j]},
            "n": {to_i: facts.profile_n[to_i], to_j: facts.profile_n[to_j]},
        }
        flags.append(
            flag(
                "internal_conflict",
                f"{key}:{rel.a}:{rel.b}",
                severity,
                basis,
                lean[to_i] - lean[to_j],
                objectives=[rel.a, rel.b],
                partners=[key],
                roles=[to_i, to_j],
                evidence=evidence,
                message=message,
            )
        )
    return flags


def _dimension_rule(p: Prepared, key: str, facts: RoleFacts) -> list[dict[str, Any]]:
    """The pair of roles that disagrees on the most dimensions, if that is several."""
    roles = sorted(facts.dims)
    if len(roles) < 2:
        return []
    ranges = np.array([float(d.scale.range) for d in p.survey.dimensions])
    means = np.array([facts.dims[r] for r in roles])  # (roles, dimensions)
    with np.errstate(invalid="ignore"):  # NaN (no data) is never far
        far = np.abs(means[:, None, :] - means[None, :, :]) >= (
            rules.INTERNAL_DIM_GAP * ranges - rules.TOLERANCE
        )
    counts = np.triu(far.sum(axis=2), k=1)  # each pair once, (r, s) with r before s
    first, second = np.unravel_index(int(np.argmax(counts)), counts.shape)  # first pair on ties
    count = int(counts[first, second])
    if count < rules.INTERNAL_DIM_COUNT:
        return []
    r, s = roles[first], roles[second]
    dims = [d.id for d, hit in zip(p.survey.dimensions, far[first, second], strict=True) if hit]
    names = p.survey.labels
    basis, small = _basis(facts.dims_n[r], facts.dims_n[s])
    note = f" (under {rules.MIN_N_ROLE} respondents in a role: descriptive)" if small else ""
    message = (
        f"Inside {key}, {names[r]} and {names[s]} answer {count} dimensions at least half the "
        f"scale apart{note}: align them internally before the joint review."
    )
    evidence = {"rule": "dimensions", "count": count, "n": {r: facts.dims_n[r], s: facts.dims_n[s]}}
    return [
        flag(
            "internal_conflict",
            f"{key}:{r}:{s}",
            "low" if small else "medium",
            basis,
            count / len(ranges),
            dimensions=dims,
            partners=[key],
            roles=[r, s],
            evidence=evidence,
            message=message,
        )
    ]


def internal_flags(p: Prepared, facts: dict[str, RoleFacts]) -> list[dict[str, Any]]:
    """Internal conflicts of both partners."""
    flags = []
    for key, f in facts.items():
        flags += _objective_rule(p, key, f) + _dimension_rule(p, key, f)
    return flags
