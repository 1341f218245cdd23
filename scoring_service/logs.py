"""Logs that never show a secret: invitation tokens (in form URLs, ``/forms/inv_...``), API keys,
the operator token.

One list drives it: ``store.credentials.SECRET_PREFIXES``. gunicorn gets
:class:`RedactingLogger` (``gunicorn.conf.py``), whose access and error logs pass every record
through :class:`Redactor` (message, arguments, traceback); ``gunicorn.conf.py`` puts the same
filter on the app's handlers in each worker, and Flask's log of an unhandled exception, which
names the path, goes through :func:`redact` too (``app.py``).

Lines are JSON objects (python-json-logger) unless ``SCORING_LOG_FORMAT=text``: the service's,
gunicorn's error log and its access log alike. Every line a request causes carries its
``request_id``: the client's ``X-Request-ID`` when it is a plain token (``REQUEST_ID``), else a
new one, returned in the answer's ``X-Request-ID``.

This module is loaded by gunicorn with its configuration: it imports nothing heavy.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar
from typing import Any

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

from .store.credentials import SECRET_PREFIXES

# A secret starts with its prefix where no word goes on ("drop_table" keeps its "op_") or right
# after a percent-escape ("%2Finv_..." in an encoded link); its characters are URL-safe base64,
# or escapes of them.
SECRET = re.compile(
    r"(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2}))"
    f"({'|'.join(re.escape(prefix) for prefix in SECRET_PREFIXES)})"
    r"[A-Za-z0-9_\-%]+"
)


# E-mail addresses are personal data: no log shows one (a respondent's reference may be one).
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}\Z")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def redact(text: str) -> str:
    """``text`` with every secret but its prefix replaced (``inv_[redacted]``) and every e-mail
    address too (``[e-mail]``)."""
    return EMAIL.sub("[e-mail]", SECRET.sub(r"\1[redacted]", text))


def json_lines() -> bool:
    """One JSON object a line (the default), or plain text (``SCORING_LOG_FORMAT=text``)."""
    return os.environ.get("SCORING_LOG_FORMAT", "json").lower() != "text"


def formatter() -> logging.Formatter:
    """The format of every log line: JSON with time, level, logger, message and request_id
    (and any extra field), or the plain text of development."""
    if json_lines():
        return JsonFormatter(FIELDS, rename_fields=RENAMED, datefmt="%Y-%m-%dT%H:%M:%S%z")
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")


def bind_request(asked: str | None) -> str:
    """The current request's id: the client's ``X-Request-ID`` if it is a plain token of at
    most 128 characters, else a new one."""
    found = asked if asked and REQUEST_ID.match(asked) else uuid.uuid4().hex
    _request_id.set(found)
    return found


def current_request_id() -> str:
    """The id of the request being answered (``-`` outside one)."""
    return _request_id.get() or "-"


def unbind_request() -> None:
    """The request is over: lines from now on belong to no request."""
    _request_id.set(None)


class RequestId(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get() or "-"
        return True


class Redactor(logging.Filter):
    """Redacts a record in place, before any handler formats it: the message with its arguments
    filled in, the traceback and the stack. Never drops a record."""

    _tracebacks = logging.Formatter()  # formats them as every handler's Formatter would

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record``; keep it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: shown as they came
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            # Handlers print exc_text when it is set; without exc_info none formats it anew.
            record.exc_text = record.exc_text or self._tracebacks.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


REDACTOR = Redactor()
REQUEST = RequestId()


def configure(level: str) -> None:
    """The app's logs: one handler on the root logger (stderr), in :func:`formatter`'s format,
    with the request id and redaction on it."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "scoring", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.scoring = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    redact_app_logs()


def redact_app_logs() -> None:
    """Put :data:`REDACTOR` (and the request id) on the root logger's handlers, where the app's
    own records (Flask's exception log with its traceback, the services') end up: a logger's
    filter would miss records that propagate from other loggers, a handler's does not."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(REQUEST)
        handler.addFilter(REDACTOR)
        handler.setFormatter(formatter())


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, its access and error logs redacted: every access-log field (request
    line, path, query, Referer and any header a format may name) and every error-log line,
    "Error handling request POST /forms/inv_..." and its traceback included."""

    def setup(self, cfg: Any) -> None:
        """As gunicorn's (also run on a reload), with :data:`REDACTOR` on both loggers and the
        service's line format on their handlers."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(REQUEST)  # once: a logger does not add a filter it has
            log.addFilter(REDACTOR)
            for handler in log.handlers:
                handler.setFormatter(formatter())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """One line a request with its id (from the answer's ``X-Request-ID``: the request is
        over by now); in JSON, an object of named fields (redacted like the text line)."""
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        request_id = atoms.get("{x-request-id}o") or "-"
        if not json_lines():
            line = self.atoms_wrapper_class(atoms)
            self.access_log.info(self.cfg.access_log_format, line, extra={"request_id": request_id})
            return
        path = getattr(req, "uri", None) or atoms["U"] or "-"  # the path and its query
        status = str(atoms["s"])  # from resp.status: also set on the answer of a failed request
        fields = {
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": redact(path),
            "status": int(status) if status.isdigit() else status,
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "referer": redact(atoms["f"]),
            "user_agent": redact(atoms["a"]),
            "request_id": request_id,
        }
        self.access_log.info("%s %s %s", atoms["m"], redact(path), status, extra=fields)
