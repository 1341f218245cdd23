"""The HTTP API: flask-smorest blueprints, one module per resource."""

from __future__ import annotations

import swagger_ui_bundle
from flask import Flask, Response, abort, request, send_from_directory

from .. import context
from ..answers.csvfile import CHARSET_HELP, codec
from . import (
    access,
    alliances,
    cors,
    health,
    home,
    idempotency,
    invitations,
    metrics,
    problems,
    reports,
    responses,
    results,
    rounds,
    score,
    stakeholders,
    surveys,
    transport,
    trend,
)

JSON_METHODS = frozenset(("POST", "PUT", "PATCH"))
# Routes that also take a CSV body (bulk responses in the scoring CLI's format).
CSV_ENDPOINTS = frozenset(("responses.Responses",))


def init_app(app: Flask) -> problems.ProblemApi:
    """Register the blueprints, the problem handlers and the JSON-only rule for bodies."""
    app.config.update(
        API_TITLE="Alliance alignment scoring",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",  # the bundled Swagger UI 4 reads 3.0
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served from the swagger-ui-bundle package: the docs work offline, no CDN.
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs/static/",
        OPENAPI_REDOC_PATH="redoc",
        OPENAPI_REDOC_URL=None,
    )
    settings = app.extensions["scoring"].env.settings
    metrics.init_app(app, settings.metrics_allow)  # first: its clock starts before any check
    transport.init_app(app)  # then its converter before any rule, its check before the others
    api = problems.ProblemApi(app)
    api.register_converter(transport.AsciiInteger, transport.integer_parameter)
    blueprints = (
        health, score, surveys, alliances, rounds, responses, results, trend, invitations, reports
    )  # fmt: skip
    for module in (*blueprints, stakeholders):
        api.register_blueprint(module.blp)
    problems.register(app)
    app.register_blueprint(home.bp)

    @app.get("/api/v1/docs/static/<path:filename>")
    def _swagger_static(filename: str) -> Response:
        """Swagger UI's assets."""
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)

    app.before_request(cors.preflight)  # a preflight carries no credential
    app.before_request(access.check_request)  # credentials first: 401 before any 415 or 422
    app.before_request(cors.check_origin)  # then the origin the credential allows
    app.after_request(cors.allow)
    app.teardown_request(context.close)

    @app.before_request
    def _json_only() -> None:
        """A body sent to the API must be JSON: 415 otherwise, before anything is parsed."""
        if request.method not in JSON_METHODS:
            return
        routed = request.routing_exception is None  # 404 and 405 win over 415
        has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
        csv = request.mimetype == "text/csv" and request.endpoint in CSV_ENDPOINTS
        if (
            routed
            and request.path.startswith("/api/")  # the HTML forms post form-encoded bodies
            and has_body
            and not request.is_json
            and not csv
        ):
            abort(415, description="Send the body as application/json.")
        charset = request.mimetype_params.get("charset")
        if routed and csv and codec(charset) is None:
            abort(415, description=f"{CHARSET_HELP}, not as charset={charset}.")

    # After the JSON check (so a bad body is never claimed), before the view.
    app.before_request(idempotency.before)
    app.after_request(idempotency.after)
    return api
