"""The use cases of the stored service, one module per group; no Flask, no HTTP.

A service takes a unit of work (a SQLAlchemy ``Session`` or ``Connection`` inside a transaction
the caller opened), the :class:`~.access.Principal` asking where it matters, and the start-up
:class:`Env`; it returns data (dicts in the API's shape, or dataclasses), raises the domain
errors of ``scoring_service.errors``, and never commits: the caller owns the transaction, so a
later outbox row can be written in the same one. See docs/architecture.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.metadata import version

from ..config import Settings
from ..scoring import ENGINE_VERSION
from ..surveys import Survey, SurveyRegistry

LIBRARIES = ("numpy", "scipy", "krippendorff")
# The rules of what a partner key sees (scoring.visibility): raised when they change, so that
# no cached view made under the old rules is served again (2: closing a round no longer shows
# the other partner's figures below min_group_size, issue 15).
VISIBILITY_RULES = 2


def fingerprint(settings: Settings, survey: Survey) -> str:
    """What a result document of ``survey`` depends on besides the answers: the engine and
    its libraries' versions, the visibility rules, the settings that change the figures, the
    survey file's text.

    A cached document is reused only under the same fingerprint, so a restart with other
    settings or a new engine recomputes the stored rounds' results on their next read.
    """
    parts = [
        f"engine={ENGINE_VERSION}",
        *(f"{name}={version(name)}" for name in LIBRARIES),
        f"visibility={VISIBILITY_RULES}",
        f"resamples={settings.bootstrap_resamples}",
        f"confidence={settings.confidence!r}",
        f"survey={survey.id}/{survey.version}/{survey.digest}",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Env:
    """The start-up facts a service may need: the settings and the surveys."""

    settings: Settings
    registry: SurveyRegistry
    fingerprints: dict[tuple[str, int], str] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Settings, registry: SurveyRegistry) -> Env:
        """The environment, with every survey version's results fingerprint computed once."""
        prints = {(s.id, s.version): fingerprint(settings, s) for s in registry.all()}
        return cls(settings, registry, prints)
