"""``GET .../rounds/{n}/results``: a round's result document, cached, with ETags; as JSON or
as the tidy CSV of docs/exports.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask.views import MethodView

from .. import context
from ..schemas.stored import FormatQuery, RoundResultSchema
from ..services import exports, results
from . import transport
from .problems import Blueprint, problem_responses

blp = Blueprint("results", __name__, url_prefix="/api/v1", description="Results of rounds")
errors = problem_responses(blp)
CSV_EXPORT = {
    "schema": {"type": "string"},
    "content_type": "text/csv",
    "description": "JSON: the document; CSV (format=csv, or Accept: text/csv): the document as "
    "a tidy table (columns in docs/exports.md), only the header while result is null, "
    "X-Result-Reason saying why",
    "example": "alliance,round,kind,name,partner,statistic,value,low,high,severity,about,"
    "detail\r\n",
    "headers": {
        "X-Result-Reason": {
            "schema": {"type": "string"},
            "description": "only while result is null: reasons.result of the JSON answer",
        }
    },
    "success": True,
}
RESULT_REASON = "X-Result-Reason"


blp.after_request(transport.vary_accept)  # JSON or CSV


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/results")
class Results(MethodView):
    @blp.needs("member")
    @blp.arguments(FormatQuery(), location="query")
    @blp.response(200, RoundResultSchema)
    @blp.alt_response(200, **CSV_EXPORT)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @errors(403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str, n: int) -> Response:
        """Read a round's results (admin, or a partner key with what it may see)

        Scores the round's complete responses. Until both partners have one, ``result`` is
        null and ``reasons.result`` says who is missing. A partner key sees the other
        partner's figures once that partner has ``min_group_size`` complete responses (open or
        closed round alike), and role-level figures only for groups of that size. Answers carry
        an ``ETag``; send it back as ``If-None-Match`` to get 304 while nothing changed.

        ``format=csv`` (or ``Accept: text/csv`` without ``format``) answers the same document
        as a tidy CSV (docs/exports.md), with an ETag of its own.
        """
        ext, caller = context.ext(), context.caller()
        doc = results.cached(context.read_conn(), caller, ext.env, ext.memo, alliance_id, n)
        if doc is None:  # computed in a read transaction, kept in a write one
            with context.reading() as session:
                computed = results.compute(
                    session, caller.principal, ext.env, ext.memo, alliance_id, n
                )
            doc = computed.document
            if computed.row:
                with context.writing() as session:
                    results.keep(session, ext.memo, computed)
        if query["format"] == "csv":  # the JSON's ETag would name another body
            return answer(f"{doc.etag}-csv", lambda: _csv(doc, alliance_id, n))
        return answer(doc.etag, lambda: Response(doc.body, mimetype="application/json"))


def _csv(doc: results.Document, alliance_id: str, n: int) -> Response:
    """The tidy CSV of the caller's document (the same the JSON answer gives them)."""
    shown = json.loads(doc.body)
    text = exports.to_csv(exports.RESULT_COLUMNS, exports.result_rows(shown))
    name = f"{alliance_id}-round-{n}-results.csv"
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if shown["result"] is None:
        response.headers[RESULT_REASON] = shown["reasons"].get("result", "")
    return response


def answer(etag: str, make: Callable[[], Response]) -> Response:
    """200 with the body ``make`` makes, or 304 when the client already has this version."""
    quoted = f'"{etag}"'
    sent = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
    response = Response(status=304) if quoted in sent or "*" in sent else make()
    response.headers["ETag"] = quoted
    response.headers["Cache-Control"] = "private, no-cache"
    return response
