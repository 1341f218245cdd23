"""Stakeholders (persons kept across rounds), and their erasure on request (GDPR art. 17)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..context import principal, reading, writing
from ..schemas.stored import ErasureOut, PageQuery, StakeholderList
from ..services import erasure, stakeholders
from .problems import Blueprint, problem_responses

blp = Blueprint("stakeholders", __name__, url_prefix="/api/v1", description="Stakeholders")
errors = problem_responses(blp)


@blp.route("/alliances/<alliance_id>/stakeholders")
class Stakeholders(MethodView):
    @blp.needs("member")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, StakeholderList)
    @errors(403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """List the stakeholders (admin: both partners; partner key: its own)"""
        with reading() as session:
            return stakeholders.list_stakeholders(session, principal(), alliance_id, query)


@blp.route("/alliances/<alliance_id>/partners/<partner>/stakeholders/<respondent>")
class Erasure(MethodView):
    @blp.needs("member")
    @blp.response(200, ErasureOut)
    @errors(403, 404)
    def delete(self, alliance_id: str, partner: str, respondent: str) -> dict[str, Any]:
        """Erase a stakeholder (admin, or their partner's key)

        Deletes the person and every answer they gave, in every round (closed ones too); the
        results of those rounds are recomputed on their next read. An audit entry records that
        an erasure happened (partner, rounds, count), not who was erased.
        """
        with writing() as session:
            return erasure.erase(session, principal(), alliance_id, partner, respondent)
