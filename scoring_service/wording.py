"""A page's own words in one language, from a table of languages (the forms' and the reports'
pages each have theirs: ``forms.i18n``, ``reports.words``)."""

from __future__ import annotations

from collections.abc import Iterable

FALLBACK = "en"


class Wording:
    """The strings of ``STRINGS`` in one language, English for a language or key it lacks:
    ``words("total", sum=40, total=100)``. A page package subclasses it with its table."""

    STRINGS: dict[str, dict[str, str]] = {}

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in self.STRINGS else FALLBACK
        self._table = self.STRINGS[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        """The string ``key``, with ``values`` filled in."""
        return self._table.get(key, self.STRINGS[FALLBACK][key]).format(**values)

    def count(self, key: str, n: int, **values: object) -> str:
        """The string ``key`` for ``n`` things: ``key + "_one"`` for one, else ``key`` (the
        languages here have these two forms); ``{n}`` filled in. The form's script does the
        same."""
        return self(f"{key}_one" if n == 1 else key, n=n, **values)

    def table(self, keys: Iterable[str]) -> dict[str, str]:
        """Raw strings (placeholders kept), for a page's script."""
        return {k: self._table.get(k, self.STRINGS[FALLBACK][k]) for k in keys}
