"""Responses -> per-partner arrays in a canonical order, and the seed of every random draw.

Canonical order: respondents are sorted by a hash of their content (role and answers, never
their id or partner), partners by a hash of their sorted respondents. The seed of every random
draw comes from the same hashes, so relabelling or reordering the input changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ..answers import AnswerSheet
from ..surveys import Survey

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Group:
    """One partner's data; every array has one row per respondent, NaN where missing."""

    key: str
    roles: tuple[str, ...]
    likert: Array  # (n, items) scored answers, reverse items already turned
    dims: Array  # (n, dimensions) respondent means, NaN below half the items answered
    alloc: Array  # (n, objectives) shares of the total, NaN rows without an allocation
    weights: Array | None  # (n,) weights of the priority profile; None = equal
    content_key: str

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.roles)

    @cached_property
    def allocated(self) -> Array:
        """(n_alloc, objectives) the rows of respondents who answered the allocation."""
        return self.alloc[~np.isnan(self.alloc[:, 0])] if self.alloc.size else self.alloc

    @property
    def allocated_roles(self) -> list[str]:
        """The roles of the rows of ``allocated``."""
        keep = ~np.isnan(self.alloc[:, 0]) if self.alloc.size else np.zeros(self.n, dtype=bool)
        return [r for r, k in zip(self.roles, keep.tolist(), strict=True) if k]

    @property
    def n_alloc(self) -> int:
        """Respondents who answered the allocation."""
        return int(self.allocated.shape[0])

    def rng(self, seed: int) -> np.random.Generator:
        """A generator for this partner's random draws, from the request's seed and the
        partner's content (never its label), so relabelling changes no draw."""
        return np.random.default_rng([seed, int(self.content_key[:13], 16)])


@dataclass(frozen=True)
class Prepared:
    """Both partners, in label order (sorted keys), plus the method's settings."""

    survey: Survey
    groups: tuple[Group, Group]
    seed: int
    n_resamples: int  # random relabellings of a permutation test too large to enumerate
    confidence: float
    tests_run: dict[str, str] = field(default_factory=dict)  # test -> exact/monte_carlo


def answer_arrays(survey: Survey, rows: list[AnswerSheet]) -> tuple[Array, Array, Array]:
    """Scored Likert matrix, respondent dimension scores and allocation shares."""
    layout = survey.likert_layout
    ids, reverse, member = layout.ids, layout.reverse, layout.member
    nan = float("nan")
    L = np.array([[r.likert.get(i, nan) for i in ids] for r in rows]).reshape(len(rows), len(ids))
    L[:, reverse] = layout.ends[reverse] - L[:, reverse]
    present = ~np.isnan(L)
    answered = present.astype(float) @ member
    sums = np.where(present, L, 0.0) @ member
    # A respondent's dimension score needs at least half of the dimension's items answered.
    needed = np.ceil(member.sum(axis=0) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        D = np.where((answered >= needed) & (answered > 0), sums / answered, np.nan)
    objectives = survey.objective_ids
    total = survey.allocation_total
    A = np.full((len(rows), len(objectives)), np.nan)
    for row, r in enumerate(rows):
        if r.allocation is not None:
            A[row] = [r.allocation.get(o, 0.0) / total for o in objectives]
    return L, D, A


def _profile_weights(survey: Survey, roles: tuple[str, ...], alloc: Array) -> Array | None:
    """None (equal weights), or 1 / (number of roles x size of the role) for role means.

    Only respondents who allocated points count in the role sizes: a role's mean is the mean
    of those who answered the allocation.
    """
    if survey.scoring.profile == "respondents" or not roles:
        return None
    allocated = [role for role, row in zip(roles, alloc, strict=True) if not np.isnan(row[0])]
    sizes = {role: allocated.count(role) for role in set(allocated)}
    return np.array([1.0 / (len(sizes) * sizes[role]) if role in sizes else 0.0 for role in roles])


def prepare(
    survey: Survey, responses: list[AnswerSheet], n_resamples: int, confidence: float
) -> Prepared:
    """Group responses by partner, order them canonically and derive the seed."""
    by_partner: dict[str, list[AnswerSheet]] = {}
    for r in responses:
        by_partner.setdefault(r.partner, []).append(r)
    staged = []
    for partner, rows in by_partner.items():
        L, D, A = answer_arrays(survey, rows)
        # A label-free content key per respondent: the role and the scored answers (never the
        # respondent id or the partner); respondents are put in the order of their keys.
        keys = [
            hashlib.sha256(r.role.encode() + L[k].tobytes() + A[k].tobytes()).hexdigest()
            for k, r in enumerate(rows)
        ]
        order = sorted(range(len(rows)), key=keys.__getitem__)
        content = hashlib.sha256("".join(keys[k] for k in order).encode()).hexdigest()
        roles = tuple(rows[k].role for k in order)
        staged.append((content, partner, roles, L[order], D[order], A[order]))
    # Canonical, label-free order of the draws. Equal content can only tie with equal data, where
    # swapping the labels changes nothing, so the partner key may break that tie.
    staged.sort(key=lambda s: (s[0], s[1]))
    seed = int(hashlib.sha256("|".join(s[0] for s in staged).encode()).hexdigest()[:13], 16)
    groups = [
        Group(
            key=partner,
            roles=roles,
            likert=L,
            dims=D,
            alloc=A,
            weights=_profile_weights(survey, roles, A),
            content_key=content,
        )
        for content, partner, roles, L, D, A in staged
    ]
    first = 0 if groups[0].key < groups[1].key else 1
    return Prepared(survey, (groups[first], groups[1 - first]), seed, n_resamples, confidence)


def weighted_means(X: Array, counts: Array | None, weights: Array | None = None) -> Array:
    """Column means of ``X`` ignoring NaN; per bootstrap resample when ``counts`` is (B, n).

    A column with no data gives NaN; callers turn that into a reason before anything leaves.
    """
    present = ~np.isnan(X)
    if weights is None and counts is not None and present.all():
        # Nothing missing, equal weights: every resample mean divides by n (half the work).
        return np.asarray((counts @ X) / X.shape[0])
    w = np.ones(X.shape[0]) if weights is None else weights
    filled = np.where(present, X, 0.0) * w[:, None]
    mass = present * w[:, None]
    if counts is None:
        num, den = filled.sum(axis=0), mass.sum(axis=0)
    else:
        num, den = counts @ filled, counts @ mass
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
