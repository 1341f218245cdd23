"""Invitations (personal tokens for one round) and ``/me/response``, where an invitee answers."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from ..context import env, principal, reading, writing, writing_one
from ..schemas.stored import (
    InvitationIn,
    InvitationList,
    InvitationOut,
    MeResponseIn,
    MeResponseOut,
    MeResponseQuery,
    PageQuery,
)
from ..services import invitations, responses
from .problems import Blueprint, problem_responses

blp = Blueprint("invitations", __name__, url_prefix="/api/v1", description="Invitations")
errors = problem_responses(blp)


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/invitations")
class Invitations(MethodView):
    @blp.needs("member")
    @blp.arguments(InvitationIn(), example={"partner": "acme", "role": "legal", "label": "Legal"})
    @blp.response(201, InvitationOut)
    @errors(403, 404, 409, 422)
    def post(self, body: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """Invite a stakeholder to answer round ``n`` (admin, or the stakeholder's partner key)

        Answers with the personal token and the form's URL, shown only here. Inviting the same
        stakeholder again replaces the token (the old link stops working).
        """
        root = env().settings.public_url or request.host_url.rstrip("/")
        with writing() as session:
            return invitations.invite(session, principal(), env(), alliance_id, n, body, root)

    @blp.needs("member")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, InvitationList)
    @errors(403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """List the round's invitations and who has answered (admin: all; partner key: its own)"""
        with reading() as session:
            return invitations.list_invitations(session, principal(), alliance_id, n, query)


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/invitations/<invitation_id>")
class InvitationItem(MethodView):
    @blp.needs("member")
    @blp.response(204)
    @errors(403, 404)
    def delete(self, alliance_id: str, n: int, invitation_id: str) -> None:
        """Revoke an invitation (admin, or the stakeholder's partner key); answers stay"""
        with writing() as session:
            invitations.revoke(session, principal(), alliance_id, n, invitation_id)


@blp.route("/me/response")
class MyResponse(MethodView):
    @blp.needs("invitee")
    @blp.response(200, MeResponseOut)
    @errors(403)
    def get(self) -> dict[str, Any]:
        """Read your own response (invitation token)"""
        with reading() as session:
            return invitations.my_response(session, principal())

    @blp.needs("invitee")
    @blp.arguments(MeResponseQuery(), location="query")
    @blp.arguments(MeResponseIn())
    @blp.response(200, MeResponseOut)
    @errors(403, 409, 422)
    def put(self, query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """Save your response (invitation token)

        ``complete: false`` (the default) saves what you have so far, checked only for what it
        contains; ``complete: true`` submits it, which needs every required item. You can
        change it until the round closes. With ``?format=surveyjs`` the body is a SurveyJS
        result object (``complete`` then comes from the query, default true); the mapping is
        in docs/embedding.md.
        """
        with reading() as session:
            mine = invitations.mine(session, principal())
        surveyjs = query["format"] == "surveyjs"
        complete = query.get("complete", True) if surveyjs else body["complete"]
        write = invitations.check_answer(mine, env(), body["answers"], complete, surveyjs=surveyjs)
        with writing_one() as conn:
            return invitations.me_json(mine, responses.save(conn, write))
