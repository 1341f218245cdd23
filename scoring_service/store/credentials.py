"""API keys and invitation tokens: random, prefixed, shown once, stored as HMAC-SHA-256 digests.

A digest is keyed by the service's secret key, so a copy of the database alone does not let
anyone check guesses. HMAC rather than bcrypt: the secrets are 192 random bits, nothing to
stretch, and every request checks one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ADMIN_PREFIX = "sk_admin_"
PARTNER_PREFIX = "sk_partner_"
INVITATION_PREFIX = "inv_"
OPERATOR_PREFIX = "op_"  # of the generated operator token (config.ensure_instance)
REPORT_PREFIX = "rep_"  # of a report link (/reports/rep_...)
# Every secret's prefix, the one list that log redaction (logs.redact) and the proxy example in
# docs/deployment.md follow: a new kind of secret adds its prefix here.
SECRET_PREFIXES = (ADMIN_PREFIX, PARTNER_PREFIX, INVITATION_PREFIX, OPERATOR_PREFIX, REPORT_PREFIX)
RANDOM_BYTES = 24  # 192 bits


def new_secret(prefix: str) -> str:
    """A fresh secret: the readable prefix and 192 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(RANDOM_BYTES)


def digest(secret_key: str, secret: str) -> str:
    """The stored form of ``secret``."""
    return hmac.new(secret_key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def hint(secret: str) -> str:
    """What lists may show of a secret: its prefix and first four random characters."""
    for prefix in SECRET_PREFIXES:
        if secret.startswith(prefix):
            return secret[: len(prefix) + 4] + "..."
    return "..."


def new_id() -> str:
    """A public identifier: 16 random URL-safe characters (96 bits), not guessable."""
    return secrets.token_urlsafe(12)
