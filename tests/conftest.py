"""Fixtures: an app on the real surveys, one on the small test survey, and their clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring_service import create_app
from scoring_service.config import DEFAULT_SURVEYS
from scoring_service.surveys import Survey, SurveyRegistry, load_registry

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def registry() -> SurveyRegistry:
    """The shipped surveys."""
    return load_registry(DEFAULT_SURVEYS)


@pytest.fixture(scope="session")
def default_survey(registry: SurveyRegistry) -> Survey:
    """The default instrument."""
    return registry.get("alliance-objectives")


@pytest.fixture(scope="session")
def mini() -> Survey:
    """A small survey: 3 roles, 4 objectives (speed/risk conflict), 2 dimensions of 3 items."""
    return load_registry(FIXTURES / "surveys").get("mini")


@pytest.fixture
def app() -> Flask:
    """The app as ``make run`` builds it, with fewer resamples to keep tests quick."""
    return create_app({"bootstrap_resamples": 500})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def mini_client() -> FlaskClient:
    """A client of an app that knows only the mini survey."""
    return create_app(
        {"surveys_dir": FIXTURES / "surveys", "bootstrap_resamples": 500}
    ).test_client()


def mini_response(
    partner: str, respondent: str, role: str = "legal", **answers: Any
) -> dict[str, Any]:
    """A complete mini-survey response; keyword arguments override answers."""
    base: dict[str, Any] = {
        "t1": 4,
        "t2": 2,
        "t3": 4,
        "g1": 3,
        "g2": 4,
        "g3": 3,
        "priorities": {"speed": 25, "risk": 25, "revenue": 25, "cost": 25},
    }
    base.update(answers)
    return {"partner": partner, "role": role, "respondent": respondent, "answers": base}
