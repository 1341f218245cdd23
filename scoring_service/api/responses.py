"""Stored responses of a round: one by one, in bulk (JSON or CSV), and listed."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..alliance_schemas import (
    BulkReport,
    BulkRow,
    ResponseList,
    ResponseQuery,
    StoredResponseIn,
    StoredResponseOut,
)
from ..csv_format import read_csv
from ..errors import FieldError, InvalidInput
from ..responses import MAX_ID_LENGTH, MAX_PER_PARTNER, check_answers
from ..store.models import Alliance, Partner, Round, Stakeholder, StoredResponse, now
from ..store.queries import insert_ignore, round_by_n, upsert
from ..survey_schema import flatten_errors
from ..surveys import Survey
from . import access
from .problems import Blueprint, fail, problem_responses
from .rounds import cursor

blp = Blueprint("responses", __name__, url_prefix="/api/v1", description="Stored responses")
errors = problem_responses(blp)


def response_json(s: Stakeholder, partner: str, stored: StoredResponse) -> dict[str, Any]:
    """A stored response as the API shows it."""
    return {
        "respondent": s.ref,
        "partner": partner,
        "role": s.role,
        "label": s.label,
        "complete": stored.complete,
        "answers": stored.answers,
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
    }


def save_response(
    session: Session,
    r: Round,
    partner: Partner,
    respondent: str,
    body: dict[str, Any],
) -> tuple[Stakeholder, StoredResponse]:
    """Validate and upsert one response of one stakeholder (created on first sight).

    Raises InvalidInput (422) for answers that do not fit the round's survey; nothing is
    written then. Bumps the round's version, which invalidates cached results.
    """
    survey = current_app.extensions["scoring"].registry.get(r.survey_id, r.survey_version)
    if body["role"] not in survey.role_ids:
        raise InvalidInput([FieldError("role", f"must be one of: {', '.join(survey.role_ids)}")])
    check_answers(body["answers"], survey, complete=body["complete"])
    stakeholders = Stakeholder.__table__
    insert_ignore(
        session,
        stakeholders,  # type: ignore[arg-type]
        {
            "alliance_id": r.alliance_id,
            "partner_id": partner.id,
            "ref": respondent,
            "role": body["role"],
            "label": body.get("label"),
            "created_at": now(),
        },
    )
    person = session.scalars(
        select(Stakeholder).where(
            Stakeholder.partner_id == partner.id, Stakeholder.ref == respondent
        )
    ).one()
    person.role = body["role"]  # a person may change role between rounds
    if "label" in body:
        person.label = body["label"]
    at = now()
    upsert(
        session,
        StoredResponse.__table__,  # type: ignore[arg-type]
        {
            "round_id": r.id,
            "stakeholder_id": person.id,
            "answers": body["answers"],
            "complete": body["complete"],
            "created_at": at,
            "updated_at": at,
        },
        keys=["round_id", "stakeholder_id"],
        update=["answers", "complete", "updated_at"],
    )
    session.execute(update(Round).where(Round.id == r.id).values(version=Round.version + 1))
    stored = session.scalars(
        select(StoredResponse).where(
            StoredResponse.round_id == r.id, StoredResponse.stakeholder_id == person.id
        )
    ).one()
    return person, stored


@blp.route("/alliances/<alliance_id>/rounds/<int:n>/responses/<respondent>")
class ResponseItem(MethodView):
    @access.needs("member")
    @blp.arguments(StoredResponseIn)
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
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            partner = access.partner_of(found, who, body.get("partner"), "partner")
            r = round_by_n(session, found.id, n)
            if r is None:
                access.not_found()
            if r.status != "open":
                fail(409, message=f"Round {n} is closed; its responses can no longer change.")
            person, stored = save_response(session, r, partner, respondent, body)
            out = response_json(person, partner.key, stored)
        return out


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


def _bulk(session: Session, r: Round, found: Alliance, who: Any, survey: Survey) -> dict[str, Any]:
    """Validate and store every row that can be; report the others row by row."""
    rows, labels = _bulk_rows(survey)
    if len(rows) > MAX_ROWS:
        raise InvalidInput([FieldError("", f"at most {MAX_ROWS} rows at once")])
    report: dict[str, Any] = {"saved": 0, "failed": 0, "errors": []}
    loaded = []
    for raw, label in zip(rows, labels, strict=True):
        problems = BulkRow().validate(raw) if isinstance(raw, dict) else {"": ["must be an object"]}
        if problems:
            loaded.append((label, raw, [FieldError(p, m) for p, m in flatten_errors(problems)]))
        else:
            loaded.append((label, BulkRow().load(raw), []))
    if who.kind == "partner":  # naming another partner anywhere refuses it all, before writing
        for label, row, _errs in loaded:
            named = row.get("partner") if isinstance(row, dict) else None
            if named not in (None, who.partner_key):
                access.forbidden(f"row {label}: a partner key writes for its own partner only.")
    for label, row, errs in loaded:
        if not errs:
            try:
                partner = access.partner_of(found, who, row.get("partner"), "partner")
                save_response(session, r, partner, row["respondent"], row)
                report["saved"] += 1
                continue
            except InvalidInput as exc:
                errs = exc.errors
        report["failed"] += 1
        ref = row.get("respondent") if isinstance(row, dict) else None
        report["errors"].append(
            {
                "row": label,
                "respondent": ref,
                "errors": [{"path": e.path, "message": e.message} for e in errs],
            }
        )
    return report


@blp.route("/alliances/<alliance_id>/rounds/<int:n>/responses")
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
        with ext.store.write() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            r = round_by_n(session, found.id, n)
            if r is None:
                access.not_found()
            if r.status != "open":
                fail(409, f"Round {n} is closed; its responses can no longer change.")
            report = _bulk(session, r, found, who, ext.registry.get(r.survey_id, r.survey_version))
        return report

    @access.needs("member")
    @blp.arguments(ResponseQuery, location="query")
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
            rows = list(session.execute(stmt))
            more = len(rows) > query["limit"]
            rows = rows[: query["limit"]]
            return {
                "items": [response_json(s, key, stored) for stored, s, key in rows],
                "next_cursor": str(rows[-1][0].id) if more else None,
            }
