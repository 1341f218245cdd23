"""What every request is checked for before a view reads it: a URL of UTF-8 text without NUL,
round numbers of ASCII digits, and a body within the size limit even when it comes chunked."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

TOO_LARGE = "scoring.too_large"


class AsciiInteger(IntegerConverter):
    """``<int:n>`` of ASCII digits only: werkzeug's ``\\d+`` also takes ``１`` (fullwidth) and
    ``١`` (Arabic-Indic) as 1."""

    regex = r"[0-9]+"


def integer_parameter(converter: AsciiInteger) -> dict[str, Any]:
    """The OpenAPI schema of an :class:`AsciiInteger` path parameter."""
    schema: dict[str, Any] = {"type": "integer", "minimum": converter.min or 0}
    if converter.max is not None:
        schema["maximum"] = converter.max
    return schema


class WholeBody:
    """WSGI middleware: a body without a ``Content-Length`` (chunked) read whole, up to the
    limit and one byte more, and handed on with its length; over the limit, it is marked for a
    413. Werkzeug cuts such a body at the limit without a word, and what parsed was stored."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            stream, parts, size = environ["wsgi.input"], [], 0
            while size <= self.limit:
                part = stream.read(min(65536, self.limit + 1 - size))
                if not part:
                    break
                parts.append(part)
                size += len(part)
            if size > self.limit:
                environ[TOO_LARGE] = True
                parts, size = [], 0
            environ["wsgi.input"] = io.BytesIO(b"".join(parts))
            environ["CONTENT_LENGTH"] = str(size)
        return self.app(environ, start_response)


def check_request() -> None:
    """Before anything else: a 413 for a chunked body over the limit, a 400 for a URL that is
    not UTF-8 (it was read with replacement characters) or holds NUL."""
    environ = request.environ
    if environ.get(TOO_LARGE):
        abort(413)
    query = environ.get("QUERY_STRING", "")
    try:  # the server gives the path's bytes as latin-1 (PEP 3333); the query still encoded
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        unquote_to_bytes(query).decode("utf-8")
    except UnicodeError:
        abort(400, description="The URL is not UTF-8 text.")
    if "\x00" in path or "%00" in query or "\x00" in query:
        abort(400, description="NUL characters are not allowed in the URL.")


def init_app(app: Flask) -> None:
    """Install the middleware and the converter (before any rule is added) and the check
    (before any other)."""
    app.wsgi_app = WholeBody(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore[method-assign]
    app.url_map.converters["int"] = AsciiInteger
    app.before_request(check_request)
