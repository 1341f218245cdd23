"""Survey + responses -> result document. Pure and deterministic; no Flask, no database.

>>> result = score(survey, responses)          # doctest: +SKIP
>>> result["alignment"]["score"], result["conflicts"][0]["message"]   # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any, cast

from ..answers import AnswerSheet
from ..surveys import Survey
from . import rules
from .alignment import alignment_block
from .conflicts import conflicts_list
from .consensus import consensus_block
from .dimensions import dimensions_block
from .document import Method, Result, ResultWarning, SampleEntry
from .internal import internal_flags
from .objectives import objectives_block
from .prepare import Group, Prepared, prepare
from .shared import shared_findings

ENGINE_VERSION = "2.1.0"
_VERSIONS = {name: version(name) for name in ("numpy", "scipy", "krippendorff")}

__all__ = ["ENGINE_VERSION", "Result", "score"]


def score(
    survey: Survey,
    responses: list[AnswerSheet],
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> Result:
    """Score validated responses of exactly two partners against ``survey``.

    The document has the blocks ``alignment``, ``objectives``, ``dimensions``, ``consensus``,
    ``conflicts``, ``strengths``, ``sample``, ``warnings`` and ``method``; a statistic that
    cannot be computed is null and its block's ``reasons`` says why. See docs/statistics.md;
    ``scoring.document`` types every block.
    """
    p = prepare(survey, responses, n_resamples, confidence)
    objectives, obj = objectives_block(p)
    dimensions, dim = dimensions_block(p)
    internal, not_run = internal_flags(p)
    consensus = consensus_block(p, internal, not_run)
    shared, strengths = shared_findings(p)
    conflicts, warnings = conflicts_list(p, obj, dim, internal + shared)
    doc: Result = {
        "survey": {"id": survey.id, "version": survey.version},
        "partners": [g.key for g in p.groups],
        "alignment": alignment_block(p, obj, dim),
        "objectives": objectives,
        "dimensions": dimensions,
        "consensus": consensus,
        "conflicts": conflicts,
        "strengths": strengths,
        "sample": _sample(p),
        "warnings": _warnings(p) + warnings,
        "method": _method(p),
    }
    return cast(Result, tidy(doc))


# Probabilities keep their small values (a p-value of 1e-12 is not 0); every other figure is on
# a scale (1-5, 0-100 points, -1..1) where a value under 1e-10 is arithmetic noise.
PROBABILITIES = frozenset(("p_value", "q_value", "p_values", "rwg_j_p"))
DECIMALS = 10
DIGITS = 10


def tidy(value: Any, probability: bool = False) -> Any:
    """The document with its floats rounded once, where it is assembled: probabilities to
    ``DIGITS`` significant digits, every other figure to ``DECIMALS`` decimal places and then
    ``DIGITS`` significant digits, so that float noise (``4.440892098500626e-16``,
    ``99.99999999999999``) reads as the number it is (``0.0``, ``100.0``).

    Every decision (flags, bands) is taken before, on the unrounded figures; rounding is
    monotone, so an interval still holds its estimate. ``stats/`` is never rounded.

    >>> tidy({"gap": 4.440892098500626e-16, "agreement": 99.99999999999999, "p_value": 1.234e-12})
    {'gap': 0.0, 'agreement': 100.0, 'p_value': 1.234e-12}
    """
    if isinstance(value, float):
        if not probability:
            value = round(value, DECIMALS)
        return float(f"{value:.{DIGITS}g}") + 0.0  # + 0.0: no -0.0
    if isinstance(value, dict):
        return {k: tidy(v, probability or k in PROBABILITIES) for k, v in value.items()}
    if isinstance(value, list):
        return [tidy(v, probability) for v in value]
    return value


def _sample(p: Prepared) -> dict[str, SampleEntry]:
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


def _warnings(p: Prepared) -> list[ResultWarning]:
    """Sample-size and composition warnings."""
    a, b = p.groups
    n = min(a.n, b.n)
    out: list[ResultWarning] = []
    if n < rules.MIN_N_WELCH:
        out.append(
            {
                "code": "no_tests",
                "message": f"Tests and intervals need {rules.MIN_N_WELCH} respondents a side; "
                f"the smaller partner has {n}, so no difference between the partners can be "
                "flagged: the figures describe the people who answered.",
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


def _method(p: Prepared) -> Method:
    """How the numbers were made, so that they can be reproduced."""
    return {
        "engine_version": ENGINE_VERSION,
        "confidence": p.confidence,
        "seed": p.seed,
        "permutations": p.n_resamples,
        "interval": "Welch t for gaps and differences; logit t for profile shares; "
        "jackknife t on Fisher's z for compatibility",
        "test": "Welch t-tests: gaps and divergences with Benjamini-Hochberg at "
        f"q = {rules.FDR_Q}; objective conflicts as an intersection-union test, one-sided at "
        f"{rules.CONFLICT_ALPHA} per difference; internal conflicts as permutation tests of the "
        f"role labels at {rules.INTERNAL_ALPHA / 2} each",
        "tests_run": dict(p.tests_run),
        "profile": p.survey.scoring.profile,
        "min_n": {
            "test": rules.MIN_N_WELCH,
            "compatibility_interval": rules.MIN_N_COMPAT_CI,
            "profile_interval": rules.MIN_N_PROFILE_CI,
            "consensus": rules.MIN_N_CONSENSUS,
        },
        "versions": dict(_VERSIONS),
    }
