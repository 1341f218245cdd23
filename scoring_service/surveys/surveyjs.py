"""SurveyJS interop: a survey as SurveyJS survey JSON, and a SurveyJS result as our answers.

Portals that already use the SurveyJS form library (https://surveyjs.io) can render our
questionnaire with it and post its ``onComplete`` data to ``PUT /api/v1/me/response?format=
surveyjs``. The mapping (docs/embedding.md):

- a Likert item is a ``rating`` question with one ``rateValues`` entry per point of its scale;
- the allocation item is a ``multipletext`` question with one numeric field per objective and
  an expression validator on their sum;
- a text item is a ``comment`` question with its ``maxLength``;
- texts are SurveyJS localizable strings: ``default`` is the survey's default language, the
  other keys its translations.

Back from SurveyJS: numbers sent as strings (``"4"``, ``"40"``) become integers, empty strings
are skipped answers, ``<name>-Comment`` keys (SurveyJS's comment areas) are dropped, and
anything else is left for the usual check, which names the item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .loading import Item, Survey, Text

SUM_MESSAGE = {
    "en": "The points must add up to {total}.",
    "de": "Die Punkte müssen {total} ergeben.",
}
INTEGER = re.compile(r"^\s*-?[0-9]{1,9}\s*\Z")  # ASCII digits only


def _loc(survey: Survey, text: Text | None) -> str | dict[str, str] | None:
    """A SurveyJS localizable string: a plain string when the text has one language."""
    if text is None:
        return None
    default = survey.default_language
    others = {k: v for k, v in text.items() if k != default}
    return {"default": text[default], **others} if others else text[default]


def _rating(survey: Survey, item: Item) -> dict[str, Any]:
    """A Likert item as a rating question."""
    scale = survey.dimension_scales[item.dimension or ""]
    return {
        "type": "rating",
        "name": item.id,
        "title": _loc(survey, item.text),
        "isRequired": item.required,
        "rateValues": [
            {"value": point, "text": _loc(survey, label)} for point, label in scale.labels.items()
        ],
    }


def _sum_message(survey: Survey, total: int) -> str | dict[str, str]:
    """The message of the points' sum rule, in the survey's languages that we have it in."""
    texts = {k: v.format(total=total) for k, v in SUM_MESSAGE.items() if k in survey.title}
    default = texts.pop(survey.default_language, SUM_MESSAGE["en"].format(total=total))
    return {"default": default, **texts} if texts else default


def _points(survey: Survey, item: Item) -> dict[str, Any]:
    """The allocation item as a multiple-text question of numeric fields summing to total."""
    total = item.total or 100
    fields = ", ".join(f"{{{item.id}.{o}}}" for o in survey.objective_ids)
    return {
        "type": "multipletext",
        "name": item.id,
        "title": _loc(survey, item.text),
        "isRequired": item.required,
        "colCount": 1,
        "items": [
            {
                "name": o.id,
                "title": _loc(survey, o.label),
                "inputType": "number",
                "validators": [{"type": "numeric", "minValue": 0, "maxValue": total}],
            }
            for o in survey.objectives
        ],
        "validators": [
            {
                "type": "expression",
                "expression": f"sum({fields}) = {total}",
                "text": _sum_message(survey, total),
            }
        ],
    }


def to_surveyjs(survey: Survey) -> dict[str, Any]:
    """The survey as a SurveyJS survey JSON: the allocation first, a page per dimension, then
    the free-text questions."""
    pages: list[dict[str, Any]] = [
        {"name": i.id, "elements": [_points(survey, i)]} for i in survey.items_of("allocation")
    ]
    by_id = {i.id: i for i in survey.items}
    for dimension in survey.dimensions:
        elements = [_rating(survey, by_id[i]) for i in dimension.items if i in by_id]
        page = {"name": dimension.id, "title": _loc(survey, dimension.label), "elements": elements}
        if dimension.description:
            page["description"] = _loc(survey, dimension.description)
        pages.append(page)
    texts = [
        {
            "type": "comment",
            "name": i.id,
            "title": _loc(survey, i.text),
            "isRequired": i.required,
            "maxLength": i.max_length,
        }
        for i in survey.items_of("text")
    ]
    if texts:
        pages.append({"name": "comments", "elements": texts})
    doc: dict[str, Any] = {
        "title": _loc(survey, survey.title),
        "pages": pages,
        "showQuestionNumbers": "off",
    }
    if survey.description:
        doc["description"] = _loc(survey, survey.description)
    return doc


def _number(value: Any) -> Any:
    """A number SurveyJS may send as a string (``"4"``) or float (``4.0``); else as it is."""
    if isinstance(value, str):
        if not value.strip():
            return None
        return int(value) if INTEGER.match(value) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def answers_from_surveyjs(data: Mapping[str, Any], survey: Survey) -> dict[str, Any]:
    """A SurveyJS result object as our answers (see the module's mapping); what cannot be
    mapped is passed on unchanged, so that ``check_answers`` names it."""
    answers: dict[str, Any] = {}
    lookup = survey.item_scales
    for name, value in data.items():
        if name.endswith("-Comment"):
            continue
        found = lookup.get(name)
        if found is None:
            answers[name] = value  # unknown: reported by the check
            continue
        item = found[0]
        if item.type == "likert":
            answers[name] = _number(value)
        elif item.type == "allocation" and isinstance(value, Mapping):
            points = {o: _number(p) for o, p in value.items()}
            answers[name] = {o: p for o, p in points.items() if p is not None}
        elif item.type == "text" and isinstance(value, str):
            answers[name] = value if value.strip() else None
        else:
            answers[name] = value
    return answers
