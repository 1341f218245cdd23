"""Report links: a page of a round's (or every round's) results for people, at a URL that
carries a ``rep_`` token (the page itself is ``scoring_service.reports``)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from ..context import env, principal, reading, writing
from ..schemas.reports import ReportLinkIn, ReportLinkList, ReportLinkOut
from ..services import reports
from .problems import Blueprint, problem_responses

blp = Blueprint("report_links", __name__, url_prefix="/api/v1", description="Report links")
errors = problem_responses(blp)


@blp.route("/alliances/<alliance_id>/report-links")
class ReportLinks(MethodView):
    @blp.needs("member")
    @blp.arguments(ReportLinkIn(), example={"scope": "round", "include_text": False})
    @blp.response(201, ReportLinkOut)
    @errors(403, 404, 422)
    def post(self, body: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """Make a report link (admin: a joint report; partner key: its own)

        The ``url`` opens a report page without a login, shown only in this answer: the
        headline, what to talk about next, charts, completion and the method, printable. A
        ``joint`` link (the admin's) shows what both partners may see, made to be shared in a
        steering committee; an ``own`` link (a partner key's) what that partner may see. It
        works for ``expires_in_days`` (default 30, at most 90), until revoked, and dies with
        the key that made it.
        """
        root = env().settings.public_url or request.host_url.rstrip("/")
        with writing() as session:
            return reports.create(session, principal(), env(), alliance_id, body, root)

    @blp.needs("member")
    @blp.response(200, ReportLinkList)
    @errors(403, 404)
    def get(self, alliance_id: str) -> dict[str, Any]:
        """List report links: the admin all of the alliance's, a partner key those it made
        (revoked and expired ones too; never their URL)"""
        with reading() as session:
            return reports.list_links(session, principal(), alliance_id)


@blp.route("/alliances/<alliance_id>/report-links/<link_id>")
class ReportLinkItem(MethodView):
    @blp.needs("member")
    @blp.response(204)
    @errors(403, 404)
    def delete(self, alliance_id: str, link_id: str) -> None:
        """Revoke a report link (admin: any of the alliance's; partner key: its own)"""
        with writing() as session:
            reports.revoke(session, principal(), alliance_id, link_id)
