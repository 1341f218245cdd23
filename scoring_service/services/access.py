"""Who is calling, and what they may touch: the status table of docs/api.md in one place.

Unauthenticated (401): no credential, or an unknown or revoked one. NotFound (404): anything of
another alliance, or that does not exist (never reveal which). Forbidden (403): a credential of
this alliance without the right.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..errors import Forbidden, NotFound, Unauthenticated, invalid
from ..store.credentials import INVITATION_PREFIX, digest
from ..store.models import Alliance, ApiKey, Invitation, Partner, Round, Stakeholder
from ..store.queries import ROUND_COLUMNS, partners
from .round_state import RoundRow, as_round

LEVELS = ("operator", "admin", "member", "invitee")
INVITATION_ONLY = "An invitation reads and writes only its own response, at /api/v1/me/response."


@dataclass(frozen=True)
class Principal:
    """Who is calling: the operator, an alliance's admin, a partner, or an invitee."""

    kind: str  # operator | admin | partner | invitation
    alliance_id: str | None = None
    partner_id: int | None = None
    partner_key: str | None = None
    key_id: str | None = None  # the API key's id, or the invitation's

    @property
    def name(self) -> str:
        """For audit entries and cache keys: ``admin``, ``partner:<key>``, ``operator``."""
        return f"partner:{self.partner_key}" if self.kind == "partner" else self.kind


@dataclass(frozen=True)
class Caller:
    """The principal, and the round the URL names when it was read with the credential (one
    query for both: every route under ``/rounds/<n>`` saves a round trip)."""

    principal: Principal
    url_round: RoundRow | None = None
    round_read: bool = False  # url_round holds the answer (None: no such round)

    def round_of(self, alliance_id: str) -> RoundRow | None:
        """The URL's round, when it was read and belongs to ``alliance_id``."""
        r = self.url_round
        return r if r is not None and r.alliance_id == alliance_id else None


# Built once: a credential is looked up on every request.
KEY_LOOKUP = (
    select(ApiKey.kind, ApiKey.alliance_id, ApiKey.partner_id, Partner.key, ApiKey.id)
    .outerjoin(Partner, Partner.id == ApiKey.partner_id)
    .where(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
# The same, with the round the URL names (``<n>``) in the same query.
KEY_AND_ROUND_LOOKUP = (
    select(
        ApiKey.kind, ApiKey.alliance_id, ApiKey.partner_id, Partner.key, ApiKey.id, *ROUND_COLUMNS
    )
    .outerjoin(Partner, Partner.id == ApiKey.partner_id)
    .outerjoin(Round, (Round.alliance_id == ApiKey.alliance_id) & (Round.n == bindparam("n")))
    .where(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
INVITATION_LOOKUP = (
    select(Invitation.id, Round.alliance_id, Partner.id, Partner.key)
    .join(Round, Round.id == Invitation.round_id)
    .join(Stakeholder, Stakeholder.id == Invitation.stakeholder_id)
    .join(Partner, Partner.id == Stakeholder.partner_id)
    .where(Invitation.digest == bindparam("digest"), Invitation.revoked_at.is_(None))
)


def authenticate(conn: Connection, settings: Settings, token: str | None, n: int | None) -> Caller:
    """The caller behind a Bearer ``token``: the operator, a live key (with round ``n`` of its
    alliance when the URL names one), or a live invitation; else :class:`Unauthenticated`."""
    if token is None:
        raise Unauthenticated()
    operator = settings.operator_token
    if operator and hmac.compare_digest(token.encode(), operator.encode()):
        return Caller(Principal("operator"))
    key_digest = digest(settings.secret_key, token)
    if token.startswith(INVITATION_PREFIX):
        found = conn.execute(INVITATION_LOOKUP, {"digest": key_digest}).first()
        if found is None:
            raise Unauthenticated("The invitation is unknown or revoked.")
        invitation_id, alliance_id, partner_id, partner_key = found
        return Caller(Principal("invitation", alliance_id, partner_id, partner_key, invitation_id))
    row: Any
    if n is not None:
        row = conn.execute(KEY_AND_ROUND_LOOKUP, {"digest": key_digest, "n": n}).first()
    else:
        row = conn.execute(KEY_LOOKUP, {"digest": key_digest}).first()
    if row is None:
        raise Unauthenticated("The credential is unknown or revoked.")
    kind, alliance_id, partner_id, partner_key, key_id = row[:5]
    who = Principal(kind, alliance_id, partner_id, partner_key, key_id)
    if n is None:
        return Caller(who)
    return Caller(who, as_round(row[5:]), round_read=True)


def authorize(who: Principal, level: str, alliance_id: str | None) -> None:
    """May ``who`` call a route of ``level`` on ``alliance_id`` (the URL's, if any)?

    ``operator`` creates alliances; ``admin`` is the alliance's admin key; ``member`` its admin
    or a partner key; ``invitee`` an invitation token.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown access level {level!r}")
    if level == "operator":
        if who.kind != "operator":
            raise NotFound()  # only the operator creates alliances; others learn nothing
        return
    if level == "invitee":
        if who.kind != "invitation":
            raise Forbidden("/me/response is for invitation tokens (inv_...).")
        return
    if who.alliance_id is None or who.alliance_id != alliance_id:
        raise NotFound()
    if who.kind == "invitation":
        raise Forbidden(INVITATION_ONLY)
    if level == "admin" and who.kind != "admin":
        raise Forbidden("This needs the alliance's admin key.")


def visible_alliance(
    session: Session, who: Principal, alliance_id: str, *, admin: bool
) -> Alliance:
    """The alliance ``who`` may see (else NotFound); ``admin``: and may change (else Forbidden)."""
    if who.alliance_id != alliance_id:
        raise NotFound()
    found = session.get(Alliance, alliance_id)
    if found is None:
        raise NotFound()
    if who.kind == "invitation":
        raise Forbidden(INVITATION_ONLY)
    if admin and who.kind != "admin":
        raise Forbidden("This needs the alliance's admin key.")
    return found


def _own_partner(who: Principal, key: str | None, field: str) -> str | None:
    """A partner key's own partner (naming another is Forbidden); None for the admin."""
    if who.kind != "partner":
        return None
    if key is not None and key != who.partner_key:
        raise Forbidden(f"{field}: a partner key writes for its own partner only.")
    return who.partner_key


def _named(known: dict[str, Any], key: str | None, field: str) -> Any:
    """The admin's named partner among ``known`` (an invalid field otherwise)."""
    if key is None:
        raise invalid(field, "the admin key must name the partner", "required")
    if key not in known:
        raise invalid(field, f"must be one of: {', '.join(known)}", "one_of", allowed=list(known))
    return known[key]


def partner_for(conn: Connection, who: Principal, key: str | None, field: str) -> tuple[int, str]:
    """(id, key) of the partner a write is for: a partner key's own; the admin names one."""
    own = _own_partner(who, key, field)
    if own is not None and who.partner_id is not None:
        return who.partner_id, own
    known = partners(conn, who.alliance_id or "")
    return _named(known, key, field), key or ""


def partner_of(found: Alliance, who: Principal, key: str | None, field: str) -> Partner:
    """The partner a write is for: a partner key's own; the admin names one."""
    key = _own_partner(who, key, field) or key
    by_key = {p.key: p for p in found.partners}
    partner: Partner = _named(by_key, key, field)
    return partner
