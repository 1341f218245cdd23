"""Between the HTML form and a stored response: field names, values and errors per field.

Field names: a Likert item's id (``sf1``), ``<allocation item>.<objective>`` for the points
(``priorities.revenue_growth``), a text item's id. Errors are keyed by item id (for the
allocation, by ``<item>.<objective>`` when one field is wrong, else by the item) and worded in
the respondent's language from the codes of the API's own check (``answer_problems``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..answers import answer_problems
from ..errors import FieldError
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


def _typed(
    item: Item, survey: Survey, form: Mapping[str, str], complete: bool
) -> tuple[Any, list[str]]:
    """The answer the form's fields hold for ``item`` as the API takes it (None: blank), and
    the fields that hold no whole number where one belongs."""
    if item.type == "allocation":
        points: dict[str, int] = {}
        bad = []
        for objective in survey.objective_ids:
            name = f"{item.id}.{objective}"
            raw = form.get(name, "").strip()
            if not raw:
                continue
            value = _whole(raw)
            if value is None:
                bad.append(name)
            else:
                points[objective] = value
        if complete and points:  # a blank field counts as 0 once the response is submitted
            points = {o: points.get(o, 0) for o in survey.objective_ids}
        return points or None, bad
    raw = form.get(item.id, "")
    if item.type == "text":
        raw = raw.replace("\r\n", "\n").strip()
        return raw or None, []
    if not raw.strip():
        return None, []
    point = _whole(raw)
    return (None, [item.id]) if point is None else (point, [])


def _wording(survey: Survey, e: FieldError, words: Words) -> tuple[str, str]:
    """The field a problem of the shared check belongs to, and its words for the respondent."""
    name = e.path.removeprefix("answers.")
    item = survey.item_scales[name.split(".")[0]][0]
    if e.code == "required":
        key = {"likert": "required_choice", "allocation": "required_points"}
        return name, words(key.get(item.type, "required_text"))
    if e.code in ("sum", "sum_over"):
        return name, words(e.code, got=e.params["got"], total=e.params["total"])
    if e.code == "too_long":
        return name, words("too_long", max=e.params["max"], length=e.params.get("length", 0))
    if item.type == "allocation" and "." in name:
        return name, words("whole_number", total=item.total or 100)
    return name, words("invalid")


def read_form(
    survey: Survey, form: Mapping[str, str], *, complete: bool, words: Words
) -> tuple[dict[str, Any], Errors]:
    """The answers a posted form holds, and what is wrong with them (empty: nothing).

    ``complete``: the respondent submits, so every required item must be answered and the
    points must reach their total; otherwise (a save) only what is there is checked. The form
    turns its fields into the API's answers; the checking is the API's own
    (:func:`~scoring_service.answers.answer_problems`), its codes worded in ``words``'s language.
    """
    answers: dict[str, Any] = {}
    errors: Errors = {}
    unreadable: set[str] = set()
    for item in survey.items:
        value, bad = _typed(item, survey, form, complete)
        for name in bad:
            total = item.total or 100
            errors[name] = words("whole_number", total=total) if "." in name else words("invalid")
        if bad:
            unreadable.add(item.id)
        elif value is not None:
            answers[item.id] = value
    for e in answer_problems(answers, survey, complete=complete, limit=None):
        name, text = _wording(survey, e, words)
        if name.split(".")[0] not in unreadable:
            errors.setdefault(name, text)
        answers.pop(name.split(".")[0], None)  # not an answer yet (nor counted as progress)
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
