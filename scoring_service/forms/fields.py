"""Between the HTML form and a stored response: field names, values and errors per field.

Field names: a Likert item's id (``sf1``), ``<allocation item>.<objective>`` for the points
(``priorities.revenue_growth``), a text item's id. Errors are keyed by item id (for the
allocation, by ``<item>.<objective>`` when one field is wrong, else by the item) and worded in
the respondent's language; the API's own check (``check_answers``) still runs before any write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..surveys import Item, Survey
from .i18n import Words

Errors = dict[str, str]


def field_values(survey: Survey, answers: Mapping[str, Any]) -> dict[str, str]:
    """A stored (or just posted) response as the form's field values, for re-rendering."""
    values: dict[str, str] = {}
    for item in survey.items:
        value = answers.get(item.id)
        if value is None:
            continue
        if item.type == "allocation" and isinstance(value, Mapping):
            for objective, points in value.items():
                values[f"{item.id}.{objective}"] = str(points)
        else:
            values[item.id] = str(value)
    return values


def _whole(raw: str) -> int | None:
    """A non-negative whole number typed in a field, or None."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _likert(item: Item, survey: Survey, raw: str, words: Words) -> tuple[Any, str | None]:
    """The chosen point, or an error (a value the radios never offered)."""
    scale = survey.dimension_scales[item.dimension or ""]
    point = _whole(raw)
    if point is None or not scale.min <= point <= scale.max:
        return None, words("invalid")
    return point, None


def _allocation(
    item: Item, survey: Survey, form: Mapping[str, str], complete: bool, words: Words
) -> tuple[dict[str, int] | None, Errors]:
    """The points typed per objective (blank: none given), with the errors of the item."""
    total = item.total or 100
    errors: Errors = {}
    points: dict[str, int] = {}
    for objective in survey.objective_ids:
        name = f"{item.id}.{objective}"
        raw = form.get(name, "").strip()
        if not raw:
            continue
        value = _whole(raw)
        if value is None or value > total:
            errors[name] = words("whole_number", total=total)
        else:
            points[objective] = value
    if errors:
        return None, errors
    got = sum(points.values())
    if complete and not points and item.required:
        return None, {item.id: words("required_points")}
    if complete and points and got != total:
        return None, {item.id: words("sum", got=got, total=total)}
    if got > total:
        return None, {item.id: words("sum_over", got=got, total=total)}
    if complete and points:  # a blank field counts as 0 once the response is submitted
        points = {o: points.get(o, 0) for o in survey.objective_ids}
    return points or None, {}


def read_form(
    survey: Survey, form: Mapping[str, str], *, complete: bool, words: Words
) -> tuple[dict[str, Any], Errors]:
    """The answers a posted form holds, and what is wrong with them (empty: nothing).

    ``complete``: the respondent submits, so every required item must be answered and the
    points must reach their total; otherwise (a save) only what is there is checked.
    """
    answers: dict[str, Any] = {}
    errors: Errors = {}
    for item in survey.items:
        if item.type == "allocation":
            points, problems = _allocation(item, survey, form, complete, words)
            errors.update(problems)
            if points is not None:
                answers[item.id] = points
            continue
        raw = form.get(item.id, "")
        if item.type == "text":
            raw = raw.replace("\r\n", "\n").strip()
        if not raw.strip():
            if complete and item.required:
                key = "required_choice" if item.type == "likert" else "required_text"
                errors[item.id] = words(key)
            continue
        if item.type == "likert":
            value, problem = _likert(item, survey, raw, words)
        elif len(raw) > (item.max_length or 0):
            value, problem = None, words("too_long", max=item.max_length, length=len(raw))
        else:
            value, problem = raw, None
        if problem is not None:
            errors[item.id] = problem
        else:
            answers[item.id] = value
    return answers, errors


def progress(survey: Survey, answers: Mapping[str, Any]) -> tuple[int, int]:
    """(required items answered, required items); points count once they reach their total."""
    required = [i for i in survey.items if i.required]
    done = 0
    for item in required:
        value = answers.get(item.id)
        if item.type == "allocation":
            done += isinstance(value, Mapping) and sum(value.values()) == (item.total or 100)
        else:
            done += value not in (None, "")
    return done, len(required)


def points_total(survey: Survey, item_id: str, values: Mapping[str, str], words: Words) -> str:
    """The line under the points: the sum of the whole numbers typed, and what is left."""
    item = survey.item_scales[item_id][0]
    total = item.total or 100
    typed = (_whole(values.get(f"{item_id}.{o}", "")) for o in survey.objective_ids)
    got = sum(v for v in typed if v is not None)
    if got == total:
        tail = words("total_ok", total=total)
    elif got < total:
        tail = words("total_left", left=total - got)
    else:
        tail = words("total_over", over=got - total)
    return f"{words('total', sum=got, total=total)} {tail}"


def question_labels(doc: Mapping[str, Any]) -> dict[str, str]:
    """What the error summary calls each field: the question, or the objective's label."""
    labels = {i["id"]: i["text"] for i in doc["items"]}
    for item in doc["items"]:
        if item["type"] == "allocation":
            for o in doc["objectives"]:
                labels[f"{item['id']}.{o['id']}"] = o["label"]
    return labels
