"""The realistic answer generator of the calibration and coverage simulations (issues 9 and 15;
docs/statistics.md sections 12, 13 and 14).

Every assessment is drawn from one model with named knobs, so a null family is a setting:

Likert answers (ordinal probit). Respondent i answers item k of dimension d through a latent

    y_ik = s_k shift_id + u_i + e_ik,   u_i ~ N(0, rho),   e_ik ~ N(0, 1 - rho),

cut at the thresholds that give the family's marginal distribution ``P`` on the 5 points when
``shift = 0``; s_k = -1 for a reversed item, so a shift moves the scored answers of a
dimension. ``rho`` is the inter-item correlation a respondent effect makes (a response style:
it moves every raw answer of its respondent, reversed items included). Extreme responders have
their latent (u and e) stretched by 2.5; straight-liners answer one value on every item.

Allocations. Each respondent spreads the total over the objectives by a Dirichlet(alpha) draw,
rounded to integers that still sum to it (largest remainder); ``alpha`` below 1 gives sparse
allocations, most points on a few objectives.

Families (all nulls: both partners from one model):

- ``N1``: i.i.d. items from ``LIKERT_P``, flat allocations;
- ``N2``: a skewed scale, most answers 4 (``SKEWED_P``);
- ``N3``: response styles, rho drawn per assessment from [0.2, 0.4];
- ``N4``: sparse allocations, alpha drawn per assessment from [0.3, 0.5];
- ``N5``: roles with different answers (legal leans to risk control and answers governance low,
  IT leans to speed to market and answers pace high), the same roles in both partners but in
  opposite mixes; a null for role-weighted profiles only;
- ``N6``: one-sided divergence: partner A's respondents put 30-50 points on speed to market, B
  from the flat model (a true pull of 3.6 points on speed to market v risk control);
- ``ERS``: N3 plus 30% extreme responders; ``STRAIGHT``: N3 plus 20% straight-liners.

Two rounds of one alliance (``two_rounds``; issue 15, docs/statistics.md section 14). ``rho``
and ``alpha`` are drawn once per alliance and shared by both partners and both rounds (one
organisation culture). Each round is drawn from the same per-person model, so a round's
marginal is the same whether people repeat or not:

- Likert: a person keeps their response style (u_i, being an extreme responder, being a
  straight-liner) and a share ``persistence`` = p of their item-level noise, their own opinion
  of each item:

      y_ik(r) = s_k shift_id(r) + u_i + sqrt(1 - rho) (sqrt(p) v_ik + sqrt(1 - p) e_ik(r)),

  u_i ~ N(0, rho) and v_ik ~ N(0, 1) drawn once per person, e_ik(r) ~ N(0, 1) fresh each round;
  the latent has unit variance (as in a single round: the same thresholds, the same marginal),
  and the two rounds of one person correlate rho + (1 - rho) p on the latent of an item;
- allocations: a person's base g_i ~ Dirichlet(alpha) drawn once, each round's shares drawn
  afresh from Dirichlet(c g_i + f) (c = ``CONCENTRATION`` = 20, f = ``FLOOR`` = 0.05), rounded
  to integer points. The marginal of one round is this Dirichlet mixture: the same mean shares
  as Dirichlet(alpha), a little more spread (with alpha = 1 and 9 objectives a share's SD is
  0.12 instead of 0.10). A focused model (``focus``) puts 30-50 points on its objective in each
  round (drawn afresh), the rest as above.

Paired (``paired=True``): the same people (same ids, same roles) answer both rounds; given the
person, the two rounds are independent draws of one distribution, so under the null (no
``model_after``) a person's two rounds are exchangeable, which is the null of the permutation
test that swaps them. Unpaired: round 2 is a fresh set of people (ids suffixed ``-r2``).
``model_after`` changes round 2's scale (``p``) and shifts only: a planted decline
(``planted_decline``) moves one dimension in both partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from ..answers import AnswerSheet
from ..surveys import Survey

LIKERT_P = (0.10, 0.20, 0.30, 0.25, 0.15)  # mean 3.15
SKEWED_P = (0.03, 0.07, 0.15, 0.55, 0.20)  # mean 3.82, mode 4


@dataclass(frozen=True)
class Model:
    """One partner's answering model. Shifts are latent (probit) shifts by dimension id."""

    p: tuple[float, ...] = LIKERT_P
    rho: float | tuple[float, float] = 0.0
    alpha: float | tuple[float, float] = 1.0
    extreme: float = 0.0  # share of extreme responders
    straight: float = 0.0  # share of straight-liners
    shifts: dict[str, float] = field(default_factory=dict)
    focus: str | None = None  # every respondent puts 30-50 points on this objective
    focus_alpha: dict[str, float] = field(default_factory=dict)  # Dirichlet alpha by objective


def _draw(value: float | tuple[float, float], rng: np.random.Generator) -> float:
    """A fixed value, or a uniform draw from a range (once per assessment)."""
    return float(rng.uniform(*value)) if isinstance(value, tuple) else float(value)


@cache
def thresholds(p: tuple[float, ...]) -> NDArray[np.float64]:
    """Probit cut points giving the marginal ``p`` at latent shift 0 (unit variance)."""
    return np.asarray(special.ndtri(np.cumsum(p)[:-1]), dtype=np.float64)


def expected_answer(p: tuple[float, ...], shift: float) -> float:
    """E[answer] on 1..len(p) at a latent shift (the latent has unit variance)."""
    cuts = thresholds(p)
    return float(1 + np.sum(special.ndtr(shift - cuts)))


def shift_for(p: tuple[float, ...], target_mean: float) -> float:
    """The latent shift whose expected answer is ``target_mean``."""
    return float(optimize.brentq(lambda s: expected_answer(p, s) - target_mean, -8.0, 8.0))


def integer_points(shares: NDArray[np.float64], total: int) -> NDArray[np.int_]:
    """Shares as integers summing to ``total`` (largest remainder)."""
    raw = shares * total
    points: NDArray[np.int_] = np.floor(raw).astype(np.int_)
    short = total - int(points.sum())
    points[np.argsort(raw - points)[::-1][:short]] += 1
    return points


def _likert(
    survey: Survey, model: Model, n: int, rho: float, rng: np.random.Generator
) -> NDArray[np.int_]:
    """(n, items) raw answers on 1..5."""
    items = survey.items_of("likert")
    dim_of = {i: d.id for d in survey.dimensions for i in d.items}
    # A shift moves the scored answer: a reversed item's raw answer moves the other way.
    sign = np.array([-1.0 if i.reverse else 1.0 for i in items])
    shift = sign * np.array([model.shifts.get(dim_of[i.id], 0.0) for i in items])
    u = rng.normal(0.0, np.sqrt(rho), size=(n, 1))
    e = rng.normal(0.0, np.sqrt(1.0 - rho), size=(n, len(items)))
    latent = u + e
    extreme = rng.random(n) < model.extreme
    latent[extreme] *= 2.5
    above = (latent + shift)[:, :, None] > thresholds(model.p)  # (n, items, cut points)
    answers: NDArray[np.int_] = 1 + above.sum(axis=2, dtype=np.int_)
    straight = rng.random(n) < model.straight
    answers[straight] = answers[straight, :1]  # the first answer, on every item
    return answers


def _allocations(
    survey: Survey, model: Model, n: int, alpha: float, rng: np.random.Generator
) -> NDArray[np.int_]:
    """(n, objectives) integer points."""
    ids = survey.objective_ids
    total = survey.allocation_total
    a = np.array([model.focus_alpha.get(o, alpha) for o in ids])
    out: NDArray[np.int_] = np.zeros((n, len(ids)), dtype=np.int_)
    for row in range(n):
        if model.focus is None:
            out[row] = integer_points(rng.dirichlet(a), total)
            continue
        k = ids.index(model.focus)
        focus = int(rng.integers(30, 51))
        rest = np.delete(a, k)
        out[row, np.arange(len(ids)) != k] = integer_points(rng.dirichlet(rest), total - focus)
        out[row, k] = focus
    return out


def partner(
    survey: Survey,
    model: Model,
    key: str,
    roles: list[str],
    rng: np.random.Generator,
    *,
    rho: float | None = None,
    alpha: float | None = None,
) -> list[AnswerSheet]:
    """One partner's responses, one per entry of ``roles``."""
    n = len(roles)
    rho = _draw(model.rho, rng) if rho is None else rho
    alpha = _draw(model.alpha, rng) if alpha is None else alpha
    likert = _likert(survey, model, n, rho, rng)
    points = _allocations(survey, model, n, alpha, rng)
    item_ids = [i.id for i in survey.items_of("likert")]
    ids = survey.objective_ids
    return [
        AnswerSheet(
            key,
            role,
            f"{key}-{k}",
            dict(zip(item_ids, map(float, likert[k]), strict=True)),
            dict(zip(ids, map(float, points[k]), strict=True)),
            {},
        )
        for k, role in enumerate(roles)
    ]


def cycle_roles(survey: Survey, n: int) -> list[str]:
    """``n`` roles cycling through the survey's roles."""
    roles = list(survey.role_ids)
    return [roles[k % len(roles)] for k in range(n)]


def assessment(
    survey: Survey,
    rng: np.random.Generator,
    n_a: int,
    n_b: int,
    a: Model,
    b: Model | None = None,
    *,
    roles_a: list[str] | None = None,
    roles_b: list[str] | None = None,
) -> list[AnswerSheet]:
    """Both partners; B answers from ``a`` unless given. A style's rho and the sparsity are drawn
    once per assessment and shared by both partners (one organisation culture per study)."""
    b = a if b is None else b
    rho, alpha = _draw(a.rho, rng), _draw(a.alpha, rng)
    return partner(
        survey, a, "acme", roles_a or cycle_roles(survey, n_a), rng, rho=rho, alpha=alpha
    ) + partner(
        survey,
        b,
        "globex",
        roles_b or cycle_roles(survey, n_b),
        rng,
        rho=_draw(b.rho, rng) if b is not a else rho,
        alpha=_draw(b.alpha, rng) if b is not a else alpha,
    )


N1 = Model()
N2 = Model(p=SKEWED_P)
N3 = Model(rho=(0.2, 0.4))
N4 = Model(alpha=(0.3, 0.5))
ERS = Model(rho=(0.2, 0.4), extreme=0.3)
STRAIGHT = Model(rho=(0.2, 0.4), straight=0.2)
NULLS = {"N1": N1, "N2": N2, "N3": N3, "N4": N4, "ERS": ERS, "STRAIGHT": STRAIGHT}
SIZES = [(3, 3), (5, 5), (8, 8), (15, 15), (30, 30), (3, 8), (5, 15)]


def null_n5(survey: Survey, rng: np.random.Generator, n_a: int, n_b: int) -> list[AnswerSheet]:
    """N5: legal and IT answer differently; A is mostly legal, B mostly IT."""
    legal = Model(focus_alpha={"risk_control": 3.0}, shifts={"governance": -0.8})
    it = Model(focus_alpha={"speed_to_market": 3.0}, shifts={"pace": 0.8})
    major_a, major_b = n_a - max(1, n_a // 4), n_b - max(1, n_b // 4)
    out = partner(survey, legal, "acme", ["legal"] * major_a, rng)
    out += partner(survey, it, "acme", ["it"] * (n_a - major_a), rng)
    out += partner(survey, it, "globex", ["it"] * major_b, rng)
    out += partner(survey, legal, "globex", ["legal"] * (n_b - major_b), rng)
    return [replace(r, respondent=f"{r.partner}-{k}") for k, r in enumerate(out)]


def null_n6(survey: Survey, rng: np.random.Generator, n_a: int, n_b: int) -> list[AnswerSheet]:
    """N6: A leans 30-50 points on speed to market, B neutral."""
    return assessment(survey, rng, n_a, n_b, Model(focus="speed_to_market"), N1)


def planted_conflict(
    survey: Survey, rng: np.random.Generator, n: int, base: Model = N1
) -> list[AnswerSheet]:
    """A puts 30-50 points on speed to market, B 30-50 on risk control (a `conflicts` pair)."""
    return assessment(
        survey,
        rng,
        n,
        n,
        replace(base, focus="speed_to_market"),
        replace(base, focus="risk_control"),
    )


def planted_gap(
    survey: Survey, rng: np.random.Generator, n: int, gap: float, dimension: str = "commitment"
) -> list[AnswerSheet]:
    """N1 with B's items on ``dimension`` moved so that its true mean is ``gap`` points higher."""
    base = expected_answer(LIKERT_P, 0.0)
    shifted = Model(shifts={dimension: shift_for(LIKERT_P, base + gap)})
    return assessment(survey, rng, n, n, N1, shifted)


def planted_internal(
    survey: Survey, rng: np.random.Generator, base: Model, dims: list[str], gap: float = 1.5
) -> list[AnswerSheet]:
    """Partner A: 5 legal and 5 IT whose means differ by ``gap`` points on ``dims``; B: 10 from
    ``base``. The latent shifts are set for the marginal of ``base`` (unit latent variance)."""
    centre = expected_answer(base.p, 0.0)
    low = shift_for(base.p, centre - gap / 2)
    high = shift_for(base.p, centre + gap / 2)
    rho, alpha = _draw(base.rho, rng), _draw(base.alpha, rng)
    legal = replace(base, shifts=dict.fromkeys(dims, low))
    it = replace(base, shifts=dict.fromkeys(dims, high))
    out = partner(survey, legal, "acme", ["legal"] * 5, rng, rho=rho, alpha=alpha)
    out += partner(survey, it, "acme", ["it"] * 5, rng, rho=rho, alpha=alpha)
    out += partner(survey, base, "globex", cycle_roles(survey, 10), rng, rho=rho, alpha=alpha)
    return [replace(r, respondent=f"{r.partner}-{k}") for k, r in enumerate(out)]


INTERNAL_DIMS = ["strategic_fit", "governance", "pace", "trust"]
MIDPOINT_P = (0.10, 0.20, 0.40, 0.20, 0.10)  # mean 3, the midpoint of 1-5
UNIFORM_P = (0.2, 0.2, 0.2, 0.2, 0.2)  # random answering: the null of r_wg(J)


def below_midpoint(survey: Survey, by: float) -> Model:
    """The midpoint model moved ``by`` points down on every dimension."""
    shift = shift_for(MIDPOINT_P, 3.0 - by)
    return Model(p=MIDPOINT_P, shifts={d.id: shift for d in survey.dimensions})


# Two rounds (issue 15): how closely a paired person's round shares follow their base g_i, and
# the floor of every objective's Dirichlet parameter in a round.
CONCENTRATION = 20.0
FLOOR = 0.05


@dataclass(frozen=True)
class _People:
    """What persists of one partner's respondents across rounds."""

    key: str
    roles: list[str]
    ids: list[str]
    u: NDArray[np.float64]  # (n, 1) respondent effect, N(0, rho)
    v: NDArray[np.float64]  # (n, items) the person's own item opinions, N(0, 1)
    extreme: NDArray[np.bool_]  # (n,)
    straight: NDArray[np.bool_]  # (n,)
    base: NDArray[np.float64]  # (n, objectives or objectives - 1 when focused) base shares


def _people(
    survey: Survey,
    model: Model,
    key: str,
    roles: list[str],
    ids: list[str],
    rho: float,
    alpha: float,
    rng: np.random.Generator,
) -> _People:
    """One partner's people: their styles, opinions and base priorities."""
    n, items = len(roles), len(survey.items_of("likert"))
    a = np.array([model.focus_alpha.get(o, alpha) for o in survey.objective_ids])
    if model.focus is not None:
        a = np.delete(a, survey.objective_ids.index(model.focus))
    return _People(
        key,
        roles,
        ids,
        rng.normal(0.0, np.sqrt(rho), size=(n, 1)),
        rng.normal(0.0, 1.0, size=(n, items)),
        rng.random(n) < model.extreme,
        rng.random(n) < model.straight,
        rng.dirichlet(a, size=n).reshape(n, len(a)),
    )


def _round(
    survey: Survey,
    model: Model,
    people: _People,
    rho: float,
    persistence: float,
    rng: np.random.Generator,
) -> list[AnswerSheet]:
    """One round's answers of ``people`` (fresh item noise and fresh shares)."""
    n = len(people.roles)
    items = survey.items_of("likert")
    dim_of = {i: d.id for d in survey.dimensions for i in d.items}
    sign = np.array([-1.0 if i.reverse else 1.0 for i in items])
    shift = sign * np.array([model.shifts.get(dim_of[i.id], 0.0) for i in items])
    e = rng.normal(0.0, 1.0, size=(n, len(items)))
    own = np.sqrt(persistence) * people.v + np.sqrt(1.0 - persistence) * e
    latent = people.u + np.sqrt(1.0 - rho) * own
    latent[people.extreme] *= 2.5
    above = (latent + shift)[:, :, None] > thresholds(model.p)
    likert: NDArray[np.int_] = 1 + above.sum(axis=2, dtype=np.int_)
    likert[people.straight] = likert[people.straight, :1]
    ids = survey.objective_ids
    total = survey.allocation_total
    points: NDArray[np.int_] = np.zeros((n, len(ids)), dtype=np.int_)
    for row in range(n):
        shares = rng.dirichlet(CONCENTRATION * people.base[row] + FLOOR)
        if model.focus is None:
            points[row] = integer_points(shares, total)
            continue
        k = ids.index(model.focus)
        focus = int(rng.integers(30, 51))
        points[row, np.arange(len(ids)) != k] = integer_points(shares, total - focus)
        points[row, k] = focus
    item_ids = [i.id for i in items]
    return [
        AnswerSheet(
            people.key,
            role,
            people.ids[k],
            dict(zip(item_ids, map(float, likert[k]), strict=True)),
            dict(zip(ids, map(float, points[k]), strict=True)),
            {},
        )
        for k, role in enumerate(people.roles)
    ]


def two_rounds(
    survey: Survey,
    rng: np.random.Generator,
    n_a: int,
    n_b: int,
    model: Model,
    model_after: Model | None = None,
    *,
    paired: bool,
    persistence: float = 0.5,
) -> tuple[list[AnswerSheet], list[AnswerSheet]]:
    """Two rounds of one alliance, both partners (``acme``: ``n_a``, ``globex``: ``n_b``) from
    ``model``; round 2 from ``model_after`` when given (its ``p`` and ``shifts``; every other
    knob must equal ``model``'s). ``paired``: the same people answer both rounds, keeping their
    style, a share ``persistence`` of their item noise and their base priorities; otherwise
    round 2 is fresh people with new ids. Returns (round 1, round 2) responses."""
    after = model if model_after is None else model_after
    if replace(after, p=model.p, shifts=model.shifts) != model:
        raise ValueError("model_after may differ from model only in p and shifts")
    if not 0.0 <= persistence <= 1.0:
        raise ValueError(f"persistence must lie in [0, 1], got {persistence}")
    rho, alpha = _draw(model.rho, rng), _draw(model.alpha, rng)

    def people(key: str, n: int, suffix: str) -> _People:
        roles = cycle_roles(survey, n)
        ids = [f"{key}-{k}{suffix}" for k in range(n)]
        return _people(survey, model, key, roles, ids, rho, alpha, rng)

    first = [people("acme", n_a, ""), people("globex", n_b, "")]
    second = first if paired else [people("acme", n_a, "-r2"), people("globex", n_b, "-r2")]
    one = [r for p in first for r in _round(survey, model, p, rho, persistence, rng)]
    two = [r for p in second for r in _round(survey, after, p, rho, persistence, rng)]
    return one, two


def planted_decline(
    survey: Survey,
    rng: np.random.Generator,
    n: int,
    decline: float,
    *,
    paired: bool,
    dimension: str = "commitment",
    base: Model = N1,
) -> tuple[list[AnswerSheet], list[AnswerSheet]]:
    """Two rounds of ``n`` a side from ``base``; in round 2 both partners' items on
    ``dimension`` moved so that its true mean is ``decline`` points lower. The latent shift is
    solved for the marginal of ``base`` at unit latent variance: exact on a dimension without
    reversed items (``commitment``) and without extreme responders or straight-liners."""
    centre = expected_answer(base.p, 0.0)
    shifts = {**base.shifts, dimension: shift_for(base.p, centre - decline)}
    return two_rounds(survey, rng, n, n, base, replace(base, shifts=shifts), paired=paired)
