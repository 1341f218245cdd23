"""``Idempotency-Key`` records: a retried write is answered once, never applied twice.

Scoped by the caller (the API hashes credential, route and key into ``scope``). While the first
request runs, the same key is a Conflict; with another body or query, invalid; once it has
succeeded, its 2xx answer is replayed, without any secret it issued. Records are kept for
``KEEP`` and purged after that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..errors import Conflict, invalid
from ..store.models import IdempotencyRecord, now
from ..store.queries import insert_ignore

HEADER = "Idempotency-Key"
MAX_KEY = 255  # characters of an Idempotency-Key
KEEP = dt.timedelta(hours=48)  # at least the 24 hours promised
# A record still "running" after this long belongs to a request that died: it may be taken over.
ABANDONED = dt.timedelta(seconds=120)


@dataclass(frozen=True)
class Replay:
    """The kept answer of the first request with this key."""

    status: int
    content_type: str
    body: str


def claim(
    session: Session, scope: str, alliance_id: str | None, request_hash: str
) -> Replay | None:
    """Take the key for this request (None: go on and run it), or the answer to replay."""
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
    mine = record.created_at == at
    if not mine and record.created_at > now() - ABANDONED:
        raise Conflict(f"A request with this {HEADER} is still running; retry later.")
    record.created_at = at  # ours now (new, or taken over)
    return None


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
