"""The hot write path in SQLAlchemy Core: few statements, and as little as possible inside the
write transaction (on SQLite, writers take turns, so its length bounds the throughput).

A response is written with three statements: the round's version bump (which is also the check
that the round is still open, atomically), the stakeholder's upsert and the response's upsert,
both with ``RETURNING`` (SQLite 3.35+, PostgreSQL). On PostgreSQL, where each statement is a
round trip to the server, the three are one statement of data-modifying CTEs
(:func:`save_in_one_statement`), run on an autocommit connection: one round trip, atomic, and
no BEGIN or COMMIT around it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    or_,
    select,
    true,
    update,
)
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


def _saved(
    respondent: str,
    fields: dict[str, Any],
    label: str | None,
    created_at: dt.datetime,
    updated_at: dt.datetime,
) -> Saved:
    """What was written, with the label and times the database answered."""
    role, complete, answers = fields["role"], fields["complete"], fields["answers"]
    return Saved(respondent, role, label, complete, answers, created_at, updated_at)


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
    round_id: int,
    respondent: str,
    at: dt.datetime,
    set_label: bool,
    **fields: Any,
) -> Saved:
    """Create or update the stakeholder (role, and label when ``set_label``) and their response.

    ``fields``: alliance_id, partner_id, role, label, answers, complete.
    """
    returning = bool(conn.dialect.insert_returning)  # SQLite 3.35+ and PostgreSQL
    person, answer = _upserts(conn.dialect.name, set_label, returning)
    values = {**fields, "round_id": round_id, "respondent": respondent, "at": at}
    found = conn.execute(person, values)
    stakeholder_id, stored_label = (
        found.one() if returning else conn.execute(FIND_PERSON, values).one()
    )
    values["stakeholder_id"] = stakeholder_id
    found = conn.execute(answer, values)
    created_at, updated_at = found.one() if returning else conn.execute(FIND_ANSWER, values).one()
    return _saved(respondent, fields, stored_label, created_at, updated_at)


def save_in_one_statement(
    conn: Connection,
    round_id: int,
    respondent: str,
    at: dt.datetime,
    set_label: bool,
    **fields: Any,
) -> Saved | None:
    """PostgreSQL, on an autocommit connection: :func:`claim_open_round` and
    :func:`upsert_response` in one statement, so in one round trip and one transaction.
    None when the round is closed (nothing was written)."""
    values = {f"new_{k}": v for k, v in fields.items()}
    values.update(round_id=round_id, new_respondent=respondent, at=at)
    row = conn.execute(_one_statement()[set_label], values).first()
    if row is None:
        return None
    stored_label, created_at, updated_at = row
    return _saved(respondent, fields, stored_label, created_at, updated_at)


RESPONSE_COLUMNS = (
    "round_id",
    "stakeholder_id",
    "role",
    "answers",
    "complete",
    "created_at",
    "updated_at",
)


@cache
def _one_statement() -> dict[bool, Any]:
    """PostgreSQL: CLAIM, then both upserts, chained by their ``RETURNING`` rows.

    ``WITH claim AS (UPDATE rounds ... RETURNING id), person AS (INSERT INTO stakeholders
    SELECT ... FROM claim ON CONFLICT ... RETURNING id, label), answer AS (INSERT INTO
    responses SELECT ... FROM person ON CONFLICT ... RETURNING created_at, updated_at)
    SELECT ... FROM person, answer``: when the round is closed, ``claim`` has no row, so
    nothing is inserted and no row comes back. One statement is one transaction, and the
    round's row lock keeps a concurrent close out until it commits, as in the three-statement
    path.

    The values are bound as ``new_<column>``: an UPDATE takes execution parameters named
    after its table's columns as SET values, and ``rounds`` has an ``alliance_id`` and a
    ``label`` too.
    """
    claim = CLAIM.returning(ROUNDS.c.id).cte("claim")
    at = bindparam("at", type_=UTCDateTime)
    person = postgresql.insert(STAKEHOLDERS).from_select(
        ["alliance_id", "partner_id", "ref", "role", "label", "created_at"],
        select(
            bindparam("new_alliance_id", type_=String),
            bindparam("new_partner_id", type_=Integer),
            bindparam("new_respondent", type_=String),
            bindparam("new_role", type_=String),
            bindparam("new_label", type_=String),
            at,
        ).select_from(claim),
    )
    changes = {"role": person.excluded.role}
    labelled = person.on_conflict_do_update(
        index_elements=["partner_id", "ref"],
        set_={**changes, "label": person.excluded.label},
    )
    kept = person.on_conflict_do_update(index_elements=["partner_id", "ref"], set_=changes)
    statements: dict[bool, Any] = {}
    for set_label, upsert in ((True, labelled), (False, kept)):
        who = upsert.returning(STAKEHOLDERS.c.id, STAKEHOLDERS.c.label).cte("person")
        answer = postgresql.insert(RESPONSES).from_select(
            list(RESPONSE_COLUMNS),
            select(
                bindparam("round_id", type_=Integer),
                who.c.id,
                bindparam("new_role", type_=String),
                bindparam("new_answers", type_=RESPONSES.c.answers.type),
                bindparam("new_complete", type_=Boolean),
                at,
                at,
            ).select_from(who),
        )
        answer = answer.on_conflict_do_update(
            index_elements=["round_id", "stakeholder_id"],
            set_={
                name: answer.excluded[name]
                for name in ("role", "answers", "complete", "updated_at")
            },
        )
        done = answer.returning(RESPONSES.c.created_at, RESPONSES.c.updated_at).cte("answer")
        statements[set_label] = select(
            who.c.label, done.c.created_at, done.c.updated_at
        ).select_from(who.join(done, true()))
    return statements
