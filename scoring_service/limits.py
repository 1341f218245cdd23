"""Rate limits, with Flask-Limiter: failed attempts per client address, writes per credential.

Only failures count against an address (a wrong, unknown or revoked credential, an unknown
form link): past ``SCORING_LIMIT_FAILURES`` they are answered 429 with ``Retry-After``, while a
valid credential from the same address still passes (a whole office may share one address).
Each credential's writes have a generous ceiling, ``SCORING_LIMIT_WRITES``. Counts live in
Redis when ``REDIS_URL`` is set (shared by every worker and host), else in each worker's memory
(so a limit counts per worker). When Redis does not answer, requests pass and a warning is
logged. The client address is the peer's, or, behind ``SCORING_TRUSTED_PROXIES`` proxies, the
one they forwarded (werkzeug's ProxyFix): never a header anyone can send.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limit, Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.middleware.proxy_fix import ProxyFix

from . import metrics
from .config import Settings
from .errors import TooMany

EXTENSION = "scoring.limits"
WRITES = frozenset(("POST", "PUT", "PATCH", "DELETE"))
log = logging.getLogger(__name__)


class Limits:
    """The app's limiter and the failure limit it counts by hand."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        if settings.trusted_proxies:
            n = settings.trusted_proxies
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
        self.failures: RateLimitItem = parse(settings.limit_failures)
        self.prefix = settings.limit_prefix
        self.limiter = Limiter(
            get_remote_address,
            app=app,
            storage_uri=settings.redis_url or "memory://",
            # A Redis that does not answer must not hold a request up: it passes, with a warning.
            storage_options={"socket_connect_timeout": 1, "socket_timeout": 1},
            key_prefix=settings.limit_prefix,
            strategy="moving-window",
            swallow_errors=True,
            # Its headers would put Retry-After on every answer of a write, 2xx included, over
            # the service's own (a 503's); the 429 gets it from wait() instead.
            headers_enabled=False,
            default_limits=[
                Limit(
                    settings.limit_writes,
                    key_function=_credential,
                    scope="writes",
                    shared=True,  # one count per credential across every route
                    methods=sorted(WRITES),
                    exempt_when=_without_credential,
                    error_message=f"Too many writes with this credential: {settings.limit_writes}.",
                )
            ],
        )

    def failed(self) -> None:
        """Count a failed attempt of the client's address; past the limit, :class:`TooMany`.

        Raises
        ------
        TooMany
            With ``retry_after``: the seconds until the oldest counted failure leaves the window.
        """
        address = get_remote_address()
        try:
            strategy = self.limiter.limiter
            if strategy.hit(self.failures, self.prefix, "failures", address):
                return
            reset, _ = strategy.get_window_stats(self.failures, self.prefix, "failures", address)
        except Exception as exc:  # noqa: BLE001 (whatever the storage raises: let it pass)
            log.warning(f"rate limits not counted: {exc.__class__.__name__}: {exc}")
            return
        wait = max(1, math.ceil(reset - time.time()))
        metrics.REFUSALS.labels("failures").inc()
        raise TooMany(f"Too many failed attempts from your address; retry in {wait} s.", wait)


def _credential() -> str:
    """What a write is counted against: a digest of its bearer token, or of a form's link."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    secret = token.strip() if scheme.lower() == "bearer" else ""
    secret = secret or str((request.view_args or {}).get("token") or "")
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def _without_credential() -> bool:
    """Requests with no credential (the stateless scoring) are not counted as writes."""
    has_bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    return not has_bearer and not (request.view_args or {}).get("token")


def wait() -> int:
    """Seconds until the limit the current request broke lets it through again (its 429's
    ``Retry-After``), at least 1."""
    limits: Limits | None = current_app.extensions.get(EXTENSION)
    broken = limits.limiter.current_limit if limits is not None else None
    return max(1, math.ceil(broken.window[0] - time.time())) if broken is not None else 1


def init_app(app: Flask, settings: Settings) -> Limits:
    """The limits of ``app``, kept in its extensions."""
    limits = Limits(app, settings)
    app.extensions[EXTENSION] = limits
    return limits


def failed() -> None:
    """:meth:`Limits.failed` of the current app."""
    limits: Limits = current_app.extensions[EXTENSION]
    limits.failed()
