"""``Idempotency-Key`` on every write: a retried request is answered once, never applied twice.

Scoped to the credential and the route (method and path). While the first request runs, the
same key answers 409 with ``Retry-After``, the seconds left of its lease (after which a retry
takes over a request killed with its worker); with a different body (compared as canonical JSON)
or query, 422; once it has succeeded, its 2xx answer is replayed, without any secret it issued
(keys and tokens are shown once). Answers other than 2xx are not kept, so a corrected retry runs
again. Records are kept for ``KEEP`` and purged after that.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, current_app, request

from .. import context
from ..errors import Malformed
from ..services import idempotency
from ..services.idempotency import HEADER, MAX_KEY

WRITES = frozenset(("POST", "PUT", "PATCH", "DELETE"))
SECRETS = ("admin_key", "key", "token", "form_url", "url")  # url: a report link's (rep_...)


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
    caller = context.state().caller
    if key is None or request.method not in WRITES or caller is None:
        return None
    who = caller.principal
    if not key.strip() or len(key) > MAX_KEY:
        raise Malformed(f"{HEADER} must be 1-{MAX_KEY} characters.")
    credential = f"{who.kind}:{who.key_id or ''}"
    scope = hashlib.sha256(
        f"{credential}|{request.method}|{request.path}|{key}".encode()
    ).hexdigest()
    with context.writing() as session:
        settings = context.env().settings
        replay = idempotency.claim(session, settings, scope, who.alliance_id, _request_hash())
    if replay is not None:
        answer = Response(replay.body, status=replay.status, content_type=replay.content_type)
        answer.headers["Idempotent-Replayed"] = "true"
        return answer
    context.state().idempotency_scope = scope
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
    s = context.state()
    scope, s.idempotency_scope = s.idempotency_scope, None
    if scope is None:
        return response
    body = response.get_data(as_text=True) if 200 <= response.status_code < 300 else ""
    with context.writing() as session:
        kept = _without_secrets(body)
        idempotency.finish(session, scope, response.status_code, response.content_type, kept)
    return response
