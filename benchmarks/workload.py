"""The typical request: survey, seed and sizes, and the answers of the test model
(``scoring_service.simulation.iid``).

The service is imported inside the functions, so that ``--help`` and the checks before a run do
not pay for it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

SURVEY = "alliance-objectives"
SEED = 20261123
TYPICAL = 5  # respondents per partner in the typical request
LARGE = 500  # respondents per partner in the growth request
MIDDLE = 50  # an extra point between the two (information only)


def load_survey() -> Any:
    """The benchmarked survey, from the shipped surveys."""
    from scoring_service.config import DEFAULT_SURVEYS
    from scoring_service.surveys import load_registry

    return load_registry(DEFAULT_SURVEYS).get(SURVEY)


def raw_responses(survey: Any, per_partner: int, seed: int) -> list[dict[str, Any]]:
    """Both partners from the test model, every item of the survey answered."""
    from scoring_service.simulation.iid import assessment

    return assessment(survey, np.random.default_rng(seed), per_partner, per_partner)


def request_body(survey: Any) -> bytes:
    """The typical request's body: 2 x ``TYPICAL`` respondents, compact JSON."""
    body = {"survey": SURVEY, "responses": raw_responses(survey, TYPICAL, SEED)}
    return json.dumps(body, separators=(",", ":")).encode()
