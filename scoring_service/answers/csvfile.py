"""The CSV layout of responses: one row per respondent.

Columns ``partner``, ``role``, ``respondent``, then one column per Likert or text item (its id)
and one per objective of the allocation item (``<item>.<objective>``). An empty cell is a skipped
answer. Rows become the same raw objects as the JSON API, so one parser checks both.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any

from ..errors import FieldError, InvalidInput
from ..surveys import Survey
from .parse import MAX_ERRORS

FIXED = ("partner", "role", "respondent")
# Content-Type charsets a CSV may name (lower case), and the codec that reads each: labels of
# the WHATWG Encoding Standard, where latin-1 and ASCII mean windows-1252 as in browsers.
CHARSETS = {
    **dict.fromkeys(("utf-8", "utf8", "unicode-1-1-utf-8"), "utf-8"),
    **dict.fromkeys(
        ("windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "latin1", "latin-1", "l1")
        + ("us-ascii", "ascii", "iso-ir-100", "iso_8859-1", "cp819", "ibm819"),
        "cp1252",
    ),
    **dict.fromkeys(("utf-16", "utf-16le", "unicode", "ucs-2"), "utf-16-le"),
    "utf-16be": "utf-16-be",
}
BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
NAMES = {"utf-8": "UTF-8", "cp1252": "windows-1252", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}
INTEGER = re.compile(r"^[+-]?\d+$")
ROW_PATH = re.compile(r"^responses\[(\d+)\](.*)$")


def _columns(survey: Survey, header: list[str]) -> list[FieldError]:
    """Unknown or missing columns."""
    known = set(FIXED)
    for item in survey.items:
        if item.type == "allocation":
            known |= {f"{item.id}.{o}" for o in survey.objective_ids}
        else:
            known.add(item.id)
    errors = [
        FieldError(f"columns.{c}", "unknown column", "unknown_column")
        for c in header
        if c not in known
    ]
    errors += [
        FieldError(f"columns.{c}", "missing column", "required") for c in FIXED if c not in header
    ]
    dupes = {c for c, n in Counter(header).items() if n > 1}  # linear: headers can be long
    errors += [FieldError(f"columns.{c}", "duplicate column", "duplicate") for c in sorted(dupes)]
    return errors


def _cell(value: str, is_text: bool) -> Any:
    """An integer where the cell holds one (text items stay strings)."""
    value = value.strip()
    if is_text or not INTEGER.match(value) or len(value) > 100:
        return value  # not an integer: the survey check says what it must be
    return int(value)


def _at_most(errors: list[FieldError]) -> list[FieldError]:
    """The first ``MAX_ERRORS`` problems, and how many there are in all when there are more."""
    if len(errors) <= MAX_ERRORS:
        return errors
    total = FieldError(
        "(file)",
        f"{len(errors)} problems in all; the first {MAX_ERRORS} are listed",
        "too_many",
        {"max": MAX_ERRORS, "got": len(errors)},
    )
    return [*errors[:MAX_ERRORS], total]


CHARSET_HELP = "A CSV is read as UTF-8, windows-1252 or UTF-16"


def codec(charset: str | None) -> str | None:
    """The codec that reads a CSV whose Content-Type names ``charset`` (UTF-8 when it names
    none), or None when it is not one of :data:`CHARSETS`."""
    return CHARSETS.get((charset or "utf-8").strip().lower())


def decode(data: bytes, charset: str | None = None) -> str:
    """The text of a CSV file: UTF-8 unless ``charset`` (the Content-Type's, a key of
    :data:`CHARSETS`) names another encoding; a byte-order mark wins over both and is dropped,
    as in the WHATWG Encoding Standard's *decode* (https://encoding.spec.whatwg.org/#decode).

    Raises
    ------
    ValueError
        A ``charset`` that :func:`codec` does not know (callers check it first).
    InvalidInput
        Bytes that are not text in that encoding, naming the line of the first of them.
    """
    reading = codec(charset)
    if reading is None:
        raise ValueError(f"{CHARSET_HELP}, not as charset={charset}")
    for bom, name in BOMS:
        if data.startswith(bom):
            reading, data = name, data[len(bom) :]
            break
    try:
        return data.decode(reading)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(reading, errors="replace").count("\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        name = NAMES[reading]
        message = (
            f"byte 0x{byte} is not {name} text; save the file as UTF-8, or name its encoding "
            "in the Content-Type (e.g. text/csv; charset=windows-1252)"
        )
        params = {"line": line, "encoding": name}
        raise InvalidInput([FieldError(f"line {line}", message, "encoding", params)]) from None


def read_csv(text: str, survey: Survey) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows of a responses CSV as raw response objects, and the file line of each row (for
    error messages: :func:`name_lines` turns ``responses[3]`` into ``line 5``).

    Raises
    ------
    InvalidInput
        Unknown, missing or duplicate columns, or a row with a different number of cells.
    """
    try:
        return _read(text, survey)
    except csv.Error as exc:  # e.g. a field over the csv module's limit, a NUL byte
        raise InvalidInput([FieldError("(file)", f"not a readable CSV: {exc}", "csv")]) from None


def _read(text: str, survey: Survey) -> tuple[list[dict[str, Any]], list[int]]:
    """:func:`read_csv` without its error translation."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))  # a BOM read as text
    header = [h.strip() for h in next(reader, [])]
    errors = _columns(survey, header)
    if errors:
        raise InvalidInput(_at_most(errors))
    text_items = {i.id for i in survey.items if i.type == "text"}
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(
                FieldError(
                    f"line {reader.line_num}",
                    f"has {len(cells)} cells, the header {len(header)}",
                    "cells",
                    {"got": len(cells), "expected": len(header)},
                )
            )
            continue
        record = dict(zip(header, cells, strict=True))
        answers: dict[str, Any] = {}
        for column, value in record.items():
            if column in FIXED or not value.strip():
                continue
            item, _, objective = column.partition(".")
            cell = _cell(value, item in text_items)
            if objective:
                answers.setdefault(item, {})[objective] = cell
            else:
                answers[item] = cell
        for points in answers.values():
            if isinstance(points, dict):  # unanswered objectives of a given allocation are 0
                for o in survey.objective_ids:
                    points.setdefault(o, 0)
        rows.append({**{k: record[k].strip() for k in FIXED}, "answers": answers})
        lines.append(reader.line_num)
    if errors:
        raise InvalidInput(_at_most(errors))
    return rows, lines


def name_lines(exc: InvalidInput, lines: list[int]) -> InvalidInput:
    """The same problems with ``responses[i]`` written as the CSV line it came from."""

    def rename(path: str) -> str:
        found = ROW_PATH.match(path)
        return f"line {lines[int(found[1])]}{found[2]}" if found else path

    return InvalidInput([e.at(rename(e.path)) for e in exc.errors])
