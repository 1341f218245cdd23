"""A respondent's answers: checked against the survey (``parse``) and read from CSV
(``csvfile``). An :class:`AnswerSheet` is what the scoring engine takes."""

from .parse import (
    MAX_ERRORS,
    MAX_ID_LENGTH,
    MAX_PER_PARTNER,
    AnswerSheet,
    answer_problems,
    check_answers,
    parse_responses,
)

__all__ = [
    "MAX_ERRORS",
    "MAX_ID_LENGTH",
    "MAX_PER_PARTNER",
    "AnswerSheet",
    "answer_problems",
    "check_answers",
    "parse_responses",
]
