"""Rounds of an alliance: opened one at a time, listed, read and closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, invalid
from ..store.models import Round, now
from ..store.queries import ROUND_COLUMNS
from . import Env
from .access import Principal, visible_alliance
from .paging import cursor, page
from .round_state import RoundRow, as_round, load, load_by_id, load_or_404, round_json

MAX_ROUND_LENGTH = dt.timedelta(days=3653)


def _store_closed(session: Session, r: RoundRow) -> None:
    """Store a due round as closed (its closing time is its closing)."""
    if r.stored_open and not r.is_open:
        stored = session.get(Round, r.id)
        if stored is not None and stored.status == "open":
            stored.status, stored.closed_at = "closed", r.closed_at


def open_next(
    session: Session, who: Principal, env: Env, alliance_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Open the alliance's next round (admin), pinned to its survey's newest version.

    Raises :class:`Conflict` while another round is open, or when one was opened at the same
    moment (the insert fails on the one-open-round index).
    """
    closes_at = body.get("closes_at")
    if closes_at is not None and not now() < closes_at < now() + MAX_ROUND_LENGTH:
        days = MAX_ROUND_LENGTH.days
        raise invalid("closes_at", "must be in the next ten years", "window", max_days=days)
    found = visible_alliance(session, who, alliance_id, admin=True)
    survey = env.registry.get(found.survey_id)
    conn = session.connection()
    last = session.scalar(select(func.max(Round.n)).where(Round.alliance_id == found.id))
    if last is not None:
        latest = load(conn, found.id, last)
        if latest is not None and latest.is_open:
            raise Conflict(f"Round {last} is still open; close it first.")
        if latest is not None:
            _store_closed(session, latest)
    new = Round(
        alliance_id=found.id,
        n=(last or 0) + 1,
        label=body["label"],
        survey_id=survey.id,
        survey_version=survey.version,
        status="open",
        opened_at=now(),
        closes_at=closes_at,
        version=0,
    )
    session.add(new)
    try:
        session.flush()
    except IntegrityError:  # another request opened a round at the same moment
        raise Conflict("Another round was opened at the same time.") from None
    opened = load_by_id(conn, new.id)
    assert opened is not None  # just inserted, in this transaction
    return round_json(opened)


def list_rounds(
    session: Session, who: Principal, alliance_id: str, query: dict[str, Any]
) -> dict[str, Any]:
    """The alliance's rounds, oldest first, a page at a time."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    rows = session.execute(
        select(*ROUND_COLUMNS)
        .where(Round.alliance_id == found.id, Round.n > cursor(query["cursor"]))
        .order_by(Round.n)
        .limit(query["limit"] + 1)
    ).all()
    shown, next_cursor = page(rows, query["limit"], lambda r: r.n)
    at = now()
    return {
        "items": [round_json(as_round(r, at)) for r in shown],  # type: ignore[arg-type]
        "next_cursor": next_cursor,
    }


def get_round(session: Session, who: Principal, alliance_id: str, n: int) -> dict[str, Any]:
    """One round of an alliance the caller may see."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    return round_json(load_or_404(session.connection(), found.id, n))


def close(session: Session, who: Principal, alliance_id: str, n: int) -> dict[str, Any]:
    """Close a round (admin); closing a closed round changes nothing but the version, so that
    cached results, which show the status, are recomputed."""
    found = visible_alliance(session, who, alliance_id, admin=True)
    r = load_or_404(session.connection(), found.id, n)
    stored = session.get(Round, r.id)
    assert stored is not None  # just read, in this transaction
    if r.is_open:
        stored.status, stored.closed_at = "closed", now()
    else:
        _store_closed(session, r)
    stored.version += 1
    session.flush()
    closed = load_by_id(session.connection(), r.id)
    assert closed is not None
    return round_json(closed)
