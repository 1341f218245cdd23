"""The credential check of the API: which level a view needs, checked before its body is parsed.

The rules themselves are ``services.access``'s; this module reads the header and the route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

from .. import context, limits
from ..errors import Unauthenticated
from ..services import access

F = TypeVar("F", bound=Callable[..., Any])

# The credentials, as OpenAPI security schemes: all of them bearer tokens.
SCHEMES = {
    "operator": "The operator's token (SCORING_OPERATOR_TOKEN): creates and lists alliances.",
    "admin": "An alliance's admin key (sk_admin_...), given when the alliance is created.",
    "partner": "A partner key (sk_partner_...): its own partner's responses, invitations, results.",
    "invitation": "A personal invitation token (inv_...): its own response only.",
}
# Who may call a route of each level: any one of these schemes.
REQUIREMENTS: dict[str, list[dict[str, list[str]]]] = {
    "operator": [{"operator": []}],
    "admin": [{"admin": []}],
    "member": [{"admin": []}, {"partner": []}],
    "invitee": [{"invitation": []}],
}


def needs(level: str) -> Callable[[F], F]:
    """Mark a view as needing a credential: ``operator`` (creates alliances), ``admin`` (the
    alliance's admin key), ``member`` (its admin or a partner key) or ``invitee`` (an invitation
    token). :func:`check_request` enforces it before the body is even parsed."""
    if level not in access.LEVELS:
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


def _bearer() -> str | None:
    """The token of an ``Authorization: Bearer`` header."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def check_request() -> None:
    """Before anything else (body parsing included): Unauthenticated without a live credential,
    NotFound for another alliance's resource, Forbidden for a credential of this alliance
    without the right. The caller is kept in the request's state for the view."""
    if request.routing_exception is not None:
        return
    level = _level()
    if level is None:
        return
    args = request.view_args or {}
    n = args.get("n")
    try:
        found = access.authenticate(
            context.read_conn(),
            context.env().settings,
            _bearer(),
            n if isinstance(n, int) else None,
        )
    except Unauthenticated:
        limits.failed()  # past the address's limit of failures: TooMany (429) instead
        raise
    context.state().caller = found
    access.authorize(found.principal, level, args.get("alliance_id"))
