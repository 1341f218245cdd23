"""The report's charts (``scoring_service.reports.charts``): SVG made to be inlined in a page.

Each chart must parse, carry its text alternative, keep its text as text, reference nothing
outside itself, never show NaN, give the same bytes for the same input, and share no id with
another chart on the page; None values are skipped, bad arguments raise ValueError.
"""

from __future__ import annotations

import ast
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import matplotlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring_service.reports import charts
from scoring_service.reports.charts import Series, agreement, profiles, radar, trend

NS = "{http://www.w3.org/2000/svg}"
XMLNS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
DIMENSIONS = [
    "Strategic intent and fit",
    "Shared success metrics",
    "What each side gets",
    "Commitment and executive sponsorship",
    "Governance and decision-making",
    "Collaboration and transparency",
    "Risk and contract posture",
    "Commercial expectations",
    "Pace and time commitment",
    "Trust",
    "Inclusion of diverse perspectives",
    "Review and adaptation over time",
]
OBJECTIVES = [
    "Revenue growth",
    "Cost reduction",
    "Market access and expansion",
    "Innovation and new capabilities",
    "Customer experience",
    "Speed to market and deployment",
    "Risk control",
    "Operational efficiency",
    "Learning and capability building",
]
MEANS: dict[str, list[float | None]] = {
    "Acme Corp": [4.2, 3.8, 3.5, 4.4, 2.9, 3.9, 3.1, 3.6, 4.0, 4.1, 3.3, 3.7],
    "Globex": [3.9, 2.6, 3.4, 4.1, 4.0, 3.7, 3.3, 2.5, 3.8, 3.6, None, 3.5],
}
MARKED = [False, True, False, False, True, False, False, True, False, False, False, False]
BANDS = [("Strong", 75.0), ("Moderate", 55.0), ("Weak", 0.0)]
ACME_POINTS = [22.4, 8.1, 15.0, 12.3, 10.2, 9.8, 7.7, 8.9, 5.6]
GLOBEX_POINTS = [12.0, 18.5, 9.7, 14.1, 8.3, 16.4, 6.2, 10.0, None]


def check(svg: str, key: str, alt: str) -> ET.Element:
    """The checks every chart passes; its root element."""
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    for banned in ("<?xml", "<!DOCTYPE", "<!--", "<script", "<style", "<metadata", "<image"):
        assert banned.lower() not in svg.lower(), banned
    assert set(re.findall(r"https?://[^\s\"')<]+", svg)) <= XMLNS
    assert "http" not in re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", svg)  # only in declarations
    assert not re.search(r"\b(nan|inf)\b", svg, re.IGNORECASE)
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("id") == f"chart-{key}"
    assert root.get("role") == "img"
    assert root.get("aria-label") == alt
    assert root.get("width") == "100%" and root.get("height") is None
    width, height = dimensions(root)
    assert width > 100 and height > 50
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(i == f"chart-{key}" or str(i).startswith(f"{key}-") for i in ids)
    refs = re.findall(r"url\(#([^)]+)\)", svg) + re.findall(r'href="#([^"]+)"', svg)
    assert set(refs) <= set(ids), set(refs) - set(ids)
    return root


def dimensions(root: ET.Element) -> tuple[float, float]:
    """The width and height of the viewBox."""
    x, y, width, height = (float(v) for v in (root.get("viewBox") or "").split())
    assert (x, y) == (0, 0)
    return width, height


def texts(svg: str) -> list[str]:
    """The content of each ``<text>`` element, in document order."""
    return ["".join(el.itertext()) for el in ET.fromstring(svg).iter(f"{NS}text")]


def words(svg: str) -> str:
    """All the text of a chart on one line: a wrapped label reads whole again."""
    return " ".join(texts(svg))


def ids(svg: str) -> set[str]:
    return {str(el.get("id")) for el in ET.fromstring(svg).iter() if el.get("id")}


@cache
def the_radar(key: str = "radar", n: int = len(DIMENSIONS), globex: bool = True) -> str:
    """The radar on realistic numbers (drawn once a session: a chart takes 0.1-0.4 s)."""
    series = [
        Series("Acme Corp", MEANS["Acme Corp"][:n]),
        Series("Globex", MEANS["Globex"][:n] if globex else [None] * n),
    ]
    axes = DIMENSIONS[:n]
    return radar(key, "Mean per dimension", axes, series, (1, 5), MARKED[:n], "* gap flagged")


@cache
def the_profiles(key: str = "profiles") -> str:
    cis: list[tuple[float, float] | None] = [(v - 3.0, v + 4.0) for v in ACME_POINTS]
    cis[2] = None
    series = [Series("Acme Corp", ACME_POINTS, cis), Series("Globex", GLOBEX_POINTS)]
    return profiles(key, "Priority profiles", OBJECTIVES, series, "Points out of 100")


@cache
def the_agreement(key: str = "agreement") -> str:
    acme = [0.82, 0.74, 0.65, 0.91, 0.55, 0.78, 0.71, 0.69, 0.88, 0.80, 0.62, 0.75]
    globex = [0.77, 0.58, 0.72, 0.85, 0.81, None, 0.66, 0.49, 0.73, 0.79, 0.70, 0.68]
    series = [Series("Acme Corp", acme), Series("Globex", globex)]
    return agreement(
        key, "Agreement", DIMENSIONS, series, 0.70, "Usual cut-off (0.70)", "rwg(j), 0 to 1"
    )


@cache
def the_trend(key: str = "trend") -> str:
    rounds = ["1: Kickoff", "2: Six-month review", "3: Year one", "4: Renewal"]
    series = Series("Alignment", [58.0, 63.5, None, 71.2], [(51.0, 65.0), (57.0, 70.0), None, None])
    return trend(key, "Alignment across rounds", rounds, series, BANDS, "Alignment (0 to 100)")


def test_radar_shows_every_label_and_marks_the_flagged_gaps() -> None:
    svg = the_radar()
    check(svg, "radar", "Mean per dimension")
    text = words(svg)
    for label in [*DIMENSIONS, "Acme Corp", "Globex", "* gap flagged"]:
        assert label in text, label
    for label, flagged in zip(DIMENSIONS, MARKED, strict=True):
        assert (f"{label} *" in text) == flagged, label
    bold = [
        "".join(el.itertext())
        for el in ET.fromstring(svg).iter(f"{NS}text")
        if "font-weight: 700" in (el.get("style") or "")
    ]
    assert " ".join(bold) == "Shared success metrics * Governance and decision-making * " + (
        "Commercial expectations *"
    )
    radius = dimensions(ET.fromstring(svg))
    assert 0.7 < radius[0] / radius[1] < 1.4  # a round chart, not the dot plot


@pytest.mark.parametrize("n", [1, 2])
def test_radar_under_three_axes_is_a_dot_plot(n: int) -> None:
    svg = the_radar("dots", n)
    root = check(svg, "dots", "Mean per dimension")
    width, height = dimensions(root)
    assert width / height > 1.8  # rows, not a circle
    text = texts(svg)
    assert {"1", "2", "3", "4", "5"} <= set(text)  # the scale runs along x
    assert all(label in " ".join(text) for label in DIMENSIONS[:n])
    assert ("Shared success metrics *" in text) == (n == 2)
    assert ("* gap flagged" in text) == (n == 2)


def test_profiles_print_each_value_rounded() -> None:
    svg = the_profiles()
    check(svg, "profiles", "Priority profiles")
    text = words(svg)
    for label in [*OBJECTIVES, "Acme Corp", "Globex", "Points out of 100"]:
        assert label in text, label
    printed = Counter(t for t in texts(svg) if t.isdigit())
    expected = Counter(f"{v:.0f}" for v in [*ACME_POINTS, *GLOBEX_POINTS] if v is not None)
    assert not expected - printed
    assert all(int(t) % 10 == 0 and n == 1 for t, n in (printed - expected).items())  # ticks


def test_agreement_skips_the_none_bar_and_labels_the_cutoff() -> None:
    svg = the_agreement()
    check(svg, "agreement", "Agreement")
    text = words(svg)
    for label in [*DIMENSIONS, "Acme Corp", "Globex", "Usual cut-off (0.70)", "rwg(j), 0 to 1"]:
        assert label in text, label
    printed = [t for t in texts(svg) if re.fullmatch(r"\d\.\d\d", t)]
    assert len(printed) == 23  # 24 bars, one None
    assert printed.count("0.70") == 1


def test_trend_draws_rounds_bands_and_a_round_without_interval() -> None:
    svg = the_trend()
    check(svg, "trend", "Alignment across rounds")
    text = words(svg)
    for label in ["1: Kickoff", "2: Six-month review", "3: Year one", "4: Renewal"]:
        assert label in text, label
    for label in ["Strong", "Moderate", "Weak", "Alignment", "Alignment (0 to 100)"]:
        assert label in texts(svg), label


def test_trend_of_a_single_round() -> None:
    series = Series("Alignment", [62.0], [(55.0, 69.0)])
    svg = trend("trend", "One round", ["1: Kickoff"], series, BANDS, "Alignment")
    check(svg, "trend", "One round")
    assert "1: Kickoff" in texts(svg)


def test_arguments_as_the_report_passes_them_from_json() -> None:
    """Lists for tuples, ints for floats: what ``reports.figures`` rebuilds from its JSON key."""
    doc = json.loads('{"name": "Alignment", "values": [50, 61.5], "intervals": [[40, 60], null]}')
    bands = json.loads('[["Strong", 75], ["Weak", 0]]')
    svg = trend("trend", "Json", ["1: A", "2: B"], Series(**doc), bands, "Score")
    check(svg, "trend", "Json")
    assert {"Strong", "Weak", "Alignment", "1: A"} <= set(texts(svg))


def test_the_same_input_gives_the_same_bytes() -> None:
    assert the_radar() == the_radar.__wrapped__()  # drawn again, not the cached one
    assert the_trend() == the_trend.__wrapped__()


def test_charts_on_one_page_share_no_id() -> None:
    page = [the_radar(), the_profiles(), the_agreement(), the_trend()]
    seen: set[str] = set()
    for svg in page:
        assert not ids(svg) & seen
        seen |= ids(svg)
    same_kind = [the_trend("trend-a"), the_trend("trend-b")]
    assert not ids(same_kind[0]) & ids(same_kind[1])
    check(same_kind[1], "trend-b", "Alignment across rounds")


def test_a_series_all_none_is_left_out() -> None:
    svg = the_radar(globex=False)
    check(svg, "radar", "Mean per dimension")
    assert "Globex" not in texts(svg) and "Acme Corp" in texts(svg)
    nothing = [Series("Acme Corp", [None] * 9), Series("Globex", [None] * 9)]
    check(profiles("p", "None", OBJECTIVES, nothing, "Points"), "p", "None")
    nothing = [Series("Acme Corp", [None] * 12, [None] * 12)]
    check(agreement("a", "None", DIMENSIONS, nothing, 0.7, "Cut-off", "rwg"), "a", "None")
    check(trend("t", "None", ["1", "2"], Series("A", [None, None]), BANDS, "Score"), "t", "None")


def test_nan_and_infinity_are_treated_as_none() -> None:
    values = [math.nan, 3.0, math.inf, 4.0]
    svg = radar("r", "Odd", DIMENSIONS[:4], [Series("A", values)], (1, 5), [True] * 4, "* flag")
    check(svg, "r", "Odd")
    series = Series("A", [math.nan, 50.0], [(math.nan, 60.0), (40.0, math.inf)])
    check(trend("t", "Odd", ["1", "2"], series, BANDS, "Score"), "t", "Odd")


def test_values_outside_the_scale_are_drawn_at_its_ends() -> None:
    def draw(values: list[float | None]) -> str:
        series = [Series("A", values)]
        return radar("r", "Clipped", ["a", "b", "c"], series, (1, 5), [False] * 3, "*")

    outside = draw([0.2, 7.0, 3.0])
    assert outside == draw([1.0, 5.0, 3.0])
    assert outside != draw([1.5, 4.5, 3.0])


def test_awkward_text_stays_literal() -> None:
    alt = 'Scores of "A & B" <1-5>\nsecond line'
    axes = ["Cost in $ and $", "<b>Bold</b> & co", "_underscore"]
    series = [Series("_hidden?", [2.0, 3.0, 4.0]), Series("Price $5$", [3.0, None, 1.0])]
    svg = radar("odd", alt, axes, series, (1, 5), [False, True, False], "* gap & more")
    check(svg, "odd", alt)
    text = words(svg)
    for label in [*axes, "_hidden?", "Price $5$", "* gap & more"]:
        assert label in text, label


def test_no_global_state_leaks() -> None:
    before = dict(matplotlib.rcParams)
    the_trend.__wrapped__("leak")
    assert dict(matplotlib.rcParams) == before


def test_matplotlib_is_imported_by_the_charts_only_and_never_pyplot() -> None:
    package = Path(charts.__file__).parents[1]
    for path in package.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "matplotlib" not in source:
            continue
        tree = ast.parse(source)
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        used = [n for n in names if n.split(".")[0] == "matplotlib"]
        assert not used or path == Path(charts.__file__), path
        assert not any("pyplot" in n for n in used), path


S = [Series("A", [3.0, 3.0, 3.0])]
BAD: list[tuple[Callable[[], object], str]] = [
    (lambda: radar("Radar", "", ["a", "b", "c"], S, (1, 5), [False] * 3, "*"), "key"),
    (lambda: radar("1x", "", ["a", "b", "c"], S, (1, 5), [False] * 3, "*"), "key"),
    (lambda: radar("", "", ["a", "b", "c"], S, (1, 5), [False] * 3, "*"), "key"),
    (lambda: radar("r", "", [], [Series("A", [])], (1, 5), [], "*"), "axes"),
    (lambda: radar("r", "", ["a", "b"], S, (1, 5), [False] * 2, "*"), "series"),
    (lambda: radar("r", "", ["a", "b", "c"], S, (1, 5), [False] * 2, "*"), "marked"),
    (lambda: radar("r", "", ["a", "b", "c"], S, (5, 1), [False] * 3, "*"), "scale"),
    (lambda: radar("r", "", ["a", "b", "c"], S, (3, 3), [False] * 3, "*"), "scale"),
    (lambda: radar("r", "", ["a", "b", "c"], S, (math.nan, 5), [False] * 3, "*"), "scale"),
    (lambda: radar("r", "", ["a", "b", "c"], [], (1, 5), [False] * 3, "*"), "series"),
    (lambda: profiles("p", "", [], [Series("A", [])], "x"), "objectives"),
    (lambda: profiles("p", "", ["a", "b", "c"], [Series("A", [1, 2, 3], [None])], "x"), "interval"),
    (lambda: agreement("a", "", ["a"], [Series("A", [0.5, 0.6])], 0.7, "c", "x"), "dimensions"),
    (lambda: agreement("a", "", ["a"], [Series("A", [0.5])], 1.5, "c", "x"), "cutoff"),
    (lambda: trend("t", "", [], Series("A", []), [], "y"), "rounds"),
    (lambda: trend("t", "", ["1"], Series("A", [50.0]), [("x", 120.0)], "y"), "bands"),
    (lambda: trend("t-", "", ["1", "2"], Series("A", [50.0]), [], "y"), "rounds"),
]


@pytest.mark.parametrize(("call", "argument"), BAD)
def test_bad_arguments_raise_value_error_naming_the_argument(
    call: Callable[[], object], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        call()


likert = st.one_of(st.none(), st.floats(1, 5))


@settings(max_examples=15, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(likert, min_size=n, max_size=n), min_size=1, max_size=2),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    )
)
def test_any_radar_is_valid_svg(case: tuple[list[list[float | None]], list[bool]]) -> None:
    values, marked = case
    axes = DIMENSIONS[: len(marked)]
    series = [Series(f"Partner {i}", v) for i, v in enumerate(values)]
    svg = radar("any", "Any", axes, series, (1, 5), marked, "* flagged")
    check(svg, "any", "Any")


points = st.one_of(st.none(), st.floats(0, 100))


@settings(max_examples=6, deadline=None)
@given(
    st.lists(
        st.tuples(points, st.one_of(st.none(), st.tuples(points, points))), min_size=1, max_size=8
    )
)
def test_any_trend_and_profile_is_valid_svg(
    rounds: list[tuple[float | None, tuple[float | None, float | None] | None]],
) -> None:
    values = [v for v, _ in rounds]
    intervals: list[tuple[float, float] | None] = [
        None if c is None or None in c else (c[0] or 0.0, c[1] or 0.0) for _, c in rounds
    ]
    labels = [f"Round {i}" for i in range(len(rounds))]
    series = Series("Alignment", values, intervals)
    check(trend("t", "Any", labels, series, BANDS, "Score"), "t", "Any")
    check(profiles("p", "Any", labels, [series, series], "Points"), "p", "Any")
