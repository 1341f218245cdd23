"""Cross-origin use of ``/api/v1/me/response``, for portals that render their own form.

The one check is on the real request: a request with a token and a cross-origin ``Origin`` is
accepted only from an origin of the token's own alliance (403 otherwise, before anything is
read or written; one alliance read, by its key). Requests without ``Origin`` (scripts, curl)
are not cross-origin requests and pass. Survey definitions are public and readable from any
origin (``surveys.py``).

A preflight carries no token, so it cannot say which alliance is asking. It is answered for
the request's own origin, whatever it is, reading nothing. Answering only for an origin that
SOME alliance lists would check nothing the real request does not check again, cost a read per
preflight, and let anyone learn, origin by origin, which portals are the service's customers.
Letting any origin send the real request gives it nothing: the token is not ambient (no
cookies, never ``Access-Control-Allow-Credentials``), so a page must already hold it, as curl
would, and the real request is then refused unless its alliance lists the page's origin.
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


def _cross_origin() -> str | None:
    """The request's ``Origin`` when it is another origin than the service's own."""
    origin = request.headers.get("Origin")
    if origin is None or origin == request.host_url.rstrip("/"):
        return None
    return origin


def preflight() -> Response | None:
    """Answer ``OPTIONS /api/v1/me/response`` for the asking origin, reading nothing (see the
    module's docstring: the real request is checked)."""
    if request.method != "OPTIONS" or request.path != PATH:
        return None
    answer = Response(status=204)
    answer.headers["Vary"] = "Origin"
    origin = _cross_origin()
    if origin is not None:
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
    alliance_id = caller.principal.alliance_id  # an invitation's (authorize saw to it)
    listed = framing_origins(context.read_conn(), alliance_id) if alliance_id else set()
    if origin not in listed:
        raise Forbidden(f"Origin {origin} is not one of this alliance's frame_ancestors.")


def allow(response: Response) -> Response:
    """Let the asking page read the answer, errors included, so that it can show them.

    Safe for any origin, and reads nothing: an answer of this path holds someone's data only
    after :func:`check_origin` found the page's origin in the token's own alliance; to any other
    origin it is a 401 or 403 problem, the same as curl would get.
    """
    if request.path != PATH or request.method == "OPTIONS":
        return response
    response.headers.add("Vary", "Origin")
    origin = _cross_origin()
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response
