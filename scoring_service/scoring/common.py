"""Small helpers shared by the blocks of the result: nulls with reasons, Welch tests, flags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from .. import stats
from . import rules
from .document import Basis, Conflict, Evidence, FlagKind, Severity

T = TypeVar("T")
Array = NDArray[np.float64]


def attempt(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T | None, str | None]:
    """Run a statistic; a degenerate input becomes ``(None, reason)`` instead of an exception."""
    try:
        return fn(*args, **kwargs), None
    except stats.DegenerateInputError as exc:
        return None, exc.reason


def num(x: Any) -> float | None:
    """A finite float for JSON, or None (NaN and infinities never leave the engine)."""
    if x is None:
        return None
    value = float(x)
    return value if np.isfinite(value) else None


def pair(lo: Any, hi: Any) -> list[float] | None:
    """``[lo, hi]`` for JSON, or None when either bound is missing."""
    low, high = num(lo), num(hi)
    return None if low is None or high is None else [low, high]


@dataclass(frozen=True)
class Family:
    """Welch tests of one family (dimensions, or objectives) with their BH q-values."""

    welch: stats.WelchResult  # second partner minus first
    p: Array  # two-sided, the larger of Welch's and Student's p; NaN where undefined
    q: Array  # BH q over the defined tests, NaN elsewhere
    alpha_single: float  # the level one real difference must reach: q / m (BH's first step)


def welch_family(
    x_first: Array,
    x_second: Array,
    q_level: float,
    roles: tuple[list[str], list[str]] | None = None,
) -> Family:
    """Tests of ``second - first`` by column, and Benjamini-Hochberg across them.

    With ``roles`` (the survey's ``role_means`` option) the means compared are means of role
    means, tested with the stratified Welch test.

    The p-value is the larger of Welch's and Student's (``WelchResult.conservative_pvalue``):
    Welch's alone is liberal in the far tail BH uses when one side has 3-5 respondents against
    many more (docs/statistics.md, section 12); with equal sizes it is Welch's."""
    if roles is None:
        w = stats.welch_columns(x_second, x_first)
    else:
        w = stats.stratified_welch_columns(x_second, roles[1], x_first, roles[0])
    p = w.conservative_pvalue("two-sided")
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = stats.benjamini_hochberg(p[ok])
    return Family(w, p, q, q_level / max(1, int(ok.sum())))


def flag_id(
    kind: str,
    objectives: Sequence[str],
    dimensions: Sequence[str],
    partners: Sequence[str],
    roles: Sequence[str],
) -> str:
    """A conflict's ``id``, ``kind:key``, from the flag's own fields.

    The key is what the flag is about: its objectives, else its dimensions. An internal
    conflict's key starts with its partner, and one on dimensions (which may list several) is
    named by its two roles; where a partner's view withholds the roles, by ``dimensions``. The
    engine and ``visibility`` both call this, so the ids they make cannot drift apart.
    """
    if kind == "internal_conflict":
        about = [partners[0], *(objectives or roles or ["dimensions"])]
    else:
        about = list(objectives or dimensions)
    return ":".join([kind, *about])


@dataclass(frozen=True)
class Flag:
    """A conflict while the engine sorts them; ``to_json`` gives the document's entry.

    ``size`` (the effect, in the kind's own unit) orders flags of equal severity and never
    reaches the document.
    """

    kind: FlagKind
    severity: Severity
    size: float
    evidence: Evidence
    message: str
    objectives: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    basis: Basis = "inferential"

    @property
    def id(self) -> str:
        """``kind:key`` (see ``flag_id``)."""
        return flag_id(self.kind, self.objectives, self.dimensions, self.partners, self.roles)

    def sort_key(self) -> tuple[int, float, str]:
        """Most severe first, then largest, then by id."""
        return (rules.SEVERITY_RANK[self.severity], -self.size, self.id)

    def to_json(self) -> Conflict:
        """The flag as ``conflicts[]`` holds it (docs/statistics.md, section 8)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity,
            "basis": self.basis,
            "objectives": list(self.objectives),
            "dimensions": list(self.dimensions),
            "partners": list(self.partners),
            "roles": list(self.roles),
            "evidence": self.evidence,
            "message": self.message,
        }
