"""The public JSON document of a survey: what portals, scripts and the form render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .loading import Item, Survey, Text


def languages(survey: Survey) -> list[str]:
    """Languages every text of the survey is available in."""
    return sorted(survey.languages)


Translate = Callable[[Text | None], str | None]


def _item(survey: Survey, i: Item, t: Translate) -> dict[str, Any]:
    """One item as JSON, with what a form needs to render it."""
    item: dict[str, Any] = {"id": i.id, "type": i.type, "text": t(i.text), "required": i.required}
    if i.type == "likert":
        scale = survey.dimension_scales[i.dimension or ""]
        item.update(dimension=i.dimension, min=scale.min, max=scale.max, reverse=i.reverse)
        item["labels"] = {str(k): t(v) for k, v in scale.labels.items()}
    elif i.type == "allocation":
        item.update(total=i.total, objectives=list(survey.objective_ids))
    else:
        item["max_length"] = i.max_length
    return item


def document(survey: Survey, lang: str | None = None) -> dict[str, Any]:
    """The survey as JSON, every text in ``lang`` when the survey has it."""
    lang = lang if lang in languages(survey) else survey.default_language

    def t(text: Text | None) -> str | None:
        return None if text is None else text.get(lang, text[survey.default_language])

    items = [_item(survey, i, t) for i in survey.items]
    return {
        "id": survey.id,
        "version": survey.version,
        "title": t(survey.title),
        "description": t(survey.description),
        "language": lang,
        "languages": languages(survey),
        "roles": [{"id": r.id, "label": t(r.label)} for r in survey.roles],
        "objectives": [
            {"id": o.id, "label": t(o.label), "description": t(o.description)}
            for o in survey.objectives
        ],
        "relations": [
            {
                "objectives": [r.a, r.b],
                "relation": r.kind,
                "weight": r.weight,
                "rationale": t(r.rationale),
                "next_step": t(r.next_step),
            }
            for r in survey.relations
        ],
        "dimensions": [
            {
                "id": d.id,
                "label": t(d.label),
                "description": t(d.description),
                "source": d.source,
                "items": list(d.items),
            }
            for d in survey.dimensions
        ],
        "items": items,
        "scoring": {
            "profile": survey.scoring.profile,
            "weights": {
                "compatibility": survey.scoring.weight_compatibility,
                "expectations": survey.scoring.weight_expectations,
            },
            "bands": [
                {"id": b.id, "min": b.min, "label": t(b.label)} for b in survey.scoring.bands
            ],
        },
    }
