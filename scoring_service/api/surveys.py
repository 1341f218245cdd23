"""``GET /api/v1/surveys`` and ``/api/v1/surveys/<id>``: definitions for portals and scripts."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from ..context import env
from ..schemas.score import SurveyQuerySchema, SurveySchema, SurveySummarySchema
from ..services import surveys
from .problems import Blueprint, problem_responses

blp = Blueprint("surveys", __name__, url_prefix="/api/v1", description="Survey definitions")
errors = problem_responses(blp)


@blp.after_request
def _public(response: Response) -> Response:
    """Definitions are public: any portal may read them from the browser."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blp.route("/surveys")
class Surveys(MethodView):
    @blp.response(200, SurveySummarySchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the surveys (latest version of each, with every version available)"""
        return surveys.list_surveys(env())


@blp.route("/surveys/<survey_id>")
class SurveyView(MethodView):
    @blp.arguments(SurveyQuerySchema(), location="query")
    @blp.response(200, SurveySchema)
    @errors(404, 422)
    def get(self, query: dict[str, Any], survey_id: str) -> dict[str, Any] | Response:
        """One survey definition (latest version unless ``version`` is given)

        ``format=surveyjs`` answers a SurveyJS survey JSON instead (every language as a
        localizable string), for portals that render the form with the SurveyJS library.
        """
        surveyjs = query.get("format") == "surveyjs"
        found = surveys.get_survey(
            env(), survey_id, query.get("version"), query.get("lang"), surveyjs
        )
        if surveyjs:  # not the schema's shape: answered as it is
            return Response(current_app.json.dumps(found), mimetype="application/json")
        return found
