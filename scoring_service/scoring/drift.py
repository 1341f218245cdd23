"""Drift between two rounds of one alliance: what changed, with its uncertainty, and the flags.

Pure and deterministic, like ``score``: two rounds' validated responses in, one ``drift``
entry out (docs/statistics.md, section 14). Stakeholders persist across rounds: a person who
answered both rounds is a pair, and every test and interval uses the pairing.

- per partner and dimension, the change of the mean: the partially overlapping samples t-test
  (Derrick et al. 2017), one-sided for a decline, Benjamini-Hochberg across partners x
  dimensions; ``dimension_decline`` where the decline is significant and at least
  ``rules.DECLINE_MIN`` of the scale;
- per partner and objective, the change of the priority share with its interval;
  ``objective_drift`` where a partner's share of an objective grew significantly (one-sided,
  Bonferroni over the candidates) and that objective is in tension or conflict with one of
  the other partner's top objectives of the later round;
- the alignment index of both rounds on what both survey versions share, its change with a
  bootstrap interval (people resampled within partner and round, a pair as one unit), and
  ``alignment_decline`` from a permutation test of the round labels (within each partner; a
  pair's two answers swapped, the unpaired pooled), one-sided.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from .. import stats
from ..answers import AnswerSheet
from ..surveys import Survey
from . import rules, tidy
from .common import Array, num, pair
from .prepare import answer_arrays

__all__ = ["RoundData", "drift"]


@dataclass(frozen=True)
class RoundData:
    """One round's number, its survey version and its complete responses (both partners)."""

    n: int
    survey: Survey
    sheets: list[AnswerSheet]


@dataclass(frozen=True)
class _Side:
    """One partner in both rounds, on the shared items: rows of ``before`` then ``after``."""

    key: str
    n_before: int
    n_after: int
    pairs: list[tuple[int, int]]  # (row in before, row in after)
    dims: Array  # (n_before + n_after, D)
    alloc: Array  # (n_before + n_after, K), NaN rows without an allocation
    roles: NDArray[np.float64]  # (n_before + n_after, R) role indicators (one column: none)

    @property
    def before(self) -> slice:
        return slice(0, self.n_before)

    @property
    def after(self) -> slice:
        return slice(self.n_before, self.n_before + self.n_after)


def shared(a: Survey, b: Survey) -> tuple[Survey, Survey, dict[str, list[str]], dict[str, Any]]:
    """Both versions cut to what they share, in the earlier version's order: Likert items of
    the same id, dimension and direction; dimensions of the same id and scale with an item
    left; objectives of the same id. Also the ids kept and the ids left out."""
    items_a = {i.id: i for i in a.items_of("likert")}
    items_b = {i.id: i for i in b.items_of("likert")}
    scales_b = b.dimension_scales
    same_dims = {
        d.id
        for d in a.dimensions
        if d.id in scales_b
        and (d.scale.min, d.scale.max) == (scales_b[d.id].min, scales_b[d.id].max)
    }
    same = {
        i
        for i in items_a.keys() & items_b.keys()
        if (items_a[i].dimension, items_a[i].reverse) == (items_b[i].dimension, items_b[i].reverse)
        and items_a[i].dimension in same_dims
    }
    dims = [d.id for d in a.dimensions if d.id in same_dims and any(i in same for i in d.items)]
    items = {i for i in same if items_a[i].dimension in dims}
    objs = [o for o in a.objective_ids if o in b.objective_set]

    def cut(s: Survey) -> Survey:
        by_dim = {d.id: d for d in s.dimensions}
        by_objective = {o.id: o for o in s.objectives}
        keep = [s.objective_ids.index(o) for o in objs]  # R's rows in the canonical order
        return replace(
            s,
            items=tuple(i for i in s.items if i.type != "likert" or i.id in items),
            dimensions=tuple(
                replace(by_dim[d], items=tuple(i for i in by_dim[d].items if i in items))
                for d in dims
            ),
            objectives=tuple(by_objective[o] for o in objs),
            relations=tuple(r for r in s.relations if r.a in objs and r.b in objs),
            R=s.R[np.ix_(keep, keep)],
        )

    (ia, da, oa), (ib, db, ob) = (_ids(s) for s in (a, b))
    left_out = {
        "items": sorted((ia | ib) - items),
        "dimensions": sorted((da | db) - set(dims)),
        "objectives": sorted((oa | ob) - set(objs)),
    }
    return cut(a), cut(b), {"dimensions": dims, "objectives": objs}, left_out


def _ids(s: Survey) -> tuple[set[str], set[str], set[str]]:
    """A version's Likert item, dimension and objective ids."""
    return {i.id for i in s.items_of("likert")}, {d.id for d in s.dimensions}, set(s.objective_ids)


def _side(key: str, before: RoundData, after: RoundData, cut: tuple[Survey, Survey]) -> _Side:
    """One partner's rows of both rounds and its pairs (the same respondent in both)."""
    # In a label-free order (role and answers, never the respondent or the input order), so
    # that every draw is the same however the rounds were listed or the people named.
    # Equal answers are ordered by the answers of the same person in the other round.
    mine_b = {s.respondent: _content(s) for s in before.sheets if s.partner == key}
    mine_a = {s.respondent: _content(s) for s in after.sheets if s.partner == key}
    rows_b = sorted(
        (s for s in before.sheets if s.partner == key),
        key=lambda s: (mine_b[s.respondent], mine_a.get(s.respondent, "")),
    )
    rows_a = sorted(
        (s for s in after.sheets if s.partner == key),
        key=lambda s: (mine_a[s.respondent], mine_b.get(s.respondent, "")),
    )
    _, dims_b, alloc_b = answer_arrays(cut[0], rows_b)
    _, dims_a, alloc_a = answer_arrays(cut[1], rows_a)
    where = {s.respondent: j for j, s in enumerate(rows_a)}
    pairs = [(i, where[s.respondent]) for i, s in enumerate(rows_b) if s.respondent in where]
    by_role = cut[1].scoring.profile == "role_means"
    roles = [s.role for s in rows_b + rows_a]
    names = sorted(set(roles)) if by_role else [""]
    indicator = np.array([[float(not by_role or r == x) for x in names] for r in roles])
    return _Side(
        key,
        len(rows_b),
        len(rows_a),
        pairs,
        np.vstack([dims_b, dims_a]),
        np.vstack([alloc_b, alloc_a]),
        indicator.reshape(len(roles), len(names)),
    )


def _means(X: Array, C: Array, G: Array) -> Array:
    """(B, k) means of X's columns under the row weights C (B, N), as the engine takes them:
    the mean of the present values, or with role indicators G (N, R) the mean of the role
    means of the roles with a value. NaN where no row has one."""
    present = ~np.isnan(X)
    filled, mass = np.where(present, X, 0.0), present.astype(np.float64)
    total = np.zeros((C.shape[0], X.shape[1]))
    have = np.zeros((C.shape[0], X.shape[1]))
    for r in range(G.shape[1]):  # a few roles at most: matrix products, no 3-way einsum
        weights = C * G[:, r]
        num_, den = weights @ filled, weights @ mass
        with np.errstate(invalid="ignore", divide="ignore"):
            total += np.where(den > 0, num_ / np.where(den > 0, den, 1.0), 0.0)
        have += den > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(have > 0, total / np.maximum(have, 1), np.nan))


@dataclass(frozen=True)
class _Index:
    """What the alignment index of both rounds is made of, and how to compute it."""

    R: Array
    ranges: Array
    w_compat: float
    w_expect: float

    def components(self, pa: Array, pb: Array, ma: Array, mb: Array) -> dict[str, Array]:
        """(B,) values of each weighted component from (B, K) profiles and (B, D) dimension
        means of both partners, NaN where it cannot be computed (as the engine leaves it out)."""
        parts: dict[str, Array] = {}
        if self.w_compat > 0 and pa.shape[1]:
            ok = ~(np.isnan(pa).any(axis=1) | np.isnan(pb).any(axis=1))
            compat = np.full(len(pa), np.nan)
            if ok.any():
                cosine = stats.weighted_cosine(pa[ok], pb[ok], self.R)
                compat[ok] = 50.0 * (1.0 + np.asarray(cosine))
            parts["compatibility"] = compat
        if self.w_expect > 0 and ma.shape[1]:
            agree = 100.0 * (1.0 - np.abs(mb - ma) / self.ranges)
            have = (~np.isnan(agree)).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                parts["expectations"] = np.where(have > 0, np.nansum(agree, axis=1) / have, np.nan)
        return parts

    def value(self, parts: dict[str, Array], used: list[str]) -> Array:
        """The index from the ``used`` components, their weights renormalised over them."""
        weights = {"compatibility": self.w_compat, "expectations": self.w_expect}
        total = sum(weights[k] for k in used)
        return np.asarray(sum(parts[k] * weights[k] for k in used) / total, dtype=np.float64)


def _indicator(side: _Side, rounds: slice) -> Array:
    """(1, N) the rows of one round."""
    c = np.zeros((1, side.n_before + side.n_after))
    c[0, rounds] = 1.0
    return c


def _permutations(side: _Side, B: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """(B, N) row weights of round 1 and of round 2 under B relabellings of the rounds: each
    pair's two answers swapped with probability 1/2, the unpaired pooled and redealt."""
    N = side.n_before + side.n_after
    first = np.zeros((B, N))
    first[:, side.before] = 1.0
    paired_b = [i for i, _ in side.pairs]
    paired_a = [side.n_before + j for _, j in side.pairs]
    if side.pairs:
        swap = rng.random((B, len(side.pairs))) < 0.5
        first[:, paired_b] = ~swap
        first[:, paired_a] = swap
    pool = [i for i in range(side.n_before) if i not in set(paired_b)] + [
        side.n_before + j for j in range(side.n_after) if side.n_before + j not in set(paired_a)
    ]
    k = side.n_before - len(side.pairs)
    if pool:
        order = np.argsort(rng.random((B, len(pool))), axis=1)
        chosen = np.zeros((B, len(pool)))
        np.put_along_axis(chosen, order[:, :k], 1.0, axis=1)
        first[:, pool] = chosen
    return first, 1.0 - first


def _bootstrap(side: _Side, B: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """(B, N) resampling counts of round 1 and of round 2: the pairs resampled as units, the
    unpaired of each round among themselves."""
    N = side.n_before + side.n_after
    c1, c2 = np.zeros((B, N)), np.zeros((B, N))
    paired_b = {i for i, _ in side.pairs}
    paired_a = {j for _, j in side.pairs}
    if side.pairs:
        counts = rng.multinomial(len(side.pairs), [1 / len(side.pairs)] * len(side.pairs), B)
        c1[:, [i for i, _ in side.pairs]] = counts
        c2[:, [side.n_before + j for _, j in side.pairs]] = counts
    alone_b = [i for i in range(side.n_before) if i not in paired_b]
    alone_a = [side.n_before + j for j in range(side.n_after) if j not in paired_a]
    for rows, c in ((alone_b, c1), (alone_a, c2)):
        if rows:
            c[:, rows] = rng.multinomial(len(rows), [1 / len(rows)] * len(rows), B)
    return c1, c2


def _content(s: AnswerSheet) -> str:
    """A respondent's answers as text: their order among the partner's rows."""
    allocation = sorted((s.allocation or {}).items())
    return json.dumps([s.role, sorted(s.likert.items()), allocation])


def _seed(sides: tuple[_Side, _Side]) -> int:
    """The seed of every draw, from the data and the pairs (never names or input order)."""
    parts = [[s.dims.tobytes().hex(), s.alloc.tobytes().hex(), s.pairs, s.n_before] for s in sides]
    return int(hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:13], 16)


def _alignment(
    sides: tuple[_Side, _Side], index: _Index, B: int, confidence: float, seed: int
) -> dict[str, Any]:
    """The index in both rounds (shared items), its change, a bootstrap interval and a
    one-sided permutation p-value of a decline."""
    a, b = sides

    def parts(ca: Array, cb: Array) -> dict[str, Array]:
        return index.components(
            _means(a.alloc, ca, a.roles),
            _means(b.alloc, cb, b.roles),
            _means(a.dims, ca, a.roles),
            _means(b.dims, cb, b.roles),
        )

    first = parts(_indicator(a, a.before), _indicator(b, b.before))
    second = parts(_indicator(a, a.after), _indicator(b, b.after))
    # The components both rounds have: the engine's index of each round when both have both.
    used = [k for k in first if np.isfinite(first[k][0]) and np.isfinite(second[k][0])]

    def value(ca1: Array, ca2: Array, cb1: Array, cb2: Array) -> tuple[Array, Array]:
        return index.value(parts(ca1, cb1), used), index.value(parts(ca2, cb2), used)

    observed = (index.value(first, used), index.value(second, used), used) if used else None
    before = None if observed is None else num(observed[0][0])
    after = None if observed is None else num(observed[1][0])
    out: dict[str, Any] = {
        "before": before,
        "after": after,
        "change": None,
        "ci": None,
        "p_value": None,
        "components": used,
        "reasons": {},
    }
    if before is None or after is None:
        out["reasons"]["change"] = "no_data"
        return out
    change = after - before
    out["change"] = change
    if (
        min(s.n_before for s in sides) < rules.MIN_N_WELCH
        or min(s.n_after for s in sides) < rules.MIN_N_WELCH
    ):
        out["reasons"]["ci"] = out["reasons"]["p_value"] = "n_below_minimum"
        return out
    rng = np.random.default_rng([seed, 1])
    pa, pb = _permutations(a, B, rng), _permutations(b, B, rng)
    one, two = value(pa[0], pa[1], pb[0], pb[1])
    null = two - one
    # A relabelling whose index cannot be computed counts against the flag (conservative).
    below = np.sum(~(null > change + 1e-9))
    out["p_value"] = float((1 + below) / (B + 1))
    rng = np.random.default_rng([seed, 2])
    ba, bb = _bootstrap(a, B, rng), _bootstrap(b, B, rng)
    one, two = value(ba[0], ba[1], bb[0], bb[1])
    boot = (two - one)[~np.isnan(two - one)]
    if len(boot) >= B // 2:
        tail = (1 - confidence) / 2
        out["ci"] = pair(np.quantile(boot, tail), np.quantile(boot, 1 - tail))
    else:
        out["reasons"]["ci"] = "no_data"
    return out


def _changes(
    side: _Side, X: Array, ids: list[str], key: str, confidence: float
) -> tuple[list[dict[str, Any]], Array]:
    """Per column of X: the change after - before with its interval and its one-sided p-values
    (decline, growth), from the partially overlapping samples t-test."""
    test = stats.overlap_t_columns(X[side.after], X[side.before], [(j, i) for i, j in side.pairs])
    ci = test.confidence_interval(confidence)
    down, up = test.pvalue("less"), test.pvalue("greater")
    mean_b, mean_a = (
        _means(X, _indicator(side, rows), np.ones((len(X), 1)))[0]
        for rows in (side.before, side.after)
    )
    out: list[dict[str, Any]] = []
    for k, name in enumerate(ids):
        entry: dict[str, Any] = {
            key: name,
            "before": num(mean_b[k]),
            "after": num(mean_a[k]),
            "change": num(test.difference[k]),
            "ci": pair(ci[0, k], ci[1, k]),
            "n": {
                "before": int(test.n_y[k]),
                "after": int(test.n_x[k]),
                "paired": int(test.n_paired[k]),
            },
        }
        if test.reasons[k]:
            entry["reasons"] = {"ci": test.reasons[k]}
        out.append(entry)
    return out, np.vstack([down, up])


def drift(
    before: RoundData,
    after: RoundData,
    partners: tuple[str, str],
    *,
    only: str | None = None,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """What changed from ``before`` to ``after``, with uncertainty, and the drift flags.

    Parameters
    ----------
    before, after
        Two rounds of one alliance (any order of responses; respondents are matched by id
        within a partner).
    partners
        The alliance's two partner keys (label order).
    only
        A partner key: that partner's own part alone, computed without the other's figures
        (its changes, and its declines tested as a family of its own); no alignment change and
        no ``objective_drift``, which need the other partner.
    n_resamples
        Bootstrap resamples and permutations of the alignment change.
    confidence
        Level of every interval.

    Returns
    -------
    dict
        ``from``, ``to``, ``compared`` and ``left_out`` (ids), ``paired`` (per partner),
        ``alignment``, ``profiles``, ``dimensions``, ``flags`` and ``reasons``
        (docs/statistics.md, section 14). A partner without responses in either round has no
        changes, and ``reasons.drift`` names it.
    """
    cut = shared(before.survey, after.survey)
    compared, left_out = cut[2], cut[3]
    sides = tuple(
        _side(key, before, after, (cut[0], cut[1]))
        for key in partners
        if only is None or key == only
    )
    later = cut[1]
    ranges = np.array([float(d.scale.range) for d in later.dimensions])
    out: dict[str, Any] = {
        "from": before.n,
        "to": after.n,
        "compared": compared,
        "left_out": left_out,
        "paired": {s.key: len(s.pairs) for s in sides},
        "alignment": None,
        "profiles": {},
        "dimensions": {},
        "flags": [],
        "reasons": {},
    }
    present = [s for s in sides if s.n_before and s.n_after]
    if len(present) < len(sides):
        missing = [s.key for s in sides if s not in present]
        out["reasons"]["drift"] = "no_responses_of_" + "_and_".join(missing)
    declines: list[tuple[str, int, float]] = []  # (partner, dimension index, p)
    gains: dict[str, tuple[list[dict[str, Any]], Array]] = {}
    for s in present:
        dims, p_dim = _changes(s, s.dims, compared["dimensions"], "dimension", confidence)
        out["dimensions"][s.key] = dims
        declines += [(s.key, k, float(p)) for k, p in enumerate(p_dim[0]) if not math.isnan(p)]
        profile, p_obj = _changes(s, s.alloc, compared["objectives"], "objective", confidence)
        out["profiles"][s.key] = profile
        gains[s.key] = (profile, p_obj[1])
    flags = _dimension_flags(out["dimensions"], declines, ranges, compared["dimensions"])
    if len(present) == 2:
        pair_ = (present[0], present[1])
        index = _Index(
            later.R, ranges, later.scoring.weight_compatibility, later.scoring.weight_expectations
        )
        out["alignment"] = _alignment(pair_, index, n_resamples, confidence, _seed(pair_))
        flags += _objective_flags(pair_, gains, later)
        flags += _alignment_flag(out["alignment"], before, after)
    out["flags"] = flags
    return cast(dict[str, Any], tidy(out))


def _dimension_flags(
    by_partner: dict[str, list[dict[str, Any]]],
    declines: list[tuple[str, int, float]],
    ranges: Array,
    ids: list[str],
) -> list[dict[str, Any]]:
    """``dimension_decline``: BH across partners x dimensions at ``rules.DRIFT_FDR_Q`` on the
    one-sided p-values of a decline, the decline at least ``rules.DECLINE_MIN`` of the scale;
    one flag per dimension, naming the partners where it fell; high when a partner's interval
    of the change lies beyond a fall of ``rules.GAP_HIGH`` of the scale."""
    if not declines:
        return []
    q = stats.benjamini_hochberg([p for _, _, p in declines])
    fell: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for (partner, k, p), qk in zip(declines, q.tolist(), strict=True):
        entry = by_partner[partner][k]
        entry["p_value"], entry["q_value"] = p, qk
        size = -(entry["change"] or 0.0) / ranges[k]
        if qk <= rules.DRIFT_FDR_Q and rules.reaches(size, rules.DECLINE_MIN):
            fell.setdefault(k, []).append((partner, entry))
    flags = []
    for k, hits in sorted(fell.items()):
        # High when some partner's fall is a full point with the interval's confidence: the
        # interval's upper end lies beyond it (the point estimate alone would say so in 3% of
        # unchanged alliances; docs/statistics.md 14.1).
        sure = max(-(e["ci"] or [0.0, 0.0])[1] / ranges[k] for _, e in hits)
        names = [p for p, _ in hits]
        points = ", ".join(f"{p} {e['before']:.2f} to {e['after']:.2f}" for p, e in hits)
        flags.append(
            {
                "id": f"dimension_decline:{ids[k]}",
                "kind": "dimension_decline",
                "severity": "high" if rules.reaches(sure, rules.GAP_HIGH) else "medium",
                "dimensions": [ids[k]],
                "objectives": [],
                "partners": names,
                "evidence": {
                    p: {
                        key: e[key]
                        for key in ("before", "after", "change", "ci", "p_value", "q_value", "n")
                    }
                    for p, e in hits
                },
                "message": f"{ids[k]} fell since the last round ({points}).",
            }
        )
    return flags


def _objective_flags(
    sides: tuple[_Side, _Side],
    gains: dict[str, tuple[list[dict[str, Any]], Array]],
    survey: Survey,
) -> list[dict[str, Any]]:
    """``objective_drift``: a partner's share of an objective grew (one-sided, Bonferroni over
    every candidate of both partners at ``rules.DRIFT_OBJECTIVE_ALPHA``, by at least
    ``rules.DRIFT_OBJECTIVE_MIN``) and the survey marks that objective as in tension or
    conflict with one of the other partner's top objectives of the later round."""
    ids = survey.objective_ids
    kinds = {frozenset((r.a, r.b)): r.kind for r in survey.relations if r.weight < 0}
    candidates: list[tuple[str, int, list[str]]] = []
    for s, other in (sides, sides[::-1]):
        profile, _ = gains[other.key]
        weights = np.array([e["after"] if e["after"] is not None else np.nan for e in profile])
        if np.isnan(weights).any() or not len(weights):
            continue
        top = _top(weights)
        for k, o in enumerate(ids):
            against = [ids[t] for t in sorted(top) if frozenset((o, ids[t])) in kinds]
            if against:
                candidates.append((s.key, k, against))
    level = rules.DRIFT_OBJECTIVE_ALPHA / max(1, len(candidates))
    flags = []
    for partner, k, against in candidates:
        profile, p_up = gains[partner]
        entry = profile[k]
        p = float(p_up[k])
        if (
            math.isnan(p)
            or p > level
            or not rules.reaches(entry["change"] or 0.0, rules.DRIFT_OBJECTIVE_MIN)
        ):
            continue
        rival = next(x.key for x in sides if x.key != partner)
        hard = any(kinds[frozenset((ids[k], t))] == "conflicts" for t in against)
        flags.append(
            {
                "id": f"objective_drift:{partner}:{ids[k]}",
                "kind": "objective_drift",
                "severity": "high" if hard else "medium",
                "dimensions": [],
                "objectives": [ids[k], *against],
                "partners": [partner, rival],
                "evidence": {
                    "change": entry["change"],
                    "ci": entry["ci"],
                    "p_value": p,
                    "level": level,
                    "before": entry["before"],
                    "after": entry["after"],
                    "n": entry["n"],
                    "against": {t: kinds[frozenset((ids[k], t))] for t in against},
                },
                "message": f"{partner} now puts more weight on {ids[k]} "
                f"({100 * (entry['before'] or 0):.0f} to {100 * (entry['after'] or 0):.0f} points "
                f"of 100), which pulls against {rival}'s top objectives: {', '.join(against)}.",
            }
        )
    return flags


def _top(w: Array, k: int = 3) -> set[int]:
    """Indices of the k largest shares, ties at the cut included; never a share of 0."""
    cut = np.sort(w)[-k] if len(w) >= k else w.min()
    return set(np.flatnonzero((w >= cut - 1e-12) & (w > 0)).tolist())


def _alignment_flag(
    block: dict[str, Any], before: RoundData, after: RoundData
) -> list[dict[str, Any]]:
    """``alignment_decline``: the permutation test of a decline at
    ``rules.DRIFT_ALIGNMENT_ALPHA``, the index down by at least ``rules.ALIGNMENT_DECLINE_MIN``
    points; high when the index fell into a lower band of the later survey."""
    p, change = block["p_value"], block["change"]
    if p is None or change is None or p > rules.DRIFT_ALIGNMENT_ALPHA:
        return []
    if not rules.reaches(-change, rules.ALIGNMENT_DECLINE_MIN):
        return []
    bands = [b.id for b in after.survey.scoring.bands]
    lower = bands.index(after.survey.band_for(block["after"]).id) > bands.index(
        after.survey.band_for(block["before"]).id
    )
    return [
        {
            "id": "alignment_decline",
            "kind": "alignment_decline",
            "severity": "high" if lower else "medium",
            "dimensions": [],
            "objectives": [],
            "partners": [],
            "evidence": {k: block[k] for k in ("before", "after", "change", "ci", "p_value")},
            "message": f"The alignment index fell from {block['before']:.0f} to "
            f"{block['after']:.0f} since round {before.n}.",
        }
    ]
