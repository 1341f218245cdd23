"""``GET /alliances/{id}/trend``: every round's headline figures and the drift between them."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask.views import MethodView

from .. import context
from ..schemas.stored import FormatQuery
from ..schemas.trend import TrendSchema
from ..services import exports, results, trend
from . import transport
from .problems import Blueprint, problem_responses
from .results import answer

blp = Blueprint("trend", __name__, url_prefix="/api/v1", description="Trend and drift")
errors = problem_responses(blp)
CSV_EXPORT = {
    "schema": {"type": "string"},
    "content_type": "text/csv",
    "description": "format=csv (or Accept: text/csv): one row per round x partner x dimension "
    "or objective, and one alignment row per round (docs/exports.md)",
    "example": ",".join(trend.TREND_COLUMNS) + "\r\n",
    "success": True,
}


blp.after_request(transport.vary_accept)  # JSON or CSV


@blp.route("/alliances/<alliance_id>/trend")
class Trend(MethodView):
    @blp.needs("member")
    @blp.arguments(FormatQuery(), location="query")
    @blp.response(200, TrendSchema)
    @blp.alt_response(200, **CSV_EXPORT)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @errors(403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str) -> Response:
        """Read the trend across rounds and the drift between them (admin, or a partner key
        with what it may see)

        Every round in order with the engine version that computed it, its alignment score,
        interval and band, compatibility, each partner's priority profile, dimension means and
        gaps, flags by kind and completion; an open round is ``provisional``. ``drift`` holds
        one entry per pair of consecutive rounds (and, from three rounds on, one from the
        first to the latest): changes with intervals and tests, people who answered both
        rounds paired, and the drift flags (docs/statistics.md, section 14). A partner key
        sees each round as ``.../results`` shows it, and a drift part that uses the other
        partner's figures only where both rounds show them. Answers carry an ``ETag``; send
        it back as ``If-None-Match`` to get 304 while nothing changed.
        """
        ext = context.ext()
        with context.reading() as session:
            doc, computed = trend.trend(
                session, context.principal(), ext.env, ext.memo, alliance_id
            )
        fresh = [c for c in computed if c.row]
        if fresh:  # the rounds' documents computed on the way, kept as a results read would
            with context.writing() as session:
                for c in fresh:
                    results.keep(session, ext.memo, c)
        if query["format"] == "csv":
            return answer(f"{doc.etag}-csv", lambda: _csv(doc, alliance_id))
        return answer(doc.etag, lambda: Response(doc.body, mimetype="application/json"))


def _csv(doc: results.Document, alliance_id: str) -> Response:
    """The trend as a tidy table (docs/exports.md)."""
    text = exports.to_csv(trend.TREND_COLUMNS, trend.trend_rows(json.loads(doc.body)))
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{alliance_id}-trend.csv"'
    return response
