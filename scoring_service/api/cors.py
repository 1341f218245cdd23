"""Cross-origin use of ``/api/v1/me/response``, for portals that render their own form.

A preflight carries no token, so it is answered for the union of every alliance's
``frame_ancestors``; the real request is then accepted only from an origin of the token's own
alliance (403 otherwise, before anything is read or written). Requests without ``Origin``
(scripts, curl) are not cross-origin requests and pass. Survey definitions are public and
readable from any origin (``surveys.py``).
"""

from __future__ import annotations

from flask import Response, request

from .. import context
from ..errors import Forbidden
from ..services.alliances import framing_origins

PATH = "/api/v1/me/response"
ALLOW_METHODS = "GET, PUT"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key"
EXPOSE_HEADERS = "Idempotent-Replayed"


def origins(alliance_id: str | None = None) -> set[str]:
    """The origins one alliance lists (or, with no id, every alliance)."""
    return framing_origins(context.read_conn(), alliance_id)


def _cross_origin() -> str | None:
    """The request's ``Origin`` when it is another origin than the service's own."""
    origin = request.headers.get("Origin")
    if origin is None or origin == request.host_url.rstrip("/"):
        return None
    return origin


def preflight() -> Response | None:
    """Answer ``OPTIONS /api/v1/me/response``: allowed for any alliance's listed origin."""
    if request.method != "OPTIONS" or request.path != PATH:
        return None
    answer = Response(status=204)
    answer.headers["Vary"] = "Origin"
    origin = _cross_origin()
    if origin is not None and origin in origins():
        answer.headers["Access-Control-Allow-Origin"] = origin
        answer.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        answer.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        answer.headers["Access-Control-Max-Age"] = "600"
    return answer


def check_origin() -> None:
    """A cross-origin request with a token: only from an origin of the token's alliance."""
    if request.path != PATH or request.method == "OPTIONS":
        return
    origin = _cross_origin()
    caller = context.state().caller
    if origin is None or caller is None:
        return
    if origin not in origins(caller.principal.alliance_id):
        raise Forbidden(f"Origin {origin} is not one of this alliance's frame_ancestors.")


def allow(response: Response) -> Response:
    """Let a listed origin's page read the answer (errors too, so it can show them)."""
    if request.path != PATH or request.method == "OPTIONS":
        return response
    response.headers.add("Vary", "Origin")
    origin = _cross_origin()
    if origin is not None and origin in origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response
