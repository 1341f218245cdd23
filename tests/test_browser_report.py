"""Report pages (issue 16) in a real browser: Debian's chromium driven by Playwright, axe-core
for accessibility, the printed PDF parsed with pypdf.

One site for the module: an alliance on the default survey with round 1 (6 respondents a side,
closed) and round 2 (6 a side, other answers, open), and the links the tests open. Screenshots
go to ``test-artifacts/screenshots/``, the printed report to ``test-artifacts/report.pdf``
(both ignored by git) for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer

from scoring_service import create_app
from scoring_service.config import DEFAULT_SURVEYS
from scoring_service.store.models import ReportLink
from scoring_service.surveys import load_registry

from .helpers import World, settings_for
from .test_browser import SHOTS, chromium, serious, serve
from .test_reports import CONFLICT_STEP, _answers, _link, _world

__all__ = ["chromium"]  # the module-scoped browser fixture of tests/test_browser.py

ARTIFACTS = SHOTS.parent
SIZES = {"acme": 6, "globex": 6}
FIGURES = ["radar", "profiles", "agreement", "trend"]
# One text of each chart's SVG (one of its <text> elements), found on the printed page between
# the chart's title and its caption: the chart itself, not only the words around it, is there.
LABELS = {
    "radar": "Governance and",
    "profiles": "Market access and expansion",
    "agreement": "0.70: usual threshold",
    "trend": "alignment, out of 100",
}
GONE = "This report link does not work"


@dataclass
class Site:
    """The app served on 127.0.0.1, its alliance (two rounds) and the report links' URLs."""

    app: Flask
    server: BaseWSGIServer
    url: str
    world: World
    links: dict[str, dict[str, Any]] = field(default_factory=dict)

    def at(self, name: str) -> str:
        """The served address of link ``name``."""
        made: str = self.links[name]["url"]
        return self.url + made.removeprefix("http://localhost")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Round 1 closed, round 2 open, each with 6 complete responses a side; the links."""
    tmp = tmp_path_factory.mktemp("report")
    app = create_app(settings_for(f"sqlite:///{tmp / 'scoring.db'}", tmp))
    client = app.test_client()
    survey = load_registry(DEFAULT_SURVEYS).get("alliance-objectives")
    w = _world(client, survey, SIZES)
    closed = client.patch(f"{w.base}/rounds/1", json={"status": "closed"}, headers=w.admin)
    assert closed.status_code == 200, closed.json
    second = client.post(f"{w.base}/rounds", json={"label": "Q2"}, headers=w.admin)
    assert second.status_code == 201, second.json
    for partner, n in SIZES.items():
        for k in range(n):
            body = {
                "partner": partner,
                "role": "legal",
                "answers": _answers(survey, partner, k + 7),
            }
            put = client.put(
                f"{w.base}/rounds/2/responses/{partner}{k}", json=body, headers=w.admin
            )
            assert put.status_code == 200, put.json
    server, url = serve(app)
    running = Site(app, server, url, w)
    running.links = {
        "joint": _link(w, w.admin),
        "joint_text": _link(w, w.admin, include_text=True),
        "own_text": _link(w, w.keys["acme"], view="own", include_text=True),
        "alliance": _link(w, w.admin, scope="alliance"),
        "revoked": _link(w, w.admin),
        "expired": _link(w, w.keys["globex"]),
    }
    yield running
    server.shutdown()
    server.server_close()
    app.extensions["scoring"].store.dispose()


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no shared cache or history between tests)."""
    opened = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


def _words(text: str) -> str:
    """``text`` with its whitespace collapsed and ligatures undone (a PDF's "\ufb01" is "fi")."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _texts(page: Any, selector: str) -> list[str]:
    """The text of every element matching ``selector``."""
    found: list[str] = page.locator(selector).all_text_contents()
    return [_words(t) for t in found]


def test_the_joint_report_reads_on_a_desktop_and_a_phone(context: Any, site: Site) -> None:
    assert site.links["joint"]["round"] == 2  # the latest round by default
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900 if width > 375 else 812})
        answer = page.goto(site.at("joint"))
        assert answer is not None and answer.status == 200
        if width == 1280:  # the headers every report page has, as the browser got them
            headers = answer.headers
            assert headers["cache-control"] == "no-store"
            assert "noindex" in headers["x-robots-tag"]
            assert headers["referrer-policy"] == "no-referrer"
            assert "default-src 'none'" in headers["content-security-policy"]
        page.screenshot(path=str(SHOTS / f"report-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{scroll} px of content in {width} px"
        headline = page.locator("#headline-sentence")
        assert headline.is_visible()
        assert re.match(r"Alignment is \d+ out of 100\.", headline.inner_text())
        change = page.locator("#change-sentence").inner_text()
        assert change.startswith("Since round 1 (Q1), alignment"), change
        first = page.locator("ol.points > li.point").first
        assert first.get_attribute("data-kind") == "objective_conflict"
        assert CONFLICT_STEP in first.locator(".next-step").inner_text()
        assert first.locator(".next-step").inner_text().startswith("Suggested next step: ")
        figures = page.locator("figure.chart")
        assert [f.get_attribute("id") for f in figures.all()] == [f"figure-{k}" for k in FIGURES]
        for key in FIGURES:
            svg = page.locator(f"#figure-{key} svg[role=img]")
            assert svg.count() == 1, key
            assert (svg.get_attribute("aria-label") or "").strip(), key
            assert svg.is_visible(), key
            box = svg.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, key
            assert page.locator(f"#figure-{key} h3").inner_text().strip(), key
            assert page.locator(f"#figure-{key} figcaption").inner_text().strip(), key
        assert page.locator("section.in-words").count() == 0  # include_text is false
        assert "acme-risk-" not in page.content()
        assert serious(page) == [], f"{width} px"


def test_the_printed_report_keeps_each_chart_on_one_a4_page(context: Any, site: Site) -> None:
    from pypdf import PdfReader

    page = context.new_page()
    assert page.goto(site.at("joint")) is not None
    headline = _words(page.locator("#headline-sentence").inner_text())
    charts = {}
    for key in FIGURES:
        figure = page.locator(f"#figure-{key}")
        labels = _texts(figure, "svg text")
        assert LABELS[key] in labels, (key, labels)
        charts[key] = (
            _words(figure.locator("h3").inner_text()),
            _words(figure.locator("figcaption").inner_text()),
        )
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for n, sheet in enumerate(reader.pages, 1):
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert abs(width - 595) <= 2 and abs(height - 842) <= 2, (n, width, height)
    pages = [_words(sheet.extract_text()) for sheet in reader.pages]
    assert any(headline in text for text in pages), (headline, pages)
    for key, (title, caption) in charts.items():
        # The table after each chart repeats its title ("The numbers: <title>"): left out.
        bare = [text.replace(f"The numbers: {title}", " ") for text in pages]
        where = {
            "title": [n for n, text in enumerate(bare, 1) if title[:20] in text],
            "caption": [n for n, text in enumerate(bare, 1) if caption[:40] in text],
        }
        assert len(where["title"]) == 1 and where["title"] == where["caption"], (key, where)
        # Title, chart (its label) and caption in this order on that page: the whole figure.
        whole = (
            re.escape(title[:20]) + ".*" + re.escape(LABELS[key]) + ".*" + re.escape(caption[:40])
        )
        assert re.search(whole, bare[where["title"][0] - 1]), (key, bare[where["title"][0] - 1])


def test_own_link_quotes_only_its_partners_text(context: Any, site: Site) -> None:
    link = site.links["own_text"]
    assert (link["view"], link["partner"], link["round"]) == ("own", "acme", 2)
    page = context.new_page()
    answer = page.goto(site.at("own_text"))
    assert answer is not None and answer.status == 200
    assert "Acme's own report" in page.locator(".view").inner_text()
    quotes = _texts(page, "section.in-words .quotes li")
    assert sorted(quotes) == sorted(f"acme-risk-{k}" for k in range(7, 13)), quotes
    assert "globex-risk" not in page.content()
    assert serious(page) == [], "own report with text"
    page.goto(site.at("joint_text"))
    quoted = page.locator("section.in-words").inner_text()
    for partner in SIZES:
        said = sorted(re.findall(rf"{partner}-risk-(\d+)", quoted), key=int)
        assert said == [str(k) for k in range(7, 13)], (partner, said)


def test_the_alliance_link_opens_each_round(context: Any, site: Site) -> None:
    page = context.new_page()
    answer = page.goto(site.at("alliance"))
    assert answer is not None and answer.status == 200
    rounds = _texts(page, "ol.rounds > li h3")
    assert rounds == ["Round 1: Q1", "Round 2: Q2"]
    assert page.locator("#figure-trend svg[role=img]").count() == 1
    assert serious(page) == [], "overview"
    page.get_by_role("link", name="Open the report of round 1").click()
    page.wait_for_url(re.compile(r"/reports/rep_[A-Za-z0-9_-]+/rounds/1\b"))
    assert page.locator("h1").inner_text() == "Round 1: Q1"
    assert page.locator(".provisional").count() == 0  # round 1 is closed
    assert re.match(
        r"Alignment is \d+ out of 100\.", page.locator("#headline-sentence").inner_text()
    )
    page.get_by_role("link", name="Every round").click()
    page.wait_for_url(re.compile(r"/reports/rep_[A-Za-z0-9_-]+(\?|$)"))
    assert _texts(page, "ol.rounds > li h3") == rounds


def test_revoked_and_expired_links_show_one_404_page(context: Any, site: Site) -> None:
    page = context.new_page()
    for name in ("revoked", "expired"):  # both work until then
        answer = page.goto(site.at(name))
        assert answer is not None and answer.status == 200, name
    w = site.world
    revoked = site.links["revoked"]
    gone = site.world.client.delete(f"{w.base}/report-links/{revoked['id']}", headers=w.admin)
    assert gone.status_code == 204
    with site.app.extensions["scoring"].store.write() as session:
        row = session.get(ReportLink, site.links["expired"]["id"])
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    seen = []
    for name in ("revoked", "expired", "unknown"):
        address = site.at(name) if name in site.links else f"{site.url}/reports/rep_{'x' * 32}"
        answer = page.goto(address)
        assert answer is not None and answer.status == 404, name
        assert answer.headers["cache-control"] == "no-store", name
        assert page.locator("h1").inner_text() == GONE, name
        assert page.title() == GONE, name
        seen.append(page.content())
        assert serious(page) == [], name
    assert seen[0] == seen[1] == seen[2]  # the page tells revoked, expired, unknown apart in no way
    assert page.locator("svg, .points, #headline-sentence").count() == 0
