"""``/livez`` and ``/readyz`` for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..context import env, ext
from .problems import Blueprint, problem_responses

blp = Blueprint("health", __name__, description="Health")
errors = problem_responses(blp)


@blp.route("/livez")
class Live(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The process is up"""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200)
    @errors(503)
    def get(self) -> dict[str, Any]:
        """The service has loaded its surveys and its database answers (else 503, with
        Retry-After)"""
        ext().store.ping()  # a database that does not answer: Unavailable, 503
        return {"status": "ready", "surveys": len(env().registry.latest()), "database": "ok"}
