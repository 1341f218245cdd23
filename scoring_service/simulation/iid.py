"""The simple test model: every answer independent, as raw request objects.

Likert answers are drawn independently per item from one fixed distribution on the 5 points;
allocations from a flat Dirichlet over the objectives, scaled to the total and rounded to
integers that still sum to it (largest remainder). Respondents come out as the raw objects of a
``POST /api/v1/score`` body (``partner``, ``role``, ``respondent``, ``answers``): the typical
request of the benchmarks (docs/benchmarks.md) and the input of several tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..answers import AnswerSheet
from ..surveys import Survey

LIKERT_P: NDArray[np.float64] = np.array([0.10, 0.20, 0.30, 0.25, 0.15])


def allocation(rng: np.random.Generator, k: int, total: int = 100) -> NDArray[np.int_]:
    """Flat Dirichlet shares as integer points summing to ``total`` (largest remainder)."""
    raw = rng.dirichlet(np.ones(k)) * total
    points: NDArray[np.int_] = np.floor(raw).astype(np.int_)
    short = total - points.sum()
    points[np.argsort(raw - points)[::-1][:short]] += 1
    return points


def respondent(
    survey: Survey, rng: np.random.Generator, partner: str, role: str, name: str
) -> dict[str, Any]:
    """One raw response from the test model, every item answered."""
    answers: dict[str, Any] = {}
    for item in survey.items_of("likert"):
        answers[item.id] = int(rng.choice(5, p=LIKERT_P)) + 1
    for item in survey.items_of("allocation"):
        points = allocation(rng, len(survey.objectives), item.total or 100)
        answers[item.id] = dict(zip(survey.objective_ids, map(int, points), strict=True))
    return {"partner": partner, "role": role, "respondent": name, "answers": answers}


def assessment(
    survey: Survey, rng: np.random.Generator, n_a: int, n_b: int, roles: list[str] | None = None
) -> list[dict[str, Any]]:
    """Both partners from the test model; roles cycle through ``roles`` (default: the survey's)."""
    roles = roles or list(survey.role_ids)
    return [
        respondent(survey, rng, partner, roles[k % len(roles)], f"{partner}-{k}")
        for partner, n in (("acme", n_a), ("globex", n_b))
        for k in range(n)
    ]


def plant_pull(
    survey: Survey, rng: np.random.Generator, raw: dict[str, Any], objective: str
) -> None:
    """Put 30-50 points on ``objective``, the rest spread by the model over the others."""
    item = survey.items_of("allocation")[0]
    total = item.total or 100
    focus = int(rng.integers(30, 51))
    others = [o for o in survey.objective_ids if o != objective]
    rest = allocation(rng, len(others), total - focus)
    raw["answers"][item.id] = {objective: focus, **dict(zip(others, map(int, rest), strict=True))}


def shift_dimension(survey: Survey, raw: dict[str, Any], dimension: str, by: float) -> None:
    """Shift a respondent's answers on one dimension, clipped to the scale (may leave halves)."""
    dim = next(d for d in survey.dimensions if d.id == dimension)
    for item_id in dim.items:
        value = raw["answers"][item_id] + by
        raw["answers"][item_id] = min(max(value, dim.scale.min), dim.scale.max)


def as_responses(raws: list[dict[str, Any]]) -> list[AnswerSheet]:
    """Raw objects as engine input without the API's integer check (for shifted half points)."""
    out = []
    for r in raws:
        likert = {k: float(v) for k, v in r["answers"].items() if not isinstance(v, dict | str)}
        alloc = next((v for v in r["answers"].values() if isinstance(v, dict)), None)
        out.append(
            AnswerSheet(r["partner"], r["role"], r["respondent"], likert, alloc and dict(alloc), {})
        )
    return out


def planted_conflict(survey: Survey, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Calibration scenario: 3 a side; acme's respondents put 30-50 points on speed to market,
    globex's on risk control (a `conflicts` pair), the rest from the model."""
    raw = assessment(survey, rng, 3, 3)
    for r in raw:
        plant_pull(survey, rng, r, "speed_to_market" if r["partner"] == "acme" else "risk_control")
    return raw


def planted_gap(survey: Survey, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Calibration scenario: 8 a side; globex's answers on `commitment` shifted up 1.5 points."""
    raw = assessment(survey, rng, 8, 8)
    for r in raw:
        if r["partner"] == "globex":
            shift_dimension(survey, r, "commitment", 1.5)
    return raw
