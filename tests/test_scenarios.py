"""The scenario table of docs/statistics.md section 7, row by row.

Each scenario is 30 respondents a side (one, 5) drawn (fixed seed) from answering models of
``scoring_service/simulation/realistic.py``: priorities concentrated on chosen objectives
(Dirichlet 8, or 30 for the disjoint rows, on them, 1 elsewhere), Likert answers from the test
model, moved where the scenario says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from scoring_service.scoring import score
from scoring_service.simulation import realistic as G
from scoring_service.surveys import Survey

N = 30
SEED = 20261130


def _lean(*objectives: str, weight: float = 8.0, **more: Any) -> G.Model:
    return G.Model(focus_alpha=dict.fromkeys(objectives, weight), **more)


def scenario(s: Survey, name: str) -> list[Any]:
    """The responses of one row."""
    rng = np.random.default_rng(SEED + sum(map(ord, name)))
    if name == "two_camps":
        fast = G.partner(s, _lean("speed_to_market"), "acme", ["it"] * (N // 2), rng)
        careful = G.partner(s, _lean("risk_control"), "acme", ["legal"] * (N // 2), rng)
        other = G.partner(s, _lean("speed_to_market", "risk_control"), "globex", ["it"] * N, rng)
        return [
            *(
                r.__class__(r.partner, r.role, f"f{k}", r.likert, r.allocation)
                for k, r in enumerate(fast)
            ),
            *careful,
            *other,
        ]
    n = 5 if name == "identical_at_5" else N
    a, b = {
        "identical": (_lean("revenue_growth", "market_access"),) * 2,
        "identical_at_5": (_lean("revenue_growth", "market_access"),) * 2,
        "disjoint_unrelated": (
            _lean("market_access", weight=30),
            _lean("operational_efficiency", weight=30),
        ),
        "disjoint_supporting": (
            _lean("revenue_growth", weight=30),
            _lean("market_access", weight=30),
        ),
        "opposed_conflicting": (
            _lean("speed_to_market", weight=30),
            _lean("risk_control", weight=30),
        ),
        "shared_tension": (_lean("speed_to_market", "risk_control"),) * 2,
        "expectation_gap": (
            _lean("revenue_growth", "market_access"),
            _lean(
                "revenue_growth",
                "market_access",
                shifts=dict.fromkeys([d.id for d in s.dimensions], -1.6),
            ),
        ),
    }[name]
    return G.assessment(s, rng, n, n, a, b)


# name -> (band, bands_in_ci, compatibility band, expectations band)
ROWS: dict[str, tuple[str | None, list[str], str | None, str | None]] = {
    "identical": ("strong", ["strong"], "strong", "strong"),
    "identical_at_5": (None, ["strong", "moderate", "weak"], "strong", None),
    "disjoint_unrelated": ("weak", ["weak"], "weak", "strong"),
    "disjoint_supporting": ("moderate", ["moderate"], "moderate", "strong"),
    "opposed_conflicting": ("weak", ["weak"], "weak", "strong"),
    "shared_tension": ("strong", ["strong"], "strong", "strong"),
    "two_camps": ("strong", ["strong"], "strong", "strong"),
    "expectation_gap": ("weak", ["weak"], "strong", "weak"),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_scenario_row(default_survey: Survey, name: str) -> None:
    doc = score(default_survey, scenario(default_survey, name), n_resamples=999)
    alignment = doc["alignment"]
    band, candidates, compat_band, expect_band = ROWS[name]
    assert alignment["components"]["compatibility"]["band"] == compat_band, alignment
    assert alignment["components"]["expectations"]["band"] == expect_band, alignment
    assert (alignment["band"], alignment["bands_in_ci"]) == (band, candidates)
    kinds = {f["kind"] for f in doc["conflicts"]}
    warnings = {w["code"] for w in doc["warnings"]}
    if name == "opposed_conflicting":
        assert "objective_conflict" in kinds
    if name == "shared_tension":
        assert "objective_conflict" not in kinds and "shared_tension" in warnings
    if name == "two_camps":
        assert any(
            f["kind"] == "internal_conflict" and f["partners"] == ["acme"] for f in doc["conflicts"]
        )
    if name == "expectation_gap":
        assert "expectation_gap" in kinds
    if name == "identical":
        assert not kinds & {"objective_conflict", "priority_divergence", "expectation_gap"}
