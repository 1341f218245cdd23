"""``internal_conflict`` flags: roles inside one partner that pull apart.

Two permutation tests of the role labels per partner (docs/statistics.md, section 8.5), each at
``INTERNAL_ALPHA / 2`` so that a partner gets a false flag in at most ``INTERNAL_ALPHA`` of
assessments whatever its people's response styles:

- dimensions: the between-role sum of squares of respondent-centred dimension scores (each
  respondent's scores minus their own mean, so a style that lifts every answer cancels);
- objectives: the between-role sum of squares of allocation shares in the survey's relation
  metric R (pulling apart on a conflicting pair counts most).

When the test rejects, the flag names the pair of roles that differs most, and only if that pair
reaches the minimum effect (a point on a 1-5 dimension; a pull of ``PULL_MIN`` on a negative
relation). Where the smallest p-value the role sizes allow exceeds the level, no test is run and
the partner's ``consensus`` reasons say ``too_few_per_role``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .. import stats
from ..surveys import Relation
from . import rules
from .common import Array, Flag
from .document import InternalDimensionsEvidence, InternalObjectivesEvidence
from .prepare import Group, Prepared

LEVEL = rules.INTERNAL_ALPHA / 2  # each of the two tests of a partner


def _role_means(x: Array, roles: list[str]) -> dict[str, tuple[Array, int]]:
    """Column means (NaN omitted) and size of each role, in sorted role order."""
    out = {}
    for role in sorted(set(roles)):
        rows = x[[k for k, r in enumerate(roles) if r == role]]
        with np.errstate(invalid="ignore"):
            present = ~np.isnan(rows)
            mean = np.where(present, rows, 0.0).sum(axis=0) / present.sum(axis=0)
        out[role] = (mean, len(rows))
    return out


def _test(
    p: Prepared, g: Group, name: str, x: Array, roles: list[str], metric: Array | None
) -> tuple[float | None, str | None]:
    """(p-value, reason) of one permutation test of the role labels; ``method.tests_run``
    records whether it was exact."""
    sizes = [roles.count(r) for r in sorted(set(roles))]
    if len(sizes) < 2:
        return None, "fewer_than_two_roles"
    if stats.p_floor(sizes) > LEVEL:
        return None, "too_few_per_role"
    result = stats.group_permutation_test(
        x, roles, metric=metric, n_resamples=p.n_resamples, rng=g.rng(p.seed)
    )
    p.tests_run[f"internal_conflict.{g.key}.{name}"] = "exact" if result.exact else "monte_carlo"
    return result.pvalue, None


def _farthest(means: dict[str, tuple[Array, int]], metric: Array | None) -> tuple[str, str]:
    """The pair of roles with the largest n_r n_s / (n_r + n_s) d' M d (d their mean difference),
    the pair's share of the between-role sum of squares; ties go to the first pair by name."""
    best, pair = -1.0, ("", "")
    for r, s in combinations(sorted(means), 2):
        (mr, nr), (ms, ns) = means[r], means[s]
        d = np.nan_to_num(mr - ms)
        size = nr * ns / (nr + ns) * float(d @ d if metric is None else d @ metric @ d)
        if size > best + rules.TOLERANCE:
            best, pair = size, (r, s)
    return pair


def _dimension_flag(p: Prepared, g: Group, reasons: dict[str, str]) -> list[Flag]:
    """Roles whose respondent-centred dimension scores differ."""
    keep = np.asarray(~np.isnan(g.dims).all(axis=1), dtype=bool)
    with np.errstate(invalid="ignore"):
        x = g.dims[keep] - np.nanmean(g.dims[keep], axis=1, keepdims=True)
    roles = [r for r, k in zip(g.roles, keep, strict=True) if k]
    p_value, why = _test(p, g, "dimensions", x, roles, None)
    if why:
        reasons["internal_conflict.dimensions"] = why
    if p_value is None or p_value > LEVEL:
        return []
    means = _role_means(x, roles)
    r, s = _farthest(means, None)
    ranges = np.array([float(d.scale.range) for d in p.survey.dimensions])
    diff = means[s][0] - means[r][0]
    with np.errstate(invalid="ignore"):
        far = np.abs(diff) >= rules.INTERNAL_DIM_MIN * ranges - rules.TOLERANCE
    dims = [d.id for d, hit in zip(p.survey.dimensions, far, strict=True) if hit]
    if not dims:
        return []
    names = p.survey.labels
    message = (
        f"Inside {g.key}, {names[r]} and {names[s]} see {len(dims)} "
        f"dimension{'s' if len(dims) > 1 else ''} differently ({', '.join(dims)}): align them "
        "internally before the joint review."
    )
    evidence: InternalDimensionsEvidence = {
        "rule": "dimensions",
        "p_value": p_value,
        "level": LEVEL,
        "differences": {
            d.id: float(diff[k]) for k, d in enumerate(p.survey.dimensions) if d.id in dims
        },
        "n": {r: means[r][1], s: means[s][1]},
    }
    return [
        Flag(
            "internal_conflict",
            "medium",
            len(dims) / len(ranges),
            evidence,
            message,
            dimensions=tuple(dims),
            partners=(g.key,),
            roles=(r, s),
        )
    ]


def _objective_flag(p: Prepared, g: Group, reasons: dict[str, str]) -> list[Flag]:
    """Roles whose priorities pull apart on a negative relation."""
    keep = ~np.isnan(g.alloc[:, 0]) if g.alloc.size else np.zeros(g.n, dtype=bool)
    roles = [r for r, k in zip(g.roles, keep, strict=True) if k]
    if not roles:
        reasons["internal_conflict.objectives"] = "no_allocation"
        return []
    R = p.survey.R
    p_value, why = _test(p, g, "objectives", g.allocated, roles, R)
    if why:
        reasons["internal_conflict.objectives"] = why
    if p_value is None or p_value > LEVEL:
        return []
    means = _role_means(g.allocated, roles)
    r, s = _farthest(means, R)
    ids = p.survey.objective_ids
    best: tuple[float, Relation, str, str] | None = None
    for rel in (x for x in p.survey.relations if x.weight < 0):
        i, j = ids.index(rel.a), ids.index(rel.b)
        for to_i, to_j in ((r, s), (s, r)):
            mi, mj = means[to_i][0], means[to_j][0]
            pull = float(min(mi[i] - mj[i], mj[j] - mi[j]))
            if best is None or pull > best[0] + rules.TOLERANCE:
                best = (pull, rel, to_i, to_j)
    if best is None or not rules.reaches(best[0], rules.PULL_MIN):
        return []
    pull, rel, to_i, to_j = best
    lang = p.survey.default_language
    names = p.survey.labels
    step = f": {rel.next_step[lang]}" if rel.next_step else "."
    word = "conflicting" if rel.kind == "conflicts" else "in tension"
    message = (
        f"Inside {g.key}, {names[to_i]} leans to {names[rel.a]} and {names[to_j]} to "
        f"{names[rel.b]}, which the survey marks as {word}{step}"
    )
    evidence: InternalObjectivesEvidence = {
        "rule": "objectives",
        "relation": rel.kind,
        "p_value": p_value,
        "level": LEVEL,
        "pull": pull,
        "n": {to_i: means[to_i][1], to_j: means[to_j][1]},
    }
    return [
        Flag(
            "internal_conflict",
            "medium",
            pull,
            evidence,
            message,
            objectives=(rel.a, rel.b),
            partners=(g.key,),
            roles=(to_i, to_j),
        )
    ]


def internal_flags(p: Prepared) -> tuple[list[Flag], dict[str, dict[str, str]]]:
    """Internal conflicts of both partners, and per partner the reasons of tests not run."""
    flags: list[Flag] = []
    reasons: dict[str, dict[str, str]] = {}
    for g in p.groups:
        reasons[g.key] = {}
        flags += _objective_flag(p, g, reasons[g.key]) + _dimension_flag(p, g, reasons[g.key])
    return flags, reasons
