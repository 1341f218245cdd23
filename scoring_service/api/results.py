"""``GET .../rounds/{n}/results``: the engine's document for a round, cached, with ETags."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from flask import Response, current_app, g, request
from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..answers import parse_responses
from ..schemas.stored import RoundOut
from ..scoring import ENGINE_VERSION, score
from ..scoring.visibility import partner_view
from ..store.models import (
    Alliance,
    CachedResult,
    Partner,
    Round,
    Stakeholder,
    StoredResponse,
)
from ..store.queries import insert_ignore, round_by_n
from . import access
from .problems import Blueprint, problem_responses
from .rounds import round_json

blp = Blueprint("results", __name__, url_prefix="/api/v1", description="Results of rounds")
errors = problem_responses(blp)


class RoundResultSchema(Schema):
    """A round's result: the engine's document (``result``, null until both partners have a
    complete response) with completion by partner and role."""

    alliance = fields.String()
    round = fields.Dict()
    viewer = fields.String(metadata={"description": "admin or partner:<key>"})
    completion = fields.Dict(metadata={"description": "partner -> {complete, partial, roles}"})
    result = fields.Dict(allow_none=True, metadata={"description": "as POST /api/v1/score"})
    reasons = fields.Dict(keys=fields.String(), values=fields.String())


def _document(session: Session, found: Alliance, r: Round) -> dict[str, Any]:
    """The full (admin) document of round ``r`` from its stored responses."""
    ext = current_app.extensions["scoring"]
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
    doc: dict[str, Any] = {
        "alliance": found.id,
        "round": RoundOut().dump(round_json(r)),  # ISO 8601 times, as everywhere else
        "viewer": "admin",
        "completion": completion,
        "result": None,
        "reasons": {},
    }
    waiting = [key for key, entry in completion.items() if entry["complete"] == 0]
    if waiting:
        doc["reasons"]["result"] = "waiting_for_" + "_and_".join(waiting)
        return doc
    survey = ext.registry.get(r.survey_id, r.survey_version)
    doc["result"] = score(
        survey,
        parse_responses(complete, survey),
        n_resamples=ext.settings.bootstrap_resamples,
        confidence=ext.settings.confidence,
    )
    return doc


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/results")
class Results(MethodView):
    @access.needs("member")
    @blp.response(200, RoundResultSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @errors(401, 403, 404)
    def get(self, alliance_id: str, n: int) -> Response:
        """Read a round's results (admin, or a partner key with what it may see)

        Scores the round's complete responses. Until both partners have one, ``result`` is
        null and ``reasons.result`` says who is missing. A partner key sees the other
        partner's figures once that partner has ``min_group_size`` complete responses (or the
        round is closed), and role-level figures only for groups of that size. Answers carry
        an ``ETag``; send it back as ``If-None-Match`` to get 304 while nothing changed.
        """
        store = current_app.extensions["scoring"].store
        who = g.principal
        viewer = "admin" if who.kind == "admin" else f"partner:{who.partner_key}"
        hit = _cached(alliance_id, n, viewer)  # the common case, in one query
        if hit is not None:
            return _answer(*hit)
        with store.read() as session:
            found = access.alliance(session, who, alliance_id, admin=False)
            r = round_by_n_or_404(session, found.id, n)
            # Status is part of the key: a round past closes_at reads as closed before any
            # write has stored it so.
            key = f"{viewer}|{r.status}"
            cached = session.scalars(
                select(CachedResult).where(
                    CachedResult.round_id == r.id,
                    CachedResult.viewer == key,
                    CachedResult.round_version == r.version,
                    CachedResult.engine_version == ENGINE_VERSION,
                )
            ).first()
            if cached is None:
                doc = _document(session, found, r)
                if who.kind == "partner":
                    doc = _for_partner(doc, found, who.partner_key or "", r.status == "closed")
                body = current_app.json.dumps(doc, separators=(",", ":")) + "\n"  # as Flask's
                etag = hashlib.sha256(body.encode()).hexdigest()[:32]
                values = {
                    "round_id": r.id,
                    "viewer": key,
                    "round_version": r.version,
                    "engine_version": ENGINE_VERSION,
                    "etag": etag,
                    "body": body,
                }
            else:
                body, etag, values = cached.body, cached.etag, {}
        if values:
            with store.write() as session:  # a concurrent reader may have stored it first
                insert_ignore(session, CachedResult.__table__, values)  # type: ignore[arg-type]
            memo().put((alliance_id, r.id, key), r.version, body, etag)
        return _answer(body, etag)


# The cached document of a round at one version for one viewer.
CACHED = select(CachedResult.body, CachedResult.etag).where(
    CachedResult.round_id == bindparam("round_id"),
    CachedResult.round_version == bindparam("version"),
    CachedResult.engine_version == ENGINE_VERSION,
    CachedResult.viewer == bindparam("viewer"),
)


class Memo:
    """The last documents this process answered, by (alliance, round, viewer): the results
    table's rows without the round trip and the body's transfer.

    An entry is used only for the round's current version, read with the credential on every
    request, so it is never staler than the table (whose key it shares). Bounded: the least
    recently used entry goes first.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int, str], tuple[int, str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, str], version: int) -> tuple[str, str] | None:
        """(body, etag) stored for ``key`` at ``version``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != version:
                return None
            self._items.move_to_end(key)
            return found[1], found[2]

    def put(self, key: tuple[str, int, str], version: int, body: str, etag: str) -> None:
        """Keep ``body`` as ``key``'s document at ``version``."""
        with self._lock:
            self._items[key] = (version, body, etag)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def memo() -> Memo:
    """This app's memo of answered documents."""
    return current_app.extensions["results_memo"]  # type: ignore[no-any-return]


def _cached(alliance_id: str, n: int, viewer: str) -> tuple[str, str] | None:
    """(body, etag) of the cached document the viewer would get now, or None. The round comes
    with the credential check (access.url_round); then this process's memo, else one small
    query of the results table."""
    conn = access.db()
    r = access.url_round(conn, alliance_id, n)
    if r is None:
        return None
    key = (alliance_id, r.id, f"{viewer}|{r.status}")
    hit = memo().get(key, r.version)
    if hit is not None:
        return hit
    found = conn.execute(CACHED, {"round_id": r.id, "version": r.version, "viewer": key[2]}).first()
    if found is None:
        return None
    memo().put(key, r.version, found[0], found[1])
    return found[0], found[1]


def round_by_n_or_404(session: Session, alliance_id: str, n: int) -> Round:
    """Round ``n`` or 404."""
    found = round_by_n(session, alliance_id, n)
    if found is None:
        access.not_found()
    return found


def _for_partner(doc: dict[str, Any], found: Alliance, viewer: str, closed: bool) -> dict[str, Any]:
    """The partner's view of the document (see ``visibility``)."""
    other = next(k for k in doc["completion"] if k != viewer)
    shown = closed or doc["completion"][other]["complete"] >= found.min_group_size
    return partner_view(doc, viewer, found.min_group_size, other_shown=shown)


def _answer(body: str, etag: str) -> Response:
    """200 with the body, or 304 when the client already has this version."""
    quoted = f'"{etag}"'
    sent = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
    if quoted in sent or "*" in sent:
        response = Response(status=304)
    else:
        response = Response(body, status=200, mimetype="application/json")
    response.headers["ETag"] = quoted
    response.headers["Cache-Control"] = "private, no-cache"
    return response
