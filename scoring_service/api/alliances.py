"""Alliances and their keys: created with the operator token, run with the admin key."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import FieldError, InvalidInput, UnknownSurvey
from ..schemas.stored import AllianceIn, AllianceOut, AlliancePatch, KeyList, KeyOut
from ..store.credentials import (
    ADMIN_PREFIX,
    PARTNER_PREFIX,
    Principal,
    digest,
    hint,
    new_id,
    new_secret,
)
from ..store.models import Alliance, ApiKey, AuditEntry, Partner, Round, now
from . import access
from .problems import Blueprint, problem_responses

blp = Blueprint("alliances", __name__, url_prefix="/api/v1", description="Alliances and keys")

errors = problem_responses(blp)


def alliance_json(a: Alliance) -> dict[str, Any]:
    """An alliance as the API shows it."""
    return {
        "id": a.id,
        "name": a.name,
        "survey": a.survey_id,
        "partners": [{"key": p.key, "name": p.name} for p in a.partners],
        "frame_ancestors": list(a.frame_ancestors),
        "min_group_size": a.min_group_size,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def _check_survey(survey_id: str) -> None:
    """A 422 naming ``survey`` when no survey file has that id."""
    try:
        current_app.extensions["scoring"].registry.get(survey_id)
    except UnknownSurvey:
        raise InvalidInput([FieldError("survey", f"unknown survey {survey_id!r}")]) from None


def issue_key(session: Session, alliance_id: str, partner: Partner | None) -> tuple[ApiKey, str]:
    """A new admin key (``partner`` None) or partner key; the secret is returned, never kept."""
    secret = new_secret(ADMIN_PREFIX if partner is None else PARTNER_PREFIX)
    key = ApiKey(
        id=new_id(),
        alliance_id=alliance_id,
        partner_id=None if partner is None else partner.id,
        kind="admin" if partner is None else "partner",
        digest=digest(current_app.extensions["scoring"].settings.secret_key, secret),
        hint=hint(secret),
        created_at=now(),
    )
    session.add(key)
    return key, secret


def key_json(key: ApiKey, partner: str | None, secret: str | None = None) -> dict[str, Any]:
    """A key as lists show it; ``secret`` only in the answer that creates it."""
    out: dict[str, Any] = {
        "id": key.id,
        "kind": key.kind,
        "partner": partner,
        "hint": key.hint,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }
    if secret is not None:
        out["key"] = secret
    return out


def audit(session: Session, alliance_id: str, actor: str, action: str, **detail: Any) -> None:
    """Record an action (never a secret, never an answer)."""
    session.add(AuditEntry(alliance_id=alliance_id, actor=actor, action=action, detail=detail))


@blp.route("/alliances")
class Alliances(MethodView):
    @access.needs("operator")
    @blp.arguments(AllianceIn())
    @blp.response(201, AllianceOut)
    @errors(401, 404, 415, 422)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create an alliance (operator token)

        Answers with the alliance and its admin key. The key is shown only here: keep it.
        """
        store = current_app.extensions["scoring"].store
        with store.write() as session:
            who = access.principal(session)
            if who.kind != "operator":
                access.not_found()  # only the operator creates alliances; others see nothing
            _check_survey(body["survey"])
            found = Alliance(
                id=new_id(),
                name=body["name"],
                survey_id=body["survey"],
                frame_ancestors=body["frame_ancestors"],
                min_group_size=body["min_group_size"],
                created_at=now(),
                updated_at=now(),
            )
            found.partners = [
                Partner(key=p["key"], name=p["name"], position=k)
                for k, p in enumerate(body["partners"])
            ]
            session.add(found)
            session.flush()
            _key, secret = issue_key(session, found.id, None)
            audit(session, found.id, "operator", "alliance.create")
        return alliance_json(found) | {"admin_key": secret}


@blp.route("/alliances/<alliance_id>")
class AllianceItem(MethodView):
    @access.needs("member")
    @blp.response(200, AllianceOut)
    @errors(401, 403, 404)
    def get(self, alliance_id: str) -> dict[str, Any]:
        """Read an alliance (admin or partner key)"""
        with current_app.extensions["scoring"].store.read() as session:
            who = access.principal(session)
            return alliance_json(access.alliance(session, who, alliance_id, admin=False))

    @access.needs("admin")
    @blp.arguments(AlliancePatch())
    @blp.response(200, AllianceOut)
    @errors(401, 403, 404, 415, 422)
    def patch(self, body: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """Change an alliance's name, survey, framing origins or minimum group size (admin)"""
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=True)
            if "survey" in body:
                _check_survey(body["survey"])
                found.survey_id = body["survey"]
            for field in ("name", "frame_ancestors", "min_group_size"):
                if field in body:
                    setattr(found, field, body[field])
            if "min_group_size" in body:  # partners' views of every round depend on it
                session.execute(
                    update(Round)
                    .where(Round.alliance_id == found.id)
                    .values(version=Round.version + 1)
                )
            found.updated_at = now()
        return alliance_json(found)

    @access.needs("admin")
    @blp.response(204)
    @errors(401, 403, 404)
    def delete(self, alliance_id: str) -> None:
        """Delete an alliance with its rounds, responses and keys (admin)"""
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            session.delete(access.alliance(session, who, alliance_id, admin=True))


@blp.route("/alliances/<alliance_id>/admin-key")
class AdminKey(MethodView):
    @access.needs("admin")
    @blp.response(201, KeyOut)
    @errors(401, 403, 404)
    def post(self, alliance_id: str) -> dict[str, Any]:
        """Rotate the admin key (admin)

        Issues a new admin key and revokes every older one at once: the key that made this
        request stops working. The new key is shown only here.
        """
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            access.alliance(session, who, alliance_id, admin=True)
            _revoke(session, alliance_id, None)
            key, secret = issue_key(session, alliance_id, None)
            audit(session, alliance_id, who.name, "admin_key.rotate", key=key.id)
        return key_json(key, None, secret)


def _revoke(session: Session, alliance_id: str, partner_id: int | None) -> None:
    """Revoke the live admin keys (``partner_id`` None) or one partner's keys."""
    condition = ApiKey.kind == "admin" if partner_id is None else ApiKey.partner_id == partner_id
    session.execute(
        update(ApiKey)
        .where(ApiKey.alliance_id == alliance_id, condition, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def _admin_partner(session: Session, alliance_id: str, key: str) -> tuple[Principal, Partner]:
    """The admin making the request and the alliance's partner ``key`` (404 if unknown)."""
    who = access.principal(session)
    return who, _partner(access.alliance(session, who, alliance_id, admin=True), key)


def _partner(found: Alliance, key: str) -> Partner:
    """The alliance's partner with that key, else 404."""
    for p in found.partners:
        if p.key == key:
            return p
    access.not_found()


@blp.route("/alliances/<alliance_id>/partners/<partner>/keys")
class PartnerKeys(MethodView):
    @access.needs("admin")
    @blp.response(201, KeyOut)
    @errors(401, 403, 404)
    def post(self, alliance_id: str, partner: str) -> dict[str, Any]:
        """Issue a key for a partner (admin); shown only here"""
        with current_app.extensions["scoring"].store.write() as session:
            who, p = _admin_partner(session, alliance_id, partner)
            key, secret = issue_key(session, alliance_id, p)
            audit(session, alliance_id, who.name, "partner_key.create", key=key.id)
        return key_json(key, partner, secret)

    @access.needs("admin")
    @blp.response(200, KeyList)
    @errors(401, 403, 404)
    def get(self, alliance_id: str, partner: str) -> dict[str, Any]:
        """List a partner's keys, live and revoked, without their secrets (admin)"""
        with current_app.extensions["scoring"].store.read() as session:
            who, p = _admin_partner(session, alliance_id, partner)
            keys = session.scalars(
                select(ApiKey).where(ApiKey.partner_id == p.id).order_by(ApiKey.created_at)
            )
            return {"items": [key_json(k, partner) for k in keys]}


@blp.route("/alliances/<alliance_id>/partners/<partner>/keys/<key_id>")
class PartnerKey(MethodView):
    @access.needs("admin")
    @blp.response(204)
    @errors(401, 403, 404)
    def delete(self, alliance_id: str, partner: str, key_id: str) -> None:
        """Revoke a partner's key (admin)"""
        with current_app.extensions["scoring"].store.write() as session:
            who, p = _admin_partner(session, alliance_id, partner)
            key = session.get(ApiKey, key_id)
            if key is None or key.partner_id != p.id:
                access.not_found()
            if key.revoked_at is None:
                key.revoked_at = now()
                audit(session, alliance_id, who.name, "partner_key.revoke", key=key.id)


@blp.route("/alliances/<alliance_id>/partners/<partner>/keys/<key_id>/rotate")
class PartnerKeyRotation(MethodView):
    @access.needs("admin")
    @blp.response(201, KeyOut)
    @errors(401, 403, 404)
    def post(self, alliance_id: str, partner: str, key_id: str) -> dict[str, Any]:
        """Rotate a partner's key (admin)

        Issues a new key for the same partner and revokes this one in the same transaction.
        The new key is shown only here.
        """
        with current_app.extensions["scoring"].store.write() as session:
            who, p = _admin_partner(session, alliance_id, partner)
            old = session.get(ApiKey, key_id)
            if old is None or old.partner_id != p.id or old.revoked_at is not None:
                access.not_found()
            old.revoked_at = now()
            key, secret = issue_key(session, alliance_id, p)
            audit(session, alliance_id, who.name, "partner_key.rotate", old=old.id, key=key.id)
        return key_json(key, partner, secret)
