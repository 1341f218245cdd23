"""The result document's shape, block by block, as TypedDicts (docs/statistics.md explains every
number).

These types are what ``score()`` returns and what the API serialises unchanged, so the key order
of the JSON is the order in which the builders write the keys, not the order of the fields here.
A statistic that cannot be computed is ``None`` (JSON null) and its block's ``reasons`` says why;
a key is ``NotRequired`` only where it is really absent sometimes. Mappings keyed by a partner
key, an objective, a dimension, an item or a role are plain ``dict``s.

``schemas/result.py`` publishes the same shape in the OpenAPI document;
``tests/test_result_schema.py`` checks real documents against it.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, final

Reasons = dict[str, str]  # statistic (or "statistic.dimension") -> reason code (section 11)
ByPartner = dict[str, float]
NullableByPartner = dict[str, float | None]
CountByPartner = dict[str, int]  # also n by role, in internal-conflict evidence
Interval = list[float]  # [low, high]

FlagKind = Literal[
    "objective_conflict",
    "priority_divergence",
    "expectation_gap",
    "internal_conflict",
    "shared_concern",
]
Severity = Literal["high", "medium", "low"]
Basis = Literal["inferential"]  # every flag is a test decision
WarningCode = Literal["no_tests", "role_mix_differs", "shared_tension"]


class SurveyRef(TypedDict):
    id: str
    version: int


# -- alignment (section 7) ---------------------------------------------------------------------


class Component(TypedDict):
    """One component of the alignment index with the band its interval decides."""

    value: float | None  # 0-100
    weight: float
    ci: Interval | None
    band: str | None
    bands_in_ci: list[str] | None
    reasons: NotRequired[Reasons]  # only when ``band`` is null: why


class ExpectationsComponent(Component):
    mean_gap_ci: Interval | None  # of mean |gap| / range


class Components(TypedDict):
    compatibility: Component
    expectations: ExpectationsComponent


class Alignment(TypedDict):
    score: float | None  # 0-100
    ci: Interval | None
    band: str | None
    bands_in_ci: list[str] | None
    components: Components
    reasons: Reasons


# -- objectives (section 4) --------------------------------------------------------------------


class Profile(TypedDict):
    """One partner's priority profile: shares of the allocation total by objective."""

    n: int  # respondents who allocated
    weights: dict[str, float] | None
    ci: dict[str, Interval | None] | None
    reasons: Reasons


class Difference(TypedDict):
    """Second partner minus first on one objective's share."""

    objective: str
    difference: float
    difference_ci: Interval | None
    cliffs_delta: float
    p_value: float | None
    q_value: float | None
    reasons: NotRequired[Reasons]  # only when the test is undefined (difference_ci, p_value)


class Objectives(TypedDict):
    profiles: dict[str, Profile]  # by partner
    compatibility: float | None  # 0-100
    compatibility_ci: Interval | None
    kendall_tau_b: float | None
    overlap: float | None
    shared_top: list[str] | None
    differences: list[Difference]  # empty without both allocations
    reasons: Reasons


# -- dimensions (section 5) --------------------------------------------------------------------


class Scale(TypedDict):
    min: int
    max: int


class ItemMeans(TypedDict):
    """Item-level means per partner (descriptive only), reverse items already turned."""

    means: NullableByPartner
    gap: float | None
    reverse: bool


class Dimension(TypedDict):
    id: str
    label: str
    scale: Scale
    means: NullableByPartner
    n: CountByPartner
    gap: float | None  # second partner minus first
    gap_ci: Interval | None
    cliffs_delta: float | None
    agreement: float | None  # 0-100
    p_value: float | None
    q_value: float | None
    detectable_gap: float | None
    items: dict[str, ItemMeans]
    reasons: Reasons


# -- consensus (section 6) ---------------------------------------------------------------------


class RolePair(TypedDict):
    roles: list[str]  # two roles
    compatibility: float | None  # 0-100
    n: CountByPartner  # by role
    basis: Literal["descriptive", "effect_size"]


class RoleCompatibility(TypedDict):
    min: float | None
    pairs: list[RolePair]
    withheld_pairs: NotRequired[int]  # only in a partner's view: pairs of too small groups


class Consensus(TypedDict):
    """Agreement within one partner; the per-dimension figures are keyed by dimension."""

    n: int
    rwg_j: dict[str, float | None]
    rwg_j_skewed: dict[str, float | None]
    rwg_star_j: dict[str, float | None]
    rwg_j_p: dict[str, float | None]
    reliability: dict[str, float | None]
    weakly_supported: list[str]  # dimensions
    krippendorff_alpha: float | None
    kendall_w: float | None
    role_compatibility: RoleCompatibility
    reasons: Reasons
    internal_conflict: bool


# -- conflicts (section 8): the evidence differs by kind ---------------------------------------
# @final lets a type checker tell the kinds apart by their keys (``"n" in evidence``).


@final
class ObjectiveConflictEvidence(TypedDict):
    relation: str  # the survey relation's kind
    relation_weight: float
    rationale: str
    pull: float
    p_value: float
    p_values: dict[str, float]  # by objective
    margin: float
    level: float
    points: dict[str, dict[str, float]]  # partner -> objective -> points
    n: CountByPartner


@final
class DivergenceEvidence(TypedDict):
    shares: ByPartner
    difference: float
    cliffs_delta: float
    p_value: float
    q_value: float
    level: float
    n: CountByPartner


@final
class GapEvidence(TypedDict):
    means: ByPartner
    gap: float
    cliffs_delta: float
    p_value: float
    q_value: float
    level: float
    n: CountByPartner


@final
class InternalDimensionsEvidence(TypedDict):
    rule: Literal["dimensions"]
    p_value: float
    level: float
    differences: dict[str, float]  # by dimension, centred scores
    n: CountByPartner  # by role


@final
class InternalObjectivesEvidence(TypedDict):
    rule: Literal["objectives"]
    relation: str
    p_value: float
    level: float
    pull: float
    n: CountByPartner  # by role


@final
class SharedConcernEvidence(TypedDict):
    means: ByPartner
    upper_bounds: ByPartner
    midpoint: float
    level: float
    n: CountByPartner


@final
class WithheldEvidence(TypedDict):
    """An internal conflict's evidence in a partner's view that may not see who said what."""

    rule: Literal["dimensions", "objectives"]
    withheld: Literal["role_level"]


Evidence = (
    ObjectiveConflictEvidence
    | DivergenceEvidence
    | GapEvidence
    | InternalDimensionsEvidence
    | InternalObjectivesEvidence
    | SharedConcernEvidence
    | WithheldEvidence
)


class Conflict(TypedDict):
    """One flag of ``conflicts[]``; ``id`` is ``scoring.common.flag_id`` of its fields."""

    id: str
    kind: FlagKind
    severity: Severity
    basis: Basis
    objectives: list[str]
    dimensions: list[str]
    partners: list[str]
    roles: list[str]
    evidence: Evidence
    message: str


# -- the other blocks --------------------------------------------------------------------------


class Strength(TypedDict):
    """A dimension both partners rate high (section 8.6)."""

    dimension: str
    means: ByPartner
    lower_bounds: ByPartner
    midpoint: float
    n: CountByPartner


class SampleEntry(TypedDict):
    n: int
    with_allocation: int
    roles: CountByPartner  # by role


class ResultWarning(TypedDict):
    code: WarningCode
    message: str


class MinN(TypedDict):
    test: int
    compatibility_interval: int
    profile_interval: int
    consensus: int


class Method(TypedDict):
    engine_version: str
    confidence: float
    seed: int
    permutations: int
    interval: str
    test: str
    tests_run: dict[str, str]  # internal-conflict test -> "exact" or "monte_carlo"
    profile: Literal["respondents", "role_means"]
    min_n: MinN
    versions: dict[str, str]  # library -> version


class Result(TypedDict):
    """The document ``scoring.score()`` returns."""

    survey: SurveyRef
    partners: list[str]  # in label order
    alignment: Alignment
    objectives: Objectives
    dimensions: list[Dimension]
    consensus: dict[str, Consensus]  # by partner
    conflicts: list[Conflict]
    strengths: list[Strength]
    sample: dict[str, SampleEntry]  # by partner
    warnings: list[ResultWarning]
    method: Method
