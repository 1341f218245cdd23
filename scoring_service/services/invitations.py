"""Invitations (personal tokens for one round) and the invitee's own response, answered through
``/api/v1/me/response`` or the form page."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotFound, RoundClosed, Unauthenticated, invalid
from ..store.credentials import INVITATION_PREFIX, digest, new_id, new_secret
from ..store.models import Alliance, Invitation, Partner, Stakeholder, StoredResponse, now
from ..store.queries import insert_ignore
from ..surveys import Survey, answers_from_surveyjs
from . import Env
from .access import Principal, partner_of, visible_alliance
from .paging import page
from .responses import Write, check_response
from .round_state import RoundRow, load, load_by_id, load_or_404

MAX_TOKEN = 200


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


def _roles_error(survey: Survey, path: str, message: str) -> Exception:
    """A role the round's survey does not have."""
    return invalid(path, message, "one_of", allowed=list(survey.role_ids))


def _stakeholder(
    session: Session, found: Alliance, partner: Partner, survey: Survey, body: dict[str, Any]
) -> Stakeholder:
    """The invited stakeholder: an existing one by reference, or a new (or updated) one, whose
    role must be one of the round's survey."""
    roles = ", ".join(survey.role_ids)
    if "stakeholder" in body:
        person = session.scalars(
            select(Stakeholder).where(
                Stakeholder.partner_id == partner.id, Stakeholder.ref == body["stakeholder"]
            )
        ).first()
        if person is None:
            message = f"no stakeholder {body['stakeholder']!r} in {partner.key}"
            raise invalid("stakeholder", message, "unknown_stakeholder")
        if person.role not in survey.role_ids:  # the survey changed since they last answered
            message = f"their role {person.role!r} is not in this round's survey; invite them "
            raise _roles_error(survey, "stakeholder", message + f"with a role of: {roles}")
        return person
    if body["role"] not in survey.role_ids:
        raise _roles_error(survey, "role", f"must be one of: {roles}")
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


def _with_people(*columns: Any) -> Any:
    """Invitations with their stakeholder, partner and response in the round (if any)."""
    return (
        select(*columns)
        .select_from(Invitation)
        .join(Stakeholder, Stakeholder.id == Invitation.stakeholder_id)
        .join(Partner, Partner.id == Stakeholder.partner_id)
        .outerjoin(
            StoredResponse,
            (StoredResponse.round_id == Invitation.round_id)
            & (StoredResponse.stakeholder_id == Invitation.stakeholder_id),
        )
    )


def _stored(session: Session, round_id: int, stakeholder_id: int) -> StoredResponse | None:
    """The stakeholder's response in the round, if any."""
    return session.scalars(
        select(StoredResponse).where(
            StoredResponse.round_id == round_id, StoredResponse.stakeholder_id == stakeholder_id
        )
    ).first()


def invite(
    session: Session,
    who: Principal,
    env: Env,
    alliance_id: str,
    n: int,
    body: dict[str, Any],
    public_root: str,
) -> dict[str, Any]:
    """Invite a stakeholder to answer round ``n`` (admin, or the stakeholder's partner key).

    The answer holds the personal token and the form's URL under ``public_root``, shown only
    here; inviting the same stakeholder again replaces the token.
    """
    found = visible_alliance(session, who, alliance_id, admin=False)
    partner = partner_of(found, who, body.get("partner"), "partner")
    r = load_or_404(session.connection(), found.id, n)
    if not r.is_open:
        raise RoundClosed(n, f"Round {n} is closed: nobody can be invited to it any more.")
    survey = env.registry.get(r.survey_id, r.survey_version)
    person = _stakeholder(session, found, partner, survey, body)
    token = new_secret(INVITATION_PREFIX)
    inv = session.scalars(
        select(Invitation).where(
            Invitation.round_id == r.id, Invitation.stakeholder_id == person.id
        )
    ).first()
    if inv is None:
        inv = Invitation(id=new_id(), round_id=r.id, stakeholder_id=person.id)
        session.add(inv)
    inv.digest, inv.created_at, inv.revoked_at = digest(env.settings.secret_key, token), now(), None
    out = invitation_json(inv, person, partner.key, r.n, _stored(session, r.id, person.id))
    return out | {"token": token, "form_url": f"{public_root}/forms/{token}"}


def list_invitations(
    session: Session, who: Principal, alliance_id: str, n: int, query: dict[str, Any]
) -> dict[str, Any]:
    """The round's invitations and who has answered (admin: all; partner key: its own)."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    r = load_or_404(session.connection(), found.id, n)
    stmt = (
        _with_people(Invitation, Stakeholder, Partner.key, StoredResponse)
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


def revoke(session: Session, who: Principal, alliance_id: str, n: int, invitation_id: str) -> None:
    """Revoke an invitation (admin, or the stakeholder's partner key); answers stay."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    r = load(session.connection(), found.id, n)
    inv = session.get(Invitation, invitation_id)
    if r is None or inv is None or inv.round_id != r.id:
        raise NotFound()
    person = session.get(Stakeholder, inv.stakeholder_id)
    if who.kind == "partner" and (person is None or person.partner_id != who.partner_id):
        raise Forbidden("A partner key manages its own partner's invitations only.")
    if inv.revoked_at is None:
        inv.revoked_at = now()


@dataclass(frozen=True)
class InvitedAlliance:
    """What an invitation's pages show of its alliance."""

    id: str
    name: str
    frame_ancestors: tuple[str, ...]


@dataclass(frozen=True)
class InvitedPartner:
    """The invited person's partner."""

    id: int
    key: str
    name: str


@dataclass(frozen=True)
class InvitedPerson:
    """The invited stakeholder."""

    ref: str
    role: str
    label: str | None


@dataclass(frozen=True)
class StoredAnswers:
    """The invitee's response in the round, as stored."""

    answers: dict[str, Any]
    complete: bool
    updated_at: dt.datetime


@dataclass(frozen=True)
class Invited:
    """An invitation and everything its form or ``/me/response`` shows (plain values: nothing
    here reaches back to the database)."""

    invitation_id: str
    revoked: bool
    round: RoundRow
    person: InvitedPerson
    partner: InvitedPartner
    alliance: InvitedAlliance
    stored: StoredAnswers | None


INVITED = _with_people(Invitation, Stakeholder, Partner, Alliance, StoredResponse).join(
    Alliance, Alliance.id == Partner.alliance_id
)


def _invited(session: Session, where: Any) -> Invited | None:
    """The invitation matching ``where`` with what it belongs to, or None."""
    row = session.execute(INVITED.where(where)).first()
    if row is None:
        return None
    inv, person, partner, found, stored = row
    r = load_by_id(session.connection(), inv.round_id)
    if r is None:  # pragma: no cover - a round is deleted only with its alliance
        return None
    return Invited(
        inv.id,
        inv.revoked_at is not None,
        r,
        InvitedPerson(person.ref, person.role, person.label),
        InvitedPartner(partner.id, partner.key, partner.name),
        InvitedAlliance(found.id, found.name, tuple(found.frame_ancestors)),
        None
        if stored is None
        else StoredAnswers(stored.answers, stored.complete, stored.updated_at),
    )


def by_token(session: Session, env: Env, token: str) -> Invited | None:
    """The invitation behind a form's ``token``, revoked ones too (their page may still be
    framed by the alliance's portal), or None."""
    if not token.startswith(INVITATION_PREFIX) or len(token) > MAX_TOKEN:
        return None
    return _invited(session, Invitation.digest == digest(env.settings.secret_key, token))


def mine(session: Session, who: Principal) -> Invited:
    """The caller's own invitation (an invitation token; any other credential is Forbidden)."""
    if who.kind != "invitation":
        raise Forbidden("/me/response is for invitation tokens (inv_...).")
    found = _invited(session, Invitation.id == who.key_id)
    if found is None:  # pragma: no cover - deleted between the token check and here
        raise Unauthenticated()
    return found


def me_json(found: Invited, saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """What an invitee sees: where they answer, and their own answers so far (``saved``: as
    just written, in :func:`.responses.response_json`'s shape)."""
    r, person, stored = found.round, found.person, found.stored
    if saved is not None:
        answers, complete, updated_at = saved["answers"], saved["complete"], saved["updated_at"]
    elif stored is not None:
        answers, complete, updated_at = stored.answers, stored.complete, stored.updated_at
    else:
        answers, complete, updated_at = {}, False, None
    return {
        "alliance": {"id": found.alliance.id, "name": found.alliance.name},
        "round": {"n": r.n, "label": r.label, "status": r.status, "closes_at": r.closes_at},
        "partner": {"key": found.partner.key, "name": found.partner.name},
        "respondent": person.ref,
        "role": person.role,
        "label": person.label,
        "survey": {"id": r.survey_id, "version": r.survey_version},
        "answers": answers,
        "complete": complete,
        "updated_at": updated_at,
    }


def my_response(session: Session, who: Principal) -> dict[str, Any]:
    """The invitee's own response."""
    return me_json(mine(session, who))


def check_answer(
    found: Invited, env: Env, answers: Any, complete: bool, *, surveyjs: bool = False
) -> Write:
    """The invitee's answers (``surveyjs``: a SurveyJS result object, mapped first), checked
    against the round's survey, ready to be written."""
    r = found.round
    if not r.is_open:
        raise RoundClosed(r.n)
    survey = env.registry.get(r.survey_id, r.survey_version)
    if surveyjs:
        answers = answers_from_surveyjs(answers, survey)
    body = {"role": found.person.role, "answers": answers, "complete": complete}
    check_response(survey, body)
    return Write(r, found.partner.id, found.partner.key, found.person.ref, body)


def survey_of(found: Invited, env: Env) -> Survey:
    """The survey version the invitation's round pinned."""
    return env.registry.get(found.round.survey_id, found.round.survey_version)
