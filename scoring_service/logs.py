"""Logs that never show a secret: invitation tokens (in form URLs, ``/forms/inv_...``), API keys,
the operator token.

One list drives it: ``store.credentials.SECRET_PREFIXES``. gunicorn gets
:class:`RedactingLogger` (``gunicorn.conf.py``), whose access and error logs pass every record
through :class:`Redactor` (message, arguments, traceback); ``gunicorn.conf.py`` puts the same
filter on the app's handlers in each worker, and Flask's log of an unhandled exception, which
names the path, goes through :func:`redact` too (``app.py``).

This module is loaded by gunicorn with its configuration: it imports nothing heavy.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

from .store.credentials import SECRET_PREFIXES

# A secret starts with its prefix where no word goes on ("drop_table" keeps its "op_") or right
# after a percent-escape ("%2Finv_..." in an encoded link); its characters are URL-safe base64,
# or escapes of them.
SECRET = re.compile(
    r"(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2}))"
    f"({'|'.join(re.escape(prefix) for prefix in SECRET_PREFIXES)})"
    r"[A-Za-z0-9_\-%]+"
)


def redact(text: str) -> str:
    """``text`` with every secret but its prefix replaced: ``inv_[redacted]``."""
    return SECRET.sub(r"\1[redacted]", text)


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


def redact_app_logs() -> None:
    """Put :data:`REDACTOR` on the root logger's handlers, where the app's own records (Flask's
    exception log with its traceback, the services') end up: a logger's filter would miss
    records that propagate from other loggers, a handler's does not."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(REDACTOR)


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, its access and error logs redacted: every access-log field (request
    line, path, query, Referer and any header a format may name) and every error-log line,
    "Error handling request POST /forms/inv_..." and its traceback included."""

    def setup(self, cfg: Any) -> None:
        """As gunicorn's (also run on a reload), with :data:`REDACTOR` on both loggers."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(REDACTOR)  # once: a logger does not add a filter it has
