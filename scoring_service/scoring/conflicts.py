"""The ``conflicts`` list: every flag with its evidence and a sentence a manager understands.

Rules and thresholds are in :mod:`rules` and ``docs/statistics.md``. Below the minimum n for
inference a flag rests on effect size alone: ``basis`` says ``descriptive`` and severity is low,
except ``objective_conflict``, whose severity follows the size of the asymmetric pull at any n
(its basis still says ``descriptive`` below ``MIN_N_CI`` a side).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..surveys import Relation
from . import rules
from .common import flag, interval
from .dimensions import DimensionFacts
from .objectives import ObjectiveFacts
from .prepare import Prepared


def _pull(wa: Any, wb: Any, i: int, j: int) -> Any:
    """Asymmetric pull: A weights i more than B does and B weights j more than A does."""
    return np.minimum(wa[..., i] - wb[..., i], wb[..., j] - wa[..., j])


def _objective_conflict(p: Prepared, obj: ObjectiveFacts, rel: Relation) -> list[dict[str, Any]]:
    """A flag when the partners pull apart on a negative relation; a shared pull is a warning."""
    wa, wb = obj.profiles
    if wa is None or wb is None:
        return []
    ids = p.survey.objective_ids
    i, j = ids.index(rel.a), ids.index(rel.b)
    a, b = p.groups
    # Orient so that ``first`` leans to ``i`` and ``second`` to ``j``.
    if _pull(wa, wb, i, j) >= _pull(wb, wa, i, j):
        first, second, w1, w2, b1, b2 = a, b, wa, wb, obj.boot[0], obj.boot[1]
    else:
        first, second, w1, w2, b1, b2 = b, a, wb, wa, obj.boot[1], obj.boot[0]
    pull = float(_pull(w1, w2, i, j))
    if not rules.reaches(pull, rules.PULL_MIN):
        return []
    big = rules.reaches(pull, rules.PULL_HIGH)
    severity = (
        ("high" if big else "medium") if rel.kind == "conflicts" else ("medium" if big else "low")
    )
    ci = None
    if min(obj.n_alloc) >= rules.MIN_N_CI:
        ci, _ = interval(_pull(b1, b2, i, j), p.confidence)
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
    evidence = {
        "relation": rel.kind,
        "relation_weight": rel.weight,
        "rationale": rel.rationale[lang],
        "pull": pull,
        "pull_ci": ci,
        "points": pts,
        "n": {
            first.key: obj.n_alloc[p.groups.index(first)],
            second.key: obj.n_alloc[p.groups.index(second)],
        },
    }
    return [
        flag(
            "objective_conflict",
            f"{rel.a}:{rel.b}",
            severity,
            "effect_size" if min(obj.n_alloc) >= rules.MIN_N_CI else "descriptive",
            pull,
            objectives=[rel.a, rel.b],
            partners=[first.key, second.key],
            evidence=evidence,
            message=message,
        )
    ]


def _shared_tension(p: Prepared, obj: ObjectiveFacts, rel: Relation) -> dict[str, str] | None:
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


def _divergence(p: Prepared, obj: ObjectiveFacts) -> list[dict[str, Any]]:
    """Objectives the two partners weight very differently."""
    wa, wb = obj.profiles
    if wa is None or wb is None:
        return []
    a, b = p.groups
    lang = p.survey.default_language
    inferential = min(obj.n_alloc) >= rules.MIN_N_TEST
    flags = []
    for k, o in enumerate(p.survey.objectives):
        diff = float(wb[k] - wa[k])
        if inferential:
            hit = obj.q[k] <= rules.FDR_Q and rules.reaches(abs(diff), rules.DIVERGENCE_MIN)
            severity = "high" if rules.reaches(abs(diff), rules.DIVERGENCE_HIGH) else "medium"
        else:
            hit = rules.reaches(abs(diff), rules.DIVERGENCE_DESCRIPTIVE) and rules.reaches(
                abs(obj.delta[k]), 1.0
            )
            severity = "low"
        if not hit:
            continue
        hi, lo = (b, a) if diff > 0 else (a, b)
        w = {a.key: wa[k], b.key: wb[k]}
        message = (
            f"{hi.key} gives {o.label[lang]} {100 * w[hi.key]:.0f}% of its points and {lo.key} "
            f"{100 * w[lo.key]:.0f}%: ask each side why it matters so differently."
        )
        evidence = {
            "shares": {key: float(v) for key, v in w.items()},
            "difference": diff,
            "cliffs_delta": float(obj.delta[k]),
            "q_value": None if np.isnan(obj.q[k]) else float(obj.q[k]),
            "n": dict(zip((a.key, b.key), obj.n_alloc, strict=True)),
        }
        flags.append(
            flag(
                "priority_divergence",
                o.id,
                severity,
                "inferential" if inferential else "descriptive",
                abs(diff),
                objectives=[o.id],
                partners=[hi.key, lo.key],
                evidence=evidence,
                message=message,
            )
        )
    return flags


def _expectation_gaps(p: Prepared, dim: DimensionFacts) -> list[dict[str, Any]]:
    """Dimensions the two partners answer differently."""
    a, b = p.groups
    lang = p.survey.default_language
    flags = []
    for d, dimension in enumerate(p.survey.dimensions):
        gap, rng, delta = dim.gap[d], dim.ranges[d], dim.delta[d]
        if np.isnan(gap):
            continue
        inferential = min(dim.n[0][d], dim.n[1][d]) >= rules.MIN_N_TEST
        size = abs(gap) / rng
        big = rules.reaches(size, rules.GAP_HIGH) and rules.reaches(abs(delta), rules.DELTA_LARGE)
        basis = "descriptive"
        if inferential and dim.q[d] <= rules.FDR_Q and rules.reaches(size, rules.GAP_MIN):
            basis, severity = "inferential", ("high" if big else "medium")
        elif inferential and big and dim.p[d] <= rules.LARGE_GAP_P:
            # Large but not surviving the correction across dimensions: still worth a talk.
            basis, severity = "effect_size", "medium"
        elif (
            not inferential
            and rules.reaches(size, rules.GAP_DESCRIPTIVE)
            and rules.reaches(abs(delta), 1.0)
        ):
            severity = "low"
        else:
            continue
        means = {
            a.key: float(np.nanmean(a.dims[:, d])),
            b.key: float(np.nanmean(b.dims[:, d])),
        }
        scale = dimension.scale
        message = (
            f"On {dimension.label[lang]} {a.key} averages {means[a.key]:.1f} and {b.key} "
            f"{means[b.key]:.1f} on a {scale.min}-{scale.max} scale: a gap of {abs(gap):.1f} "
            "points to talk through."
        )
        evidence = {
            "means": means,
            "gap": float(gap),
            "cliffs_delta": float(delta),
            "p_value": None if np.isnan(dim.p[d]) else float(dim.p[d]),
            "q_value": None if np.isnan(dim.q[d]) else float(dim.q[d]),
            "n": {a.key: int(dim.n[0][d]), b.key: int(dim.n[1][d])},
        }
        flags.append(
            flag(
                "expectation_gap",
                dimension.id,
                severity,
                basis,
                size,
                dimensions=[dimension.id],
                partners=[a.key, b.key],
                evidence=evidence,
                message=message,
            )
        )
    return flags


def conflicts_list(
    p: Prepared, obj: ObjectiveFacts, dim: DimensionFacts, internal: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Every flag, most severe first, and the shared-tension warnings."""
    flags: list[dict[str, Any]] = []
    warnings = []
    for rel in p.survey.relations:
        if rel.weight < 0:
            found = _objective_conflict(p, obj, rel)
            flags += found
            shared = None if found else _shared_tension(p, obj, rel)
            if shared:
                warnings.append(shared)
    flags += _divergence(p, obj) + _expectation_gaps(p, dim) + internal
    flags.sort(key=lambda f: (rules.SEVERITY_RANK[f["severity"]], -f["_size"], f["id"]))
    for f in flags:
        del f["_size"]
    return flags, warnings
