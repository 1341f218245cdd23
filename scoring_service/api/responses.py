"""Stored responses of a round: one by one, in bulk (JSON or CSV), and listed."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import current_app, g, request
from flask.views import MethodView
from sqlalchemy import Connection, select

from ..answers import MAX_ID_LENGTH, MAX_PER_PARTNER, check_answers
from ..answers.csvfile import read_csv
from ..errors import FieldError, InvalidInput
from ..schemas.stored import (
    BulkReport,
    BulkRow,
    ResponseList,
    ResponseQuery,
    StoredResponseIn,
    StoredResponseOut,
)
from ..store.credentials import Principal
from ..store.models import Partner, Stakeholder, StoredResponse, now
from ..store.queries import RoundRow, round_by_n
from ..store.writes import Saved, claim_open_round, save_in_one_statement, upsert_response
from ..surveys import Survey, flatten_errors
from . import access
from .paging import cursor, page
from .problems import Blueprint, fail, problem_responses

blp = Blueprint("responses", __name__, url_prefix="/api/v1", description="Stored responses")
errors = problem_responses(blp)


def response_json(saved: Saved, partner: str) -> dict[str, Any]:
    """A stored response as the API shows it."""
    return {
        "respondent": saved.respondent,
        "partner": partner,
        "role": saved.role,
        "label": saved.label,
        "complete": saved.complete,
        "answers": saved.answers,
        "created_at": saved.created_at,
        "updated_at": saved.updated_at,
    }


def check_response(survey: Survey, body: dict[str, Any]) -> None:
    """422 for a role or answers that do not fit the round's survey (before any write)."""
    if body["role"] not in survey.role_ids:
        raise InvalidInput([FieldError("role", f"must be one of: {', '.join(survey.role_ids)}")])
    check_answers(body["answers"], survey, complete=body["complete"])


def _fields(r: RoundRow, partner_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """The columns of a response write, from a checked body."""
    return {
        "alliance_id": r.alliance_id,
        "partner_id": partner_id,
        "role": body["role"],
        "label": body.get("label"),
        "answers": body["answers"],
        "complete": body["complete"],
    }


def closed(n: int) -> NoReturn:
    """409 for a write to a closed round."""
    fail(409, f"Round {n} is closed; its responses can no longer change.")


def save_response(
    conn: Connection, r: RoundRow, partner_id: int, respondent: str, body: dict[str, Any]
) -> Saved:
    """Write one checked response in the connection's write transaction: 409 when the round has
    closed meanwhile. Bumps the round's version, which invalidates cached results."""
    at = now()
    if not claim_open_round(conn, r.id, at):
        closed(r.n)
    return upsert_response(
        conn, r.id, respondent, at, "label" in body, **_fields(r, partner_id, body)
    )


def write_one(r: RoundRow, partner_id: int, respondent: str, body: dict[str, Any]) -> Saved:
    """Write one checked response, committed when this returns (409: the round has closed).

    PostgreSQL: one statement on the request's autocommit connection (one round trip);
    SQLite: a short write transaction of three statements (:func:`save_response`).
    """
    store = current_app.extensions["scoring"].store
    if store.dialect == "postgresql":
        fields = _fields(r, partner_id, body)
        saved = save_in_one_statement(
            access.db(), r.id, respondent, now(), "label" in body, **fields
        )
        if saved is None:
            closed(r.n)
        return saved
    with store.write_core() as write:
        return save_response(write, r, partner_id, respondent, body)


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/responses/<respondent>")
class ResponseItem(MethodView):
    @access.needs("member")
    @blp.arguments(StoredResponseIn())  # instances, not classes: webargs builds a class per request
    @blp.response(200, StoredResponseOut)
    @errors(401, 403, 404, 409, 415, 422)
    def put(
        self, body: dict[str, Any], alliance_id: str, n: int, respondent: str
    ) -> dict[str, Any]:
        """Create or replace one respondent's response (partner key, or admin naming the partner)

        ``respondent`` is your own reference for the person; it stays theirs across rounds.
        ``complete: false`` stores a partial response, checked only for what it contains.
        Answered only once the response is committed.
        """
        if len(respondent) > MAX_ID_LENGTH or not respondent.strip():
            raise InvalidInput([FieldError("respondent", f"must be 1-{MAX_ID_LENGTH} characters")])
        ext = current_app.extensions["scoring"]
        who = g.principal  # checked before the body was parsed (access.check_request)
        # Everything that can be read and checked is done before the write transaction.
        conn = access.db()
        r = access.url_round(conn, alliance_id, n)
        if r is None:
            access.not_found()
        partner_id, partner_key = access.partner_for(conn, who, body.get("partner"), "partner")
        if r.status != "open":
            closed(n)
        check_response(ext.registry.get(r.survey_id, r.survey_version), body)
        saved = write_one(r, partner_id, respondent, body)
        return response_json(saved, partner_key)


MAX_ROWS = 2 * MAX_PER_PARTNER
BULK_BODY = {
    "content": {
        "application/json": {"schema": {"type": "array", "items": BulkRow}},
        "text/csv": {
            "schema": {"type": "string"},
            "example": "partner,role,respondent,sf1,...,priorities.revenue_growth,...",
        },
    }
}


def _bulk_rows(survey: Survey) -> tuple[list[Any], list[str]]:
    """The rows of a bulk body (a JSON list, or a CSV in the CLI's format) and their labels."""
    if request.mimetype == "text/csv":
        text = request.get_data(as_text=True)
        rows, lines = read_csv(text, survey)
        for row in rows:
            if not row["partner"]:
                del row["partner"]  # a partner key's own partner
        return rows, [f"line {k}" for k in lines]
    try:
        rows = json.loads(request.get_data(as_text=True))
    except (ValueError, RecursionError):
        fail(400, "The request body is not valid JSON.")
    if not isinstance(rows, list):
        raise InvalidInput([FieldError("", "must be a JSON list of responses")])
    return rows, [str(k) for k in range(len(rows))]


def _check_rows(
    conn: Connection, who: Principal, survey: Survey
) -> tuple[list[tuple[str, dict[str, Any], int]], list[dict[str, Any]]]:
    """The valid rows with their partner id, and a report entry for each invalid row."""
    rows, labels = _bulk_rows(survey)
    if len(rows) > MAX_ROWS:
        raise InvalidInput([FieldError("", f"at most {MAX_ROWS} rows at once")])
    if who.kind == "partner":  # naming another partner anywhere refuses it all, before writing
        for label, raw in zip(labels, rows, strict=True):
            named = raw.get("partner") if isinstance(raw, dict) else None
            if named not in (None, who.partner_key):
                access.forbidden(f"row {label}: a partner key writes for its own partner only.")
    valid, failed = [], []
    for label, raw in zip(labels, rows, strict=True):
        problems = BulkRow().validate(raw) if isinstance(raw, dict) else {"": ["must be an object"]}
        errs = [FieldError(p, m) for p, m in flatten_errors(problems)]
        if not errs:
            row = BulkRow().load(raw)
            try:
                partner_id, _ = access.partner_for(conn, who, row.get("partner"), "partner")
                check_response(survey, row)
                valid.append((row["respondent"], row, partner_id))
                continue
            except InvalidInput as exc:
                errs = exc.errors
        ref = raw.get("respondent") if isinstance(raw, dict) else None
        failed.append(
            {
                "row": label,
                "respondent": ref,
                "errors": [{"path": e.path, "message": e.message} for e in errs],
            }
        )
    return valid, failed


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/responses")
class Responses(MethodView):
    @access.needs("member")
    @blp.doc(requestBody=BULK_BODY)
    @blp.response(200, BulkReport)
    @errors(400, 401, 403, 404, 409, 415, 422)
    def post(self, alliance_id: str, n: int) -> dict[str, Any]:
        """Create or replace many responses at once (partner key, or admin naming partners)

        The body is a JSON list of responses (each as the PUT body plus ``respondent``), or a
        CSV in the format of the scoring CLI (``partner`` may be left empty with a partner
        key). Valid rows are stored, invalid ones reported row by row with every problem; a
        row naming another partner than the key's refuses the whole request (403).
        """
        ext = current_app.extensions["scoring"]
        who = g.principal
        conn = access.db()
        r = access.url_round(conn, alliance_id, n)
        if r is None:
            access.not_found()
        if r.status != "open":
            closed(n)
        valid, failed = _check_rows(conn, who, ext.registry.get(r.survey_id, r.survey_version))
        if valid:
            with ext.store.write_core() as write:  # every valid row, or none if it closed
                for respondent, row, partner_id in valid:
                    save_response(write, r, partner_id, respondent, row)
        return {"saved": len(valid), "failed": len(failed), "errors": failed}

    @access.needs("member")
    @blp.arguments(ResponseQuery(), location="query")
    @blp.response(200, ResponseList)
    @errors(401, 403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """List stored responses: the admin all of them, a partner key its own partner's;
        paginated by ``cursor``"""
        with current_app.extensions["scoring"].store.read() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            r = round_by_n(session, found.id, n)
            if r is None:
                access.not_found()
            partner_key = query.get("partner")
            if who.kind == "partner":
                if partner_key not in (None, who.partner_key):
                    access.forbidden("A partner key reads its own partner's responses only.")
                partner_key = who.partner_key
            stmt = (
                select(StoredResponse, Stakeholder, Partner.key)
                .join(Stakeholder, Stakeholder.id == StoredResponse.stakeholder_id)
                .join(Partner, Partner.id == Stakeholder.partner_id)
                .where(StoredResponse.round_id == r.id, StoredResponse.id > cursor(query["cursor"]))
                .order_by(StoredResponse.id)
                .limit(query["limit"] + 1)
            )
            if partner_key is not None:
                stmt = stmt.where(Partner.key == partner_key)
            rows, next_cursor = page(list(session.execute(stmt)), query["limit"], lambda x: x[0].id)
            return {
                "items": [
                    response_json(
                        Saved(
                            s.ref,
                            st.role,
                            s.label,
                            st.complete,
                            st.answers,
                            st.created_at,
                            st.updated_at,
                        ),
                        key,
                    )
                    for st, s, key in rows
                ],
                "next_cursor": next_cursor,
            }
