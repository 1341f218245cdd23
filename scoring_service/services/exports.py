"""CSV exports (docs/exports.md): one writer for every export, and the tidy table of a round's
result document.

Pure functions: no database, no HTTP. :func:`to_csv` writes any table with the same rules, so
that every export of the service reads the same way in pandas, R and spreadsheets:

- RFC 4180 with the stdlib ``csv`` module: ``,`` between cells, ``"`` around a cell that needs
  it, lines ended by CRLF;
- ``None`` is an empty cell, a bool is ``true`` or ``false``, an int as it is, a float as its
  ``repr`` (the shortest text that reads back as the same float);
- a text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
  ``@``, TAB or CR) gets a leading apostrophe ``'``; numbers are never touched, so a negative
  gap stays ``-0.5`` (OWASP's advice on CSV injection). So that the text can always be had
  back (:func:`unescape`), a text of apostrophes before such a character gets one more too.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..surveys import Survey

Value = str | int | float | bool | None
# What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RESPONSE_COLUMNS = (
    "alliance",
    "round",
    "partner",
    "role",
    "respondent",
    "complete",
    "item",
    "dimension",
    "value",
    "reverse",
    "updated_at",
)
RESULT_COLUMNS = (
    "alliance",
    "round",
    "kind",
    "name",
    "partner",
    "statistic",
    "value",
    "low",
    "high",
    "severity",
    "about",
    "detail",
)


def cell(value: Value) -> str:
    """One value as the text of its cell (the rules of the module's docstring).

    Raises ``TypeError`` for another type and ``ValueError`` for a float that is not finite
    (no export holds NaN: a missing figure is an empty cell).
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int too
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a CSV cell holds finite numbers only, not {value!r}")
        return repr(value)
    if isinstance(value, str):
        return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value
    raise TypeError(f"a CSV cell holds str, int, float, bool or None, not {type(value).__name__}")


def unescape(text: str) -> str:
    """A text cell's text as it was before :func:`cell` (the apostrophe it added removed)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Value] | Sequence[Value]]) -> str:
    """The CSV text of a table: the header ``columns``, then one line per row.

    A row is a mapping with every column (other keys are ignored) or a sequence of one value
    per column. Raises ``ValueError`` for a row without a column, or of another length.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for k, row in enumerate(rows):
        if isinstance(row, Mapping):
            missing = [c for c in columns if c not in row]
            if missing:
                raise ValueError(f"row {k} has no {', '.join(missing)}")
            values = [row[c] for c in columns]
        elif len(row) != len(columns):
            raise ValueError(f"row {k} has {len(row)} values for {len(columns)} columns")
        else:
            values = list(row)
        writer.writerow([cell(v) for v in values])
    return out.getvalue()


def answer_rows(survey: Survey, answers: Mapping[str, Any]) -> list[dict[str, Value]]:
    """One response's answers as rows (``item``, ``dimension``, ``value``, ``reverse``), in
    the survey's item order: a rating with its item's dimension, an allocation one row per
    objective given (``<item>.<objective>``, in the survey's order), a text as it is. Skipped
    items (absent or null) have no row."""
    rows: list[dict[str, Value]] = []
    for item in survey.items:
        given = answers.get(item.id)
        if given is None:
            continue
        if item.type == "allocation":
            rows += [
                {
                    "item": f"{item.id}.{o}",
                    "dimension": None,
                    "value": given[o],
                    "reverse": item.reverse,
                }
                for o in survey.objective_ids
                if o in given
            ]
            continue
        rows.append(
            {"item": item.id, "dimension": item.dimension, "value": given, "reverse": item.reverse}
        )
    return rows


def result_rows(doc: Mapping[str, Any]) -> list[dict[str, Value]]:
    """The tidy rows of a round's result document (``RESULT_COLUMNS``): ``dimension``,
    ``objective`` and ``flag`` rows, none while ``result`` is null."""
    result = doc.get("result")
    if result is None:
        return []
    first, second = result["partners"]
    signed = f"{second} minus {first}"  # the document's signed figures: the second minus the first
    rows = [*_dimension_rows(result, signed), *_objective_rows(result, signed)]
    rows += [_flag_row(flag) for flag in result["conflicts"]]
    at = {"alliance": doc["alliance"], "round": doc["round"]["n"]}
    return [at | row for row in rows]


def _row(
    kind: str,
    name: str,
    partner: str | None,
    statistic: str,
    value: Value,
    interval: Sequence[float] | None = None,
    detail: Sequence[str] = (),
) -> dict[str, Value]:
    """One statistic's row; ``detail`` holds what to say about it (joined with ``; ``)."""
    low, high = interval if interval is not None else (None, None)
    return {
        "kind": kind,
        "name": name,
        "partner": partner,
        "statistic": statistic,
        "value": value,
        "low": low,
        "high": high,
        "severity": None,
        "about": None,
        "detail": "; ".join(detail) or None,
    }


def _why(reasons: Mapping[str, str], *keys: str) -> list[str]:
    """The reason codes of ``keys`` that ``reasons`` has, as ``key: code``."""
    return [f"{key}: {reasons[key]}" for key in keys if key in reasons]


def _dimension_rows(result: Mapping[str, Any], signed: str) -> list[dict[str, Value]]:
    """Per dimension: each partner's mean and n, then the gap (with its interval), p and q."""
    rows = []
    for d in result["dimensions"]:
        name, why = d["id"], d["reasons"]
        for partner in result["partners"]:
            rows.append(_row("dimension", name, partner, "mean", d["means"][partner]))
            rows.append(_row("dimension", name, partner, "n", d["n"][partner]))
        gap_detail = [signed, *_why(why, "gap", "gap_ci")]
        rows.append(_row("dimension", name, None, "gap", d["gap"], d["gap_ci"], gap_detail))
        rows.append(
            _row("dimension", name, None, "p_value", d["p_value"], None, _why(why, "p_value"))
        )
        rows.append(
            _row("dimension", name, None, "q_value", d["q_value"], None, _why(why, "q_value"))
        )
    return rows


def _objective_rows(result: Mapping[str, Any], signed: str) -> list[dict[str, Value]]:
    """Per objective: each partner's profile weight (with its interval), then the difference
    (with its interval), p and q. No rows when neither partner allocated."""
    objectives = result["objectives"]
    profiles = objectives["profiles"]
    ids: list[str] = []
    for profile in profiles.values():
        ids += [o for o in profile["weights"] or {} if o not in ids]
    rows = []
    differences = {x["objective"]: x for x in objectives["differences"]}
    for o in ids:
        for partner in result["partners"]:
            p = profiles[partner]
            weight = None if p["weights"] is None else p["weights"][o]
            ci = None if p["ci"] is None else p["ci"][o]
            why = _why(p["reasons"], "weights", "ci")
            rows.append(_row("objective", o, partner, "weight", weight, ci, why))
        x = differences.get(o)
        if x is None:  # one partner did not allocate: nothing to compare
            continue
        why = x.get("reasons", {})
        detail = [signed, *_why(why, "difference", "difference_ci")]
        rows.append(
            _row("objective", o, None, "difference", x["difference"], x["difference_ci"], detail)
        )
        rows.append(_row("objective", o, None, "p_value", x["p_value"], None, _why(why, "p_value")))
        rows.append(_row("objective", o, None, "q_value", x["q_value"], None, _why(why, "q_value")))
    return rows


def _flag_row(flag: Mapping[str, Any]) -> dict[str, Value]:
    """One conflict: its kind, its test's p-value (none when its evidence is withheld), its
    severity, what it is about and its message."""
    row = _row("flag", flag["kind"], ";".join(flag["partners"]), "p_value", None)
    row["value"] = flag["evidence"].get("p_value")
    row["severity"] = flag["severity"]
    row["about"] = ";".join([*flag["dimensions"], *flag["objectives"]])
    row["detail"] = flag["message"]
    return row
