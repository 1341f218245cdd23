"""The report pages' charts: pure functions from numbers to an SVG string inlined in the page.

Drawn with matplotlib's object API (``Figure`` on the SVG canvas, never ``pyplot``: no global
figure registry, no GUI backend, safe in a threaded server) inside ``rc_context`` so that no
setting leaks. ``svg.fonttype = 'none'`` keeps text as ``<text>``: selectable, translatable,
crisp in the printed PDF, and far fewer bytes than glyph outlines. Not pygal: its default SVG
loads a script from a third-party host, which the report page's CSP (no script) would block.

Each SVG is made to be inlined, several to a page: no XML declaration, DOCTYPE, comment,
metadata or ``<style>`` element (the CSP allows style attributes only); every id and reference
is prefixed with the chart's ``key``; the root is ``<svg id="chart-{key}" role="img"
aria-label="{alt}" viewBox=... width="100%">``; the same input gives the same bytes. Partners
differ by colour (Okabe-Ito) and by marker, line style and hatch (WCAG 1.4.1). A ``None``
value (a statistic that could not be computed) is not drawn. Text of several lines is drawn a
line per ``<text>``, each anchored, so that it stays aligned in whatever sans-serif the browser
picks (matplotlib measures with DejaVu Sans, wider than most).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Transform, offset_copy

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe-Ito, each at least 3:1 against white; with a marker, a line style and a hatch apiece.
STYLES: tuple[dict[str, Any], ...] = (
    {"color": "#0072B2", "marker": "o", "linestyle": "-"},
    {"color": "#D55E00", "marker": "s", "linestyle": "--"},
    {"color": "#009E73", "marker": "^", "linestyle": "-."},
    {"color": "#000000", "marker": "D", "linestyle": ":"},
)
HATCHES = ("", "//", "..", "xx")
GREY = "#595959"  # flagged gaps and the cut-off: never a partner's colour (7:1 on white)
FONT = 12.0  # points on a 7-inch figure: ~16 px at 700 px wide, ~9 px on a 375 px phone
KEY = re.compile(r"[a-z][a-z0-9_-]*")
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # only measures the text: the SVG says sans-serif
    "font.size": FONT,
    "hatch.linewidth": 1.2,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_LOCK = threading.Lock()  # a chart at a time: rc_context changes the process' rcParams
Data = list[tuple[int, str, list[float | None], list[tuple[float, float] | None]]]
Handles = list[tuple[Artist, str]]


@dataclass(frozen=True)
class Series:
    """One partner's numbers: a legend ``name``, ``values`` and optional ``(low, high)``."""

    name: str
    values: Sequence[float | None]
    intervals: Sequence[tuple[float, float] | None] | None = None


def radar(
    key: str,
    alt: str,
    axes: Sequence[str],
    series: Sequence[Series],
    scale: tuple[float, float],
    marked: Sequence[bool],
    mark_label: str,
) -> str:
    """Each series on a spider chart of the scale, marked axes flagged; a dot plot under 3 axes.

    A value outside the scale is drawn at its end. Raises ValueError for a bad key, no axes, a
    scale with min >= max, or ``series`` values or ``marked`` of another length than ``axes``.
    """
    _check(key, "axes", axes, series)
    lo, hi = _scale(scale)
    _length("marked", marked, len(axes), "axes")
    if len(axes) < 3:
        return _dots(key, alt, axes, series, (lo, hi), marked, mark_label)
    n, data = len(axes), _data(series, lo, hi)
    with _chart(key, 6.2, "polar") as polar:
        ax: Any = polar  # PolarAxes: beyond Axes' typing
        ax.set(theta_offset=math.pi / 2, theta_direction=-1, ylim=(lo, hi), yticks=_ticks(lo, hi))
        theta = [2 * math.pi * i / n for i in range(n)]
        ax.set_xticks(theta, [""] * n)
        for t, label, m in zip(theta, axes, marked, strict=True):
            x, y, lines = math.sin(t), math.cos(t), _wrap(label, 18) + (" *" if m else "")
            ha = "left" if x > 0.1 else "right" if x < -0.1 else "center"
            dy = (
                10 * y + y * 1.25 * FONT * (lines.count("\n") + 1) / 2
            )  # above the top, below the foot
            _block(ax, lines, (t, hi), ax.transData, ha, 10 * x, dy, m)
        ax.set_rlabel_position(180 / n)
        ax.tick_params(axis="y", labelsize=FONT - 2, labelcolor=GREY)
        ax.spines["polar"].set_color("#999999")
        for i, _, vals, _ in data:
            closed = [np.nan if v is None else v for v in [*vals, vals[0]]]  # None: a gap
            ax.plot([*theta, 2 * math.pi], closed, **STYLES[i], linewidth=2, markersize=7)
        gaps = _gaps(ax, data, marked, mark_label, lambda j, v: (theta[j], v))
        return _svg(ax, key, alt, _handles(data, "line") + gaps)


def profiles(
    key: str, alt: str, objectives: Sequence[str], series: Sequence[Series], xlabel: str
) -> str:
    """Priority profiles: grouped horizontal bars in points of 100, whiskers, values printed.

    Raises ValueError for a bad key, no objectives, or ``series`` of another length.
    """
    _check(key, "objectives", objectives, series)
    data = _data(series)
    ends = [max(v or 0, p[1] if p else 0) for d in data for v, p in zip(d[2], d[3], strict=True)]
    high = max([0.0, *ends])
    step = 5 if high <= 20 else 10 if high <= 50 else 20  # the axis ends near the data
    top = min(100, step * max(2, math.ceil(high / step)))
    with _chart(key, _height(objectives, data)) as ax:
        handles = _bars(ax, objectives, data, top, "{:.0f}")
        ax.set_xticks(range(0, top + 1, step))
        ax.set_xlabel(_text(xlabel))
        return _svg(ax, key, alt, handles)


def agreement(
    key: str,
    alt: str,
    dimensions: Sequence[str],
    series: Sequence[Series],
    cutoff: float,
    cutoff_label: str,
    xlabel: str,
) -> str:
    """Agreement inside each partner (rwg(j), 0 to 1): grouped bars and a dashed cut-off line.

    Raises ValueError for a bad key, no dimensions, ``series`` of another length, or a
    ``cutoff`` outside 0 to 1.
    """
    _check(key, "dimensions", dimensions, series)
    if _num(cutoff) is None or not 0 <= cutoff <= 1:
        raise ValueError(f"cutoff must be a number from 0 to 1, not {cutoff!r}")
    data = _data(series)
    with _chart(key, _height(dimensions, data)) as ax:
        handles = _bars(ax, dimensions, data, 1.0, "{:.2f}")
        line = ax.axvline(cutoff, color=GREY, linestyle=(0, (5, 3)), linewidth=1.5, zorder=3)
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.set_xlabel(_text(xlabel))
        return _svg(ax, key, alt, [*handles, (line, cutoff_label)])


def trend(
    key: str,
    alt: str,
    rounds: Sequence[str],
    series: Series | Sequence[Series],
    bands: Sequence[tuple[str, float]],
    ylabel: str,
) -> str:
    """Scores (0-100) across rounds: a line per series, its interval as a band (or a bar for a
    round alone), and the bands' cut-offs.

    Raises ValueError for a bad key, no rounds, a series' values or intervals of another
    length than ``rounds``, or ``bands`` not (name, cut-off from 0 to 100) pairs.
    """
    many = [series] if isinstance(series, Series) else list(series)
    _check(key, "rounds", rounds, many)
    if any(len(b) != 2 or _num(b[1]) is None or not 0 <= b[1] <= 100 for b in bands):
        raise ValueError(f"bands must be (name, cut-off from 0 to 100) pairs, not {bands!r}")
    n = len(rounds)
    data = _data(many)
    with _chart(key, 4.6) as ax:
        for i, _, vals, ivs in data:
            colour = STYLES[i]["color"]
            for run in _runs([iv is not None for iv in ivs]):
                low, high = (np.array([(ivs[k] or (0.0, 0.0))[e] for k in run]) for e in (0, 1))
                if len(run) > 1:
                    ax.fill_between(run, low, high, color=colour, alpha=0.15, linewidth=0)
                else:  # a round alone: its interval as an error bar
                    v = vals[run[0]] or 0.0
                    bar = [[max(0.0, v - low[0])], [max(0.0, high[0] - v)]]
                    ax.errorbar(run, [v], yerr=bar, fmt="none", ecolor=colour, capsize=5)
            points = [np.nan if v is None else v for v in vals]
            ax.plot(range(n), points, **STYLES[i], lw=2, ms=8)
        cuts = sorted((float(c), name) for name, c in bands)
        for (cut, name), top in zip(cuts, [c for c, _ in cuts[1:]] + [100.0], strict=True):
            if cut > 0:
                ax.axhline(cut, color="#b0b0b0", linewidth=1, zorder=0)
            _block(ax, _text(name), (1, (cut + top) / 2), ax.get_yaxis_transform(), "left", 6)
        ax.set(ylim=(0, 100), xlim=(-0.5, n - 0.5), yticks=range(0, 101, 20))
        ax.set_xticks(range(n), [""] * n)
        size = FONT if n <= 5 else FONT - 2  # many rounds: narrower labels
        for i, label in enumerate(rounds):
            lines = _wrap(label, max(8, 64 // n))
            dy = -8 - 1.25 * size * (lines.count("\n") + 1) / 2  # the block hangs below
            _block(ax, lines, (i, 0), ax.get_xaxis_transform(), "center", 0, dy, size=size)
        ax.set_ylabel(_text(ylabel))
        return _svg(ax, key, alt, _handles(data, "line"))


def _dots(
    key: str,
    alt: str,
    axes: Sequence[str],
    series: Sequence[Series],
    scale: tuple[float, float],
    marked: Sequence[bool],
    mark_label: str,
) -> str:
    """The radar under 3 axes: a row per axis, a dot per series, the same marking."""
    data = _data(series, *scale)
    with _chart(key, 1.6 + 0.7 * len(axes)) as ax:
        for i, _, vals, _ in data:
            ys = [j for j, v in enumerate(vals) if v is not None]
            xs = [v for v in vals if v is not None]
            ax.plot(xs, ys, **{**STYLES[i], "linestyle": "none"}, markersize=10, zorder=4)
        gaps = _gaps(ax, data, marked, mark_label, lambda j, v: (v, j))
        for j, (label, m) in enumerate(zip(axes, marked, strict=True)):
            lines = _wrap(label) + (" *" if m else "")
            _block(ax, lines, (0, j), ax.get_yaxis_transform(), "right", -8, 0, m)
        pad = (scale[1] - scale[0]) * 0.04
        ax.set(xlim=(scale[0] - pad, scale[1] + pad), ylim=(len(axes) - 0.5, -0.5), yticks=[])
        ax.set_xticks(_ticks(*scale))
        ax.grid(axis="x", color="#dddddd")
        return _svg(ax, key, alt, _handles(data, "dot") + gaps)


def _bars(ax: Axes, labels: Sequence[str], data: Data, top: float, fmt: str) -> Handles:
    """Grouped horizontal bars from 0 to ``top``, first label at the top, values printed."""
    n, height = len(labels), 0.8 / max(1, len(data))
    for k, (i, _, vals, ivs) in enumerate(data):
        ys = [j - 0.4 + height * (k + 0.5) for j in range(n)]
        shown = [(j, v, ivs[j]) for j, v in enumerate(vals) if v is not None]
        ax.barh([ys[j] for j, _, _ in shown], [v for _, v, _ in shown], height * 0.92,
                color=STYLES[i]["color"], hatch=HATCHES[i], edgecolor="white")  # fmt: skip
        for j, v, iv in shown:
            if iv is not None:
                whisker = [[max(0.0, v - iv[0])], [max(0.0, iv[1] - v)]]
                ax.errorbar(v, ys[j], xerr=whisker, color="#222222", linewidth=1, capsize=3)
            end = max(v, iv[1] if iv else v, 0.0) + top * 0.015
            ax.text(
                end, ys[j], fmt.format(v), va="center", fontsize=FONT - 1.5, zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )  # fmt: skip
    for j, label in enumerate(labels):
        _block(ax, _wrap(label), (0, j), ax.get_yaxis_transform(), "right", -8)
    ax.set(xlim=(0, top * 1.12), ylim=(n - 0.5, -0.5), yticks=[])
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    return _handles(data, "bar")


def _height(labels: Sequence[str], data: Data) -> float:
    """The height of a grouped bar chart: a fixed room per bar."""
    return 1.4 + 0.26 * len(labels) * max(2, len(data))


def _gaps(
    ax: Axes,
    data: Data,
    marked: Sequence[bool],
    label: str,
    at: Callable[[int, float], tuple[float, float]],
) -> Handles:
    """A thick grey segment joining the series' points on each marked axis; its legend entry."""
    for j, m in enumerate(marked):
        here = [v for _, _, vals, _ in data if (v := vals[j]) is not None]
        if m and len(here) >= 2:
            (x0, y0), (x1, y1) = at(j, min(here)), at(j, max(here))
            ax.plot([x0, x1], [y0, y1], color=GREY, lw=6, alpha=0.5, zorder=1)
    return [(Line2D([], [], color=GREY, lw=6, alpha=0.5), label)] if any(marked) else []


def _block(
    ax: Axes,
    text: str,
    at: tuple[float, float],
    transform: Transform,
    ha: str,
    dx: float = 0.0,
    dy: float = 0.0,
    bold: bool = False,
    size: float = FONT,
) -> None:
    """Lines of text centred on ``at`` moved by (dx, dy) points, a ``<text>`` (anchored) each."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        y = dy + ((len(lines) - 1) / 2 - i) * 1.25 * size
        shift = offset_copy(transform, fig=ax.get_figure(root=True), x=dx, y=y, units="points")
        style: dict[str, Any] = {"fontweight": "bold" if bold else "normal", "fontsize": size}
        ax.text(*at, line, transform=shift, ha=ha, va="center", clip_on=False, **style)


def _handles(data: Data, kind: str) -> Handles:
    """Legend entries of the drawn series: a hatched patch, a dot, or a line with its marker."""
    if kind == "bar":
        return [
            (Patch(fc=STYLES[i]["color"], hatch=HATCHES[i], ec="white"), n) for i, n, *_ in data
        ]
    line = {"linestyle": "none"} if kind == "dot" else {"linewidth": 2}
    return [(Line2D([], [], **{**STYLES[i], **line}, markersize=7), n) for i, n, *_ in data]


@contextmanager
def _chart(key: str, height: float, projection: str | None = None) -> Iterator[Axes]:
    """Axes on a figure 7 inches wide (the page's width) on the SVG canvas, settings scoped."""
    with _LOCK, matplotlib.rc_context({**RC, "svg.hashsalt": key}):  # rcParams: one global
        fig = Figure(figsize=(7.0, height), layout="constrained")
        FigureCanvasSVG(fig)  # no pyplot
        yield fig.add_subplot(projection=projection)


def _svg(ax: Axes, key: str, alt: str, handles: Handles) -> str:
    """The chart with its legend as an SVG element to inline: ids prefixed, root rewritten."""
    fig, buf = ax.get_figure(root=True), io.StringIO()
    assert fig is not None  # the axes are on a figure
    if handles:  # above the plot, in a row; explicit labels, so one starting "_" is kept
        labels = [_text(label) for _, label in handles]
        fig.legend(
            [h for h, _ in handles],
            labels,
            loc="outside upper center",
            ncols=min(len(handles), 4),
            frameon=False,
        )
    metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04, metadata=metadata)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    for pattern in (r"<!--.*?-->", r"<metadata>.*?</metadata>", r"<style[^>]*>.*?</style>"):
        text = re.sub(pattern, "", text, flags=re.S)
    text = re.sub(r"font-family:[^;\"]*", "font-family: sans-serif", text)
    root = re.match(r"<svg\b[^>]*>", text)
    view = re.search(r'viewBox="([^"]*)"', root.group() if root else "")
    if root is None or view is None:
        raise RuntimeError("matplotlib wrote an SVG without a viewBox")
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', text))  # ids no reference names: dropped
    body = re.sub(r"<[^>]+>", lambda m: _prefix(m.group(), key, used), text[root.end() :])
    body = re.sub(r"\n\s*\n", "\n", re.sub(r"<defs>\s*</defs>", "", body))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' version="1.1" id="chart-{key}" role="img" aria-label={quoteattr(_clean(alt))}'
        f' viewBox="{view.group(1)}" width="100%" stroke-linejoin="round">{body}'
    )


def _prefix(tag: str, key: str, used: set[str]) -> str:
    """One tag with its used ids and its local references prefixed with the chart's key."""
    tag = re.sub(r' id="([^"]+)"', lambda m: f' id="{key}-{m[1]}"' if m[1] in used else "", tag)
    tag = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", tag)
    return re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', tag)


def _check(key: str, name: str, labels: Sequence[str], series: Sequence[Series]) -> None:
    """Raise ValueError for a bad key, no labels, or series of another length than labels."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"key must match [a-z][a-z0-9_-]*, not {key!r}")
    if len(labels) == 0:
        raise ValueError(f"{name} must not be empty")
    if not 1 <= len(series) <= len(STYLES):
        raise ValueError(f"series must hold 1 to {len(STYLES)} series, not {len(series)}")
    for s in series:
        _length(f"series {s.name!r} values", s.values, len(labels), name)
        if s.intervals is not None:
            _length(f"series {s.name!r} intervals", s.intervals, len(labels), name)


def _length(what: str, items: Sequence[Any], n: int, name: str) -> None:
    """Raise ValueError unless there is one item per label."""
    if len(items) != n:
        raise ValueError(f"{what} has {len(items)} items but {name} has {n}")


def _scale(scale: tuple[float, float]) -> tuple[float, float]:
    """The scale as finite floats (min, max) with min < max, or ValueError."""
    lo, hi = (_num(x) for x in scale) if len(scale) == 2 else (None, None)
    if lo is None or hi is None or lo >= hi:
        raise ValueError(f"scale must be (min, max) with min < max, not {scale!r}")
    return lo, hi


def _data(series: Sequence[Series], lo: float = -math.inf, hi: float = math.inf) -> Data:
    """The series with a value: (style index, name, values in [lo, hi], intervals), None kept."""
    out: Data = []
    for i, s in enumerate(series):
        vals = [None if (x := _num(v)) is None else min(max(x, lo), hi) for v in s.values]
        ivs = [None] * len(vals) if s.intervals is None else [_interval(p) for p in s.intervals]
        ivs = [p if v is not None else None for v, p in zip(vals, ivs, strict=True)]
        if any(v is not None for v in vals):
            out.append((i, s.name, vals, ivs))
    return out


def _interval(pair: Sequence[float | None] | None) -> tuple[float, float] | None:
    """A finite (low, high) interval, or None."""
    low, high = (_num(x) for x in pair) if pair is not None and len(pair) == 2 else (None, None)
    return None if low is None or high is None else (min(low, high), max(low, high))


def _num(v: object) -> float | None:
    """A finite float, or None for None, NaN, an infinity or anything not a number."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        return None
    return float(v) if math.isfinite(float(v)) else None


def _runs(flags: Sequence[bool]) -> list[list[int]]:
    """The runs of consecutive indices where ``flags`` holds."""
    runs: list[list[int]] = []
    for i, f in enumerate(flags):
        if f and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif f:
            runs.append([i])
    return runs


def _ticks(lo: float, hi: float) -> list[float]:
    """A gridline at each scale point (a unit step), or five even ones on another scale."""
    steps = [float(x) for x in range(math.ceil(lo), math.floor(hi) + 1)]
    return steps if 2 <= len(steps) <= 11 else [float(x) for x in np.linspace(lo, hi, 5)]


def _clean(s: str) -> str:
    """Text without the characters XML 1.0 forbids."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", str(s))


def _text(s: str) -> str:
    """Literal text for matplotlib: a ``$`` starts no mathtext."""
    return _clean(s).replace("$", r"\$")


def _wrap(s: str, width: int = 28) -> str:
    """A label on lines of at most ``width`` characters (a longer word keeps its line)."""
    lines = textwrap.wrap(_clean(s), width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(_text(line) for line in lines or [s])
