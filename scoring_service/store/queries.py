"""Queries shared by the services: a round by number, partners, upserts that survive concurrent
writers. Rows come back as the database holds them; the rules (is a round open?) are the
services' (``services.round_state``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Partner, Round


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either database (a concurrent writer may win)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


# What the services need of a round, in this order (services.round_state.RoundRow).
ROUND_COLUMNS = (
    Round.id,
    Round.alliance_id,
    Round.n,
    Round.label,
    Round.status,
    Round.survey_id,
    Round.survey_version,
    Round.version,
    Round.opened_at,
    Round.closes_at,
    Round.closed_at,
)

ROUND_BY_N = select(*ROUND_COLUMNS).where(
    Round.alliance_id == bindparam("alliance_id"), Round.n == bindparam("n")
)
ROUND_BY_ID = select(*ROUND_COLUMNS).where(Round.id == bindparam("round_id"))
PARTNERS = (
    select(Partner.key, Partner.id)
    .where(Partner.alliance_id == bindparam("alliance_id"))
    .order_by(Partner.position)
)


def round_by_n(conn: Connection, alliance_id: str, n: int) -> Any:
    """Round ``n`` of the alliance (a row of the ``ROUND_COLUMNS``), or None."""
    return conn.execute(ROUND_BY_N, {"alliance_id": alliance_id, "n": n}).first()


def round_by_id(conn: Connection, round_id: int) -> Any:
    """The round with that id (a row of the ``ROUND_COLUMNS``), or None."""
    return conn.execute(ROUND_BY_ID, {"round_id": round_id}).first()


def partners(conn: Connection, alliance_id: str) -> dict[str, int]:
    """The alliance's partners: key -> id, in their order."""
    rows = conn.execute(PARTNERS, {"alliance_id": alliance_id})
    return {key: pid for key, pid in rows}
