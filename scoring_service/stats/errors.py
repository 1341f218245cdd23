"""The error raised when a statistic is undefined, and the argument checks shared by the package.

The checks live here, beside the error, because every module of the package needs the same
missing-data policy: ``None`` and ``NaN`` mean "missing", infinities are rejected, and a bad
argument raises ``TypeError``/``ValueError`` naming it (never ``assert``, which ``python -O``
removes).
"""

from __future__ import annotations

import operator
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Machine codes of :class:`DegenerateInputError`; the scoring layer reports them in JSON.
DEGENERATE_REASONS: Final = frozenset(
    {"n_below_minimum", "no_variation", "all_tied", "nothing_pairable", "zero_self_term"}
)


class DegenerateInputError(ValueError):
    """The input is valid but the statistic is undefined for it.

    Parameters
    ----------
    reason : str
        Short machine code, one of ``"n_below_minimum"`` (too few observations),
        ``"no_variation"`` (every value is the same, the statistic divides by zero),
        ``"all_tied"`` (every rank is tied), ``"nothing_pairable"`` (no unit has two values)
        and ``"zero_self_term"`` (a profile has zero length in the weighted inner product).
    message : str
        Human-readable explanation, shown to the API's reader.
    """

    reason: str

    def __init__(self, reason: str, message: str) -> None:
        if reason not in DEGENERATE_REASONS:
            raise ValueError(f"reason must be one of {sorted(DEGENERATE_REASONS)}, got {reason!r}")
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduce would call cls(message) and lose the reason.
        return (type(self), (self.reason, str(self)))


def as_float_array(
    value: ArrayLike, name: str, *, ndim: int | None = None, allow_nan: bool = True
) -> NDArray[np.float64]:
    """Convert ``value`` to a float64 array; ``None`` becomes ``NaN`` (missing).

    Raises ``TypeError`` for non-numeric content and ``ValueError`` for a ragged array, the
    wrong number of dimensions, an infinite value, or a ``NaN`` when ``allow_nan`` is false.
    """
    try:
        raw = np.asarray(value)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array: {exc}") from exc
    if raw.dtype.kind not in "biufO":
        raise TypeError(f"{name} must be numeric, got an array of dtype {raw.dtype}")
    try:
        # No copy when the input already is float64: callers never write into it.
        array = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must contain only numbers, or None/NaN for missing") from exc
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if np.isfinite(array).all():  # the usual case: one pass instead of two
        return array
    if np.isinf(array).any():
        raise ValueError(f"{name} must not contain infinite values")
    if not allow_nan and np.isnan(array).any():
        raise ValueError(f"{name} must not contain missing values (None or NaN)")
    return array


def check_int(value: object, name: str, *, minimum: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer (not a bool) ``>= minimum``."""
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be an integer, got a bool")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError as exc:
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from exc
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def check_confidence(confidence: object) -> float:
    """Return ``confidence`` as a float strictly between 0 and 1."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating):
        raise TypeError(f"confidence must be a number, got {type(confidence).__name__}")
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {level}")
    return level
