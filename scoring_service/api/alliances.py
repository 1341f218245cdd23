"""Alliances and their keys: created with the operator token, run with the admin key."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..context import env, principal, reading, writing
from ..schemas.stored import (
    AllianceIn,
    AllianceList,
    AllianceOut,
    AlliancePatch,
    KeyList,
    KeyOut,
    PageQuery,
)
from ..services import alliances
from .problems import Blueprint, problem_responses

blp = Blueprint("alliances", __name__, url_prefix="/api/v1", description="Alliances and keys")
errors = problem_responses(blp)


NEW_ALLIANCE = {
    "name": "Acme x Globex",
    "partners": [{"key": "acme", "name": "Acme Ltd"}, {"key": "globex", "name": "Globex"}],
    "survey": "alliance-objectives",
}


@blp.route("/alliances")
class Alliances(MethodView):
    @blp.needs("operator")
    @blp.arguments(AllianceIn(), example=NEW_ALLIANCE)
    @blp.response(201, AllianceOut)
    @errors(404, 422)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create an alliance (operator token)

        Answers with the alliance and its admin key. The key is shown only here: keep it.
        """
        with writing() as session:
            return alliances.create(session, principal(), env(), body)

    @blp.needs("operator")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, AllianceList)
    @errors(404, 422)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List the alliances, newest first (operator token); paginated by ``cursor``

        No secrets: a lost admin key is replaced with ``scoring-service rotate-admin-key <id>``.
        """
        with reading() as session:
            return alliances.list_alliances(session, principal(), query)


@blp.route("/alliances/<alliance_id>")
class AllianceItem(MethodView):
    @blp.needs("member")
    @blp.response(200, AllianceOut)
    @errors(403, 404)
    def get(self, alliance_id: str) -> dict[str, Any]:
        """Read an alliance (admin or partner key)"""
        with reading() as session:
            return alliances.read(session, principal(), alliance_id)

    @blp.needs("admin")
    @blp.arguments(AlliancePatch())
    @blp.response(200, AllianceOut)
    @errors(403, 404, 422)
    def patch(self, body: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """Change an alliance's name, survey, framing origins or minimum group size (admin)"""
        with writing() as session:
            return alliances.change(session, principal(), env(), alliance_id, body)

    @blp.needs("admin")
    @blp.response(204)
    @errors(403, 404)
    def delete(self, alliance_id: str) -> None:
        """Delete an alliance with its rounds, responses and keys (admin)"""
        with writing() as session:
            alliances.delete(session, principal(), alliance_id)


@blp.route("/alliances/<alliance_id>/admin-key")
class AdminKey(MethodView):
    @blp.needs("admin")
    @blp.response(201, KeyOut)
    @errors(403, 404)
    def post(self, alliance_id: str) -> dict[str, Any]:
        """Rotate the admin key (admin)

        Issues a new admin key and revokes every older one at once: the key that made this
        request stops working. The new key is shown only here.
        """
        with writing() as session:
            return alliances.rotate_admin_key(session, principal(), env(), alliance_id)


@blp.route("/alliances/<alliance_id>/partners/<partner>/keys")
class PartnerKeys(MethodView):
    @blp.needs("admin")
    @blp.response(201, KeyOut)
    @errors(403, 404)
    def post(self, alliance_id: str, partner: str) -> dict[str, Any]:
        """Issue a key for a partner (admin); shown only here"""
        with writing() as session:
            return alliances.issue_partner_key(session, principal(), env(), alliance_id, partner)

    @blp.needs("admin")
    @blp.response(200, KeyList)
    @errors(403, 404)
    def get(self, alliance_id: str, partner: str) -> dict[str, Any]:
        """List a partner's keys, live and revoked, without their secrets (admin)"""
        with reading() as session:
            return alliances.partner_keys(session, principal(), alliance_id, partner)


@blp.route("/alliances/<alliance_id>/partners/<partner>/keys/<key_id>")
class PartnerKey(MethodView):
    @blp.needs("admin")
    @blp.response(204)
    @errors(403, 404)
    def delete(self, alliance_id: str, partner: str, key_id: str) -> None:
        """Revoke a partner's key (admin)"""
        with writing() as session:
            alliances.revoke_partner_key(session, principal(), alliance_id, partner, key_id)


@blp.route("/alliances/<alliance_id>/partners/<partner>/keys/<key_id>/rotate")
class PartnerKeyRotation(MethodView):
    @blp.needs("admin")
    @blp.response(201, KeyOut)
    @errors(403, 404)
    def post(self, alliance_id: str, partner: str, key_id: str) -> dict[str, Any]:
        """Rotate a partner's key (admin)

        Issues a new key for the same partner and revokes this one in the same transaction.
        The new key is shown only here.
        """
        with writing() as session:
            return alliances.rotate_partner_key(
                session, principal(), env(), alliance_id, partner, key_id
            )
