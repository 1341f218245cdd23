"""Survey definitions: load every file in ``surveys/`` once, validate it, keep it as dataclasses.

A file is ``surveys/<id>/<version>.toml`` (format in ``surveys/README.md``). A broken file stops
start-up with a :class:`SurveyDefinitionError` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import SurveyDefinitionError, UnknownSurvey
from .file_schema import SurveyFileSchema, flatten_errors

Text = dict[str, str]
RelationKind = Literal["supports", "neutral", "tension", "conflicts"]
ITEM_TYPES = ("likert", "allocation", "text")
TEXT_MAX_LENGTH = 2000  # characters of a text answer when the item does not say


@dataclass(frozen=True)
class Scale:
    """A Likert scale: integer points ``min..max`` with a label for every point."""

    id: str
    min: int
    max: int
    labels: dict[int, Text]

    @property
    def points(self) -> int:
        """Number of answer options (A in the rwg null variance)."""
        return self.max - self.min + 1

    @property
    def range(self) -> int:
        """Distance between the extreme points."""
        return self.max - self.min


@dataclass(frozen=True)
class Named:
    """An id with a label and an optional description (roles, objectives)."""

    id: str
    label: Text
    description: Text | None = None


@dataclass(frozen=True)
class Relation:
    """How two objectives interact; ``weight`` is the entry of R."""

    a: str
    b: str
    kind: RelationKind
    weight: float
    rationale: Text
    next_step: Text | None


@dataclass(frozen=True)
class Dimension:
    """A group of Likert items measuring one aspect, on one scale."""

    id: str
    label: Text
    description: Text | None
    source: str
    scale: Scale
    items: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One question. ``dimension`` for likert items, ``total`` for allocation items."""

    id: str
    type: Literal["likert", "allocation", "text"]
    text: Text
    required: bool
    dimension: str | None = None
    reverse: bool = False
    total: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Band:
    """A named verdict, best first. The index's range starts at ``min``; a component's:
    compatibility from ``compatibility`` up to the better band's, expectations a mean |gap| (a
    fraction of each dimension's scale range) above the better band's ``max_gap`` up to this
    one's."""

    id: str
    min: float
    label: Text
    compatibility: float = 0.0
    max_gap: float = 1.0


@dataclass(frozen=True)
class ScoringOptions:
    """Per-survey options of the engine."""

    profile: Literal["respondents", "role_means"]
    weight_compatibility: float
    weight_expectations: float
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class LikertLayout:
    """Likert item ids; which are reverse-scored; min + max of each item's scale (a reversed
    answer x scores ends - x); the items x dimensions membership matrix."""

    ids: tuple[str, ...]
    reverse: NDArray[np.bool_]
    ends: NDArray[np.float64]
    member: NDArray[np.float64]


@dataclass(frozen=True)
class Survey:
    """A validated survey version, with its relation matrix R precomputed."""

    id: str
    version: int
    title: Text
    description: Text | None
    default_language: str
    roles: tuple[Named, ...]
    objectives: tuple[Named, ...]
    relations: tuple[Relation, ...]
    relation_weights: dict[str, float]
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    scoring: ScoringOptions
    R: NDArray[np.float64]
    # SHA-256 of the file's bytes: cached results computed from another text are not reused.
    digest: str = ""

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Languages that every text of the survey has (the default first, then sorted): a
        form in one of them is in that language throughout."""
        texts: list[Text] = [self.title, *(i.text for i in self.items)]
        for named in (*self.roles, *self.objectives):
            texts += [named.label, *([named.description] if named.description else [])]
        for d in self.dimensions:
            texts += [
                d.label,
                *([d.description] if d.description else []),
                *d.scale.labels.values(),
            ]
        for r in self.relations:
            texts += [r.rationale, *([r.next_step] if r.next_step else [])]
        texts += [b.label for b in self.scoring.bands]
        if self.description:
            texts.append(self.description)
        common = set.intersection(*(set(t) for t in texts)) - {self.default_language}
        return (self.default_language, *sorted(common))

    @cached_property
    def objective_ids(self) -> tuple[str, ...]:
        """Objective ids in file order (the order of R's rows)."""
        return tuple(o.id for o in self.objectives)

    @cached_property
    def labels(self) -> dict[str, str]:
        """Objective and role labels in the default language, by id (for messages)."""
        lang = self.default_language
        return {x.id: x.label[lang] for x in (*self.objectives, *self.roles)}

    @cached_property
    def objective_set(self) -> frozenset[str]:
        """Objective ids as a set, for membership tests."""
        return frozenset(self.objective_ids)

    @cached_property
    def role_ids(self) -> tuple[str, ...]:
        """Role ids in file order."""
        return tuple(r.id for r in self.roles)

    @cached_property
    def item_scales(self) -> dict[str, tuple[Item, Scale | None]]:
        """Every item by id with its scale (None for non-Likert items), built once."""
        return {i.id: (i, self.dimension_scales.get(i.dimension or "")) for i in self.items}

    @cached_property
    def likert_layout(self) -> LikertLayout:
        """The arrays the engine scores Likert answers with, built once per survey."""
        likert = self.items_of("likert")
        scales = self.dimension_scales
        ends = np.array(
            [scales[i.dimension or ""].min + scales[i.dimension or ""].max for i in likert]
        )
        member = np.array([[float(i.dimension == d.id) for d in self.dimensions] for i in likert])
        return LikertLayout(
            ids=tuple(i.id for i in likert),
            reverse=np.array([i.reverse for i in likert], dtype=bool),
            ends=ends.astype(np.float64),
            member=member.reshape(len(likert), len(self.dimensions)),
        )

    @cached_property
    def dimension_scales(self) -> dict[str, Scale]:
        """Each dimension's scale, by dimension id."""
        return {d.id: d.scale for d in self.dimensions}

    @cached_property
    def allocation_total(self) -> int:
        """Points of the allocation item (100 when the survey has none)."""
        return next((i.total for i in self.items_of("allocation") if i.total), 100)

    @cached_property
    def _by_type(self) -> dict[str, tuple[Item, ...]]:
        return {kind: tuple(i for i in self.items if i.type == kind) for kind in ITEM_TYPES}

    def items_of(self, kind: str) -> tuple[Item, ...]:
        """Items of one type, in file order."""
        return self._by_type[kind]

    def band_for(self, score: float) -> Band:
        """The band a score falls in."""
        return next(b for b in self.scoring.bands if score >= b.min)


def _relation_matrix(objectives: list[str], relations: list[Relation]) -> NDArray[np.float64]:
    """Build R (diagonal 1) and check it is positive definite; name the relations if not."""
    index = {o: k for k, o in enumerate(objectives)}
    R = np.eye(len(objectives))
    for r in relations:
        R[index[r.a], index[r.b]] = R[index[r.b], index[r.a]] = r.weight
    values, vectors = np.linalg.eigh(R)
    if values[0] > 1e-9:
        return R
    # The eigenvector of the smallest eigenvalue says which objectives form the bad combination.
    loading = np.abs(vectors[:, 0])
    involved = {o for o, v in zip(objectives, loading, strict=True) if v > 0.2}
    names = [
        f"{r.a}/{r.b} ({r.kind})" for r in relations if r.a in involved and r.b in involved
    ] or [f"{r.a}/{r.b} ({r.kind})" for r in relations]
    raise ValueError(
        f"the relation matrix is not positive definite (smallest eigenvalue {values[0]:.3f}); "
        f"relations involved: {', '.join(names)}"
    )


def _build(doc: dict[str, Any]) -> Survey:
    """Turn a schema-validated document into a :class:`Survey` (cross-references checked)."""
    scales = {
        sid: Scale(sid, s["min"], s["max"], {int(k): v for k, v in s["labels"].items()})
        for sid, s in doc["scales"].items()
    }
    weights = doc["relation_weights"]
    relations = [
        Relation(
            r["objectives"][0],
            r["objectives"][1],
            r["relation"],
            float(weights[r["relation"]]),
            r["rationale"],
            r.get("next_step"),
        )
        for r in doc["relations"]
    ]
    items = tuple(
        Item(
            id=i["id"],
            type=i["type"],
            text=i["text"],
            required=i.get("required", i["type"] != "text"),
            dimension=i.get("dimension"),
            reverse=i.get("reverse", False),
            total=i.get("total"),
            max_length=i.get("max_length", TEXT_MAX_LENGTH if i["type"] == "text" else None),
        )
        for i in doc["items"]
    )
    dimensions = tuple(
        Dimension(
            d["id"],
            d["label"],
            d.get("description"),
            d["source"],
            scales[d["scale"]],
            tuple(i.id for i in items if i.dimension == d["id"]),
        )
        for d in doc["dimensions"]
    )
    objectives = tuple(Named(o["id"], o["label"], o.get("description")) for o in doc["objectives"])
    scoring = doc["scoring"]
    return Survey(
        id=doc["id"],
        version=doc["version"],
        title=doc["title"],
        description=doc.get("description"),
        default_language=doc["default_language"],
        roles=tuple(Named(r["id"], r["label"], r.get("description")) for r in doc["roles"]),
        objectives=objectives,
        relations=tuple(relations),
        relation_weights=dict(weights),
        dimensions=dimensions,
        items=items,
        scoring=ScoringOptions(
            profile=scoring["profile"],
            weight_compatibility=float(scoring["weights"]["compatibility"]),
            weight_expectations=float(scoring["weights"]["expectations"]),
            bands=tuple(
                Band(b["id"], float(b["min"]), b["label"], b["compatibility"], b["max_gap"])
                for b in scoring["bands"]
            ),
        ),
        R=_relation_matrix([o.id for o in objectives], relations),
    )


def load_survey(path: Path) -> Survey:
    """Load and validate one survey file.

    Raises
    ------
    SurveyDefinitionError
        The file cannot be parsed or breaks a rule; the message names the file and the field.
    """
    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SurveyDefinitionError(f"{path}: cannot be read as TOML: {exc}") from exc
    problems = flatten_errors(SurveyFileSchema().validate(raw))
    if problems:
        listed = "; ".join(f"{field}: {msg}" for field, msg in problems)
        raise SurveyDefinitionError(f"{path}: {listed}")
    if path.parent.name != raw["id"] or path.stem != str(raw["version"]):
        raise SurveyDefinitionError(
            f"{path}: id/version: the file must be surveys/{raw['id']}/{raw['version']}.toml"
        )
    try:
        survey = replace(_build(raw), digest=hashlib.sha256(data).hexdigest())
    except ValueError as exc:
        raise SurveyDefinitionError(f"{path}: relations: {exc}") from exc
    # Compute the lookups now, at start-up: gunicorn's preloading master then shares them with
    # every worker instead of each worker building them on its first request.
    for lookup in ("item_scales", "likert_layout", "labels", "objective_set", "allocation_total"):
        getattr(survey, lookup)
    return survey


class SurveyRegistry:
    """Every survey version found at start-up, looked up by id and optional version."""

    def __init__(self, surveys: list[Survey]) -> None:
        self._by_key = {(s.id, s.version): s for s in surveys}
        self._latest: dict[str, Survey] = {}
        for s in sorted(surveys, key=lambda s: s.version):
            self._latest[s.id] = s

    def get(self, survey_id: str, version: int | None = None) -> Survey:
        """The requested version, or the latest; :class:`UnknownSurvey` if there is none."""
        found = (
            self._latest.get(survey_id)
            if version is None
            else self._by_key.get((survey_id, version))
        )
        if found is None:
            wanted = survey_id if version is None else f"{survey_id} version {version}"
            known = ", ".join(sorted(self._latest)) or "none"
            raise UnknownSurvey(f"no survey {wanted!r}; known surveys: {known}")
        return found

    def all(self) -> list[Survey]:
        """Every version of every survey, by id and version."""
        return [self._by_key[k] for k in sorted(self._by_key)]

    def latest(self) -> list[Survey]:
        """The newest version of every survey, by id."""
        return [self._latest[k] for k in sorted(self._latest)]

    def versions(self, survey_id: str) -> list[int]:
        """All versions of one survey, ascending."""
        return sorted(v for (i, v) in self._by_key if i == survey_id)


def load_registry(directory: Path) -> SurveyRegistry:
    """Load every ``<id>/<version>.toml`` under ``directory``; fail on the first broken file."""
    if not directory.is_dir():
        raise SurveyDefinitionError(f"{directory}: the surveys folder does not exist")
    files = sorted(directory.glob("*/*.toml"))
    if not files:
        raise SurveyDefinitionError(f"{directory}: no survey files (<id>/<version>.toml) found")
    return SurveyRegistry([load_survey(f) for f in files])
