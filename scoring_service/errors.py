"""Domain errors: one base, raised by services and domain code, never an HTTP exception.

Each page package turns them into its own answers in one place: ``api.problems`` into RFC 9457
``application/problem+json``, ``forms.views`` into the respondent's pages. A service never
knows which of the two called it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ScoringError(Exception):
    """Base of every exception the domain raises on purpose.

    ``detail`` is a sentence for the person reading the answer; it names what is wrong and,
    where it helps, what to do. ``retry_after``, when set, is the number of seconds after which
    the same request is worth retrying (the API answers it as ``Retry-After``).
    """

    default = "The request cannot be answered."

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None) -> None:
        self.detail = detail or self.default
        self.retry_after = retry_after
        super().__init__(self.detail)


class NotFound(ScoringError):
    """What is asked for does not exist, or belongs to another alliance (never say which)."""

    default = "No such resource."


class UnknownSurvey(NotFound):
    """No survey has the requested id (and version)."""


class Unauthenticated(ScoringError):
    """No credential, or an unknown or revoked one."""

    default = "Send a valid credential as 'Authorization: Bearer <key>'."


class Forbidden(ScoringError):
    """A credential of this alliance without the right to do this."""


class Conflict(ScoringError):
    """Conflicts with the current state (a round still open, a request still running)."""


class RoundClosed(Conflict):
    """A write to a round that is closed (or whose closing time has passed)."""

    def __init__(self, n: int, detail: str | None = None) -> None:
        self.n = n
        super().__init__(detail or f"Round {n} is closed; its responses can no longer change.")


class Malformed(ScoringError):
    """The body cannot be read at all (not JSON, a header out of bounds)."""


class Unavailable(ScoringError):
    """A part the service needs (the database) does not answer; worth retrying."""

    default = "The service cannot reach its database; retry in a moment."

    def __init__(self, detail: str | None = None, *, retry_after: int | None = 1) -> None:
        """As any domain error, worth retrying after a second unless it says otherwise."""
        super().__init__(detail, retry_after=retry_after)


class TooMany(ScoringError):
    """Too many failed attempts from one address; ``retry_after`` says when to try again."""

    def __init__(self, detail: str | None = None, retry_after: int = 60) -> None:
        super().__init__(detail, retry_after=retry_after)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the input, located by a path like ``responses[2].role``.

    ``code`` and ``params`` say the same as ``message`` for a program (and for a form that words
    it in the respondent's language), e.g. ``out_of_range`` with ``{"min": 1, "max": 5}``.
    """

    path: str
    message: str
    code: str = "invalid"
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.path or 'body'}: {self.message}"

    def at(self, path: str) -> FieldError:
        """The same problem at another path."""
        return FieldError(path, self.message, self.code, self.params)

    def as_json(self) -> dict[str, Any]:
        """As the API shows it: ``{path, message, code, params}``."""
        return {
            "path": self.path,
            "message": self.message,
            "code": self.code,
            "params": {**self.params},
        }


class InvalidInput(ScoringError):
    """The input does not fit: carries every field problem found."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


def invalid(path: str, message: str, code: str = "invalid", **params: Any) -> InvalidInput:
    """An :class:`InvalidInput` of one field problem."""
    return InvalidInput([FieldError(path, message, code, params)])


class SurveyDefinitionError(ScoringError):
    """A survey file is broken; the message names the file and the field (start-up only)."""
