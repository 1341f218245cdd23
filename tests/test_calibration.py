"""Calibration of the flags, proven by simulation (DESIGN.md section 3; docs/statistics.md).

1,000 simulated assessments per scenario from the test model in ``tests/sim.py``, fixed seed.
Flags do not depend on the bootstrap, so 200 resamples keep these quick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from scoring_service.scoring import score
from scoring_service.surveys import Survey

from .sim import as_responses, assessment, planted_conflict, planted_gap

SIMS = 1000
SEED = 20261123
BETWEEN = {"objective_conflict", "priority_divergence", "expectation_gap"}

pytestmark = pytest.mark.slow


def rate(
    survey: Survey,
    make: Callable[[np.random.Generator], list[dict[str, Any]]],
    hit: Callable[[list[dict[str, Any]]], bool],
) -> float:
    """Share of simulated assessments in which ``hit`` holds for the conflict list."""
    rng = np.random.default_rng(SEED)
    hits = sum(
        hit(score(survey, as_responses(make(rng)), n_resamples=200)["conflicts"])
        for _ in range(SIMS)
    )
    return hits / SIMS


def test_null_between_partners_flags_are_rare(default_survey: Survey) -> None:
    observed = rate(
        default_survey,
        lambda rng: assessment(default_survey, rng, 5, 5),
        lambda flags: any(f["kind"] in BETWEEN for f in flags),
    )
    assert observed <= 0.08, observed


def test_null_internal_conflict_is_rare(default_survey: Survey) -> None:
    observed = rate(
        default_survey,
        lambda rng: assessment(default_survey, rng, 5, 5),
        lambda flags: any(
            f["kind"] == "internal_conflict" and f["partners"] == ["acme"] for f in flags
        ),
    )
    assert observed <= 0.08, observed


def test_planted_objective_conflict_is_found_at_three_a_side(default_survey: Survey) -> None:
    pair = {"speed_to_market", "risk_control"}
    observed = rate(
        default_survey,
        lambda rng: planted_conflict(default_survey, rng),
        lambda flags: any(
            f["kind"] == "objective_conflict" and set(f["objectives"]) == pair for f in flags
        ),
    )
    assert observed >= 0.965, observed


def test_planted_expectation_gap_is_found_at_eight_a_side(default_survey: Survey) -> None:
    dimension = next(d for d in default_survey.dimensions if d.id == "commitment")
    reversed_items = [i for i in default_survey.items_of("likert") if i.reverse]
    assert not any(i.id in dimension.items for i in reversed_items)  # "up" means up

    observed = rate(
        default_survey,
        lambda rng: planted_gap(default_survey, rng),
        lambda flags: any(
            f["kind"] == "expectation_gap" and f["dimensions"] == ["commitment"] for f in flags
        ),
    )
    assert observed >= 0.80, observed
