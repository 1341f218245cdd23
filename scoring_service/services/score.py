"""Stateless scoring: two partners' responses in, the engine's document out; nothing stored."""

from __future__ import annotations

from typing import Any

from .. import metrics
from ..answers import parse_responses
from ..scoring import score
from ..scoring.document import Result
from . import Env


def score_request(env: Env, body: dict[str, Any]) -> Result:
    """Score a request's ``responses`` against its survey (the newest version, or the one it
    names); every problem with the answers is reported at once (InvalidInput)."""
    survey = env.registry.get(body["survey"], body.get("survey_version"))
    sheets = parse_responses(body["responses"], survey)
    with metrics.scoring():
        return score(
            survey,
            sheets,
            n_resamples=env.settings.bootstrap_resamples,
            confidence=env.settings.confidence,
        )
