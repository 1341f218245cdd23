"""The fields every input schema uses for text and booleans: one rule for each, in one place."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from ..answers.parse import FORBIDDEN_MESSAGE, bad_character

# The rule in OpenAPI (ECMA-262 patterns): no C0 control but TAB, LF and CR, no DEL. Unpaired
# surrogates cannot be said there without refusing paired ones (emoji), so the text says it.
_CONTROLS = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F"
PATTERN = f"^[^{_CONTROLS}]*$"
NOT_BLANK = f"^[^{_CONTROLS}]*[^\\s{_CONTROLS}][^{_CONTROLS}]*$"  # and one visible character


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
    """A person's reference (a respondent, a stakeholder): 1-200 characters, not all blank."""

    def __init__(self, **kwargs: Any) -> None:
        not_blank = validate.Regexp(r"\s*\S", error="must not be blank")
        kwargs["validate"] = [validate.Length(min=1, max=200), not_blank]
        kwargs["metadata"] = {"pattern": NOT_BLANK, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)


class Bool(fields.Boolean):
    """A JSON boolean, ``true`` or ``false``: not ``"yes"``, not ``1``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value
