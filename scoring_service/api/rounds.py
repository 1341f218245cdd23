"""Rounds of an alliance and the responses stored in them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask.views import MethodView
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import FieldError, InvalidInput
from ..schemas.stored import (
    PageQuery,
    RoundIn,
    RoundList,
    RoundOut,
    RoundPatch,
)
from ..store.models import Alliance, Round, now
from ..store.queries import close_if_due, round_by_n
from . import access
from .paging import cursor, page
from .problems import Blueprint, fail, problem_responses

MAX_ROUND_LENGTH = dt.timedelta(days=3653)

blp = Blueprint("rounds", __name__, url_prefix="/api/v1", description="Rounds and responses")
errors = problem_responses(blp)


def round_json(r: Round) -> dict[str, Any]:
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


@blp.route("/alliances/<alliance_id>/rounds")
class Rounds(MethodView):
    @access.needs("admin")
    @blp.arguments(RoundIn())
    @blp.response(201, RoundOut)
    @errors(401, 403, 404, 409, 415, 422)
    def post(self, body: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """Open the next round (admin)

        The round pins the alliance's survey at its newest version. At most one round is open
        at a time: close the open one first (409 otherwise).
        """
        ext = current_app.extensions["scoring"]
        closes_at = body.get("closes_at")
        if closes_at is not None and not now() < closes_at < now() + MAX_ROUND_LENGTH:
            raise InvalidInput([FieldError("closes_at", "must be in the next ten years")])
        try:
            with ext.store.write() as session:
                who = access.principal(session)
                found = access.alliance(session, who, alliance_id, admin=True)
                survey = ext.registry.get(found.survey_id)
                last = session.scalar(
                    select(func.max(Round.n)).where(Round.alliance_id == found.id)
                )
                if last is not None:  # the open round may be due to close by now
                    latest = round_by_n(session, found.id, last)
                    if latest is not None and latest.status == "open":
                        fail(409, message=f"Round {last} is still open; close it first.")
                new = Round(
                    alliance_id=found.id,
                    n=(last or 0) + 1,
                    label=body["label"],
                    survey_id=survey.id,
                    survey_version=survey.version,
                    status="open",
                    opened_at=now(),
                    closes_at=body.get("closes_at"),
                    version=0,
                )
                session.add(new)
        except IntegrityError:  # another request opened a round at the same moment
            fail(409, message="Another round was opened at the same time.")
        return round_json(new)

    @access.needs("member")
    @blp.arguments(PageQuery(), location="query")
    @blp.response(200, RoundList)
    @errors(401, 403, 404, 422)
    def get(self, query: dict[str, Any], alliance_id: str) -> dict[str, Any]:
        """List the rounds, oldest first (admin or partner key); paginated by ``cursor``"""
        with current_app.extensions["scoring"].store.read() as session:
            who = access.principal(session)
            found = access.alliance(session, who, alliance_id, admin=False)
            rows = list(
                session.scalars(
                    select(Round)
                    .where(Round.alliance_id == found.id, Round.n > cursor(query["cursor"]))
                    .order_by(Round.n)
                    .limit(query["limit"] + 1)
                )
            )
            shown, next_cursor = page(rows, query["limit"], lambda r: r.n)
            for r in shown:
                close_if_due(r)  # shown as closed; a read session stores nothing
            return {"items": [round_json(r) for r in shown], "next_cursor": next_cursor}


def _round(session: Session, alliance_id: str, n: int, *, admin: bool) -> tuple[Alliance, Round]:
    """The alliance and its round ``n``, for a caller who may see them."""
    who = access.principal(session)
    found = access.alliance(session, who, alliance_id, admin=admin)
    r = round_by_n(session, found.id, n)
    if r is None:
        access.not_found()
    return found, r


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>")
class RoundItem(MethodView):
    @access.needs("member")
    @blp.response(200, RoundOut)
    @errors(401, 403, 404)
    def get(self, alliance_id: str, n: int) -> dict[str, Any]:
        """Read a round (admin or partner key)"""
        with current_app.extensions["scoring"].store.read() as session:
            return round_json(_round(session, alliance_id, n, admin=False)[1])

    @access.needs("admin")
    @blp.arguments(RoundPatch())
    @blp.response(200, RoundOut)
    @errors(401, 403, 404, 415, 422)
    def patch(self, body: dict[str, Any], alliance_id: str, n: int) -> dict[str, Any]:
        """Close a round (admin)

        ``{"status": "closed"}``; closing a closed round changes nothing.
        """
        with current_app.extensions["scoring"].store.write() as session:
            _, r = _round(session, alliance_id, n, admin=True)
            if r.status == "open":
                r.status, r.closed_at = "closed", now()
            r.version += 1  # cached results show the status: recompute them
        return round_json(r)
