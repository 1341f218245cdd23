"""Rounds of an alliance and the responses stored in them."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..alliance_schemas import (
    PageQuery,
    ResponseList,
    ResponseQuery,
    RoundIn,
    RoundList,
    RoundOut,
    RoundPatch,
    StoredResponseIn,
    StoredResponseOut,
)
from ..errors import FieldError, InvalidInput
from ..responses import MAX_ID_LENGTH, check_answers
from ..store.models import Alliance, Partner, Round, Stakeholder, StoredResponse, now
from ..store.queries import close_if_due, insert_ignore, round_by_n, upsert
from . import access
from .alliances import errors
from .problems import Blueprint, fail

blp = Blueprint("rounds", __name__, url_prefix="/api/v1", description="Rounds and responses")


def round_json(r: Round) -> dict[str, Any]:
    """A round as the API shows it."""
    return {
        "n": r.n,
        "label": r.label,
        "status": r.status,
        "survey": {"id": r.survey_id, "version": r.survey_version},
        "opened_at": r.opened_at,
        "closes_at": r.closes_at,
        "closed_at": r.closed_at,
    }


def cursor(raw: str | None) -> int:
    """A page cursor (the last position of the previous page), 0 for the first page."""
    if raw is None:
        return 0
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput([FieldError("cursor", "not a cursor this API gave")])
    return int(raw)


@blp.route("/alliances/<alliance_id>/rounds")
class Rounds(MethodView):
    @blp.arguments(RoundIn)
    @blp.response(201, RoundOut)
    @errors(401, 403, 404, 409, 415, 422)
    def post(self, body: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """Open the next round (admin)

        The round pins the alliance's survey at its newest version. At most one round is open
        at a time: close the open one first (409 otherwise).
        """
        ext = current_app.extensions["scoring"]
        if body.get("closes_at") is not None and body["closes_at"] <= now():
            raise InvalidInput([FieldError("closes_at", "must be in the future")])
        try:
            with ext.store.write() as session:
                who = access.principal(session)
                found = access.alliance(session, who, alliance_id, admin=True)
                survey = ext.registry.get(found.survey_id)
                last = session.scalar(
                    select(func.max(Round.n)).where(Round.alliance_id == found.id)
                )
                if last is not None:  # the open round may be due to close by now
                    latest = round_by_n(session, found.id, last)
                    if latest is not None and latest.status == "open":
                        fail(409, message=f"Round {last} is still open; close it first.")
                new = Round(
                    alliance_id=found.id,
                    n=(last or 0) + 1,
                    label=body["label"],
                    survey_id=survey.id,
                    survey_version=survey.version,
                    status="open",
                    opened_at=now(),
                    closes_at=body.get("closes_at"),
                    version=0,
                )
                session.add(new)
        except IntegrityError:  # another request opened a round at the same moment
            fail(409, message="Another round was opened at the same time.")
        return round_json(new)

    @blp.arguments(PageQuery, location="query")
    @blp.response(200, RoundList)
    @errors(401, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """List the rounds, oldest first (admin or partner key); paginated by ``cursor``"""
        with current_app.extensions["scoring"].store.read() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            rows = list(
                session.scalars(
                    select(Round)
                    .where(Round.alliance_id == found.id, Round.n > cursor(query["cursor"]))
                    .order_by(Round.n)
                    .limit(query["limit"] + 1)
                )
            )
            more = len(rows) > query["limit"]
            rows = rows[: query["limit"]]
            for r in rows:
                close_if_due(r)  # shown as closed; a read session stores nothing
            return {
                "items": [round_json(r) for r in rows],
                "next_cursor": str(rows[-1].n) if more else None,
            }


def _round(session: Session, alliance_id: str, n: int, *, admin: bool) -> tuple[Alliance, Round]:
    """The alliance and its round ``n``, for a caller who may see them."""
    who = access.principal(session)
    found = access.alliance(session, who, alliance_id, admin=admin)
    r = round_by_n(session, found.id, n)
    if r is None:
        access.not_found()
    return found, r


@blp.route("/alliances/<alliance_id>/rounds/<int:n>")
class RoundItem(MethodView):
    @blp.response(200, RoundOut)
    @errors(401, 404)
    def get(self, alliance_id: str, n: int) -> dict[str, Any]:
        """Read a round (admin or partner key)"""
        with current_app.extensions["scoring"].store.read() as session:
            return round_json(_round(session, alliance_id, n, admin=False)[1])

    @blp.arguments(RoundPatch)
    @blp.response(200, RoundOut)
    @errors(401, 403, 404, 415, 422)
    def patch(self, body: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """Close a round (admin)

        ``{"status": "closed"}``; closing a closed round changes nothing.
        """
        with current_app.extensions["scoring"].store.write() as session:
            _, r = _round(session, alliance_id, n, admin=True)
            if r.status == "open":
                r.status, r.closed_at = "closed", now()
            r.version += 1  # cached results show the status: recompute them
        return round_json(r)


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


@blp.route("/alliances/<alliance_id>/rounds/<int:n>/responses")
class Responses(MethodView):
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
