"""marshmallow schemas of the HTTP API: the envelope of requests, the shape of answers.

Answers inside ``responses`` are checked against the survey by ``responses.parse_responses`` in
one pass (cheaper than a nested schema per answer); here they are only described.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .fields import Text

# The result document's schemas live in ``result``; imported here, where they always were.
from .result import AlignmentSchema, ConflictSchema, ResultSchema

__all__ = [
    "AlignmentSchema",
    "ConflictSchema",
    "ProblemSchema",
    "ResponseDoc",
    "ResultSchema",
    "ScoreRequestSchema",
    "SurveyQuerySchema",
    "SurveySchema",
    "SurveySummarySchema",
]


class ResponseDoc(Schema):
    """One respondent (documentation of ``responses[]``; checked by the survey-aware parser)."""

    partner = Text(required=True, metadata={"example": "acme"})
    role = Text(required=True, metadata={"example": "legal"})
    respondent = Text(required=True, metadata={"example": "r1"})
    answers = fields.Dict(
        required=True,
        metadata={
            "description": "item id -> answer: an integer on the item's scale for likert items, "
            "objective id -> integer points for the allocation item, a string for text items; "
            "null or absent = skipped",
            "example": {"sf1": 4, "priorities": {"revenue_growth": 60, "risk_control": 40}},
        },
    )


class ScoreRequestSchema(Schema):
    """Body of ``POST /api/v1/score``."""

    survey = Text(required=True, validate=validate.Length(min=1, max=100))
    survey_version = fields.Integer(strict=True, validate=validate.Range(min=1))
    responses = fields.List(
        fields.Raw(metadata={"type": "object"}),
        required=True,
        metadata={"description": "one object per respondent, see ResponseDoc"},
    )


class FieldProblemSchema(Schema):
    """One problem with one field of the input. Plain strings, not ``Text``: a path or a
    message may quote what the client sent, whatever it held."""

    path = fields.String(
        required=True, metadata={"description": "e.g. responses[2].answers.sf3; '' is the body"}
    )
    message = fields.String(required=True, metadata={"description": "for people"})
    code = fields.String(
        required=True,
        metadata={"description": "for programs: out_of_range, sum, required, ... (docs/api.md)"},
    )
    params = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "the code's parameters, e.g. {min: 1, max: 5}"},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details; ``errors`` names every invalid field."""

    type = fields.String(required=True, metadata={"description": "about:blank: the status says it"})
    title = fields.String(required=True, metadata={"description": "the status's phrase"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "what went wrong, for people"})
    errors = fields.List(
        fields.Nested(FieldProblemSchema),
        metadata={"description": "422: every problem (at most 50, and a too_many entry)"},
    )


class SurveyQuerySchema(Schema):
    version = fields.Integer(validate=validate.Range(min=1))
    lang = Text(validate=validate.Length(min=2, max=20))
    format = Text(
        validate=validate.OneOf(["json", "surveyjs"]),
        metadata={"description": "surveyjs: a SurveyJS survey JSON, every language in it"},
    )


class SurveySummarySchema(Schema):
    id = Text()
    version = fields.Integer()
    versions = fields.List(fields.Integer())
    title = Text()


class SurveySchema(Schema):
    """A survey definition, texts in the requested language (else the survey's default)."""

    id = Text()
    version = fields.Integer()
    title = Text()
    description = Text(allow_none=True)
    language = Text()
    languages = fields.List(Text())
    roles = fields.List(fields.Dict())
    objectives = fields.List(fields.Dict())
    relations = fields.List(fields.Dict())
    dimensions = fields.List(fields.Dict())
    items = fields.List(fields.Dict())
    scoring = fields.Dict()
