"""Survey definitions, public: the list, and one survey as a document or a SurveyJS model."""

from __future__ import annotations

from typing import Any

from ..surveys import document, to_surveyjs
from . import Env


def list_surveys(env: Env) -> list[dict[str, Any]]:
    """The newest version of every survey, with every version available."""
    registry = env.registry
    return [
        {
            "id": s.id,
            "version": s.version,
            "versions": registry.versions(s.id),
            "title": s.title[s.default_language],
        }
        for s in registry.latest()
    ]


def get_survey(
    env: Env, survey_id: str, version: int | None, lang: str | None, surveyjs: bool
) -> dict[str, Any]:
    """One survey (the newest version unless ``version``): its public document in ``lang``,
    or (``surveyjs``) a SurveyJS survey JSON with every language; UnknownSurvey otherwise."""
    survey = env.registry.get(survey_id, version)
    return to_surveyjs(survey) if surveyjs else document(survey, lang)
