"""Stored responses of a round: one by one, in bulk (JSON or CSV), and listed."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from ..context import caller, env, principal, read_conn, reading, writing_core, writing_one
from ..errors import FieldError
from ..schemas.stored import (
    BulkReport,
    BulkRow,
    ResponseList,
    ResponseQuery,
    StoredResponseIn,
    StoredResponseOut,
)
from ..services import exports, responses
from ..surveys import flatten_errors
from . import transport
from .problems import Blueprint, problem_responses

blp = Blueprint("responses", __name__, url_prefix="/api/v1", description="Stored responses")
errors = problem_responses(blp)
BULK_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "array", "items": BulkRow}},
        "text/csv": {
            "schema": {"type": "string"},
            "example": "partner,role,respondent,sf1,...,priorities.revenue_growth,...",
        },
    },
}

CSV_EXPORT = {
    "schema": {"type": "string"},
    "content_type": "text/csv",
    "description": "JSON: a page of responses; CSV (format=csv, or Accept: text/csv): every "
    "answer, one row each, not paginated (columns in docs/exports.md)",
    "example": "alliance,round,partner,role,respondent,complete,item,dimension,value,reverse,"
    "updated_at\r\n",
    "success": True,
}


@blp.after_request
def _vary(response: Response) -> Response:
    """The list's answer depends on ``Accept`` (JSON or CSV): caches must say so."""
    if request.endpoint == "responses.Responses" and request.method == "GET":
        return transport.vary_accept(response)
    return response


def _row(raw: Any) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """A bulk row's envelope, checked with the PUT body's schema (plus ``respondent``)."""
    if not isinstance(raw, dict):
        return None, [FieldError("", "must be an object", "type", {"expected": "object"})]
    problems = flatten_errors(BulkRow().validate(raw))
    if problems:
        return None, [FieldError(path, message) for path, message in problems]
    return BulkRow().load(raw), []


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/responses/<respondent>")
class ResponseItem(MethodView):
    @blp.needs("member")
    @blp.arguments(StoredResponseIn())  # instances, not classes: webargs builds a class per request
    @blp.response(200, StoredResponseOut)
    @errors(403, 404, 409, 422)
    def put(
        self, body: dict[str, Any], alliance_id: str, n: int, respondent: str
    ) -> dict[str, Any]:
        """Create or replace one respondent's response (partner key, or admin naming the partner)

        ``respondent`` is your own reference for the person; it stays theirs across rounds.
        ``complete: false`` stores a partial response, checked only for what it contains.
        Answered only once the response is committed.
        """
        # Everything that can be read and checked is, before the write's unit of work.
        write = responses.check_one(read_conn(), caller(), env(), alliance_id, n, respondent, body)
        with writing_one() as conn:
            return responses.save(conn, write)


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/responses")
class Responses(MethodView):
    @blp.needs("member")
    @blp.doc(requestBody=BULK_BODY)
    @blp.response(200, BulkReport)
    @errors(403, 404, 409, 422)
    def post(self, alliance_id: str, n: int) -> dict[str, Any]:
        """Create or replace many responses at once (partner key, or admin naming partners)

        The body is a JSON list of responses (each as the PUT body plus ``respondent``), or a
        CSV in the format of the scoring CLI (``partner`` may be left empty with a partner
        key). Valid rows are stored, invalid ones reported row by row with every problem; a
        row naming another partner than the key's refuses the whole request (403).
        """
        csv = request.mimetype == "text/csv"
        charset = request.mimetype_params.get("charset")
        body = responses.BulkBody(request.get_data(), csv, charset)
        bulk = responses.check_bulk(read_conn(), caller(), env(), alliance_id, n, body, _row)
        if not bulk.valid:  # nothing to write: no write lock taken
            return responses.report(bulk)
        with writing_core() as conn:  # every valid row, or none if the round closed
            return responses.save_bulk(conn, bulk)

    @blp.needs("member")
    @blp.arguments(ResponseQuery(), location="query")
    @blp.response(200, ResponseList)
    @blp.alt_response(200, **CSV_EXPORT)
    @errors(403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any] | Response:
        """List stored responses: the admin all of them, a partner key its own partner's;
        paginated by ``cursor``

        ``format=csv`` (or ``Accept: text/csv`` without ``format``) answers every response at
        once, partial ones included, as a tidy CSV: one row per answer (docs/exports.md);
        ``limit`` and ``cursor`` do not apply to it.
        """
        if query["format"] == "csv":
            with reading() as session:
                rows = responses.export_responses(
                    session, principal(), env(), alliance_id, n, query.get("partner")
                )
            text = exports.to_csv(exports.RESPONSE_COLUMNS, rows)
            name = f"{alliance_id}-round-{n}-responses.csv"
            disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
            return Response(text, mimetype="text/csv", headers=disposition)
        with reading() as session:
            return responses.list_responses(session, principal(), alliance_id, n, query)
