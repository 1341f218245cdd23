"""The result reports: ``/reports/<token>``, server-rendered pages behind a report link.

Made for people, not scripts: a headline in words, what to talk about next, charts (SVG, text
kept as text) with their numbers in tables, and a print stylesheet for "Save as PDF". No script
and no cookie; the page is never cached, indexed, framed or named in a Referer.
"""

from __future__ import annotations

from flask import Flask, Response, request

from .views import bp

# Inline SVG charts carry their own style attributes; nothing else is inline, no script at all.
REPORT_POLICY = (
    "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@bp.after_request
def _report_headers(response: Response) -> Response:
    """A report page: never cached, indexed, framed, or named in a Referer."""
    if request.endpoint in ("reports.report", "reports.round_report"):
        response.headers["Content-Security-Policy"] = REPORT_POLICY
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _any_report_path(response: Response) -> Response:
    """Every answer under ``/reports/`` (a path no route matches too: it may carry a live
    token) is never cached, indexed, or named in a Referer."""
    if request.path.startswith("/reports/") and request.endpoint != "reports.static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app: Flask) -> None:
    """Register the report pages."""
    app.register_blueprint(bp)
    app.after_request(_any_report_path)
