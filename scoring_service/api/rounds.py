"""Rounds of an alliance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..context import env, principal, reading, writing
from ..schemas.stored import PageQuery, RoundIn, RoundList, RoundOut, RoundPatch
from ..services import rounds
from .problems import Blueprint, problem_responses

blp = Blueprint("rounds", __name__, url_prefix="/api/v1", description="Rounds and responses")
errors = problem_responses(blp)


@blp.route("/alliances/<alliance_id>/rounds")
class Rounds(MethodView):
    @blp.needs("admin")
    @blp.arguments(RoundIn())
    @blp.response(201, RoundOut)
    @errors(403, 404, 409, 422)
    def post(self, body: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """Open the next round (admin)

        The round pins the alliance's survey at its newest version. At most one round is open
        at a time: close the open one first (409 otherwise).
        """
        with writing() as session:
            return rounds.open_next(session, principal(), env(), alliance_id, body)

    @blp.needs("member")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, RoundList)
    @errors(403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """List the rounds, oldest first (admin or partner key); paginated by ``cursor``"""
        with reading() as session:
            return rounds.list_rounds(session, principal(), alliance_id, query)


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>")
class RoundItem(MethodView):
    @blp.needs("member")
    @blp.response(200, RoundOut)
    @errors(403, 404)
    def get(self, alliance_id: str, n: int) -> dict[str, Any]:
        """Read a round (admin or partner key)"""
        with reading() as session:
            return rounds.get_round(session, principal(), alliance_id, n)

    @blp.needs("admin")
    @blp.arguments(RoundPatch())
    @blp.response(200, RoundOut)
    @errors(403, 404, 422)
    def patch(self, body: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """Close a round (admin)

        ``{"status": "closed"}``; closing a closed round changes nothing.
        """
        with writing() as session:
            return rounds.close(session, principal(), alliance_id, n)
