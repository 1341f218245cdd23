"""Alliances and their keys: created by the operator, run with the admin key."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from ..errors import NotFound, UnknownSurvey, invalid
from ..store.credentials import ADMIN_PREFIX, PARTNER_PREFIX, digest, hint, new_id, new_secret
from ..store.models import Alliance, ApiKey, AuditEntry, Partner, Round, now
from . import Env
from .access import Principal, visible_alliance
from .paging import page


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


def _check_survey(env: Env, survey_id: str) -> None:
    """An invalid ``survey`` when no survey file has that id."""
    try:
        env.registry.get(survey_id)
    except UnknownSurvey:
        raise invalid("survey", f"unknown survey {survey_id!r}", "unknown_survey") from None


def _issue_key(
    session: Session, secret_key: str, alliance_id: str, partner: Partner | None
) -> tuple[ApiKey, str]:
    """A new admin key (``partner`` None) or partner key; the secret is returned, never kept."""
    secret = new_secret(ADMIN_PREFIX if partner is None else PARTNER_PREFIX)
    key = ApiKey(
        id=new_id(),
        alliance_id=alliance_id,
        partner_id=None if partner is None else partner.id,
        kind="admin" if partner is None else "partner",
        digest=digest(secret_key, secret),
        hint=hint(secret),
        created_at=now(),
    )
    session.add(key)
    return key, secret


def create(session: Session, who: Principal, env: Env, body: dict[str, Any]) -> dict[str, Any]:
    """Create an alliance (operator); the answer holds its admin key, shown only here."""
    if who.kind != "operator":
        raise NotFound()  # only the operator creates alliances; others see nothing
    _check_survey(env, body["survey"])
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
        Partner(key=p["key"], name=p["name"], position=k) for k, p in enumerate(body["partners"])
    ]
    session.add(found)
    session.flush()
    _key, secret = _issue_key(session, env.settings.secret_key, found.id, None)
    audit(session, found.id, "operator", "alliance.create")
    return alliance_json(found) | {"admin_key": secret}


def _after(raw: str | None) -> tuple[dt.datetime, str] | None:
    """The position a page cursor of the alliance list names: ``<created_at>|<id>``."""
    if raw is None:
        return None
    when, _, last = raw.partition("|")
    try:
        at = dt.datetime.fromisoformat(when)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None or not last or len(last) > 32:
        raise invalid("cursor", "not a cursor this API gave", "bad_cursor")
    return at, last


def list_alliances(session: Session, who: Principal, query: dict[str, Any]) -> dict[str, Any]:
    """Every alliance, newest first, a page at a time (the operator); no secrets."""
    if who.kind != "operator":
        raise NotFound()
    stmt = select(Alliance).order_by(Alliance.created_at.desc(), Alliance.id.desc())
    after = _after(query["cursor"])
    if after is not None:
        at, last = after
        stmt = stmt.where(
            (Alliance.created_at < at) | ((Alliance.created_at == at) & (Alliance.id < last))
        )
    rows = list(session.scalars(stmt.limit(query["limit"] + 1)))
    shown, next_cursor = page(rows, query["limit"], lambda a: f"{a.created_at.isoformat()}|{a.id}")
    return {"items": [alliance_json(a) for a in shown], "next_cursor": next_cursor}


def read(session: Session, who: Principal, alliance_id: str) -> dict[str, Any]:
    """An alliance its admin or partners may see."""
    return alliance_json(visible_alliance(session, who, alliance_id, admin=False))


def change(
    session: Session, who: Principal, env: Env, alliance_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Change an alliance's name, survey, framing origins or minimum group size (admin)."""
    found = visible_alliance(session, who, alliance_id, admin=True)
    if "survey" in body:
        _check_survey(env, body["survey"])
        found.survey_id = body["survey"]
    for field in ("name", "frame_ancestors", "min_group_size"):
        if field in body:
            setattr(found, field, body[field])
    if "min_group_size" in body:  # partners' views of every round depend on it
        session.execute(
            update(Round).where(Round.alliance_id == found.id).values(version=Round.version + 1)
        )
    found.updated_at = now()
    return alliance_json(found)


def delete(session: Session, who: Principal, alliance_id: str) -> None:
    """Delete an alliance with its rounds, responses and keys (admin)."""
    session.delete(visible_alliance(session, who, alliance_id, admin=True))


def _revoke(session: Session, alliance_id: str, partner_id: int | None) -> None:
    """Revoke the live admin keys (``partner_id`` None) or one partner's keys."""
    condition = ApiKey.kind == "admin" if partner_id is None else ApiKey.partner_id == partner_id
    session.execute(
        update(ApiKey)
        .where(ApiKey.alliance_id == alliance_id, condition, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def rotate_admin_key(
    session: Session, who: Principal, env: Env, alliance_id: str
) -> dict[str, Any]:
    """A new admin key; every older one is revoked at once (the caller's too)."""
    visible_alliance(session, who, alliance_id, admin=True)
    return _new_admin_key(session, env.settings.secret_key, alliance_id, who.name)


def recover_admin_key(session: Session, secret_key: str, alliance_id: str) -> dict[str, Any]:
    """A new admin key for an alliance whose key is lost (the operator, on the command line);
    every older one is revoked."""
    if session.get(Alliance, alliance_id) is None:
        raise NotFound(f"no alliance {alliance_id!r}")
    return _new_admin_key(session, secret_key, alliance_id, "cli")


def _new_admin_key(
    session: Session, secret_key: str, alliance_id: str, actor: str
) -> dict[str, Any]:
    """Revoke the live admin keys, issue one, audit it."""
    _revoke(session, alliance_id, None)
    key, secret = _issue_key(session, secret_key, alliance_id, None)
    audit(session, alliance_id, actor, "admin_key.rotate", key=key.id)
    return key_json(key, None, secret)


def _partner(session: Session, who: Principal, alliance_id: str, key: str) -> Partner:
    """The alliance's partner ``key``, for its admin (NotFound if there is none)."""
    found = visible_alliance(session, who, alliance_id, admin=True)
    for p in found.partners:
        if p.key == key:
            return p
    raise NotFound()


def issue_partner_key(
    session: Session, who: Principal, env: Env, alliance_id: str, partner: str
) -> dict[str, Any]:
    """A new key for a partner (admin); the secret is shown only in this answer."""
    p = _partner(session, who, alliance_id, partner)
    key, secret = _issue_key(session, env.settings.secret_key, alliance_id, p)
    audit(session, alliance_id, who.name, "partner_key.create", key=key.id)
    return key_json(key, partner, secret)


def partner_keys(
    session: Session, who: Principal, alliance_id: str, partner: str
) -> dict[str, Any]:
    """A partner's keys, live and revoked, without their secrets (admin)."""
    p = _partner(session, who, alliance_id, partner)
    keys = session.scalars(
        select(ApiKey).where(ApiKey.partner_id == p.id).order_by(ApiKey.created_at)
    )
    return {"items": [key_json(k, partner) for k in keys]}


def revoke_partner_key(
    session: Session, who: Principal, alliance_id: str, partner: str, key_id: str
) -> None:
    """Revoke a partner's key (admin); revoking a revoked key changes nothing."""
    p = _partner(session, who, alliance_id, partner)
    key = session.get(ApiKey, key_id)
    if key is None or key.partner_id != p.id:
        raise NotFound()
    if key.revoked_at is None:
        key.revoked_at = now()
        audit(session, alliance_id, who.name, "partner_key.revoke", key=key.id)


def rotate_partner_key(
    session: Session, who: Principal, env: Env, alliance_id: str, partner: str, key_id: str
) -> dict[str, Any]:
    """A new key for the same partner; this one is revoked in the same transaction."""
    p = _partner(session, who, alliance_id, partner)
    old = session.get(ApiKey, key_id)
    if old is None or old.partner_id != p.id or old.revoked_at is not None:
        raise NotFound()
    old.revoked_at = now()
    key, secret = _issue_key(session, env.settings.secret_key, alliance_id, p)
    audit(session, alliance_id, who.name, "partner_key.rotate", old=old.id, key=key.id)
    return key_json(key, partner, secret)


def framing_origins(conn: Connection, alliance_id: str) -> set[str]:
    """The web origins one alliance lists in ``frame_ancestors``: one row, by its key (empty
    for an alliance that does not exist). There is deliberately no "every alliance's": a
    request that reads them all costs a scan and tells one caller about every customer."""
    query = select(Alliance.frame_ancestors).where(Alliance.id == alliance_id)
    return {origin for (listed,) in conn.execute(query) for origin in listed}
