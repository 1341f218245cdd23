"""``Idempotency-Key`` records: a retried write is answered once, never applied twice.

Scoped by the caller (the API hashes credential, route and key into ``scope``). While the first
request runs, the same key is a Conflict that says when to retry; with another body or query,
invalid; once it has succeeded, its 2xx answer is replayed, without any secret it issued. A
running record holds the key for a lease (:func:`lease`): a request still running past it was
killed with its worker, and a retry takes the key over. Records are kept for ``KEEP`` and purged
after that.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..errors import Conflict, invalid
from ..store.models import IdempotencyRecord, now
from ..store.queries import insert_ignore

HEADER = "Idempotency-Key"
MAX_KEY = 255  # characters of an Idempotency-Key
KEEP = dt.timedelta(hours=48)  # at least the 24 hours promised
GRACE = dt.timedelta(seconds=5)  # beyond the worker timeout, for the kill to land


def worker_timeout(settings: Settings) -> int:
    """gunicorn's worker timeout in seconds (``SCORING_TIMEOUT``)."""
    return settings.timeout


def lease(settings: Settings) -> dt.timedelta:
    """How long a running record holds its key: gunicorn kills a worker whose request runs past
    its timeout, so a record still running after that, and ``GRACE``, belongs to a request
    that died, and a retry may take it over."""
    return dt.timedelta(seconds=worker_timeout(settings)) + GRACE


@dataclass(frozen=True)
class Replay:
    """The kept answer of the first request with this key."""

    status: int
    content_type: str
    body: str


def claim(
    session: Session, settings: Settings, scope: str, alliance_id: str | None, request_hash: str
) -> Replay | None:
    """Take the key for this request (None: go on and run it), or the answer to replay.

    Raises :class:`InvalidInput` when the key was used with another request, :class:`Conflict`
    (with ``retry_after``, the seconds left of the lease) while another request holds it.
    """
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now() - KEEP))
    at = now()
    values = {
        "scope": scope,
        "alliance_id": alliance_id,
        "request_hash": request_hash,
        "state": "running",
        "created_at": at,
    }
    insert_ignore(session, IdempotencyRecord.__table__, values)  # type: ignore[arg-type]
    record = session.get(IdempotencyRecord, scope)
    if record is None:  # pragma: no cover - just inserted or already there
        return None
    if record.request_hash != request_hash:
        raise invalid(HEADER, "was used before with a different body or query", "reused")
    if record.state == "done":
        return Replay(record.status or 200, record.content_type or "", record.body or "")
    held = lease(settings)
    if record.created_at == at:  # ours: just inserted
        return None
    left = record.created_at + held - at
    if left > dt.timedelta(0):
        raise _running(left)
    # Abandoned: take it over, unless a concurrent retry just did (then it runs, we wait).
    taken = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.state == "running",
            IdempotencyRecord.created_at == record.created_at,
        )
        .values(created_at=at)
    )
    if cast(CursorResult[Any], taken).rowcount != 1:
        raise _running(held)
    return None


def _running(left: dt.timedelta) -> Conflict:
    """The answer while another request holds the key: retry once its lease has run out."""
    seconds = max(1, math.ceil(left.total_seconds()))
    return Conflict(
        f"A request with this {HEADER} is still running; retry in {seconds} s.",
        retry_after=seconds,
    )


def finish(session: Session, scope: str, status: int, content_type: str, body: str) -> None:
    """Keep a 2xx answer for replays (its secrets already removed); forget the key otherwise,
    so that a corrected retry runs again."""
    if 200 <= status < 300:
        session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.scope == scope)
            .values(state="done", status=status, content_type=content_type, body=body)
        )
    else:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.scope == scope))
