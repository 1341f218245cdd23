"""Stakeholders: the persons of each partner, kept across rounds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Partner, Stakeholder
from .access import Principal, visible_alliance
from .paging import cursor, page


def list_stakeholders(
    session: Session, who: Principal, alliance_id: str, query: dict[str, Any]
) -> dict[str, Any]:
    """The stakeholders (admin: both partners; partner key: its own), a page at a time."""
    found = visible_alliance(session, who, alliance_id, admin=False)
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
    items = [
        {
            "partner": key,
            "respondent": s.ref,
            "role": s.role,
            "label": s.label,
            "created_at": s.created_at,
        }
        for s, key in rows
    ]
    return {"items": items, "next_cursor": next_cursor}
