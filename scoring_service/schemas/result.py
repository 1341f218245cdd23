"""marshmallow schemas of the result document, block by block: the published contract of
``POST /api/v1/score`` and of a round's ``result``.

They mirror ``scoring.document`` (the TypedDicts the engine returns); docs/statistics.md explains
every number. The views answer with the engine's document as it is (no dump on the fast path), so
these schemas describe rather than shape: ``required`` means "always present", and a block whose
fields are all listed here declares ``additionalProperties: false`` (marshmallow's default
``unknown = RAISE``, as apispec renders it). Only a flag's ``evidence``, which differs by kind,
lets further keys pass. ``tests/test_result_schema.py`` checks real documents against the
OpenAPI document built from these.
"""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate

NULL_REASON = "null where it cannot be computed; the block's reasons say why"


def _number(description: str, **kwargs: Any) -> fields.Float:
    """A statistic, null where it cannot be computed."""
    return fields.Float(
        required=True, allow_none=True, metadata={"description": description}, **kwargs
    )


def _interval(description: str = "[low, high]") -> fields.List[float]:
    """A ``[low, high]`` interval, null where there is none."""
    return fields.List(
        fields.Float(),
        required=True,
        allow_none=True,
        validate=validate.Length(equal=2),
        metadata={"description": f"{description}; {NULL_REASON}"},
    )


def _by(values: fields.Field[Any], description: str, **kwargs: Any) -> fields.Dict:
    """A mapping keyed by partner, objective, dimension, item or role."""
    return fields.Dict(
        keys=fields.String(), values=values, metadata={"description": description}, **kwargs
    )


def _reasons(required: bool = True, where: str = "") -> fields.Dict:
    """Reason codes of the null statistics of a block."""
    text = "statistic -> reason code (docs/statistics.md section 11)" + where
    return _by(fields.String(), text, required=required)


def _strings(description: str, **kwargs: Any) -> fields.List[str]:
    """A list of ids (objectives, dimensions, partners, roles, bands)."""
    return fields.List(fields.String(), metadata={"description": description}, **kwargs)


def _enum(values: list[str], description: str = "", **kwargs: Any) -> fields.String:
    """A required string from a closed list (an ``enum`` in OpenAPI)."""
    return fields.String(
        required=True,
        validate=validate.OneOf(values),
        metadata={"description": description} if description else {},
        **kwargs,
    )


# -- alignment ---------------------------------------------------------------------------------


class ComponentSchema(Schema):
    """One component of the alignment index, with the band its interval decides."""

    value = _number("0-100")
    weight = fields.Float(required=True, metadata={"description": "the survey's weight"})
    ci = _interval("0-100")
    band = fields.String(required=True, allow_none=True, metadata={"description": NULL_REASON})
    bands_in_ci = _strings(
        "the bands the interval reaches, best first", required=True, allow_none=True
    )
    reasons = _reasons(required=False, where="; present only when band is null")


class ExpectationsComponentSchema(ComponentSchema):
    mean_gap_ci = _interval("of mean |gap| / range")


class ComponentsSchema(Schema):
    compatibility = fields.Nested(ComponentSchema, required=True)
    expectations = fields.Nested(ExpectationsComponentSchema, required=True)


class AlignmentSchema(Schema):
    score = _number("0-100")
    ci = _interval("0-100")
    band = fields.String(required=True, allow_none=True, metadata={"description": NULL_REASON})
    bands_in_ci = _strings(
        "candidate bands where the components' intervals span several",
        required=True,
        allow_none=True,
    )
    components = fields.Nested(ComponentsSchema, required=True)
    reasons = _reasons()


# -- objectives --------------------------------------------------------------------------------


class ProfileSchema(Schema):
    """One partner's priority profile: shares of the allocation total."""

    n = fields.Integer(required=True, metadata={"description": "respondents who allocated"})
    weights = _by(fields.Float(), "objective -> share", required=True, allow_none=True)
    ci = _by(
        fields.List(fields.Float(), allow_none=True, validate=validate.Length(equal=2)),
        "objective -> [low, high] of the share, or null",
        required=True,
        allow_none=True,
    )
    reasons = _reasons()


class DifferenceSchema(Schema):
    """Second partner minus first on one objective's share."""

    objective = fields.String(required=True)
    difference = fields.Float(required=True)
    difference_ci = _interval()
    cliffs_delta = fields.Float(required=True)
    p_value = _number("Welch, two-sided")
    q_value = _number("Benjamini-Hochberg across objectives")
    reasons = _reasons(required=False, where="; present only where the test is undefined")


class ObjectivesSchema(Schema):
    profiles = _by(fields.Nested(ProfileSchema), "partner -> profile", required=True)
    compatibility = _number("0-100")
    compatibility_ci = _interval("0-100")
    kendall_tau_b = _number("rank agreement of the two profiles")
    overlap = _number("sum over objectives of the smaller share")
    shared_top = _strings("objectives in both partners' top three", required=True, allow_none=True)
    differences = fields.List(
        fields.Nested(DifferenceSchema),
        required=True,
        metadata={"description": "one per objective; empty without both allocations"},
    )
    reasons = _reasons()


# -- dimensions --------------------------------------------------------------------------------


class ScaleSchema(Schema):
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)


class ItemMeansSchema(Schema):
    """Descriptive item means (reverse items already turned); no tests at item level."""

    means = _by(fields.Float(allow_none=True), "partner -> mean", required=True)
    gap = _number("second partner minus first")
    reverse = fields.Boolean(required=True)


class DimensionSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    scale = fields.Nested(ScaleSchema, required=True)
    means = _by(fields.Float(allow_none=True), "partner -> mean", required=True)
    n = _by(fields.Integer(), "partner -> respondents with a score", required=True)
    gap = _number("second partner minus first")
    gap_ci = _interval("Welch t")
    cliffs_delta = _number("second partner v first")
    agreement = _number("0-100: 100 (1 - |gap| / range)")
    p_value = _number("Welch, two-sided")
    q_value = _number("Benjamini-Hochberg across dimensions")
    detectable_gap = _number("the gap this design finds with 80% power")
    items = _by(fields.Nested(ItemMeansSchema), "item -> means", required=True)
    reasons = _reasons()


# -- consensus ---------------------------------------------------------------------------------


class RolePairSchema(Schema):
    roles = _strings("two roles", required=True, validate=validate.Length(equal=2))
    compatibility = _number("0-100")
    n = _by(fields.Integer(), "role -> respondents who allocated", required=True)
    basis = _enum(["descriptive", "effect_size"], "descriptive below 3 a role")


class RoleCompatibilitySchema(Schema):
    min = _number("the smallest pair's compatibility")
    pairs = fields.List(fields.Nested(RolePairSchema), required=True)
    withheld_pairs = fields.Integer(
        metadata={"description": "only in a partner's view: pairs of groups below the minimum"}
    )


def _per_dimension(description: str) -> fields.Dict:
    """A statistic per dimension, null where it cannot be computed."""
    return _by(fields.Float(allow_none=True), f"dimension -> {description}", required=True)


class ConsensusSchema(Schema):
    """Agreement within one partner."""

    n = fields.Integer(required=True)
    rwg_j = _per_dimension("r_wg(J), uniform null")
    rwg_j_skewed = _per_dimension("r_wg(J), slightly skewed null (5-point scales)")
    rwg_star_j = _per_dimension("r*_wg(J)")
    rwg_j_p = _per_dimension("p-value of r_wg(J) against random answering")
    reliability = _per_dimension("Cronbach's alpha")
    weakly_supported = _strings(
        "dimensions whose agreement is not above random answering", required=True
    )
    krippendorff_alpha = _number("interval metric, over the Likert items")
    kendall_w = _number("concordance of the allocations")
    role_compatibility = fields.Nested(RoleCompatibilitySchema, required=True)
    reasons = _reasons()
    internal_conflict = fields.Boolean(
        required=True, metadata={"description": "an internal_conflict flag names this partner"}
    )


# -- conflicts ---------------------------------------------------------------------------------

FLAG_KINDS = [
    "objective_conflict",
    "priority_divergence",
    "expectation_gap",
    "internal_conflict",
    "shared_concern",
]


class EvidenceSchema(Schema):
    """What the flag's decision rests on (docs/statistics.md section 8). The keys differ by
    kind; every key the engine writes is listed, and a new one may be added."""

    class Meta:
        unknown = INCLUDE

    p_value = fields.Float(metadata={"description": "all kinds but shared_concern"})
    q_value = fields.Float(metadata={"description": "priority_divergence, expectation_gap"})
    level = fields.Float(metadata={"description": "the level the flag was decided at"})
    n = _by(fields.Integer(), "partner (role, for internal_conflict) -> respondents")
    rule = fields.String(
        validate=validate.OneOf(["dimensions", "objectives"]),
        metadata={"description": "internal_conflict: the test that flagged it"},
    )
    withheld = fields.String(
        validate=validate.OneOf(["role_level"]),
        metadata={"description": "internal_conflict in a partner's view: who said what withheld"},
    )
    relation = fields.String(metadata={"description": "kind of the survey's relation"})
    relation_weight = fields.Float()
    rationale = fields.String()
    pull = fields.Float(metadata={"description": "share of the allocation total"})
    p_values = _by(fields.Float(), "objective_conflict: objective -> one-sided p")
    margin = fields.Float(metadata={"description": "objective_conflict: tested margin"})
    points = _by(
        _by(fields.Float(), "objective -> points"), "objective_conflict: partner -> points"
    )
    shares = _by(fields.Float(), "priority_divergence: partner -> share")
    difference = fields.Float(metadata={"description": "priority_divergence"})
    cliffs_delta = fields.Float()
    means = _by(fields.Float(), "partner -> mean")
    gap = fields.Float(metadata={"description": "expectation_gap"})
    differences = _by(fields.Float(), "internal_conflict (dimensions): centred differences")
    upper_bounds = _by(fields.Float(), "shared_concern: partner -> one-sided bound")
    midpoint = fields.Float(metadata={"description": "shared_concern: the scale's"})


class ConflictSchema(Schema):
    id = fields.String(required=True, metadata={"description": "kind:key"})
    kind = _enum(FLAG_KINDS)
    severity = _enum(["high", "medium", "low"])
    basis = _enum(["inferential"], "every flag is a test decision")
    objectives = _strings("objectives involved", required=True)
    dimensions = _strings("dimensions involved", required=True)
    partners = _strings("partners involved", required=True)
    roles = _strings("roles involved (internal_conflict)", required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)
    message = fields.String(required=True)


# -- the other blocks --------------------------------------------------------------------------


class StrengthSchema(Schema):
    """A dimension both partners rate high."""

    dimension = fields.String(required=True)
    means = _by(fields.Float(), "partner -> mean", required=True)
    lower_bounds = _by(fields.Float(), "partner -> one-sided lower bound", required=True)
    midpoint = fields.Float(required=True)
    n = _by(fields.Integer(), "partner -> respondents", required=True)


class SampleEntrySchema(Schema):
    n = fields.Integer(required=True)
    with_allocation = fields.Integer(required=True)
    roles = _by(fields.Integer(), "role -> respondents", required=True)


class WarningSchema(Schema):
    code = _enum(["no_tests", "role_mix_differs", "shared_tension"])
    message = fields.String(required=True)


class MinNSchema(Schema):
    test = fields.Integer(required=True)
    compatibility_interval = fields.Integer(required=True)
    profile_interval = fields.Integer(required=True)
    consensus = fields.Integer(required=True)


class MethodSchema(Schema):
    """How the numbers were made, so that they can be reproduced."""

    engine_version = fields.String(required=True)
    confidence = fields.Float(required=True)
    seed = fields.Integer(required=True)
    permutations = fields.Integer(required=True)
    interval = fields.String(required=True)
    test = fields.String(required=True)
    tests_run = _by(
        fields.String(validate=validate.OneOf(["exact", "monte_carlo"])),
        "internal-conflict test -> exact or monte_carlo",
        required=True,
    )
    profile = _enum(["respondents", "role_means"])
    min_n = fields.Nested(MinNSchema, required=True)
    versions = _by(fields.String(), "library -> version", required=True)


class SurveyRefSchema(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)


class ResultSchema(Schema):
    """The result document (docs/statistics.md explains every number)."""

    survey = fields.Nested(SurveyRefSchema, required=True)
    partners = _strings("in label order", required=True, validate=validate.Length(equal=2))
    alignment = fields.Nested(AlignmentSchema, required=True)
    objectives = fields.Nested(ObjectivesSchema, required=True)
    dimensions = fields.List(fields.Nested(DimensionSchema), required=True)
    consensus = _by(fields.Nested(ConsensusSchema), "partner -> consensus", required=True)
    conflicts = fields.List(
        fields.Nested(ConflictSchema),
        required=True,
        metadata={"description": "most severe first, then largest, then by id"},
    )
    strengths = fields.List(
        fields.Nested(StrengthSchema),
        required=True,
        metadata={"description": "dimensions both partners rate high"},
    )
    sample = _by(fields.Nested(SampleEntrySchema), "partner -> respondents", required=True)
    warnings = fields.List(fields.Nested(WarningSchema), required=True)
    method = fields.Nested(MethodSchema, required=True)
