"""The baseline for the HTTP benchmark: a bare Flask app that only parses the JSON body.

Served by the same gunicorn config as the service (``-c gunicorn.conf.py``: sync workers, one
per core, preloaded), so ``score / bare`` throughput is the share left to the service's own work
(validation, scoring, serialisation) once HTTP, WSGI and JSON parsing are paid for.

    gunicorn -c gunicorn.conf.py 'benchmarks.bare_app:create_app()'
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request


def create_app() -> Flask:
    """``POST /parse`` parses the body and answers a tiny object; ``GET /livez`` for start-up."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024  # the service's default limit

    @app.post("/parse")
    def parse() -> dict[str, Any]:
        body = request.get_json()
        return {"ok": True, "keys": len(body) if isinstance(body, dict) else 0}

    @app.get("/livez")
    def livez() -> dict[str, Any]:
        return {"status": "ok"}

    return app
