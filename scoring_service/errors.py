"""Domain exceptions: one base, turned into HTTP problems in one place (``api.problems``)."""

from __future__ import annotations

from dataclasses import dataclass


class ScoringError(Exception):
    """Base of every exception the domain raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the input, located by a path like ``responses[2].role``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or 'body'}: {self.message}"


class InvalidInput(ScoringError):
    """The input does not fit the survey; carries every field problem found."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


class UnknownSurvey(ScoringError):
    """No survey has the requested id (and version)."""


class SurveyDefinitionError(ScoringError):
    """A survey file is broken; the message names the file and the field."""
