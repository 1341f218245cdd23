"""The ``conflicts`` list: every flag with its evidence and a sentence a manager understands.

Every flag is a test decision at a declared level plus a minimum effect (``rules``,
docs/statistics.md section 8): its ``basis`` is ``inferential`` and its evidence carries the
p-value and the level. Severity is a decision too: ``high`` only when the effect is beyond the
high threshold at 95% confidence, never from a point estimate alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..surveys import Relation
from . import rules
from .common import Family, Flag
from .dimensions import DimensionFacts
from .document import (
    Conflict,
    DivergenceEvidence,
    GapEvidence,
    ObjectiveConflictEvidence,
    ResultWarning,
    Severity,
)
from .objectives import ObjectiveFacts
from .prepare import Prepared


def _pull(wa: Any, wb: Any, i: int, j: int) -> Any:
    """Asymmetric pull: A weights i more than B does and B weights j more than A does."""
    return np.minimum(wa[..., i] - wb[..., i], wb[..., j] - wa[..., j])


def _one_sided(tests: Family, k: int, sign: int, null: float) -> float:
    """p of ``sign * (b - a) > null`` on objective k (sign +1: b weights it more)."""
    w = tests.welch
    alternative = "greater" if sign > 0 else "less"
    return float(w.conservative_pvalue(alternative, sign * null)[k])


def _iut(tests: Family, i: int, j: int, sign: int, null: float) -> float:
    """Intersection-union p of a pull: the larger of its two one-sided p (Berger 1982).

    sign +1: A leans to i and B to j, that is (b - a) < 0 on i and > 0 on j."""
    both = (_one_sided(tests, i, -sign, null), _one_sided(tests, j, sign, null))
    return float("nan") if np.isnan(both).any() else max(both)


def _objective_conflict(p: Prepared, obj: ObjectiveFacts, rel: Relation) -> list[Flag]:
    """A flag when the partners pull apart on a negative relation: both differences of the
    pull significantly above PULL_MARGIN (one-sided Welch at CONFLICT_ALPHA each) and the pull
    at least PULL_MIN."""
    wa, wb = obj.profiles
    tests = obj.tests
    if wa is None or wb is None or tests is None:
        return []
    ids = p.survey.objective_ids
    i, j = ids.index(rel.a), ids.index(rel.b)
    a, b = p.groups
    # Orient so that ``first`` leans to ``i`` and ``second`` to ``j``.
    sign = 1 if _pull(wa, wb, i, j) >= _pull(wb, wa, i, j) else -1
    first, second, w1, w2 = (a, b, wa, wb) if sign > 0 else (b, a, wb, wa)
    pull = float(_pull(w1, w2, i, j))
    p_value = _iut(tests, i, j, sign, rules.PULL_MARGIN)
    if not (rules.reaches(pull, rules.PULL_MIN) and p_value <= rules.CONFLICT_ALPHA):
        return []
    big = _iut(tests, i, j, sign, rules.PULL_HIGH) <= rules.CONFLICT_ALPHA
    severity: Severity = (
        ("high" if big else "medium") if rel.kind == "conflicts" else ("medium" if big else "low")
    )
    lang = p.survey.default_language
    label = p.survey.labels
    total = p.survey.allocation_total
    pts = {
        g.key: {rel.a: round(float(w[i] * total), 2), rel.b: round(float(w[j] * total), 2)}
        for g, w in ((first, w1), (second, w2))
    }
    step = f": {rel.next_step[lang]}" if rel.next_step else "."
    word = "conflicting" if rel.kind == "conflicts" else "in tension"
    message = (
        f"{first.key} weights {label[rel.a]} more ({pts[first.key][rel.a]:.0f} v "
        f"{pts[second.key][rel.a]:.0f} points) and {second.key} weights {label[rel.b]} more "
        f"({pts[second.key][rel.b]:.0f} v {pts[first.key][rel.b]:.0f}), objectives the survey "
        f"marks as {word}{step}"
    )
    evidence: ObjectiveConflictEvidence = {
        "relation": rel.kind,
        "relation_weight": rel.weight,
        "rationale": rel.rationale[lang],
        "pull": pull,
        "p_value": p_value,
        "p_values": {
            rel.a: _one_sided(tests, i, -sign, rules.PULL_MARGIN),
            rel.b: _one_sided(tests, j, sign, rules.PULL_MARGIN),
        },
        "margin": rules.PULL_MARGIN,
        "level": rules.CONFLICT_ALPHA,
        "points": pts,
        "n": {
            first.key: obj.n_alloc[p.groups.index(first)],
            second.key: obj.n_alloc[p.groups.index(second)],
        },
    }
    return [
        Flag(
            "objective_conflict",
            severity,
            pull,
            evidence,
            message,
            objectives=(rel.a, rel.b),
            partners=(first.key, second.key),
        )
    ]


def _shared_tension(p: Prepared, obj: ObjectiveFacts, rel: Relation) -> ResultWarning | None:
    """A warning when both partners put much weight on both sides of a negative relation."""
    wa, wb = obj.profiles
    if wa is None or wb is None:
        return None
    ids = p.survey.objective_ids
    i, j = ids.index(rel.a), ids.index(rel.b)
    if min(wa[i], wa[j], wb[i], wb[j]) < rules.SHARED_TENSION:
        return None
    lang = p.survey.default_language
    label = p.survey.labels
    step = f" Suggested next step: {rel.next_step[lang]}" if rel.next_step else ""
    return {
        "code": "shared_tension",
        "message": f"Both partners put weight on {label[rel.a]} and {label[rel.b]}, which the "
        f"survey marks as {rel.kind}: {rel.rationale[lang]}{step}",
    }


def _beyond(family: Family, k: int, size: float) -> bool:
    """Whether the difference in column k is beyond ``size`` in its own direction, one-sided at
    CONFLICT_ALPHA: the lower 95% bound of |difference| exceeds ``size``."""
    sign = 1.0 if family.welch.difference[k] > 0 else -1.0
    alternative = "greater" if sign > 0 else "less"
    p = float(family.welch.conservative_pvalue(alternative, sign * size)[k])
    return p <= rules.CONFLICT_ALPHA


def _divergence(p: Prepared, obj: ObjectiveFacts) -> list[Flag]:
    """Objectives the two partners weight very differently: BH q <= FDR_Q and the difference
    at least DIVERGENCE_MIN; high when it is beyond DIVERGENCE_HIGH at 95%."""
    wa, wb = obj.profiles
    tests = obj.tests
    if wa is None or wb is None or tests is None:
        return []
    a, b = p.groups
    lang = p.survey.default_language
    flags = []
    for k, o in enumerate(p.survey.objectives):
        diff = float(wb[k] - wa[k])
        if not (tests.q[k] <= rules.FDR_Q and rules.reaches(abs(diff), rules.DIVERGENCE_MIN)):
            continue
        severity: Severity = "high" if _beyond(tests, k, rules.DIVERGENCE_HIGH) else "medium"
        hi, lo = (b, a) if diff > 0 else (a, b)
        w = {a.key: wa[k], b.key: wb[k]}
        message = (
            f"{hi.key} gives {o.label[lang]} {100 * w[hi.key]:.0f}% of its points and {lo.key} "
            f"{100 * w[lo.key]:.0f}%: ask each side why it matters so differently."
        )
        evidence: DivergenceEvidence = {
            "shares": {key: float(v) for key, v in w.items()},
            "difference": diff,
            "cliffs_delta": float(obj.delta[k]),
            "p_value": float(tests.p[k]),
            "q_value": float(tests.q[k]),
            "level": rules.FDR_Q,
            "n": dict(zip((a.key, b.key), obj.n_alloc, strict=True)),
        }
        flags.append(
            Flag(
                "priority_divergence",
                severity,
                abs(diff),
                evidence,
                message,
                objectives=(o.id,),
                partners=(hi.key, lo.key),
            )
        )
    return flags


def _expectation_gaps(p: Prepared, dim: DimensionFacts) -> list[Flag]:
    """Dimensions the two partners answer differently: BH q <= FDR_Q and the gap at least
    GAP_MIN of the range; high when it is beyond GAP_HIGH of the range at 95%."""
    a, b = p.groups
    lang = p.survey.default_language
    tests = dim.tests
    flags = []
    for d, dimension in enumerate(p.survey.dimensions):
        gap, rng = dim.gap[d], dim.ranges[d]
        if not (tests.q[d] <= rules.FDR_Q and rules.reaches(abs(gap) / rng, rules.GAP_MIN)):
            continue
        severity: Severity = "high" if _beyond(tests, d, rules.GAP_HIGH * rng) else "medium"
        means = {a.key: float(dim.means[0][d]), b.key: float(dim.means[1][d])}
        scale = dimension.scale
        message = (
            f"On {dimension.label[lang]} {a.key} averages {means[a.key]:.1f} and {b.key} "
            f"{means[b.key]:.1f} on a {scale.min}-{scale.max} scale: a gap of {abs(gap):.1f} "
            "points to talk through."
        )
        evidence: GapEvidence = {
            "means": means,
            "gap": float(gap),
            "cliffs_delta": float(dim.delta[d]),
            "p_value": float(tests.p[d]),
            "q_value": float(tests.q[d]),
            "level": rules.FDR_Q,
            "n": {a.key: int(dim.n[0][d]), b.key: int(dim.n[1][d])},
        }
        flags.append(
            Flag(
                "expectation_gap",
                severity,
                float(abs(gap) / rng),
                evidence,
                message,
                dimensions=(dimension.id,),
                partners=(a.key, b.key),
            )
        )
    return flags


def conflicts_list(
    p: Prepared, obj: ObjectiveFacts, dim: DimensionFacts, more: list[Flag]
) -> tuple[list[Conflict], list[ResultWarning]]:
    """Every flag, most severe first, and the shared-tension warnings."""
    flags: list[Flag] = []
    warnings = []
    for rel in p.survey.relations:
        if rel.weight < 0:
            found = _objective_conflict(p, obj, rel)
            flags += found
            shared = None if found else _shared_tension(p, obj, rel)
            if shared:
                warnings.append(shared)
    flags += _divergence(p, obj) + _expectation_gaps(p, dim) + more
    flags.sort(key=Flag.sort_key)
    return [f.to_json() for f in flags], warnings
