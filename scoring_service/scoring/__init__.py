"""Survey + responses -> result document. Pure and deterministic; no Flask, no database.

>>> result = score(survey, responses)          # doctest: +SKIP
>>> result["alignment"]["score"], result["conflicts"][0]["message"]   # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from ..responses import Response
from ..surveys import Survey
from . import rules
from .alignment import alignment_block
from .conflicts import conflicts_list
from .consensus import consensus_block
from .dimensions import dimensions_block
from .internal import internal_flags
from .objectives import objectives_block
from .prepare import Group, Prepared, prepare

ENGINE_VERSION = "1.0.0"
_VERSIONS = {name: version(name) for name in ("numpy", "scipy", "krippendorff")}

__all__ = ["ENGINE_VERSION", "score"]


def score(
    survey: Survey,
    responses: list[Response],
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Score validated responses of exactly two partners against ``survey``.

    The document has the blocks ``alignment``, ``objectives``, ``dimensions``, ``consensus``,
    ``conflicts``, ``sample``, ``warnings`` and ``method``; a statistic that cannot be computed
    is null and its block's ``reasons`` says why. See docs/statistics.md.
    """
    p = prepare(survey, responses, n_resamples, confidence)
    objectives, obj = objectives_block(p)
    dimensions, dim = dimensions_block(p)
    consensus, roles = consensus_block(p)
    internal = internal_flags(p, roles)
    conflicts, warnings = conflicts_list(p, obj, dim, internal)
    for key, block in consensus.items():
        block["internal_conflict"] = any(
            f["kind"] == "internal_conflict" and f["partners"] == [key] for f in conflicts
        )
    return {
        "survey": {"id": survey.id, "version": survey.version},
        "partners": [g.key for g in p.groups],
        "alignment": alignment_block(p, obj, dim),
        "objectives": objectives,
        "dimensions": dimensions,
        "consensus": consensus,
        "conflicts": conflicts,
        "sample": _sample(p),
        "warnings": _warnings(p) + warnings,
        "method": _method(p),
    }


def _sample(p: Prepared) -> dict[str, Any]:
    """Respondents per partner and role."""
    return {
        g.key: {
            "n": g.n,
            "with_allocation": g.n_alloc,
            "roles": {r: g.roles.count(r) for r in sorted(set(g.roles))},
        }
        for g in p.groups
    }


def _role_mix_differs(a: Group, b: Group) -> bool:
    """Total variation distance of the two role mixes of at least 0.25."""
    roles = set(a.roles) | set(b.roles)
    tv = 0.5 * sum(abs(a.roles.count(r) / a.n - b.roles.count(r) / b.n) for r in roles)
    return tv >= 0.25


def _warnings(p: Prepared) -> list[dict[str, str]]:
    """Sample-size and composition warnings."""
    a, b = p.groups
    n = min(a.n, b.n)
    out = []
    if n < rules.MIN_N_CI:
        out.append(
            {
                "code": "no_intervals",
                "message": f"Intervals need {rules.MIN_N_CI} respondents a side; "
                f"the smaller partner has {n}.",
            }
        )
    elif n < rules.SMALL_N_WARNING:
        out.append(
            {
                "code": "small_sample_intervals",
                "message": f"With fewer than {rules.SMALL_N_WARNING} respondents a side the "
                "intervals are narrower than they should be (see docs/statistics.md, coverage).",
            }
        )
    if n < rules.MIN_N_TEST:
        out.append(
            {
                "code": "descriptive_flags",
                "message": f"Below {rules.MIN_N_TEST} respondents a side no test is run: gap and "
                "divergence flags rest on effect size alone and are marked descriptive.",
            }
        )
    if _role_mix_differs(a, b):
        out.append(
            {
                "code": "role_mix_differs",
                "message": f"{a.key} and {b.key} answered with different mixes of roles, so "
                "part of any difference may be a difference of who answered.",
            }
        )
    return out


def _method(p: Prepared) -> dict[str, Any]:
    """How the numbers were made, so that they can be reproduced."""
    return {
        "engine_version": ENGINE_VERSION,
        "resamples": p.n_resamples,
        "confidence": p.confidence,
        "seed": p.seed,
        "interval": "percentile bootstrap, respondents resampled within each partner",
        "test": "permutation test of the difference of means (exact up to "
        f"{rules.MAX_EXACT} splits, else {rules.N_PERMUTATIONS} random permutations, or its "
        f"normal limit from {rules.NORMAL_FROM} a side), Benjamini-Hochberg at q = {rules.FDR_Q}",
        "tests_run": dict(p.tests_run),
        "profile": p.survey.scoring.profile,
        "min_n": {
            "interval": rules.MIN_N_CI,
            "test": rules.MIN_N_TEST,
            "consensus": rules.MIN_N_CONSENSUS,
            "role": rules.MIN_N_ROLE,
        },
        "versions": dict(_VERSIONS),
    }
