"""The fields every input schema uses for text and booleans: one rule for each, in one place."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

from ..answers.parse import FORBIDDEN_MESSAGE, bad_character


class Text(fields.String):
    """A string without lone surrogates, C0 control characters (but TAB, LF, CR) or DEL: no
    database can store the first, nobody means the others (``answers.parse.bad_character``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        bad = None if text is None else bad_character(text)
        if bad is not None:
            raise ValidationError(f"{FORBIDDEN_MESSAGE} (found {bad})")
        return text


class Bool(fields.Boolean):
    """A JSON boolean, ``true`` or ``false``: not ``"yes"``, not ``1``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value
