"""``GET .../rounds/{n}/results``: a round's result document, cached, with ETags."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from .. import context
from ..schemas.stored import RoundResultSchema
from ..services import results
from .problems import Blueprint, problem_responses

blp = Blueprint("results", __name__, url_prefix="/api/v1", description="Results of rounds")
errors = problem_responses(blp)


@blp.route("/alliances/<alliance_id>/rounds/<int(max=2147483647):n>/results")
class Results(MethodView):
    @blp.needs("member")
    @blp.response(200, RoundResultSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    @errors(403, 404)
    def get(self, alliance_id: str, n: int) -> Response:
        """Read a round's results (admin, or a partner key with what it may see)

        Scores the round's complete responses. Until both partners have one, ``result`` is
        null and ``reasons.result`` says who is missing. A partner key sees the other
        partner's figures once that partner has ``min_group_size`` complete responses (or the
        round is closed), and role-level figures only for groups of that size. Answers carry
        an ``ETag``; send it back as ``If-None-Match`` to get 304 while nothing changed.
        """
        ext, caller = context.ext(), context.caller()
        doc = results.cached(context.read_conn(), caller, ext.env, ext.memo, alliance_id, n)
        if doc is None:  # computed in a read transaction, kept in a write one
            with context.reading() as session:
                computed = results.compute(
                    session, caller.principal, ext.env, ext.memo, alliance_id, n
                )
            doc = computed.document
            if computed.row:
                with context.writing() as session:
                    results.keep(session, ext.memo, computed)
        return _answer(doc)


def _answer(doc: results.Document) -> Response:
    """200 with the body, or 304 when the client already has this version."""
    quoted = f'"{doc.etag}"'
    sent = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
    if quoted in sent or "*" in sent:
        response = Response(status=304)
    else:
        response = Response(doc.body, status=200, mimetype="application/json")
    response.headers["ETag"] = quoted
    response.headers["Cache-Control"] = "private, no-cache"
    return response
