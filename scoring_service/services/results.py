"""A round's results: the engine's document from the stored responses, as each viewer may see
it, cached per round version, viewer and fingerprint (:func:`..fingerprint`).

Three steps, each in the caller's unit of work: :func:`cached` (the common case: one query, or
none when this process answered it before), :func:`compute` (a read transaction) and
:func:`keep` (a write transaction; a concurrent reader may have kept it first).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from .. import metrics
from ..answers import parse_responses
from ..scoring import score
from ..scoring.visibility import joint_view, partner_view
from ..store.models import Alliance, CachedResult, Partner, Stakeholder, StoredResponse
from ..store.queries import insert_ignore
from . import Env
from .access import Caller, Principal, visible_alliance
from .round_state import RoundRow, load, load_or_404, round_json


@dataclass(frozen=True)
class Document:
    """A serialised result document and its ETag, for one round version and viewer."""

    body: str
    etag: str


@dataclass(frozen=True)
class Computed:
    """A document just computed, and the cache row that keeps it."""

    document: Document
    key: tuple[str, int, str]  # (alliance, round id, viewer|status): the memo's key
    version: int
    row: dict[str, Any]


class Memo:
    """The last documents this process answered, by (alliance, round, viewer): the results
    table's rows without the round trip and the body's transfer.

    An entry is used only for the round's current version, read with the credential on every
    request, so it is never staler than the table (whose key it shares, the fingerprint being
    fixed for the process's life). Bounded: the least recently used entry goes first.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int, str], tuple[int, Document]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, str], version: int) -> Document | None:
        """The document stored for ``key`` at ``version``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != version:
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: tuple[str, int, str], version: int, doc: Document) -> None:
        """Keep ``doc`` as ``key``'s document at ``version``."""
        with self._lock:
            self._items[key] = (version, doc)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def viewer_of(who: Principal) -> str:
    """Whose view of a document: ``admin``, ``joint`` (a joint report link's: what both
    partners may see) or ``partner:<key>``."""
    if who.kind in ("admin", "joint"):
        return who.kind
    return f"partner:{who.partner_key}"


def _key(alliance_id: str, r: RoundRow, who: Principal) -> tuple[str, int, str]:
    """The cache key: the round's status is part of it, since a round past ``closes_at``
    reads as closed before any write has stored it so."""
    return alliance_id, r.id, f"{viewer_of(who)}|{r.status}"


CACHED = select(CachedResult.body, CachedResult.etag).where(
    CachedResult.round_id == bindparam("round_id"),
    CachedResult.round_version == bindparam("version"),
    CachedResult.fingerprint == bindparam("fingerprint"),
    CachedResult.viewer == bindparam("viewer"),
)


def cached(
    conn: Connection, caller: Caller, env: Env, memo: Memo, alliance_id: str, n: int
) -> Document | None:
    """The cached document the caller would get now, or None. The round comes with the
    credential check; then this process's memo, else one small query of the results table."""
    r = caller.round_of(alliance_id) if caller.round_read else load(conn, alliance_id, n)
    if r is None:
        return None
    key = _key(alliance_id, r, caller.principal)
    hit = memo.get(key, r.version)
    if hit is not None:
        return hit
    values = {
        "round_id": r.id,
        "version": r.version,
        "viewer": key[2],
        "fingerprint": env.fingerprints[(r.survey_id, r.survey_version)],
    }
    found = conn.execute(CACHED, values).first()
    if found is None:
        return None
    doc = Document(found[0], found[1])
    memo.put(key, r.version, doc)
    return doc


def serialise(doc: dict[str, Any]) -> Document:
    """The document's JSON (compact, as Flask writes it; NaN refused) and its ETag."""
    body = json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n"
    return Document(body, hashlib.sha256(body.encode()).hexdigest()[:32])


def round_responses(
    session: Session, found: Alliance, r: RoundRow
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Round ``r``'s completion by partner and role, and its complete responses as the engine's
    parser takes them (``partner``, ``role``, ``respondent``, ``answers``), in storage order."""
    rows = session.execute(
        select(Partner.key, Stakeholder.ref, StoredResponse.role, StoredResponse)
        .join(Stakeholder, Stakeholder.id == StoredResponse.stakeholder_id)
        .join(Partner, Partner.id == Stakeholder.partner_id)
        .where(StoredResponse.round_id == r.id)
        .order_by(StoredResponse.id)
    ).all()
    completion: dict[str, dict[str, Any]] = {
        p.key: {"complete": 0, "partial": 0, "roles": {}} for p in found.partners
    }
    complete = []
    for key, ref, role, stored in rows:
        entry = completion[key]
        if stored.complete:
            entry["complete"] += 1
            entry["roles"][role] = entry["roles"].get(role, 0) + 1
            complete.append(
                {"partner": key, "role": role, "respondent": ref, "answers": stored.answers}
            )
        else:
            entry["partial"] += 1
    return completion, complete


def admin_document(session: Session, env: Env, found: Alliance, r: RoundRow) -> dict[str, Any]:
    """The full (admin) document of round ``r`` from its stored responses: completion by
    partner and role, and the engine's result once both partners have a complete response."""
    completion, complete = round_responses(session, found, r)
    shown = round_json(r)
    for field in ("opened_at", "closes_at", "closed_at"):  # ISO 8601, as everywhere else
        shown[field] = None if shown[field] is None else shown[field].isoformat()
    doc: dict[str, Any] = {
        "alliance": found.id,
        "round": shown,
        "viewer": "admin",
        "completion": completion,
        "result": None,
        "reasons": {},
    }
    waiting = [key for key, entry in completion.items() if entry["complete"] == 0]
    if waiting:
        doc["reasons"]["result"] = "waiting_for_" + "_and_".join(waiting)
        return doc
    survey = env.registry.get(r.survey_id, r.survey_version)
    sheets = parse_responses(complete, survey)
    with metrics.scoring():
        doc["result"] = score(
            survey,
            sheets,
            n_resamples=env.settings.bootstrap_resamples,
            confidence=env.settings.confidence,
        )
    return doc


def for_viewer(doc: dict[str, Any], found: Alliance, who: Principal) -> dict[str, Any]:
    """The document as ``who`` may see it: all of it for the admin; for a partner key, the
    other partner's figures once it has ``min_group_size`` complete responses (open or closed
    round alike), role-level figures only for groups of that size (see ``scoring.visibility``);
    for a joint report, what both partners may see."""
    if who.kind == "joint":
        return joint_view(doc, found.min_group_size)
    if who.kind != "partner":
        return doc
    viewer = who.partner_key or ""
    other = next(k for k in doc["completion"] if k != viewer)
    shown = doc["completion"][other]["complete"] >= found.min_group_size
    return partner_view(doc, viewer, found.min_group_size, other_shown=shown)


def compute(
    session: Session, who: Principal, env: Env, memo: Memo, alliance_id: str, n: int
) -> Computed:
    """The caller's document of round ``n``: from the results table when kept there, else
    computed now (``row`` set: to be kept with :func:`keep`)."""
    found = visible_alliance(session, who, alliance_id, admin=False)
    r = load_or_404(session.connection(), found.id, n)
    key = _key(found.id, r, who)
    fingerprint = env.fingerprints[(r.survey_id, r.survey_version)]
    values = {"round_id": r.id, "version": r.version, "viewer": key[2], "fingerprint": fingerprint}
    hit = session.execute(CACHED, values).first()
    if hit is not None:
        memo.put(key, r.version, Document(hit[0], hit[1]))
        return Computed(Document(hit[0], hit[1]), key, r.version, {})
    doc = serialise(for_viewer(admin_document(session, env, found, r), found, who))
    row = {
        "round_id": r.id,
        "viewer": key[2],
        "round_version": r.version,
        "fingerprint": fingerprint,
        "etag": doc.etag,
        "body": doc.body,
    }
    return Computed(doc, key, r.version, row)


def keep(session: Session, memo: Memo, computed: Computed) -> Document:
    """Keep a computed document in the results table (unless a concurrent reader did) and in
    this process's memo."""
    if computed.row:
        insert_ignore(session, CachedResult.__table__, computed.row)  # type: ignore[arg-type]
        memo.put(computed.key, computed.version, computed.document)
    return computed.document
