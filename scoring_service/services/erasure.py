"""Erasure of a stakeholder on request (GDPR art. 17): the person and every answer they gave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..errors import Forbidden, NotFound
from ..store.models import (
    Alliance,
    CachedResult,
    IdempotencyRecord,
    Partner,
    Round,
    Stakeholder,
    StoredResponse,
)
from .access import Principal, visible_alliance
from .alliances import audit


def _owner(found: Alliance, who: Principal, partner: str) -> Partner:
    """The partner whose stakeholder is erased: the admin's choice, or a partner key's own."""
    owner = next((p for p in found.partners if p.key == partner), None)
    if owner is None:
        raise NotFound()
    if who.kind == "partner" and who.partner_id != owner.id:
        raise Forbidden("A partner key erases its own partner's stakeholders only.")
    return owner


def _forget(session: Session, alliance_id: str, person: Stakeholder) -> tuple[int, list[int]]:
    """Delete the person and their answers; drop what was derived from them. Returns the count
    of responses deleted and the numbers of the rounds they were in."""
    mine = StoredResponse.stakeholder_id == person.id
    round_ids = list(session.scalars(select(StoredResponse.round_id).where(mine)))
    count = session.scalar(select(func.count()).select_from(StoredResponse).where(mine)) or 0
    session.execute(delete(StoredResponse).where(mine))
    session.delete(person)  # invitations go with it (ON DELETE CASCADE)
    # Cached documents were computed with their answers: drop them, bump the versions.
    session.execute(delete(CachedResult).where(CachedResult.round_id.in_(round_ids)))
    # Kept answers for replays may hold theirs: this alliance's retries run anew instead.
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.alliance_id == alliance_id))
    session.execute(update(Round).where(Round.id.in_(round_ids)).values(version=Round.version + 1))
    numbers = sorted(session.scalars(select(Round.n).where(Round.id.in_(round_ids))))
    return count, numbers


def erase(
    session: Session, who: Principal, alliance_id: str, partner: str, respondent: str
) -> dict[str, Any]:
    """Erase a stakeholder (admin, or their partner's key) in every round, closed ones too;
    the results of those rounds are recomputed on their next read. The audit entry records
    that an erasure happened (partner, rounds, count), not who was erased."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    owner = _owner(found, who, partner)
    person = session.scalars(
        select(Stakeholder)
        .where(Stakeholder.partner_id == owner.id, Stakeholder.ref == respondent)
        .with_for_update()  # PostgreSQL: a concurrent write for them waits for this
    ).first()
    if person is None:
        raise NotFound()
    count, numbers = _forget(session, found.id, person)
    detail = {"partner": partner, "rounds": numbers, "responses": count}
    audit(session, found.id, who.name, "stakeholder.erase", **detail)
    return {
        "partner": partner,
        "respondent": respondent,
        "responses_deleted": count,
        "rounds": numbers,
    }
