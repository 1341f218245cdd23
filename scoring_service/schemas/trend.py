"""marshmallow schemas of ``GET /api/v1/alliances/{id}/trend``: the rounds' headline figures
and the drift between them (``services.trend``, ``scoring.drift``; docs/statistics.md section
14). Like ``schemas.result``, they describe the document the view answers with unchanged."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from .result import SurveyRefSchema, _by, _enum, _interval, _number, _reasons, _strings

DRIFT_KINDS = ["dimension_decline", "objective_drift", "alignment_decline"]


class RoundAlignmentSchema(Schema):
    score = _number("0-100")
    ci = _interval()
    band = fields.String(required=True, allow_none=True)
    bands_in_ci = _strings("bands the interval reaches", required=True, allow_none=True)


class ValueCiSchema(Schema):
    value = _number("0-100")
    ci = _interval()


class TrendProfileSchema(Schema):
    weights = _by(fields.Float(), "objective -> share", required=True, allow_none=True)
    ci = _by(
        fields.List(fields.Float(), allow_none=True),
        "objective -> [low, high]",
        required=True,
        allow_none=True,
    )


class TrendDimensionSchema(Schema):
    id = fields.String(required=True)
    means = _by(fields.Float(allow_none=True), "partner -> mean", required=True)
    gap = _number("second partner minus first")
    gap_ci = _interval()


class CountsSchema(Schema):
    complete = fields.Integer(required=True)
    partial_ = fields.Integer(required=True, data_key="partial")


class TrendRoundSchema(Schema):
    n = fields.Integer(required=True)
    label = fields.String(required=True)
    status = _enum(["open", "closed"])
    provisional = fields.Boolean(
        required=True, metadata={"description": "the round is open: its figures may change"}
    )
    survey = fields.Nested(SurveyRefSchema, required=True)
    closed_at = fields.String(required=True, allow_none=True)
    engine_version = fields.String(
        required=True, allow_none=True, metadata={"description": "that computed the figures"}
    )
    completion = _by(fields.Nested(CountsSchema), "partner -> responses", required=True)
    alignment = fields.Nested(RoundAlignmentSchema, required=True, allow_none=True)
    compatibility = fields.Nested(ValueCiSchema, required=True, allow_none=True)
    expectations = fields.Nested(
        ValueCiSchema,
        required=True,
        allow_none=True,
        metadata={"description": "the expectations component of the index, with its interval"},
    )
    profiles = _by(fields.Nested(TrendProfileSchema), "partner", required=True, allow_none=True)
    dimensions = fields.List(fields.Nested(TrendDimensionSchema), required=True, allow_none=True)
    flags = _by(fields.Integer(), "flag kind -> count", required=True, allow_none=True)
    reasons = _reasons()


class ChangeCountsSchema(Schema):
    before = fields.Integer(required=True)
    after = fields.Integer(required=True)
    paired = fields.Integer(required=True)


class ChangeSchema(Schema):
    """The change of one mean (a dimension's, or an objective's share) from one round to the
    other, after minus before."""

    dimension = fields.String()
    objective = fields.String()
    before = _number("mean in the earlier round")
    after = _number("mean in the later round")
    change = _number("after - before")
    ci = _interval()
    n = fields.Nested(ChangeCountsSchema, required=True)
    p_value = fields.Float(metadata={"description": "one-sided, of a decline (dimensions)"})
    q_value = fields.Float(
        metadata={"description": "Benjamini-Hochberg across partners x dimensions"}
    )
    reasons = _reasons(required=False)


class AlignmentChangeSchema(Schema):
    before = _number("0-100, on what both rounds' surveys share")
    after = _number("0-100")
    change = _number("after - before")
    ci = _interval("bootstrap percentile interval")
    p_value = _number("one-sided permutation test of a decline")
    components = _strings("components of the index compared", required=True)
    reasons = _reasons()


class DriftFlagSchema(Schema):
    id = fields.String(required=True)
    kind = _enum(DRIFT_KINDS)
    severity = _enum(["high", "medium"])
    dimensions = _strings("", required=True)
    objectives = _strings("the objective that gained, then those it pulls against", required=True)
    partners = _strings("", required=True)
    evidence = fields.Dict(required=True, metadata={"description": "by kind (docs/statistics.md)"})
    message = fields.String(required=True)


class ComparedSchema(Schema):
    dimensions = _strings("", required=True)
    objectives = _strings("", required=True)


class LeftOutSchema(Schema):
    items = _strings("", required=True)
    dimensions = _strings("", required=True)
    objectives = _strings("", required=True)


class DriftSchema(Schema):
    class Meta:
        unknown = INCLUDE

    span = _enum(["consecutive", "first_to_latest"])
    provisional = fields.Boolean(required=True)
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)
    compared = fields.Nested(ComparedSchema, required=True)
    left_out = fields.Nested(LeftOutSchema, required=True)
    paired = _by(fields.Integer(), "partner -> people who answered both rounds", required=True)
    alignment = fields.Nested(AlignmentChangeSchema, required=True, allow_none=True)
    profiles = _by(fields.List(fields.Nested(ChangeSchema)), "partner", required=True)
    dimensions = _by(fields.List(fields.Nested(ChangeSchema)), "partner", required=True)
    flags = fields.List(fields.Nested(DriftFlagSchema), required=True)
    reasons = _reasons()


class TrendSchema(Schema):
    alliance = fields.String(required=True)
    viewer = fields.String(required=True, metadata={"description": "admin or partner:<key>"})
    partners = _strings("the two partner keys", required=True)
    rounds = fields.List(fields.Nested(TrendRoundSchema), required=True)
    drift = fields.List(fields.Nested(DriftSchema), required=True)
