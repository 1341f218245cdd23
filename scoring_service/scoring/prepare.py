"""Responses -> per-partner arrays in a canonical order, with the shared resampling matrices.

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

from .. import stats
from ..responses import Response
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
    counts: Array  # (B, n) how often each respondent is drawn in each bootstrap resample
    content_key: str
    # The distinct rows of ``counts`` (None above 15 respondents, where few repeat): a statistic
    # of one partner needs computing only once per distinct resample.
    patterns: Array | None = None  # (P, n)
    pattern_of: NDArray[np.intp] | None = None  # (B,) row of ``patterns`` for each resample
    pattern_freq: NDArray[np.intp] | None = None  # (P,) resamples per pattern

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.roles)

    @cached_property
    def n_alloc(self) -> int:
        """Respondents who answered the allocation."""
        return int(np.sum(~np.isnan(self.alloc[:, 0]))) if self.alloc.size else 0


@dataclass(frozen=True)
class Prepared:
    """Both partners, in label order (sorted keys), plus the method's settings."""

    survey: Survey
    groups: tuple[Group, Group]
    seed: int
    n_resamples: int
    confidence: float
    rng: np.random.Generator
    canonical: tuple[int, int]  # indices of ``groups`` in canonical (content) order
    tests_run: dict[str, str] = field(default_factory=dict)  # block -> exact/monte_carlo/normal

    def in_canonical_order(self) -> tuple[Group, Group]:
        """The groups in content order: for random draws that must not depend on labels."""
        return self.groups[self.canonical[0]], self.groups[self.canonical[1]]


def _arrays(survey: Survey, rows: list[Response]) -> tuple[Array, Array, Array]:
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


def bootstrap_counts(n: int, n_resamples: int, rng: np.random.Generator) -> Array:
    """(B, n) draw counts of a with-replacement bootstrap: one matrix shared by every statistic."""
    idx = stats.bootstrap_indices(n, n_resamples, rng)
    idx += n * np.arange(n_resamples)[:, None]
    return np.bincount(idx.ravel(), minlength=n_resamples * n).reshape(n_resamples, n).astype(float)


def distinct_resamples(
    counts: Array,
) -> tuple[Array | None, NDArray[np.intp] | None, NDArray[np.intp] | None]:
    """The distinct rows of a bootstrap count matrix, each resample's row, and their frequency.

    A resample of n respondents is one of C(2n - 1, n) count vectors (126 at n = 5), so for small
    n most of 2,000 resamples repeat one another. Rows are encoded as base-(n + 1) integers,
    exact up to n = 15; above that (None) nearly every resample is distinct anyway.
    """
    n = counts.shape[1]
    if n > 15:
        return None, None, None
    code = counts.astype(np.int64) @ ((n + 1) ** np.arange(n, dtype=np.int64))
    _, first, inverse, freq = np.unique(
        code, return_index=True, return_inverse=True, return_counts=True
    )
    return counts[first], inverse.astype(np.intp), freq.astype(np.intp)


def prepare(
    survey: Survey, responses: list[Response], n_resamples: int, confidence: float
) -> Prepared:
    """Group responses by partner, order them canonically and draw the bootstrap matrices."""
    by_partner: dict[str, list[Response]] = {}
    for r in responses:
        by_partner.setdefault(r.partner, []).append(r)
    staged = []
    for partner, rows in by_partner.items():
        L, D, A = _arrays(survey, rows)
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
    rng = np.random.default_rng(seed)
    groups = []
    for content, partner, roles, L, D, A in staged:
        counts = bootstrap_counts(len(roles), n_resamples, rng)
        patterns, pattern_of, pattern_freq = distinct_resamples(counts)
        groups.append(
            Group(
                key=partner,
                roles=roles,
                likert=L,
                dims=D,
                alloc=A,
                weights=_profile_weights(survey, roles, A),
                counts=counts,
                content_key=content,
                patterns=patterns,
                pattern_of=pattern_of,
                pattern_freq=pattern_freq,
            )
        )
    first = 0 if groups[0].key < groups[1].key else 1
    ordered = (groups[first], groups[1 - first])
    canonical = (0, 1) if first == 0 else (1, 0)
    return Prepared(survey, ordered, seed, n_resamples, confidence, rng, canonical)


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
