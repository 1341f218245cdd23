"""Cursor pagination of list routes: ``limit`` and ``cursor`` in, ``items`` and ``next_cursor`` out.

A query asks for ``limit + 1`` rows after the cursor's position; the extra row only says that
another page exists. Cursors are the last position of a page, opaque to clients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import invalid

T = TypeVar("T")
MAX_ID = 2**31 - 1  # the databases' integer keys (PostgreSQL's int4)


def cursor(raw: str | None) -> int:
    """A numeric page cursor (the last position of the previous page), 0 for the first page."""
    if raw is None:
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise invalid("cursor", "not a cursor this API gave", "bad_cursor")
    return int(raw)


def page(rows: Sequence[T], limit: int, position: Callable[[T], Any]) -> tuple[list[T], str | None]:
    """The page's rows (the query fetched one more than ``limit``) and the next page's cursor."""
    shown = list(rows[:limit])
    return shown, str(position(shown[-1])) if len(rows) > limit else None
