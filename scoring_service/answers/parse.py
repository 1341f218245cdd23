"""Check raw responses against a survey and turn them into :class:`AnswerSheet` objects.

Written as one plain loop rather than a nested marshmallow schema: per-answer schemas cost
milliseconds per request (docs/benchmarks.md), a dict lookup per answer costs microseconds.
Every problem is collected with its path, so a client fixes all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import FieldError, InvalidInput
from ..surveys import Survey

RESPONSE_KEYS = frozenset(("partner", "role", "respondent", "answers"))
# What no text may hold, anywhere (JSON, CSV, a URL): lone surrogates (no database can store
# them), C0 control characters other than TAB, LF and CR, and DEL.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FORBIDDEN_MESSAGE = "must not contain control characters or unpaired surrogates"


def bad_character(text: str) -> str | None:
    r"""The first character ``text`` may not hold, as ``U+XXXX``, or None.

    >>> bad_character("a\ud800b"), bad_character("tab\tok")
    ('U+D800', None)
    """
    found = FORBIDDEN.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def text_problem(path: str, text: str) -> FieldError | None:
    """The problem of a text with a forbidden character (code ``character``), or None."""
    bad = bad_character(text)
    if bad is None:
        return None
    return FieldError(path, f"{FORBIDDEN_MESSAGE} (found {bad})", "character", {"found": bad})


MAX_ERRORS = 50
MAX_ID_LENGTH = 200
# Memory and time grow with respondents x resamples; 1,000 a side is 2 x 500 twice over.
MAX_PER_PARTNER = 1000


@dataclass(frozen=True)
class AnswerSheet:
    """One respondent's validated answers. Likert values are raw (not yet reverse-scored)."""

    partner: str
    role: str
    respondent: str
    likert: Mapping[str, float] = field(default_factory=dict)
    allocation: Mapping[str, float] | None = None
    text: Mapping[str, str] = field(default_factory=dict)


IDENTIFIER_MESSAGE = f"must be 1-{MAX_ID_LENGTH} characters, not all blank"


def identifier_problem(path: str, value: Any) -> FieldError | None:
    """The problem of a person's reference (a respondent, a stakeholder), or None: a string of
    1 to ``MAX_ID_LENGTH`` characters, not all whitespace (``str.isspace``), that any text may
    hold. The one rule for references in JSON, CSV, URLs and the API's schemas."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        return FieldError(path, IDENTIFIER_MESSAGE, "length", {"max": MAX_ID_LENGTH})
    return text_problem(path, value)


def _identifier(value: Any, path: str, errors: list[FieldError]) -> str:
    """``value`` if it is a good reference; else its problem goes to ``errors``."""
    problem = identifier_problem(path, value)
    if problem is not None:
        errors.append(problem)
        return ""
    return str(value)


def _integer(value: Any) -> bool:
    """True for an int that is not a bool (JSON true is not a Likert answer)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _allocation(
    value: Any,
    survey: Survey,
    total: int,
    path: str,
    errors: list[FieldError],
    complete: bool = True,
) -> dict[str, float] | None:
    """Points per objective: known objectives, non-negative integers, summing to ``total``
    (at most ``total`` while a stored response is still partial)."""
    if not isinstance(value, dict):
        message = "must be an object of objective id -> points"
        errors.append(FieldError(path, message, "type", {"expected": "object"}))
        return None
    known = survey.objective_set
    points: dict[str, float] = {}
    for objective, p in value.items():
        where = f"{path}.{objective}"
        if objective not in known:
            errors.append(FieldError(where, "unknown objective", "unknown_objective"))
        elif not _integer(p) or not 0 <= p <= total:
            message = f"must be an integer between 0 and {total}"
            errors.append(FieldError(where, message, "out_of_range", {"min": 0, "max": total}))
        else:
            points[objective] = float(p)
    given = sum(points.values())
    if len(points) == len(value) and (given != total if complete else given > total):
        rule, code = ("sum to", "sum") if complete else ("not exceed", "sum_over")
        message = f"points must {rule} {total} (got {given:g})"
        errors.append(FieldError(path, message, code, {"total": total, "got": int(given)}))
    return points


def _answers(
    answers: Any, survey: Survey, path: str, errors: list[FieldError], complete: bool = True
) -> tuple[dict[str, float], dict[str, float] | None, dict[str, str]]:
    """Check one answers object item by item (``complete`` False: a partial save, whose
    allocation need not reach its total yet)."""
    likert: dict[str, float] = {}
    allocation: dict[str, float] | None = None
    text: dict[str, str] = {}
    if not isinstance(answers, dict):
        message = "must be an object of item id -> answer"
        errors.append(FieldError(path, message, "type", {"expected": "object"}))
        return likert, allocation, text
    lookup = survey.item_scales
    for item_id, value in answers.items():
        found = lookup.get(item_id)
        if found is None:
            errors.append(FieldError(f"{path}.{item_id}", "unknown item", "unknown_item"))
            continue
        item, scale = found
        where = f"{path}.{item_id}"
        if value is None:
            continue  # an explicit null is a skipped item
        elif scale is not None:
            if not _integer(value) or not scale.min <= value <= scale.max:
                message = f"must be an integer between {scale.min} and {scale.max}"
                bounds = {"min": scale.min, "max": scale.max}
                errors.append(FieldError(where, message, "out_of_range", bounds))
            else:
                likert[item_id] = float(value)
        elif item.type == "allocation":
            allocation = _allocation(value, survey, item.total or 100, where, errors, complete)
        elif not isinstance(value, str) or len(value) > (item.max_length or 0):
            message = f"must be a string of at most {item.max_length} characters"
            limit = {"max": item.max_length or 0}
            if isinstance(value, str):
                limit["length"] = len(value)
            errors.append(FieldError(where, message, "too_long", limit))
        elif (problem := text_problem(where, value)) is not None:
            errors.append(problem)
        else:
            text[item_id] = value
    return likert, allocation, text


def answer_problems(
    answers: Any,
    survey: Survey,
    *,
    complete: bool,
    path: str = "answers",
    limit: int | None = MAX_ERRORS,
) -> list[FieldError]:
    """Every problem of one response's answers against ``survey``, the one check of answers
    (the API, the form, and the CSV reader's rows through the API and the CLI all come here;
    ``limit`` None: every problem, for the form): what it contains always (types, ranges,
    known items); with ``complete`` also every required item and allocations summing to their
    total.

    Each problem has a path, a sentence and a code with its parameters, for programs and for
    the form, which words them in the respondent's language:

    ==================  ===================  ==================================================
    code                params               meaning
    ==================  ===================  ==================================================
    type                expected             not an object (of items, of objectives)
    unknown_item                             no such item in the survey
    unknown_objective                        no such objective in the survey
    out_of_range        min, max             not an integer in [min, max]
    sum                 total, got           points do not sum to their total (complete)
    sum_over            total, got           points exceed their total (partial)
    too_long            max[, length]        a text over its maximum length
    required                                 a required item missing (complete)
    ==================  ===================  ==================================================
    """
    errors: list[FieldError] = []
    _answers(answers, survey, path, errors, complete)
    if complete and isinstance(answers, dict):
        for item in survey.items:
            if item.required and answers.get(item.id) is None:
                where = f"{path}.{item.id}"
                errors.append(FieldError(where, "required to complete the response", "required"))
    return errors[:limit]


def check_answers(answers: Any, survey: Survey, *, complete: bool, path: str = "answers") -> None:
    """:func:`answer_problems`, raised.

    Raises
    ------
    InvalidInput
        One :class:`FieldError` per problem.
    """
    errors = answer_problems(answers, survey, complete=complete, path=path)
    if errors:
        raise InvalidInput(errors)


def _one(raw: Any, survey: Survey, path: str, errors: list[FieldError]) -> AnswerSheet | None:
    """Check one response object."""
    if not isinstance(raw, dict):
        errors.append(FieldError(path, "must be an object", "type", {"expected": "object"}))
        return None
    for key in sorted(set(raw) - RESPONSE_KEYS):
        errors.append(FieldError(f"{path}.{key}", "unknown field", "unknown_field"))
    for key in sorted(RESPONSE_KEYS - set(raw)):
        errors.append(FieldError(f"{path}.{key}", "missing required field", "required"))
    partner = _identifier(raw.get("partner"), f"{path}.partner", errors)
    respondent = _identifier(raw.get("respondent"), f"{path}.respondent", errors)
    role = raw.get("role")
    if "role" in raw and role not in survey.role_ids:
        message = f"must be one of: {', '.join(survey.role_ids)}"
        allowed = {"allowed": list(survey.role_ids)}
        errors.append(FieldError(f"{path}.role", message, "one_of", allowed))
    likert, allocation, text = _answers(raw.get("answers", {}), survey, f"{path}.answers", errors)
    return AnswerSheet(partner, str(role), respondent, likert, allocation, text)


def parse_responses(
    raw: Any, survey: Survey, path: str = "responses", *, two_partners: bool = True
) -> list[AnswerSheet]:
    """Validate a list of raw responses against ``survey`` (``two_partners``: they must hold
    exactly two partners, as scoring needs; a stored round may hold fewer).

    Raises
    ------
    InvalidInput
        With one :class:`FieldError` per problem (at most ``MAX_ERRORS``): unknown or missing
        fields, unknown items or objectives, values out of range, allocations not summing to their
        total, a respondent twice in one partner, or not exactly two partners.
    """
    errors: list[FieldError] = []
    if not isinstance(raw, list):
        raise InvalidInput(
            [FieldError(path, "must be a list of responses", "type", {"expected": "array"})]
        )
    parsed = [_one(r, survey, f"{path}[{n}]", errors) for n, r in enumerate(raw)]
    seen: dict[tuple[str, str], int] = {}
    for n, r in enumerate(parsed):
        if r is None or not r.partner or not r.respondent:
            continue
        first = seen.setdefault((r.partner, r.respondent), n)
        if first != n:
            message = f"{r.respondent!r} already answered for {r.partner!r} in {path}[{first}]"
            where = f"{path}[{n}].respondent"
            errors.append(FieldError(where, message, "duplicate", {"first": f"{path}[{first}]"}))
    partners = sorted({r.partner for r in parsed if r is not None and r.partner})
    sizes = {p: 0 for p in partners}
    for r in parsed:
        if r is not None and r.partner:
            sizes[r.partner] += 1
    for partner, size in sizes.items():
        if size > MAX_PER_PARTNER:
            message = f"{partner!r} has {size} respondents; at most {MAX_PER_PARTNER}"
            limit = {"partner": partner, "max": MAX_PER_PARTNER, "got": size}
            errors.append(FieldError(path, message, "too_many", limit))
    if two_partners and len(partners) != 2:
        message = f"must hold exactly two distinct partners (got {len(partners)})"
        errors.append(FieldError(path, message, "partners", {"got": len(partners)}))
    if errors:
        raise InvalidInput(errors[:MAX_ERRORS])
    return [r for r in parsed if r is not None]
