"""The fields every input schema uses for text and booleans: one rule for each, in one place."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

from ..answers.parse import FORBIDDEN_MESSAGE, MAX_ID_LENGTH, bad_character, identifier_problem

# The rules in OpenAPI (ECMA-262 patterns): no C0 control but TAB, LF and CR, no DEL. Unpaired
# surrogates cannot be said there without refusing paired ones (emoji), so the text says it.
_CONTROLS = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F"
# Whitespace as Python's str.isspace has it, spelled out: a pattern's \s differs by engine.
_SPACE = "\\t\\n\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
PATTERN = f"^[^{_CONTROLS}]*$"
NOT_BLANK = f"^[^{_CONTROLS}]*[^{_SPACE}{_CONTROLS}][^{_CONTROLS}]*$"


class Text(fields.String):
    """A string without lone surrogates, C0 control characters (but TAB, LF, CR) or DEL: no
    database can store the first, nobody means the others (``answers.parse.bad_character``).
    The OpenAPI document says so with :data:`PATTERN`, unless the field names a narrower
    ``pattern`` in its metadata."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        bad = None if text is None else bad_character(text)
        if bad is not None:
            raise ValidationError(f"{FORBIDDEN_MESSAGE} (found {bad})")
        return text


class Reference(Text):
    """A person's reference (a respondent, a stakeholder): ``answers.parse.identifier_problem``,
    the rule of references everywhere, and :data:`NOT_BLANK` in OpenAPI."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": NOT_BLANK, "maxLength": MAX_ID_LENGTH, "minLength": 1}
        kwargs["metadata"] = {**metadata, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = identifier_problem("", text)
        if problem is not None:
            raise ValidationError(problem.message)
        return text


class Bool(fields.Boolean):
    """A JSON boolean, ``true`` or ``false``: not ``"yes"``, not ``1``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value
