"""The embeddable questionnaire: ``/forms/<token>``, its assets and ``/embed.js``.

Who may frame what: a form page only the origins its alliance lists (CSP ``frame-ancestors``,
no ``X-Frame-Options``); the page of a link that does not work, and every other answer of the
service, nobody (``frame-ancestors 'none'``).
"""

from __future__ import annotations

from flask import Flask, Response, request

from .. import context
from .views import bp

FORM_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)


@bp.after_request
def _form_headers(response: Response) -> Response:
    """A form page: framed only by the alliance's origins, no Referer, never cached."""
    if request.endpoint not in ("forms.form", "forms.save"):
        return response
    ancestors = " ".join(context.state().frame_origins) or "'none'"
    response.headers["Content-Security-Policy"] = FORM_POLICY.format(ancestors=ancestors)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _no_framing(response: Response) -> Response:
    """Everything else: not to be framed by anyone."""
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def init_app(app: Flask) -> None:
    """Register the form pages and the framing rules."""
    app.register_blueprint(bp)
    app.after_request(_no_framing)
