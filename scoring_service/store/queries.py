"""Queries shared by the API views: rounds by number, upserts that survive concurrent writers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Partner, Round, now


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either database (a concurrent writer may win)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def round_by_n(session: Session, alliance_id: str, n: int) -> Round | None:
    """Round ``n`` of an alliance; an open round whose ``closes_at`` has passed reads as closed
    (and is stored as closed when the session writes)."""
    query = select(Round).where(Round.alliance_id == alliance_id, Round.n == n)
    found = session.scalars(query).first()
    if found is not None:
        close_if_due(found)
    return found


def close_if_due(r: Round) -> None:
    """Close an open round whose closing time has passed."""
    if r.status == "open" and r.closes_at is not None and r.closes_at <= now():
        r.status = "closed"
        r.closed_at = r.closes_at


@dataclass(frozen=True)
class RoundRow:
    """What the write and results paths need of a round, read in one Core query."""

    id: int
    alliance_id: str
    n: int
    status: str  # open | closed (an open round past closes_at reads as closed)
    survey_id: str
    survey_version: int
    version: int


ROUND_COLUMNS = (
    Round.id,
    Round.alliance_id,
    Round.n,
    Round.status,
    Round.closes_at,
    Round.survey_id,
    Round.survey_version,
    Round.version,
)


ROUND_ROW = select(*ROUND_COLUMNS).where(
    Round.alliance_id == bindparam("alliance_id"), Round.n == bindparam("n")
)
PARTNERS = (
    select(Partner.key, Partner.id)
    .where(Partner.alliance_id == bindparam("alliance_id"))
    .order_by(Partner.position)
)


def round_row(conn: Connection, alliance_id: str, n: int) -> RoundRow | None:
    """Round ``n`` of the alliance, or None."""
    return as_round_row(conn.execute(ROUND_ROW, {"alliance_id": alliance_id, "n": n}).first())


def as_round_row(row: Any) -> RoundRow | None:
    """A :class:`RoundRow` from the ``ROUND_COLUMNS`` of a result row (None: no round)."""
    if row is None or row[0] is None:
        return None
    rid, aid, number, status, closes_at, survey_id, survey_version, version = row
    if status == "open" and closes_at is not None and closes_at <= now():
        status = "closed"
    return RoundRow(rid, aid, number, status, survey_id, survey_version, version)


def partners(conn: Connection, alliance_id: str) -> dict[str, int]:
    """The alliance's partners: key -> id, in their order."""
    rows = conn.execute(PARTNERS, {"alliance_id": alliance_id})
    return {key: pid for key, pid in rows}
