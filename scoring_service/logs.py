"""Logs that never show an invitation token (it sits in the form's URL: ``/forms/inv_...``).

gunicorn's access log gets :class:`RedactingLogger` (``gunicorn.conf.py``); Flask's log of an
unhandled exception, which names the path, goes through :func:`redact` too.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

TOKEN = re.compile(r"inv_[A-Za-z0-9_\-%]+")


def redact(text: str) -> str:
    """``text`` with every invitation token replaced by ``inv_[redacted]``."""
    return TOKEN.sub("inv_[redacted]", text)


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with tokens taken out of every access-log field (request line,
    path, query, Referer and any other header a format may name)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The access log's fields, redacted."""
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in found.items()}
