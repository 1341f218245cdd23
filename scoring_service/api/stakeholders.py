"""Stakeholders (persons kept across rounds), and their erasure on request (GDPR art. 17)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import delete, func, select, update

from ..schemas.stored import ErasureOut, PageQuery, StakeholderList
from ..store.models import (
    CachedResult,
    IdempotencyRecord,
    Partner,
    Round,
    Stakeholder,
    StoredResponse,
)
from . import access
from .alliances import audit
from .paging import cursor, page
from .problems import Blueprint, problem_responses

blp = Blueprint("stakeholders", __name__, url_prefix="/api/v1", description="Stakeholders")
errors = problem_responses(blp)


@blp.route("/alliances/<alliance_id>/stakeholders")
class Stakeholders(MethodView):
    @access.needs("member")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, StakeholderList)
    @errors(401, 403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """List the stakeholders (admin: both partners; partner key: its own)"""
        with current_app.extensions["scoring"].store.read() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            stmt = (
                select(Stakeholder, Partner.key)
                .join(Partner, Partner.id == Stakeholder.partner_id)
                .where(Stakeholder.alliance_id == found.id)
                .where(Stakeholder.id > cursor(query["cursor"]))
                .order_by(Stakeholder.id)
                .limit(query["limit"] + 1)
            )
            if who.kind == "partner":
                stmt = stmt.where(Partner.id == who.partner_id)
            rows, next_cursor = page(list(session.execute(stmt)), query["limit"], lambda x: x[0].id)
            return {
                "items": [
                    {
                        "partner": key,
                        "respondent": s.ref,
                        "role": s.role,
                        "label": s.label,
                        "created_at": s.created_at,
                    }
                    for s, key in rows
                ],
                "next_cursor": next_cursor,
            }


@blp.route("/alliances/<alliance_id>/partners/<partner>/stakeholders/<respondent>")
class Erasure(MethodView):
    @access.needs("member")
    @blp.response(200, ErasureOut)
    @errors(401, 403, 404)
    def delete(self, alliance_id: str, partner: str, respondent: str) -> dict[str, Any]:
        """Erase a stakeholder (admin, or their partner's key)

        Deletes the person and every answer they gave, in every round (closed ones too); the
        results of those rounds are recomputed on their next read. An audit entry records that
        an erasure happened (partner, rounds, count), not who was erased.
        """
        with current_app.extensions["scoring"].store.write() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            owner = next((p for p in found.partners if p.key == partner), None)
            if owner is None:
                access.not_found()
            if who.kind == "partner" and who.partner_id != owner.id:
                access.forbidden("A partner key erases its own partner's stakeholders only.")
            person = session.scalars(
                select(Stakeholder)
                .where(Stakeholder.partner_id == owner.id, Stakeholder.ref == respondent)
                .with_for_update()  # PostgreSQL: a concurrent write for them waits for this
            ).first()
            if person is None:
                access.not_found()
            round_ids = list(
                session.scalars(
                    select(StoredResponse.round_id).where(
                        StoredResponse.stakeholder_id == person.id
                    )
                )
            )
            count = session.scalar(
                select(func.count())
                .select_from(StoredResponse)
                .where(StoredResponse.stakeholder_id == person.id)
            )
            session.execute(
                delete(StoredResponse).where(StoredResponse.stakeholder_id == person.id)
            )
            session.delete(person)  # invitations go with it (ON DELETE CASCADE)
            # Cached documents were computed with their answers: drop them, bump the versions.
            session.execute(delete(CachedResult).where(CachedResult.round_id.in_(round_ids)))
            # Kept answers for replays may hold theirs: this alliance's retries run anew instead.
            session.execute(
                delete(IdempotencyRecord).where(IdempotencyRecord.alliance_id == found.id)
            )
            session.execute(
                update(Round).where(Round.id.in_(round_ids)).values(version=Round.version + 1)
            )
            numbers = sorted(session.scalars(select(Round.n).where(Round.id.in_(round_ids))))
            audit(
                session,
                found.id,
                who.name,
                "stakeholder.erase",
                partner=partner,
                rounds=numbers,
                responses=count,
            )
        return {
            "partner": partner,
            "respondent": respondent,
            "responses_deleted": count,
            "rounds": numbers,
        }
