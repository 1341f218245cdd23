"""``/livez`` and ``/readyz`` for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..context import env
from .problems import Blueprint

blp = Blueprint("health", __name__, description="Health")


@blp.route("/livez")
class Live(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The process is up"""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The service has loaded its surveys and can answer"""
        registry = env().registry
        return {"status": "ready", "surveys": len(registry.latest())}
