"""``GET /api/v1/surveys`` and ``/api/v1/surveys/<id>``: definitions for portals and scripts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from ..schemas import ProblemSchema, SurveyQuerySchema, SurveySchema, SurveySummarySchema
from ..surveyjs import to_surveyjs
from ..surveys import Item, Survey, Text
from .problems import Blueprint

blp = Blueprint("surveys", __name__, url_prefix="/api/v1", description="Survey definitions")


@blp.after_request
def _public(response: Response) -> Response:
    """Definitions are public: any portal may read them from the browser."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def languages(survey: Survey) -> list[str]:
    """Languages every text of the survey is available in."""
    return sorted(survey.languages)


Translate = Callable[[Text | None], str | None]


def _item(survey: Survey, i: Item, t: Translate) -> dict[str, Any]:
    """One item as JSON, with what a form needs to render it."""
    item: dict[str, Any] = {"id": i.id, "type": i.type, "text": t(i.text), "required": i.required}
    if i.type == "likert":
        scale = survey.dimension_scales[i.dimension or ""]
        item.update(dimension=i.dimension, min=scale.min, max=scale.max, reverse=i.reverse)
        item["labels"] = {str(k): t(v) for k, v in scale.labels.items()}
    elif i.type == "allocation":
        item.update(total=i.total, objectives=list(survey.objective_ids))
    else:
        item["max_length"] = i.max_length
    return item


def document(survey: Survey, lang: str | None = None) -> dict[str, Any]:
    """The survey as JSON, every text in ``lang`` when the survey has it."""
    lang = lang if lang in languages(survey) else survey.default_language

    def t(text: Text | None) -> str | None:
        return None if text is None else text.get(lang, text[survey.default_language])

    items = [_item(survey, i, t) for i in survey.items]
    return {
        "id": survey.id,
        "version": survey.version,
        "title": t(survey.title),
        "description": t(survey.description),
        "language": lang,
        "languages": languages(survey),
        "roles": [{"id": r.id, "label": t(r.label)} for r in survey.roles],
        "objectives": [
            {"id": o.id, "label": t(o.label), "description": t(o.description)}
            for o in survey.objectives
        ],
        "relations": [
            {
                "objectives": [r.a, r.b],
                "relation": r.kind,
                "weight": r.weight,
                "rationale": t(r.rationale),
                "next_step": t(r.next_step),
            }
            for r in survey.relations
        ],
        "dimensions": [
            {
                "id": d.id,
                "label": t(d.label),
                "description": t(d.description),
                "source": d.source,
                "items": list(d.items),
            }
            for d in survey.dimensions
        ],
        "items": items,
        "scoring": {
            "profile": survey.scoring.profile,
            "weights": {
                "compatibility": survey.scoring.weight_compatibility,
                "expectations": survey.scoring.weight_expectations,
            },
            "bands": [
                {"id": b.id, "min": b.min, "label": t(b.label)} for b in survey.scoring.bands
            ],
        },
    }


@blp.route("/surveys")
class Surveys(MethodView):
    @blp.response(200, SurveySummarySchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the surveys (latest version of each, with every version available)"""
        registry = current_app.extensions["scoring"].registry
        return [
            {
                "id": s.id,
                "version": s.version,
                "versions": registry.versions(s.id),
                "title": s.title[s.default_language],
            }
            for s in registry.latest()
        ]


@blp.route("/surveys/<survey_id>")
class SurveyView(MethodView):
    @blp.arguments(SurveyQuerySchema(), location="query")
    @blp.response(200, SurveySchema)
    @blp.alt_response(404, schema=ProblemSchema, description="Unknown survey or version")
    @blp.alt_response(422, schema=ProblemSchema, description="Invalid query parameter")
    def get(self, query: dict[str, Any], survey_id: str) -> dict[str, Any] | Response:
        """One survey definition (latest version unless ``version`` is given)

        ``format=surveyjs`` answers a SurveyJS survey JSON instead (every language as a
        localizable string), for portals that render the form with the SurveyJS library.
        """
        registry = current_app.extensions["scoring"].registry
        survey = registry.get(survey_id, query.get("version"))
        if query.get("format") == "surveyjs":
            body = current_app.json.dumps(to_surveyjs(survey))
            return Response(body, mimetype="application/json")
        return document(survey, query.get("lang"))
