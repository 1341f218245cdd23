"""What every request is checked for before a view reads it: a URL of UTF-8 text without NUL,
round numbers of ASCII digits, and a body within the size limit even when it comes chunked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter


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


class CappedInput:
    """The ``wsgi.input`` of a chunked body: the server's, read through, but a body longer than
    ``limit`` raises 413 once the limit is reached. werkzeug stops at the limit and hands on what
    it read (a body cut without a word; what parsed was stored). Nothing is read until the app
    reads the body: no buffering before routing and credentials."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream, self._left = stream, limit

    def read(self, size: int | None = -1) -> bytes:
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = self._stream.read(want) if want else b""
        self._left -= len(data)
        if self._left == 0 and self._stream.read(1):  # at the limit, and there is more
            raise RequestEntityTooLarge()
        return bytes(data)


class ChunkedLimit:
    """WSGI middleware: a chunked body (RFC 9112: chunked wins over any ``Content-Length``) is
    read through :class:`CappedInput`, where the server has de-chunked it
    (``wsgi.input_terminated``; werkzeug gives the app nothing otherwise)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and environ.get("wsgi.input_terminated"):
            environ["wsgi.input"] = CappedInput(environ["wsgi.input"], self.limit)
        return self.app(environ, start_response)


def check_request() -> None:
    """Before anything else: a 400 for a URL that is not UTF-8 (it was read with replacement
    characters) or holds NUL."""
    environ = request.environ
    query = environ.get("QUERY_STRING", "")
    try:  # the server gives the path's bytes as latin-1 (PEP 3333), and the query so, encoded
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        unquote_to_bytes(query.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        abort(400, description="The URL is not UTF-8 text.")
    if "\x00" in path or "%00" in query or "\x00" in query:
        abort(400, description="NUL characters are not allowed in the URL.")


def init_app(app: Flask) -> None:
    """Install the middleware and the converter (before any rule is added) and the check
    (before any other)."""
    app.wsgi_app = ChunkedLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore[method-assign]
    app.url_map.converters["int"] = AsciiInteger
    app.before_request(check_request)


def vary_accept(response: Response) -> Response:
    """After a request whose answer depends on ``Accept`` (JSON or CSV): caches must say so."""
    response.vary.add("Accept")
    return response
