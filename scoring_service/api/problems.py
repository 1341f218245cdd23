"""One place that turns errors into RFC 9457 ``application/problem+json`` answers."""

from __future__ import annotations

import http
import json
from collections.abc import Callable
from typing import Any, cast

import flask_smorest
from apispec import BasePlugin
from flask import Flask, Request, Response, current_app
from flask_smorest import Api
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, InternalServerError

from .. import limits, metrics
from ..errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    Malformed,
    NotFound,
    ScoringError,
    TooMany,
    Unauthenticated,
    Unavailable,
)
from ..schemas.score import ProblemSchema
from ..services.idempotency import HEADER, MAX_KEY
from ..surveys import flatten_errors
from . import access

PROBLEM_TYPE = "application/problem+json"


def problem(
    status: int, title: str, detail: str, errors: list[FieldError] | None = None
) -> Response:
    """A problem document; ``errors`` lists ``{path, message}`` for validation problems."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [e.as_json() for e in errors]
    response = cast(Response, current_app.json.response(body))
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response


def _webargs_errors(data: dict[str, Any]) -> list[FieldError]:
    """webargs' ``{"json": {"field": [msg]}}`` as field errors without the location prefix."""
    messages = data.get("messages") or data.get("errors") or {}
    found: list[FieldError] = []
    for errors in messages.values():
        for path, message in flatten_errors(errors):
            if path == "(file)" and message == "Invalid input type.":  # e.g. an array
                found.append(
                    FieldError("", "must be a JSON object", "type", {"expected": "object"})
                )
                continue
            if path == "(file)":  # a rule of the whole body
                found.append(FieldError("", message, "required"))
                continue
            found.append(FieldError(path, message))
    return found


class _Parser(FlaskParser):
    """webargs' parser, with JSON nested too deeply for Python's parser answered as a 400."""

    def _raw_load_json(self, req: Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "(body)", 0) from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise json.JSONDecodeError(str(exc), "(body)", 0) from None


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The blueprint every API module uses: flask-smorest's, with the parser above."""

    ARGUMENTS_PARSER = _Parser()

    def needs(self, level: str) -> Callable[[Any], Any]:
        """:func:`access.needs` (the check), with the credentials it takes in OpenAPI."""
        mark = access.needs(level)
        return lambda view: mark(self.doc(security=access.REQUIREMENTS[level])(view))


PROBLEMS = {
    400: "Malformed: a body that is not JSON (or not UTF-8), a NUL in the URL, an empty "
    "Idempotency-Key",
    401: "Missing, unknown or revoked credential",
    403: "A credential of this alliance without the right",
    404: "No such resource (or not yours)",
    409: "Conflicts with the current state (a closed round, a request with this Idempotency-Key "
    "still running)",
    413: "Body over the size limit",
    415: "Body is not JSON (or, where a CSV is taken, not a CSV in a known charset)",
    429: "Too many failed attempts from this address, or writes with this credential; retry "
    "after Retry-After seconds",
    422: "Invalid; every field named",
    500: "A fault of ours, logged; no details in the answer",
    503: "The database does not answer; retry after Retry-After seconds",
}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="scoring-service"'}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
    503: {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
}
WRITES = frozenset(("post", "put", "patch", "delete"))
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "\\S"},
    "description": "Retry safely: a repeat with the same key and body replays the first answer",
}


def problem_responses(blp: Blueprint) -> Callable[..., Callable[[Any], Any]]:
    """``errors(403, 404)``: declare those problem answers of a view of ``blp`` in OpenAPI
    (what every route of its kind shares, :class:`SharedProblems` adds)."""

    def errors(*statuses: int) -> Callable[[Any], Any]:
        def decorate(view: Any) -> Any:
            for status in statuses:
                view = blp.alt_response(
                    status,
                    schema=ProblemSchema,
                    content_type=PROBLEM_TYPE,
                    description=PROBLEMS[status],
                    headers=HEADERS.get(status),
                )(view)
            return view

        return decorate

    return errors


class SharedProblems(BasePlugin):
    """The problem answers routes share, added to every operation of the OpenAPI document:
    400 everywhere; 401, 429 and 503 where a credential is needed (it is looked up, and
    failures and writes are limited); 413 on every
    write (a body is read, or hashed for an ``Idempotency-Key``), 415 on every POST, PUT and
    PATCH (a body must be JSON), 422 where a body is parsed; the ``Idempotency-Key`` header
    with its 409 and 422 on credentialed writes."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            secured = bool(operation.get("security"))
            shared = [400]  # and DEFAULT_ERROR: any other status, a 500 among them
            if secured:  # a credential is looked up (503), and failures are limited (429)
                shared += [401, 429, 503]
            if method in WRITES:
                shared.append(413)
            if method in ("post", "put", "patch"):
                shared.append(415)
            if "requestBody" in operation:
                shared.append(422)
            if secured and method in WRITES:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                shared += [409, 422]
            responses = operation.setdefault("responses", {})
            for status in shared:
                if status not in responses and str(status) not in responses:
                    responses[status] = http.HTTPStatus(status).name


# RFC 9110 names the two statuses differently from werkzeug's older phrases.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with problem+json errors instead of its own error shape."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask) -> None:
        super().__init__(app, spec_kwargs={"extra_plugins": [SharedProblems()]})
        for name, description in access.SCHEMES.items():
            scheme = {"type": "http", "scheme": "bearer", "description": description}
            self.spec.components.security_scheme(name, scheme)

    def _register_responses(self) -> None:
        """flask-smorest's response components, errors as problem+json (``DEFAULT_ERROR`` is
        the answer of any other status, a 500 among them)."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": PROBLEMS.get(status, status.phrase)}
            if status >= 400:
                response["content"] = {PROBLEM_TYPE: {"schema": self.ERROR_SCHEMA}}
            if status in HEADERS:
                response["headers"] = HEADERS[status]
            self.spec.components.response(status.name, response, lazy=True)
        default = {"schema": self.ERROR_SCHEMA}
        response = {"description": PROBLEMS[500], "content": {PROBLEM_TYPE: default}}
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Every HTTP error, including the 500 Flask makes of an uncaught exception."""
        status = error.code or 500
        if isinstance(error, InternalServerError):  # Flask has logged the original exception
            return problem(500, "Internal Server Error", "The server failed; the error is logged.")
        data = getattr(error, "data", None) or {}
        errors = _webargs_errors(data) if status in (400, 422) else []
        if status == 400 and errors:
            detail = "The request body is not valid JSON."
            errors = []
        elif errors:
            detail = "; ".join(str(e) for e in errors[:5])
        elif status == 413:
            limit = current_app.config["MAX_CONTENT_LENGTH"]
            detail = f"The body is over the limit of {limit} bytes."
        else:
            detail = data.get("message") or error.description or error.name
        response = problem(status, TITLES.get(status, error.name), detail, errors)
        if status == 429:  # a write ceiling of Flask-Limiter (failures are TooMany)
            response.headers["Retry-After"] = str(limits.wait())
            metrics.REFUSALS.labels("writes").inc()
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response


# Domain errors and their answers; the first class in this order that matches wins.
STATUSES: tuple[tuple[type[ScoringError], int, str], ...] = (
    (InvalidInput, 422, "Unprocessable Content"),
    (Unauthenticated, 401, "Unauthorized"),
    (Forbidden, 403, "Forbidden"),
    (NotFound, 404, "Not Found"),
    (Conflict, 409, "Conflict"),
    (Malformed, 400, "Bad Request"),
    (Unavailable, 503, "Service Unavailable"),
    (TooMany, 429, "Too Many Requests"),
)


def domain_problem(exc: ScoringError) -> Response:
    """The problem+json answer of a domain error."""
    status, title = next(((s, t) for c, s, t in STATUSES if isinstance(exc, c)), (500, ""))
    if status == 500:  # a domain error without an answer of its own is a defect: log it
        raise exc
    errors = exc.errors if isinstance(exc, InvalidInput) else None
    response = problem(status, title, exc.detail, errors)
    if status == 401:
        response.headers.update(CHALLENGE)
    if exc.retry_after is not None:  # e.g. 503 (1 s), 409 for a running Idempotency-Key
        response.headers["Retry-After"] = str(max(1, exc.retry_after))
    return response


def register(app: Flask) -> None:
    """Domain errors -> problems, for every route without a handler of its own (the forms
    blueprint answers with pages)."""
    app.register_error_handler(ScoringError, domain_problem)
