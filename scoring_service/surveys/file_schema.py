"""The schema of a survey file (``surveys/README.md`` describes it for authors)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

ID = validate.Regexp(r"^[a-z][a-z0-9_]*\Z", error="must match [a-z][a-z0-9_]* (got {input!r})")
SURVEY_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]*\Z", error="must match [a-z0-9-]+")
KINDS = ("supports", "neutral", "tension", "conflicts")


def _text(required: bool = True) -> fields.Dict:
    """A translatable text: language code -> non-empty string."""
    return fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*\Z")),
        values=fields.String(validate=validate.Length(min=1)),
        required=required,
        validate=validate.Length(min=1),
    )


class _Strict(Schema):
    """Unknown keys are errors (marshmallow's default is RAISE)."""


class NamedSchema(_Strict):
    id = fields.String(required=True, validate=ID)
    label = _text()
    description = _text(required=False)


class RelationSchema(_Strict):
    objectives = fields.List(
        fields.String(validate=ID), required=True, validate=validate.Length(equal=2)
    )
    relation = fields.String(required=True, validate=validate.OneOf(KINDS))
    rationale = _text()
    next_step = _text(required=False)


class ScaleSchema(_Strict):
    min = fields.Integer(required=True, strict=True)
    max = fields.Integer(required=True, strict=True)
    labels = fields.Dict(keys=fields.String(), values=_text(), required=True)

    @validates_schema
    def _points(self, data: dict[str, Any], **_: Any) -> None:
        if data["max"] - data["min"] < 1 or data["max"] - data["min"] > 20:
            raise ValidationError("must span 2 to 21 points", "max")
        want = {str(p) for p in range(data["min"], data["max"] + 1)}
        if set(data["labels"]) != want:
            raise ValidationError(f"needs exactly one label per point {sorted(want)}", "labels")


class DimensionSchema(NamedSchema):
    scale = fields.String(required=True)
    source = fields.String(required=True, validate=validate.Length(min=3))


class ItemSchema(_Strict):
    id = fields.String(required=True, validate=ID)
    type = fields.String(required=True, validate=validate.OneOf(("likert", "allocation", "text")))
    text = _text()
    required = fields.Boolean(truthy={True}, falsy={False})
    dimension = fields.String()
    reverse = fields.Boolean(truthy={True}, falsy={False})
    total = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    max_length = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))

    @validates_schema
    def _by_type(self, data: dict[str, Any], **_: Any) -> None:
        allowed = {
            "likert": {"dimension", "reverse"},
            "allocation": {"total"},
            "text": {"max_length"},
        }[data["type"]]
        for key in ("dimension", "reverse", "total", "max_length"):
            if key in data and key not in allowed:
                raise ValidationError(f"not allowed on a {data['type']} item", key)
        if data["type"] == "likert" and "dimension" not in data:
            raise ValidationError("a likert item needs a dimension", "dimension")
        if data["type"] == "allocation" and "total" not in data:
            raise ValidationError("an allocation item needs a total", "total")


class BandSchema(_Strict):
    id = fields.String(required=True, validate=ID)
    min = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    compatibility = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    max_gap = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    label = _text()


class WeightsSchema(_Strict):
    compatibility = fields.Float(required=True, validate=validate.Range(min=0))
    expectations = fields.Float(required=True, validate=validate.Range(min=0))


class ScoringSchema(_Strict):
    profile = fields.String(required=True, validate=validate.OneOf(("respondents", "role_means")))
    weights = fields.Nested(WeightsSchema, required=True)
    bands = fields.List(fields.Nested(BandSchema), required=True, validate=validate.Length(min=1))


def _band_errors(bands: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Bands go from best to worst: ``min`` and ``compatibility`` descend to 0, ``max_gap``
    ascends to 1 (the whole range)."""
    problems = []
    for key, order, end in (("min", True, 0), ("compatibility", True, 0), ("max_gap", False, 1)):
        values = [b[key] for b in bands]
        if values != sorted(values, reverse=order) or values[-1] != end:
            way = "descending" if order else "ascending"
            problems.append(f"{key} must be in {way} order, the last band's {key} {end}")
    return {"scoring.bands": problems} if problems else {}


class SurveyFileSchema(_Strict):
    id = fields.String(required=True, validate=SURVEY_ID)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = _text()
    description = _text(required=False)
    default_language = fields.String(required=True)
    scoring = fields.Nested(ScoringSchema, required=True)
    relation_weights = fields.Dict(
        keys=fields.String(validate=validate.OneOf(KINDS)),
        values=fields.Float(validate=validate.Range(min=-1, max=1)),
        required=True,
    )
    scales = fields.Dict(
        keys=fields.String(validate=ID), values=fields.Nested(ScaleSchema), required=True
    )
    roles = fields.List(fields.Nested(NamedSchema), required=True, validate=validate.Length(min=1))
    objectives = fields.List(
        fields.Nested(NamedSchema), required=True, validate=validate.Length(min=2)
    )
    relations = fields.List(fields.Nested(RelationSchema), load_default=list)
    dimensions = fields.List(fields.Nested(DimensionSchema), required=True)
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1))

    @validates_schema(skip_on_field_errors=True)
    def _references(self, data: dict[str, Any], **_: Any) -> None:
        """Cross-references: ids unique, every reference resolves, every text has the language."""
        errors: dict[str, Any] = {}
        for key in ("roles", "objectives", "dimensions", "items"):
            dupes = [i for i, n in Counter(x["id"] for x in data[key]).items() if n > 1]
            if dupes:
                errors[key] = [f"duplicate ids: {', '.join(dupes)}"]
        objectives = {o["id"] for o in data["objectives"]}
        seen: dict[frozenset[str], int] = {}
        for n, rel in enumerate(data.get("relations", [])):
            a, b = rel["objectives"]
            where = f"relations[{n}]"
            if a == b or {a, b} - objectives:
                errors[where] = [f"objectives must be two different known objectives: {a}, {b}"]
            elif frozenset((a, b)) in seen:
                errors[where] = [
                    f"{a}/{b} is already related in relations[{seen[frozenset((a, b))]}]"
                ]
            elif rel["relation"] not in data["relation_weights"]:
                errors[where] = [f"relation_weights has no weight for {rel['relation']!r}"]
            seen.setdefault(frozenset((a, b)), n)
        for n, dim in enumerate(data["dimensions"]):
            if dim["scale"] not in data["scales"]:
                errors[f"dimensions[{n}].scale"] = [f"unknown scale {dim['scale']!r}"]
        dims = {d["id"] for d in data["dimensions"]}
        used = set()
        for n, item in enumerate(data["items"]):
            if item["type"] == "likert":
                used.add(item["dimension"])
                if item["dimension"] not in dims:
                    errors[f"items[{n}].dimension"] = [f"unknown dimension {item['dimension']!r}"]
        for n, dim in enumerate(data["dimensions"]):
            if dim["id"] not in used:
                errors[f"dimensions[{n}]"] = ["has no likert item"]
        if len([i for i in data["items"] if i["type"] == "allocation"]) > 1:
            errors["items"] = ["at most one allocation item per survey"]
        signs = {"supports": 1, "neutral": 0, "tension": -1, "conflicts": -1}
        for kind, weight in data["relation_weights"].items():
            if (weight > 0) - (weight < 0) != signs[kind]:
                want = {1: "positive", 0: "0", -1: "negative"}[signs[kind]]
                errors[f"relation_weights.{kind}"] = [f"must be {want} (got {weight})"]
        errors.update(_band_errors(data["scoring"]["bands"]))
        weights = data["scoring"]["weights"]
        if weights["compatibility"] + weights["expectations"] <= 0:
            errors["scoring.weights"] = ["at least one weight must be positive"]
        errors.update(_missing_language(data))
        if errors:
            raise ValidationError(errors)


def _missing_language(data: dict[str, Any]) -> dict[str, list[str]]:
    """Paths of every text that lacks the default language."""
    lang = data["default_language"]
    found: dict[str, list[str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict) and node and all(isinstance(v, str) for v in node.values()):
            if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", next(iter(node))) and lang not in node:
                found[path] = [f"has no text in the default language {lang!r}"]
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            for n, v in enumerate(node):
                walk(v, f"{path}[{n}]")

    walk({k: v for k, v in data.items() if k not in ("relation_weights",)}, "")
    return found


def flatten_errors(errors: Any, path: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into ``(path, message)`` pairs, e.g. ``items[3].id``."""
    if isinstance(errors, dict):
        out: list[tuple[str, str]] = []
        for key, value in errors.items():
            if isinstance(key, int):
                sub = f"{path}[{key}]"
            elif key == "_schema":
                sub = path
            else:
                sub = f"{path}.{key}" if path else str(key)
            out.extend(flatten_errors(value, sub))
        return out
    if isinstance(errors, list):
        return [(path or "(file)", str(m)) for m in errors]
    return [(path or "(file)", str(errors))]
