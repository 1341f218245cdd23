"""The hot write path in SQLAlchemy Core: few statements, and as little as possible inside the
write transaction (on SQLite, writers take turns, so its length bounds the throughput).

A response is written with three statements: the round's version bump (which is also the check
that the round is still open, atomically), the stakeholder's upsert and the response's upsert,
both with ``RETURNING`` (SQLite 3.35+, PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .models import Round, Stakeholder, StoredResponse, UTCDateTime

ROUNDS: Table = Round.__table__  # type: ignore[assignment]
STAKEHOLDERS: Table = Stakeholder.__table__  # type: ignore[assignment]
RESPONSES: Table = StoredResponse.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Saved:
    """What the API answers about a written response."""

    respondent: str
    role: str
    label: str | None
    complete: bool
    answers: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


# The statements are built once, with bound parameters: building a Core statement costs far more
# than running it, and a prebuilt one also hits SQLAlchemy's compiled cache at once.
CLAIM = (
    update(ROUNDS)
    .where(
        ROUNDS.c.id == bindparam("round_id"),
        ROUNDS.c.status == "open",
        or_(ROUNDS.c.closes_at.is_(None), ROUNDS.c.closes_at > bindparam("at", type_=UTCDateTime)),
    )
    .values(version=ROUNDS.c.version + 1)
)


@cache
def _upserts(dialect: str, set_label: bool, returning: bool) -> tuple[Any, Any]:
    """The stakeholder and response upserts for one database (and label rule)."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    person = insert(STAKEHOLDERS).values(
        alliance_id=bindparam("alliance_id"),
        partner_id=bindparam("partner_id"),
        ref=bindparam("respondent"),
        role=bindparam("role"),
        label=bindparam("label"),
        created_at=bindparam("at", type_=UTCDateTime),
    )
    changes = {"role": person.excluded.role}
    if set_label:
        changes["label"] = person.excluded.label
    person = person.on_conflict_do_update(index_elements=["partner_id", "ref"], set_=changes)
    answer = insert(RESPONSES).values(
        round_id=bindparam("round_id"),
        stakeholder_id=bindparam("stakeholder_id"),
        role=bindparam("role"),
        answers=bindparam("answers", type_=RESPONSES.c.answers.type),
        complete=bindparam("complete"),
        created_at=bindparam("at", type_=UTCDateTime),
        updated_at=bindparam("at", type_=UTCDateTime),
    )
    answer = answer.on_conflict_do_update(
        index_elements=["round_id", "stakeholder_id"],
        set_={
            name: answer.excluded[name] for name in ("role", "answers", "complete", "updated_at")
        },
    )
    if returning:
        person = person.returning(STAKEHOLDERS.c.id, STAKEHOLDERS.c.label)
        answer = answer.returning(RESPONSES.c.created_at, RESPONSES.c.updated_at)
    return person, answer


FIND_PERSON = select(STAKEHOLDERS.c.id, STAKEHOLDERS.c.label).where(
    STAKEHOLDERS.c.partner_id == bindparam("partner_id"),
    STAKEHOLDERS.c.ref == bindparam("respondent"),
)
FIND_ANSWER = select(RESPONSES.c.created_at, RESPONSES.c.updated_at).where(
    RESPONSES.c.round_id == bindparam("round_id"),
    RESPONSES.c.stakeholder_id == bindparam("stakeholder_id"),
)


def claim_open_round(conn: Connection, round_id: int, at: dt.datetime) -> bool:
    """Bump the round's version if it is still open (False: closed, or past ``closes_at``).

    Done first in the write transaction: on PostgreSQL the row lock keeps a concurrent close
    out until the write commits; on SQLite the write lock does.
    """
    return conn.execute(CLAIM, {"round_id": round_id, "at": at}).rowcount == 1


def upsert_response(
    conn: Connection,
    *,
    alliance_id: str,
    round_id: int,
    partner_id: int,
    respondent: str,
    role: str,
    label: str | None,
    set_label: bool,
    answers: dict[str, Any],
    complete: bool,
    at: dt.datetime,
) -> Saved:
    """Create or update the stakeholder (role, and label when ``set_label``) and their response."""
    returning = bool(conn.dialect.insert_returning)  # SQLite 3.35+ and PostgreSQL
    person, answer = _upserts(conn.dialect.name, set_label, returning)
    values: dict[str, Any] = {
        "alliance_id": alliance_id,
        "partner_id": partner_id,
        "respondent": respondent,
        "role": role,
        "label": label,
        "at": at,
        "round_id": round_id,
        "answers": answers,
        "complete": complete,
    }
    found = conn.execute(person, values)
    stakeholder_id, stored_label = (
        found.one() if returning else conn.execute(FIND_PERSON, values).one()
    )
    values["stakeholder_id"] = stakeholder_id
    found = conn.execute(answer, values)
    created_at, updated_at = found.one() if returning else conn.execute(FIND_ANSWER, values).one()
    return Saved(respondent, role, stored_label, complete, answers, created_at, updated_at)
