"""Stored responses of a round: one by one, in bulk (JSON or CSV), and listed.

A write is checked on the request's read connection first (the round, the partner, the answers
against the round's survey), then written in a unit of its own (:func:`save`): as little as
possible inside the write transaction, since on SQLite writers take turns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ..answers import MAX_PER_PARTNER, check_answers
from ..answers.csvfile import decode, read_csv
from ..answers.parse import identifier_problem
from ..errors import FieldError, Forbidden, InvalidInput, Malformed, NotFound, RoundClosed, invalid
from ..store.models import Partner, Stakeholder, StoredResponse, now
from ..store.writes import Saved, claim_open_round, save_in_one_statement, upsert_response
from ..surveys import Survey
from . import Env
from .access import Caller, Principal, partner_for, visible_alliance
from .exports import answer_rows
from .paging import cursor, page
from .round_state import RoundRow, load, load_or_404

MAX_ROWS = 2 * MAX_PER_PARTNER


@dataclass(frozen=True)
class BulkBody:
    """A bulk body as sent: its bytes, whether it is CSV, and the charset its Content-Type
    names (a CSV's encoding; JSON is UTF-8)."""

    data: bytes
    csv: bool
    charset: str | None = None


# A bulk row's envelope check (the API's schema): the loaded row, or its problems.
RowReader = Callable[[Any], tuple[dict[str, Any] | None, list[FieldError]]]


def response_json(saved: Saved, partner: str) -> dict[str, Any]:
    """A stored response as the API shows it."""
    return {
        "respondent": saved.respondent,
        "partner": partner,
        "role": saved.role,
        "label": saved.label,
        "complete": saved.complete,
        "answers": saved.answers,
        "created_at": saved.created_at,
        "updated_at": saved.updated_at,
    }


def check_response(survey: Survey, body: dict[str, Any]) -> None:
    """An invalid role or answers for the round's survey (before any write)."""
    if body["role"] not in survey.role_ids:
        raise invalid(
            "role",
            f"must be one of: {', '.join(survey.role_ids)}",
            "one_of",
            allowed=list(survey.role_ids),
        )
    check_answers(body["answers"], survey, complete=body["complete"])


@dataclass(frozen=True)
class Write:
    """A checked response, ready to be written to its round."""

    round: RoundRow
    partner_id: int
    partner_key: str
    respondent: str
    body: dict[str, Any]

    def columns(self) -> dict[str, Any]:
        """The columns of the write."""
        return _columns(self.round, self.partner_id, self.body)


def _columns(r: RoundRow, partner_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """The columns of a response's write, from a checked body."""
    return {
        "alliance_id": r.alliance_id,
        "partner_id": partner_id,
        "role": body["role"],
        "label": body.get("label"),
        "answers": body["answers"],
        "complete": body["complete"],
    }


def open_round(conn: Connection, caller: Caller, alliance_id: str, n: int) -> RoundRow:
    """The URL's round (as the credential check read it, else now), which must be open."""
    r = caller.round_of(alliance_id) if caller.round_read else load(conn, alliance_id, n)
    if r is None:
        raise NotFound()
    if not r.is_open:
        raise RoundClosed(n)
    return r


def check_one(
    conn: Connection,
    caller: Caller,
    env: Env,
    alliance_id: str,
    n: int,
    respondent: str,
    body: dict[str, Any],
) -> Write:
    """Check one respondent's response for round ``n``: everything short of writing it."""
    if (problem := identifier_problem("respondent", respondent)) is not None:
        raise InvalidInput([problem])
    r = caller.round_of(alliance_id) if caller.round_read else load(conn, alliance_id, n)
    if r is None:
        raise NotFound()
    partner_id, partner_key = partner_for(conn, caller.principal, body.get("partner"), "partner")
    if not r.is_open:
        raise RoundClosed(n)
    check_response(env.registry.get(r.survey_id, r.survey_version), body)
    return Write(r, partner_id, partner_key, respondent, body)


def save(conn: Connection, write: Write) -> dict[str, Any]:
    """Write one checked response (RoundClosed when the round has closed meanwhile). Bumps the
    round's version, which invalidates cached results.

    PostgreSQL: one statement (claim and upserts), fine on an autocommit connection; SQLite:
    three statements, in the caller's write transaction.
    """
    r, at, set_label = write.round, now(), "label" in write.body
    if conn.dialect.name == "postgresql":
        found = save_in_one_statement(
            conn, r.id, write.respondent, at, set_label, **write.columns()
        )
        if found is None:
            raise RoundClosed(r.n)
        return response_json(found, write.partner_key)
    if not claim_open_round(conn, r.id, at):
        raise RoundClosed(r.n)
    saved = upsert_response(conn, r.id, write.respondent, at, set_label, **write.columns())
    return response_json(saved, write.partner_key)


def _rows(body: BulkBody, survey: Survey) -> tuple[list[Any], list[str]]:
    """The rows of a bulk body (a JSON list, or a CSV in the CLI's format) and their labels."""
    if body.csv:
        rows, lines = read_csv(decode(body.data, body.charset), survey)
        for row in rows:
            if not row["partner"]:
                del row["partner"]  # a partner key's own partner
        return rows, [f"line {k}" for k in lines]
    try:
        rows = json.loads(body.data.decode("utf-8"))  # UTF-8 (RFC 8259), like every route
    except UnicodeDecodeError:
        raise Malformed("The request body is not UTF-8 text.") from None
    except (ValueError, RecursionError):
        raise Malformed("The request body is not valid JSON.") from None
    if not isinstance(rows, list):
        raise invalid("", "must be a JSON list of responses", "type", expected="array")
    return rows, [str(k) for k in range(len(rows))]


def _check_row(
    conn: Connection, who: Principal, survey: Survey, raw: Any, read_row: RowReader
) -> tuple[dict[str, Any] | None, int, list[FieldError]]:
    """One bulk row: (row, partner id, []) when valid, else (None, 0, its problems)."""
    row, errors = read_row(raw)
    if row is None:
        return None, 0, errors
    try:
        partner_id, _ = partner_for(conn, who, row.get("partner"), "partner")
        check_response(survey, row)
    except InvalidInput as exc:
        return None, 0, exc.errors
    return row, partner_id, []


@dataclass(frozen=True)
class Bulk:
    """Checked bulk rows: the valid ones with their partner, a report of the others."""

    round: RoundRow
    valid: list[tuple[str, dict[str, Any], int]]
    failed: list[dict[str, Any]]


def check_bulk(
    conn: Connection,
    caller: Caller,
    env: Env,
    alliance_id: str,
    n: int,
    body: BulkBody,
    read_row: RowReader,
) -> Bulk:
    """Check a bulk body for round ``n``, each row's envelope with ``read_row``: a row naming
    another partner than the key's refuses it all (Forbidden); every other invalid row is
    reported with every problem."""
    r = open_round(conn, caller, alliance_id, n)
    survey = env.registry.get(r.survey_id, r.survey_version)
    rows, labels = _rows(body, survey)
    if len(rows) > MAX_ROWS:
        raise invalid("", f"at most {MAX_ROWS} rows at once", "too_many", max=MAX_ROWS)
    who = caller.principal
    if who.kind == "partner":  # before anything is written
        for label, raw in zip(labels, rows, strict=True):
            named = raw.get("partner") if isinstance(raw, dict) else None
            if named not in (None, who.partner_key):
                raise Forbidden(f"row {label}: a partner key writes for its own partner only.")
    valid, failed = [], []
    first: dict[tuple[int, str], str] = {}  # (partner, respondent) -> the row that gave them
    for label, raw in zip(labels, rows, strict=True):
        row, partner_id, errors = _check_row(conn, who, survey, raw, read_row)
        if row is not None:
            seen = first.setdefault((partner_id, row["respondent"]), label)
            if seen == label:
                valid.append((row["respondent"], row, partner_id))
                continue
            where = seen if seen.startswith("line") else f"row {seen}"
            message = f"{row['respondent']!r} is already in this upload, at {where}"
            errors = [FieldError("respondent", message, "duplicate", {"first": seen})]
        failed.append(
            {
                "row": label,
                "respondent": raw.get("respondent") if isinstance(raw, dict) else None,
                "errors": [e.as_json() for e in errors],
            }
        )
    return Bulk(r, valid, failed)


def save_bulk(conn: Connection, bulk: Bulk) -> dict[str, Any]:
    """Write every valid row in the caller's write transaction (all, or none if the round
    closed meanwhile); the report of what was saved and what failed."""
    at = now()
    if bulk.valid and not claim_open_round(conn, bulk.round.id, at):
        raise RoundClosed(bulk.round.n)
    for respondent, row, partner_id in bulk.valid:
        columns = _columns(bulk.round, partner_id, row)
        upsert_response(conn, bulk.round.id, respondent, at, "label" in row, **columns)
    return report(bulk)


def report(bulk: Bulk) -> dict[str, Any]:
    """What a bulk write answers: how many rows were saved and failed, and why."""
    return {"saved": len(bulk.valid), "failed": len(bulk.failed), "errors": bulk.failed}


def _readable(
    session: Session, who: Principal, alliance_id: str, n: int, partner_key: str | None
) -> tuple[RoundRow, str | None]:
    """Round ``n`` and whose responses ``who`` reads of it (``partner_key``, or None for all):
    the admin any partner's, a partner key its own only (Forbidden for another's)."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    r = load_or_404(session.connection(), found.id, n)
    if who.kind == "partner":
        if partner_key not in (None, who.partner_key):
            raise Forbidden("A partner key reads its own partner's responses only.")
        partner_key = who.partner_key
    return r, partner_key


def list_responses(
    session: Session, who: Principal, alliance_id: str, n: int, query: dict[str, Any]
) -> dict[str, Any]:
    """Stored responses of round ``n``: the admin all of them, a partner key its own
    partner's; a page at a time."""
    r, partner_key = _readable(session, who, alliance_id, n, query.get("partner"))
    stmt = (
        select(StoredResponse, Stakeholder, Partner.key)
        .join(Stakeholder, Stakeholder.id == StoredResponse.stakeholder_id)
        .join(Partner, Partner.id == Stakeholder.partner_id)
        .where(StoredResponse.round_id == r.id, StoredResponse.id > cursor(query["cursor"]))
        .order_by(StoredResponse.id)
        .limit(query["limit"] + 1)
    )
    if partner_key is not None:
        stmt = stmt.where(Partner.key == partner_key)
    rows, next_cursor = page(list(session.execute(stmt)), query["limit"], lambda x: x[0].id)
    items = [
        response_json(
            Saved(s.ref, st.role, s.label, st.complete, st.answers, st.created_at, st.updated_at),
            key,
        )
        for st, s, key in rows
    ]
    return {"items": items, "next_cursor": next_cursor}


def export_responses(
    session: Session, who: Principal, env: Env, alliance_id: str, n: int, partner: str | None
) -> list[dict[str, Any]]:
    """Every stored response of round ``n`` that ``who`` may read (as :func:`list_responses`,
    ``partner`` its filter), partial ones included, as the tidy rows of
    ``exports.RESPONSE_COLUMNS``: one per answer, by partner, respondent (code point order, the
    same on every database) and the survey's item order."""
    r, partner_key = _readable(session, who, alliance_id, n, partner)
    survey = env.registry.get(r.survey_id, r.survey_version)
    stmt = (
        select(StoredResponse, Stakeholder.ref, Partner.key)
        .join(Stakeholder, Stakeholder.id == StoredResponse.stakeholder_id)
        .join(Partner, Partner.id == Stakeholder.partner_id)
        .where(StoredResponse.round_id == r.id)
    )
    if partner_key is not None:
        stmt = stmt.where(Partner.key == partner_key)
    rows: list[dict[str, Any]] = []
    for st, ref, key in sorted(session.execute(stmt), key=lambda x: (x[2], x[1])):
        person = {
            "alliance": r.alliance_id,
            "round": r.n,
            "partner": key,
            "role": st.role,
            "respondent": ref,
            "complete": st.complete,
            "updated_at": st.updated_at.isoformat(timespec="microseconds"),  # one width
        }
        rows += [person | answer for answer in answer_rows(survey, st.answers)]
    return rows
