"""Who is calling, and what they may touch: the status table of docs/api.md in one place.

401: no credential, or an unknown or revoked one. 404: anything of another alliance, or that
does not exist (never reveal which). 403: a credential of this alliance without the right.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import current_app, g, request
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from ..errors import FieldError, InvalidInput
from ..store.credentials import INVITATION_PREFIX, Principal, digest
from ..store.models import Alliance, ApiKey, Invitation, Partner, Round, Stakeholder
from ..store.queries import ROUND_COLUMNS, RoundRow, as_round_row, partners, round_row
from .problems import fail

F = TypeVar("F", bound=Callable[..., Any])


def _bearer() -> str | None:
    """The token of an ``Authorization: Bearer`` header."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def unauthorized(
    detail: str = "Send a valid credential as 'Authorization: Bearer <key>'.",
) -> NoReturn:
    """401 with the challenge header."""
    fail(401, message=detail, headers={"WWW-Authenticate": 'Bearer realm="scoring-service"'})


def not_found() -> NoReturn:
    """404 for what does not exist or belongs to another alliance."""
    fail(404, message="No such resource.")


def forbidden(detail: str) -> NoReturn:
    """403 for a credential of this alliance without the right."""
    fail(403, message=detail)


LEVELS = ("operator", "admin", "member", "invitee")


def db() -> Connection:
    """The request's read connection (Core), opened on first use and closed at teardown: one
    pool checkout (and, on PostgreSQL, one pre-ping) per request however many reads it makes."""
    conn = g.get("db")
    if conn is None:
        conn = g.db = current_app.extensions["scoring"].store.reader.connect()
    return conn  # type: ignore[no-any-return]


def close_db(_exc: BaseException | None = None) -> None:
    """Teardown: end the request's read transaction and return its connection."""
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def needs(level: str) -> Callable[[F], F]:
    """Mark a view as needing a credential: ``operator`` (creates alliances), ``admin`` (the
    alliance's admin key), ``member`` (its admin or a partner key) or ``invitee`` (an invitation
    token). :func:`check_request` enforces it before the body is even parsed."""
    if level not in LEVELS:
        raise ValueError(f"unknown access level {level!r}")

    def mark(view: F) -> F:
        view._access = level  # type: ignore[attr-defined]
        return view

    return mark


def _level() -> str | None:
    """The access level of the view the request is routed to (None: public)."""
    view = current_app.view_functions.get(request.endpoint or "")
    cls = getattr(view, "view_class", None)
    name = "get" if request.method == "HEAD" else request.method.lower()  # HEAD runs GET
    method = getattr(cls, name, None) if cls else view
    return getattr(method, "_access", None)


def check_request() -> None:
    """Before anything else (body parsing included): 401 without a live credential, 404 for
    another alliance's resource, 403 for a credential of this alliance without the right.
    The caller is kept in ``g.principal`` for the view."""
    if request.routing_exception is not None:
        return
    level = _level()
    if level is None:
        return
    who = _resolve(db())
    g.principal = who
    if level == "operator":
        if who.kind != "operator":
            not_found()  # only the operator creates alliances; others learn nothing
        return
    if level == "invitee":
        if who.kind != "invitation":
            forbidden("/me/response is for invitation tokens (inv_...).")
        return
    if who.alliance_id is None or who.alliance_id != (request.view_args or {}).get("alliance_id"):
        not_found()
    if who.kind == "invitation":
        forbidden("An invitation reads and writes only its own response, at /api/v1/me/response.")
    if level == "admin" and who.kind != "admin":
        forbidden("This needs the alliance's admin key.")


def principal(session: Session) -> Principal:
    """The caller, as :func:`check_request` found it (or resolved now, outside a request hook)."""
    who = g.get("principal")
    return who if isinstance(who, Principal) else _resolve(session)


# Built once: a credential is looked up on every request.
KEY_LOOKUP = (
    select(ApiKey.kind, ApiKey.alliance_id, ApiKey.partner_id, Partner.key, ApiKey.id)
    .outerjoin(Partner, Partner.id == ApiKey.partner_id)
    .where(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
# The same, with the round the URL names (``<n>``) in the same query: one round trip fewer for
# every route under /rounds/<n>.
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


def _resolve(session: Session | Connection) -> Principal:
    """The caller, from the Bearer token: the operator or a live key (else 401)."""
    token = _bearer()
    if token is None:
        unauthorized()
    ext = current_app.extensions["scoring"]
    operator = ext.settings.operator_token
    if operator and hmac.compare_digest(token.encode(), operator.encode()):
        return Principal("operator")
    if token.startswith(INVITATION_PREFIX):
        return _invitee(session, digest(ext.settings.secret_key, token))
    key_digest = digest(ext.settings.secret_key, token)
    n = (request.view_args or {}).get("n")
    row: Any
    if isinstance(n, int):
        row = session.execute(KEY_AND_ROUND_LOOKUP, {"digest": key_digest, "n": n}).first()
        if row is not None:
            g.url_round = as_round_row(row[5:])
    else:
        row = session.execute(KEY_LOOKUP, {"digest": key_digest}).first()
    if row is None:
        unauthorized("The credential is unknown or revoked.")
    kind, alliance_id, partner_id, partner_key, key_id = row[:5]
    return Principal(kind, alliance_id, partner_id, partner_key, key_id)


def url_round(conn: Connection, alliance_id: str, n: int) -> RoundRow | None:
    """Round ``n`` of the URL's alliance: as the credential check read it, or read now."""
    if "url_round" in g:
        found: RoundRow | None = g.url_round
        return found if found is None or found.alliance_id == alliance_id else None
    return round_row(conn, alliance_id, n)


def _invitee(session: Session | Connection, token_digest: str) -> Principal:
    """The holder of a live invitation (else 401)."""
    row = session.execute(INVITATION_LOOKUP, {"digest": token_digest}).first()
    if row is None:
        unauthorized("The invitation is unknown or revoked.")
    invitation_id, alliance_id, partner_id, partner_key = row
    return Principal("invitation", alliance_id, partner_id, partner_key, invitation_id)


def alliance(session: Session, who: Principal, alliance_id: str, *, admin: bool) -> Alliance:
    """The alliance ``who`` may see (404 otherwise); ``admin``: and may change (403 otherwise).
    An invitation reaches only its own response (``/me/response``): 403 here."""
    if who.alliance_id != alliance_id:
        not_found()
    found = session.get(Alliance, alliance_id)
    if found is None:
        not_found()
    if who.kind == "invitation":
        forbidden("An invitation reads and writes only its own response, at /api/v1/me/response.")
    if admin and who.kind != "admin":
        forbidden("This needs the alliance's admin key.")
    return found


def partner_for(conn: Connection, who: Principal, key: str | None, field: str) -> tuple[int, str]:
    """(id, key) of the partner a write is for: a partner key's own (naming another is 403);
    the admin names one (422 when missing or unknown)."""
    if who.kind == "partner" and who.partner_id is not None and who.partner_key is not None:
        if key is not None and key != who.partner_key:
            forbidden(f"{field}: a partner key writes for its own partner only.")
        return who.partner_id, who.partner_key
    known = partners(conn, who.alliance_id or "")
    if key is None:
        raise InvalidInput([FieldError(field, "the admin key must name the partner")])
    if key not in known:
        raise InvalidInput([FieldError(field, f"must be one of: {', '.join(known)}")])
    return known[key], key


def partner_of(found: Alliance, who: Principal, key: str | None, field: str) -> Partner:
    """The partner a write is for: a partner key's own (naming another is 403); the admin
    names one (422 when missing or unknown)."""
    if who.kind == "partner":
        if key is not None and key != who.partner_key:
            forbidden(f"{field}: a partner key writes for its own partner only.")
        key = who.partner_key
    by_key = {p.key: p for p in found.partners}
    if key is None:
        raise InvalidInput([FieldError(field, "the admin key must name the partner")])
    if key not in by_key:
        raise InvalidInput([FieldError(field, f"must be one of: {', '.join(by_key)}")])
    return by_key[key]
