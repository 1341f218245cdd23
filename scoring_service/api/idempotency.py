"""``Idempotency-Key`` on every write: a retried request is answered once, never applied twice.

Scoped to the credential and the route (method and path). While the first request runs, the
same key answers 409; with a different body (compared as canonical JSON) or query, 422; once it has
succeeded, its 2xx answer is replayed, without any secret it issued (keys and tokens are shown
once). Answers other than 2xx are not kept, so a corrected retry runs again. Records are kept
for ``KEEP`` and purged after that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import delete, update

from ..store.models import IdempotencyRecord, now
from ..store.queries import insert_ignore
from .problems import fail

HEADER = "Idempotency-Key"
WRITES = frozenset(("POST", "PUT", "PATCH", "DELETE"))
KEEP = dt.timedelta(hours=48)  # at least the 24 hours promised
# A record still "running" after this long belongs to a request that died: it may be taken over.
ABANDONED = dt.timedelta(seconds=120)
SECRETS = ("admin_key", "key", "token", "form_url")
MAX_KEY = 255


def _request_hash() -> str:
    """SHA-256 of the query (sorted) and the body (canonical JSON when it parses, else its
    bytes): ``?format=`` and ``?complete=`` change what a request means."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = raw
    query = json.dumps(sorted(request.args.items(multi=True))).encode()
    return hashlib.sha256(query + b"\n" + canonical).hexdigest()


def before() -> Response | None:
    """Claim the key for this request, or answer from its record (replay, 409 or 422)."""
    key = request.headers.get(HEADER)
    who = g.get("principal")
    if key is None or request.method not in WRITES or who is None:
        return None
    if not key.strip() or len(key) > MAX_KEY:
        fail(400, f"{HEADER} must be 1-{MAX_KEY} characters.")
    credential = f"{who.kind}:{who.key_id or ''}"
    scope = hashlib.sha256(
        f"{credential}|{request.method}|{request.path}|{key}".encode()
    ).hexdigest()
    digest = _request_hash()
    store = current_app.extensions["scoring"].store
    with store.write() as session:
        session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now() - KEEP)
        )
        values = {
            "scope": scope,
            "alliance_id": who.alliance_id,
            "request_hash": digest,
            "state": "running",
            "created_at": now(),
        }
        insert_ignore(session, IdempotencyRecord.__table__, values)  # type: ignore[arg-type]
        record = session.get(IdempotencyRecord, scope)
        if record is None:  # pragma: no cover - just inserted or already there
            return None
        if record.request_hash != digest:
            fail(422, f"This {HEADER} was used with a different body or query.")
        if record.state == "done":
            replay = Response(record.body, status=record.status, content_type=record.content_type)
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        mine = record.created_at == values["created_at"]
        if not mine and record.created_at > now() - ABANDONED:
            fail(409, f"A request with this {HEADER} is still running; retry later.")
        record.created_at = values["created_at"]  # ours now (new, or taken over)
    g.idempotency_scope = scope
    return None


def _without_secrets(body: str) -> str:
    """The answer as it may be replayed: secrets issued by the first request removed."""
    try:
        doc: Any = json.loads(body)
    except ValueError:
        return body
    if isinstance(doc, dict) and any(k in doc for k in SECRETS):
        doc = {k: v for k, v in doc.items() if k not in SECRETS}
        return current_app.json.dumps(doc)
    return body


def after(response: Response) -> Response:
    """Keep a 2xx answer for replays; forget the key otherwise."""
    scope = g.pop("idempotency_scope", None)
    if scope is None:
        return response
    store = current_app.extensions["scoring"].store
    with store.write() as session:
        if 200 <= response.status_code < 300:
            session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.scope == scope)
                .values(
                    state="done",
                    status=response.status_code,
                    content_type=response.content_type,
                    body=_without_secrets(response.get_data(as_text=True)),
                )
            )
        else:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.scope == scope))
    return response
