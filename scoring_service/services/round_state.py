"""A round's state: the rule (open or closed), the round as the services see it, its one loader.

A round is open while it is stored open and its closing time (if any) has not come. The
write path's SQL claim (``store.writes.CLAIM``) decides the same at the moment of the write;
a test holds the two together at the boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ..errors import NotFound
from ..store.models import now
from ..store.queries import round_by_id, round_by_n


def status_at(status: str, closes_at: dt.datetime | None, at: dt.datetime) -> str:
    """``open`` while stored open and before ``closes_at``; ``closed`` from ``closes_at`` on.

    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> status_at("open", t, t), status_at("open", None, t), status_at("closed", None, t)
    ('closed', 'open', 'closed')
    """
    if status != "open" or (closes_at is not None and closes_at <= at):
        return "closed"
    return "open"


@dataclass(frozen=True)
class RoundRow:
    """A round as the services use it, its status as of when it was read."""

    id: int
    alliance_id: str
    n: int
    label: str
    status: str  # open | closed (an open round past closes_at reads as closed)
    survey_id: str
    survey_version: int
    version: int
    opened_at: dt.datetime
    closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    stored_open: bool  # still stored as open (a due round is closed on the next write)

    @property
    def is_open(self) -> bool:
        """Responses may still change."""
        return self.status == "open"


def as_round(row: Any, at: dt.datetime | None = None) -> RoundRow | None:
    """A :class:`RoundRow` from the ``store.queries.ROUND_COLUMNS`` of a row (None: no round)."""
    if row is None or row[0] is None:
        return None
    rid, aid, n, label, stored, survey_id, survey_version, version, opened, closes, closed = row
    status = status_at(stored, closes, at or now())
    if status == "closed" and closed is None:
        closed = closes  # closed by its closing time
    return RoundRow(
        rid, aid, n, label, status, survey_id, survey_version, version, opened, closes, closed,
        stored == "open",
    )  # fmt: skip


def load(conn: Connection, alliance_id: str, n: int) -> RoundRow | None:
    """Round ``n`` of the alliance, or None: the one loader of a round."""
    return as_round(round_by_n(conn, alliance_id, n))


def load_or_404(conn: Connection, alliance_id: str, n: int) -> RoundRow:
    """Round ``n`` of the alliance, or :class:`NotFound`."""
    found = load(conn, alliance_id, n)
    if found is None:
        raise NotFound()
    return found


def load_by_id(conn: Connection, round_id: int) -> RoundRow | None:
    """The round with that id, or None."""
    return as_round(round_by_id(conn, round_id))


def round_json(r: RoundRow) -> dict[str, Any]:
    """A round as the API shows it."""
    return {
        "n": r.n,
        "label": r.label,
        "status": r.status,
        "survey": {"id": r.survey_id, "version": r.survey_version},
        "opened_at": r.opened_at,
        "closes_at": r.closes_at,
        "closed_at": r.closed_at,
    }
