"""Invitations (personal tokens for one round) and ``/me/response``, where an invitee answers."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import FieldError, InvalidInput
from ..schemas.stored import (
    InvitationIn,
    InvitationList,
    InvitationOut,
    MeResponseIn,
    MeResponseOut,
    MeResponseQuery,
    PageQuery,
)
from ..store.credentials import INVITATION_PREFIX, Principal, digest, new_id, new_secret
from ..store.models import Alliance, Invitation, Partner, Round, Stakeholder, StoredResponse, now
from ..store.queries import close_if_due, insert_ignore, round_by_n, round_row
from ..store.writes import Saved
from ..surveys import answers_from_surveyjs
from . import access
from .paging import page
from .problems import Blueprint, fail, problem_responses
from .responses import check_response, closed, write_one

blp = Blueprint("invitations", __name__, url_prefix="/api/v1", description="Invitations")
errors = problem_responses(blp)


def _status(invitation: Invitation, stored: StoredResponse | None) -> str:
    """invited, partial, complete, or revoked."""
    if invitation.revoked_at is not None:
        return "revoked"
    if stored is None:
        return "invited"
    return "complete" if stored.complete else "partial"


def invitation_json(
    inv: Invitation, person: Stakeholder, partner: str, n: int, stored: StoredResponse | None
) -> dict[str, Any]:
    """An invitation as lists show it (never its token)."""
    return {
        "id": inv.id,
        "partner": partner,
        "respondent": person.ref,
        "role": person.role,
        "label": person.label,
        "round": n,
        "status": _status(inv, stored),
        "created_at": inv.created_at,
        "revoked_at": inv.revoked_at,
    }


def _stakeholder(
    session: Session, found: Alliance, partner: Partner, r: Round, body: dict[str, Any]
) -> Stakeholder:
    """The invited stakeholder: an existing one by reference, or a new (or updated) one, whose
    role must be one of the round's survey."""
    ext = current_app.extensions["scoring"]
    if "stakeholder" in body:
        person = session.scalars(
            select(Stakeholder).where(
                Stakeholder.partner_id == partner.id, Stakeholder.ref == body["stakeholder"]
            )
        ).first()
        if person is None:
            raise InvalidInput(
                [
                    FieldError(
                        "stakeholder", f"no stakeholder {body['stakeholder']!r} in {partner.key}"
                    )
                ]
            )
        survey = ext.registry.get(r.survey_id, r.survey_version)
        if person.role not in survey.role_ids:  # the survey changed since they last answered
            roles = ", ".join(survey.role_ids)
            message = f"their role {person.role!r} is not in this round's survey; invite them "
            raise InvalidInput([FieldError("stakeholder", message + f"with a role of: {roles}")])
        return person
    survey = ext.registry.get(r.survey_id, r.survey_version)
    if body["role"] not in survey.role_ids:
        raise InvalidInput([FieldError("role", f"must be one of: {', '.join(survey.role_ids)}")])
    ref = body.get("respondent") or "s-" + secrets.token_hex(4)
    insert_ignore(
        session,
        Stakeholder.__table__,  # type: ignore[arg-type]
        {
            "alliance_id": found.id,
            "partner_id": partner.id,
            "ref": ref,
            "role": body["role"],
            "label": body.get("label"),
            "created_at": now(),
        },
    )
    person = session.scalars(
        select(Stakeholder).where(Stakeholder.partner_id == partner.id, Stakeholder.ref == ref)
    ).one()
    person.role = body["role"]
    if "label" in body:
        person.label = body["label"]
    return person


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/invitations")
class Invitations(MethodView):
    @access.needs("member")
    @blp.arguments(InvitationIn())
    @blp.response(201, InvitationOut)
    @errors(401, 403, 404, 409, 415, 422)
    def post(self, body: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """Invite a stakeholder to answer round ``n`` (admin, or the stakeholder's partner key)

        Answers with the personal token and the form's URL, shown only here. Inviting the same
        stakeholder again replaces the token (the old link stops working).
        """
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            partner = access.partner_of(found, who, body.get("partner"), "partner")
            r = round_by_n(session, found.id, n)
            if r is None:
                access.not_found()
            if r.status != "open":
                fail(409, f"Round {n} is closed: nobody can be invited to it any more.")
            person = _stakeholder(session, found, partner, r, body)
            token = new_secret(INVITATION_PREFIX)
            token_digest = digest(current_app.extensions["scoring"].settings.secret_key, token)
            inv = session.scalars(
                select(Invitation).where(
                    Invitation.round_id == r.id, Invitation.stakeholder_id == person.id
                )
            ).first()
            if inv is None:
                inv = Invitation(id=new_id(), round_id=r.id, stakeholder_id=person.id)
                session.add(inv)
            inv.digest, inv.created_at, inv.revoked_at = token_digest, now(), None
            stored = _stored(session, r.id, person.id)
            out = invitation_json(inv, person, partner.key, r.n, stored)
        root = current_app.extensions["scoring"].settings.public_url or request.host_url.rstrip("/")
        return out | {"token": token, "form_url": f"{root}/forms/{token}"}

    @access.needs("member")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, InvitationList)
    @errors(401, 403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """List the round's invitations and who has answered (admin: all; partner key: its own)"""
        with current_app.extensions["scoring"].store.read() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            r = round_by_n(session, found.id, n)
            if r is None:
                access.not_found()
            stmt = (
                select(Invitation, Stakeholder, Partner.key, StoredResponse)
                .join(Stakeholder, Stakeholder.id == Invitation.stakeholder_id)
                .join(Partner, Partner.id == Stakeholder.partner_id)
                .outerjoin(
                    StoredResponse,
                    (StoredResponse.round_id == Invitation.round_id)
                    & (StoredResponse.stakeholder_id == Invitation.stakeholder_id),
                )
                .where(Invitation.round_id == r.id, Invitation.id > (query["cursor"] or ""))
                .order_by(Invitation.id)
                .limit(query["limit"] + 1)
            )
            if who.kind == "partner":
                stmt = stmt.where(Partner.id == who.partner_id)
            rows, next_cursor = page(list(session.execute(stmt)), query["limit"], lambda x: x[0].id)
            return {
                "items": [invitation_json(i, s, k, r.n, st) for i, s, k, st in rows],
                "next_cursor": next_cursor,
            }


def _stored(session: Session, round_id: int, stakeholder_id: int) -> StoredResponse | None:
    """The stakeholder's response in the round, if any."""
    return session.scalars(
        select(StoredResponse).where(
            StoredResponse.round_id == round_id, StoredResponse.stakeholder_id == stakeholder_id
        )
    ).first()


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/invitations/<invitation_id>")
class InvitationItem(MethodView):
    @access.needs("member")
    @blp.response(204)
    @errors(401, 403, 404)
    def delete(self, alliance_id: str, n: int, invitation_id: str) -> None:
        """Revoke an invitation (admin, or the stakeholder's partner key); answers stay"""
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            r = round_by_n(session, found.id, n)
            inv = session.get(Invitation, invitation_id)
            if r is None or inv is None or inv.round_id != r.id:
                access.not_found()
            person = session.get(Stakeholder, inv.stakeholder_id)
            if who.kind == "partner" and (person is None or person.partner_id != who.partner_id):
                access.forbidden("A partner key manages its own partner's invitations only.")
            if inv.revoked_at is None:
                inv.revoked_at = now()


def _mine(
    session: Session, who: Principal
) -> tuple[Invitation, Round, Stakeholder, Partner, Alliance]:
    """The invitation behind the token and what it belongs to."""
    inv = session.get(Invitation, who.key_id)
    if inv is None:  # pragma: no cover - the token was just resolved to it
        access.unauthorized()
    r = session.get(Round, inv.round_id)
    person = session.get(Stakeholder, inv.stakeholder_id)
    partner = session.get(Partner, who.partner_id)
    found = session.get(Alliance, who.alliance_id)
    if r is None or person is None or partner is None or found is None:  # pragma: no cover
        access.unauthorized()  # deleted between the token check and here
    return inv, r, person, partner, found


def me_json(
    r: Round,
    person: Stakeholder,
    partner: Partner,
    found: Alliance,
    stored: StoredResponse | Saved | None,
) -> dict[str, Any]:
    """What an invitee sees: where they answer, and their own answers so far."""
    return {
        "alliance": {"id": found.id, "name": found.name},
        "round": {"n": r.n, "label": r.label, "status": r.status, "closes_at": r.closes_at},
        "partner": {"key": partner.key, "name": partner.name},
        "respondent": person.ref,
        "role": person.role,
        "label": person.label,
        "survey": {"id": r.survey_id, "version": r.survey_version},
        "answers": {} if stored is None else stored.answers,
        "complete": False if stored is None else stored.complete,
        "updated_at": None if stored is None else stored.updated_at,
    }


def _invitee(session: Session) -> Principal:
    """The caller, who must hold an invitation (another credential: 403)."""
    who = access.principal(session)
    if who.kind != "invitation":
        access.forbidden("/me/response is for invitation tokens (inv_...).")
    return who


@blp.route("/me/response")
class MyResponse(MethodView):
    @access.needs("invitee")
    @blp.response(200, MeResponseOut)
    @errors(401, 403)
    def get(self) -> dict[str, Any]:
        """Read your own response (invitation token)"""
        with current_app.extensions["scoring"].store.read() as session:
            _inv, r, person, partner, found = _mine(session, _invitee(session))
            close_if_due(r)
            return me_json(r, person, partner, found, _stored(session, r.id, person.id))

    @access.needs("invitee")
    @blp.arguments(MeResponseQuery(), location="query")
    @blp.arguments(MeResponseIn())
    @blp.response(200, MeResponseOut)
    @errors(401, 403, 409, 415, 422)
    def put(self, query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """Save your response (invitation token)

        ``complete: false`` (the default) saves what you have so far, checked only for what it
        contains; ``complete: true`` submits it, which needs every required item. You can
        change it until the round closes. With ``?format=surveyjs`` the body is a SurveyJS
        result object (``complete`` then comes from the query, default true); the mapping is
        in docs/embedding.md.
        """
        ext = current_app.extensions["scoring"]
        with ext.store.read() as session:
            _inv, r, person, partner, found = _mine(session, _invitee(session))
            row = round_row(session.connection(), found.id, r.n)
        if row is None or row.status != "open":
            closed(r.n)
        survey = ext.registry.get(row.survey_id, row.survey_version)
        answers, complete = body["answers"], body["complete"]
        if query["format"] == "surveyjs":
            answers, complete = answers_from_surveyjs(answers, survey), query.get("complete", True)
        payload = {"role": person.role, "answers": answers, "complete": complete}
        check_response(survey, payload)
        saved = write_one(row, partner.id, person.ref, payload)
        return me_json(r, person, partner, found, saved)
