"""The form in a real browser: Debian's chromium driven by Playwright, axe-core for accessibility.

The service and two portal pages run on 127.0.0.1, each on a free port (so three origins);
the alliance lists one portal in ``frame_ancestors``, not the other. Screenshots go to
``test-artifacts/screenshots/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import html
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from playwright.sync_api import expect
from werkzeug.serving import BaseWSGIServer, make_server

from scoring_service import create_app

from .helpers import FIXTURES, OPERATOR, settings_for

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("SCORING_REQUIRE_BROWSER") == "1"
SKIP_BROWSER = "Browser tests need Debian's chromium (apt-get install chromium)"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless chromium of Debian's package (no download), or a loud skip."""
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"{SKIP_BROWSER}; SCORING_REQUIRE_BROWSER=1 requires them")
        pytest.skip(SKIP_BROWSER)
    from playwright.sync_api import sync_playwright

    # Where a test waits on the form page, it uses locators (not wait_for_function, whose
    # string evaluation the form's CSP forbids, as it should).
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def serve(app: Callable[..., Any]) -> tuple[BaseWSGIServer, str]:
    """Serve a WSGI app on 127.0.0.1, on a free port, in a thread; stop with .shutdown()."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


# The portal page is the snippet of docs/embedding.md, as a portal developer copies it.
DOC = (ROOT / "docs" / "embedding.md").read_text()
SNIPPET = DOC.split("<!-- embed-snippet")[1].split("```html\n")[1].split("```")[0]
EXAMPLE_FORM = "https://scoring.example.com/forms/inv_PERSONAL_TOKEN"


def portal_app(service: str) -> Callable[..., Any]:
    """A partner portal: the documented snippet for the form given as ``?form=``, and a
    recorder of the placeholder's events in ``window.events``."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        form = parse_qs(environ.get("QUERY_STRING", "")).get("form", [""])[0]
        snippet = SNIPPET.replace(EXAMPLE_FORM, html.escape(form))
        snippet = snippet.replace("https://scoring.example.com", service)
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner portal</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Partner portal</h1>
{snippet}</main>
<script>
window.events = [];
["ready", "saved", "completed", "unavailable"].forEach(function (type) {{
  document.getElementById("alliance-form").addEventListener(type, function (e) {{
    window.events.push(type + ":" + (type === "unavailable" ? e.detail.status : e.detail.complete));
  }});
}});
</script>
</body></html>"""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    return app


class Site:
    """The service, a portal it lists and one it does not, and helpers to set up invitations."""

    def __init__(self, tmp: Path) -> None:
        surveys = tmp / "surveys"
        shutil.copytree(ROOT / "surveys" / "alliance-objectives", surveys / "alliance-objectives")
        shutil.copytree(FIXTURES / "surveys" / "mini", surveys / "mini")
        url = f"sqlite:///{tmp / 'scoring.db'}"
        self.app: Flask = create_app(settings_for(url, tmp, surveys_dir=surveys))
        self.server, self.url = serve(self.app)
        self.portal_server, self.portal = serve(portal_app(self.url))
        self.stranger_server, self.stranger = serve(portal_app(self.url))
        self.client = self.app.test_client()

    def invite(self, survey: str = "mini", respondent: str = "lee") -> tuple[str, str, str]:
        """A new alliance on ``survey`` (framed by the portal), round 1, one invitation:
        (form URL, token, alliance base path)."""
        body = {
            "name": "Acme x Globex",
            "partners": [{"key": "acme", "name": "Acme Ltd"}, {"key": "globex", "name": "Globex"}],
            "survey": survey,
            "frame_ancestors": [self.portal],
        }
        auth = {"Authorization": f"Bearer {OPERATOR}"}
        made = self.client.post(f"{API}/alliances", json=body, headers=auth).json
        admin = {"Authorization": f"Bearer {made['admin_key']}"}
        base = f"{API}/alliances/{made['id']}"
        self.client.post(f"{base}/rounds", json={"label": "Q1"}, headers=admin)
        invited = self.client.post(
            f"{base}/rounds/1/invitations",
            json={"partner": "acme", "role": "legal", "respondent": respondent},
            headers=admin,
        ).json
        self.admin = admin
        return f"{self.url}/forms/{invited['token']}", invited["token"], base

    def stored(self, token: str) -> dict[str, Any]:
        """The invitee's response as the API keeps it."""
        mine = self.client.get(f"{API}/me/response", headers={"Authorization": f"Bearer {token}"})
        found: dict[str, Any] = mine.json
        return found

    def stop(self) -> None:
        """Stop the three servers and close the database."""
        for server in (self.server, self.portal_server, self.stranger_server):
            server.shutdown()
            server.server_close()
        self.app.extensions["scoring"].store.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Site]:
    running = Site(tmp_path_factory.mktemp("browser"))
    yield running
    running.stop()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 375, "height": 812}, has_touch=False)
    opened = context.new_page()
    yield opened
    context.close()


def serious(page_or_frame: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page_or_frame)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def events(page: Any) -> list[str]:
    found: list[str] = page.evaluate("window.events")
    return found


def focused(frame: Any) -> str:
    """The focused element in ``frame``: name or id."""
    name: str = frame.evaluate(
        "() => { const e = document.activeElement; return e ? (e.name || e.id || e.tagName) : ''; }"
    )
    return name


def test_a_portal_embeds_the_form_and_a_keyboard_completes_it(phone: Any, site: Site) -> None:
    """On a phone-sized screen (375 px), keyboard only, in a portal page."""
    page = phone
    form_url, token, _ = site.invite()
    logged: list[str] = []
    page.on("console", lambda m: logged.append(m.text))
    page.goto(f"{site.portal}/?form={form_url}")
    page.wait_for_function("window.events.indexOf('ready:false') >= 0")
    frame = page.frame_locator("#alliance-form iframe")
    inner = next(f for f in page.frames if f.url.startswith(site.url))
    # Keyboard only, from the top of the portal page into the form.
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused(inner) == "priorities.speed":
            break
    assert focused(inner) == "priorities.speed"
    total = frame.locator("#total-priorities")
    page.keyboard.type("40")
    assert total.inner_text() == "Total: 40 of 100 points. 60 points left to give."
    for points in ("30", "35"):
        page.keyboard.press("Tab")
        page.keyboard.type(points)
    assert "5 points too many" in total.inner_text()
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.type("0")
    assert total.inner_text() == "Total: 100 of 100 points. All 100 points are given."
    # Six Likert questions: Tab into each group, Space picks the first point, arrows move.
    chosen = {"t1": 4, "t2": 2, "t3": 5, "g1": 3, "g2": 4, "g3": 1}
    for item, point in chosen.items():
        page.keyboard.press("Tab")
        assert focused(inner) == item
        page.keyboard.press("Space")
        for _ in range(point - 1):
            page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("Typed with the keyboard only.")
    assert "7 of 7" in frame.locator("#progress-text").inner_text()
    widths = inner.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths  # no sideways scrolling in the 375 px portal
    page.keyboard.press("Tab")  # Save and finish later
    page.keyboard.press("Tab")  # Submit
    assert focused(inner) == "action" and inner.evaluate("document.activeElement.value") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_function("window.events.indexOf('completed:true') >= 0")
    assert "your answers are submitted" in frame.locator("#notice").inner_text()
    assert "submitted: thank the person, move on" in logged  # the documented listener ran
    # The iframe was sized to the form: no inner scroll bar.
    box = page.locator("#alliance-form iframe").bounding_box()
    inner_height = inner.evaluate("document.documentElement.scrollHeight")
    assert box is not None and abs(box["height"] - inner_height) <= 2, (box, inner_height)
    mine = site.stored(token)
    assert mine["complete"] is True
    assert mine["answers"] == {
        **chosen,
        "priorities": {"speed": 40, "risk": 30, "revenue": 30, "cost": 0},
        "comments": "Typed with the keyboard only.",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal-embedded-completed.png"), full_page=True)


def test_reloading_halfway_resumes_where_the_respondent_stopped(page: Any, site: Site) -> None:
    form_url, token, _ = site.invite(respondent="rae")
    page.goto(form_url)
    page.fill("#f-priorities-speed", "50")
    page.locator("#q-t1 input[value='4']").check()
    page.locator("#q-g2 input[value='2']").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert site.stored(token)["answers"] == {"t1": 4, "g2": 2, "priorities": {"speed": 50}}
    page.reload()
    assert page.locator("#q-t1 input[value='4']").is_checked()
    assert page.locator("#q-g2 input[value='2']").is_checked()
    assert page.input_value("#f-priorities-speed") == "50"
    assert "Total: 50 of 100" in page.inner_text("#total-priorities")
    assert "2 of 7" in page.inner_text("#progress-text")
    # Submitting now shows every missing answer beside its question, nothing typed is lost.
    page.click("button[value='submit']")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.text_content("#err-t2") == "Error: Choose one answer."
    assert page.get_attribute("#q-t2", "aria-invalid") == "true"
    assert "err-t2" in (page.get_attribute("#q-t2", "aria-describedby") or "")
    assert page.input_value("#f-priorities-speed") == "50"
    assert serious(page) == [], "error state"
    assert site.stored(token)["complete"] is False
    page.screenshot(path=str(SHOTS / "form-errors.png"), full_page=True)


def test_an_origin_not_listed_cannot_frame_the_form(page: Any, site: Site) -> None:
    form_url, _, _ = site.invite(respondent="sam")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text))
    page.goto(f"{site.stranger}/?form={form_url}")
    page.wait_for_selector("#alliance-form iframe")
    # The browser refuses to frame the form; the frame stays silent, so embed.js puts the
    # placeholder's link back and says the form cannot be used here.
    page.wait_for_function("window.events.indexOf('unavailable:0') >= 0")
    assert events(page) == ["unavailable:0"]
    assert page.locator("#alliance-form iframe").count() == 0
    assert page.locator("#alliance-form a").get_attribute("href") == form_url
    assert any("frame-ancestors" in line for line in refused), refused


def test_messages_go_only_between_the_listed_portal_and_the_service(page: Any, site: Site) -> None:
    form_url, _, _ = site.invite(respondent="max")
    page.goto(f"{site.portal}/?form={form_url}")
    page.wait_for_function("window.events.indexOf('ready:false') >= 0")
    assert page.locator("#alliance-form iframe").get_attribute("title") == "Alliance questionnaire"
    # A placeholder added later, without data-title: the frame takes the form's own title.
    page.evaluate(
        """url => {
        const late = document.createElement("div");
        late.id = "late";
        late.setAttribute("data-alignment-form", url);
        document.body.appendChild(late);
        window.AlignmentForms.mount(late);
    }""",
        form_url,
    )
    expect(page.locator("#late iframe")).to_have_attribute("title", "Mini survey")
    # A message from any other window (here the portal page itself) is ignored by embed.js.
    page.evaluate(
        "window.postMessage({source: 'alignment-form', type: 'completed', complete: true}, '*')"
    )
    page.wait_for_timeout(300)
    assert events(page) == ["ready:false"]
    # A form whose fragment names an origin the alliance does not list posts nothing.
    page.evaluate(
        """url => {
        const frame = document.createElement("iframe");
        frame.src = url + "#origin=" + encodeURIComponent("https://evil.example");
        document.body.appendChild(frame);
        window.seen = [];
        window.addEventListener("message", e => window.seen.push(e.data.type));
    }""",
        form_url,
    )
    page.wait_for_timeout(1500)
    assert page.evaluate("window.seen") == []


def test_errors_go_as_their_questions_are_answered(page: Any, site: Site) -> None:
    form_url, token, _ = site.invite(respondent="noa")
    page.goto(form_url)
    page.click("button[value='submit']")
    summary = page.locator("#error-summary")
    expect(summary.locator("h2")).to_have_text("7 answers need your attention")
    # The summary links the first five questions in page order, and counts the others.
    links = summary.locator("a")
    expect(links).to_have_count(5)
    assert links.first.inner_text().startswith("Spread 100 points.")
    assert summary.locator("p.more").inner_text() == (
        "And 2 more, marked beside their questions below."
    )
    # A link moves focus to its question.
    page.locator("#error-summary a[href='#q-g1']").click()
    assert page.evaluate("document.activeElement.name") == "g1"
    # Answering one question and saving removes its error; the others stay, and the summary
    # follows: one fewer, the next question linked in its place.
    page.keyboard.press("Space")
    expect(page.locator("#err-g1")).to_have_count(0)
    expect(summary.locator("h2")).to_have_text("6 answers need your attention")
    targets = [f"#q-{key}" for key in ("priorities", "t1", "t2", "t3", "g2")]
    assert [links.nth(n).get_attribute("href") for n in range(links.count())] == targets
    assert summary.locator("p.more").inner_text() == "And 1 more, marked beside its question below."
    assert page.get_attribute("#q-g1", "aria-invalid") is None
    assert page.get_attribute("#q-t1", "aria-invalid") == "true"
    # Said once when it came: its updates while the person answers are not alerts again.
    assert summary.get_attribute("role") is None
    assert serious(page) == [], "the summary after a save"
    # Text typed without leaving the field is saved after a pause.
    page.fill("#f-comments", "Still typing")
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.wait_for_timeout(2500)
    assert site.stored(token)["answers"].get("comments") == "Still typing"


def summary_of(page: Any) -> dict[str, Any]:
    """The error summary as a person sees it: heading, links (target and text), the last line."""
    summary = page.locator("#error-summary")
    links = summary.locator("li a")
    more = summary.locator("p.more")
    return {
        "heading": summary.locator("h2").inner_text(),
        "links": [
            (links.nth(n).get_attribute("href"), links.nth(n).inner_text())
            for n in range(links.count())
        ],
        "more": more.inner_text() if more.count() else None,
    }


def test_an_early_submit_shows_a_short_summary_with_and_without_script(
    chromium: Any, site: Site
) -> None:
    """The default survey submitted at once: the count, five links, how many more, focus on the
    summary, nothing serious for axe; the same summary as the page without script. Then 150 of
    100 points: the summary keeps the points' problem, worded anew, among the others."""
    from scoring_service.forms.views import SUMMARY_SHOWN
    from scoring_service.surveys import load_registry

    survey = load_registry(ROOT / "surveys").get("alliance-objectives")
    required = [i.id for i in survey.items if i.required]
    plain_url, _, _ = site.invite(survey="alliance-objectives", respondent="eli")
    # The server's order of the problems (the JSON the script receives).
    errors = site.client.post(
        plain_url.removeprefix(site.url),
        data={"action": "submit"},
        headers={"Accept": "application/json"},
    ).json["errors"]
    assert len(errors) == len(required)
    shown = list(errors)[:SUMMARY_SHOWN]
    # Without script: the page the server renders after a plain POST.
    bare = chromium.new_context()
    bare.route("**/form.js", lambda route: route.abort())
    plain = bare.new_page()
    plain.goto(plain_url)
    plain.click("button[value='submit']")
    expect(plain.locator("#error-summary")).to_have_count(1)
    without_script = summary_of(plain)
    bare.close()
    # With script: the same form, answered by fetch in JSON.
    form_url, token, _ = site.invite(survey="alliance-objectives", respondent="fay")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(form_url)
    page.click("button[value='submit']")
    summary = page.locator("#error-summary")
    expect(summary).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.get_attribute("role") == "alert"
    with_script = summary_of(page)
    assert with_script["heading"] == f"{len(required)} answers need your attention"
    assert [href for href, _ in with_script["links"]] == [f"#q-{key}" for key in shown]
    assert with_script["links"][0][1].endswith("Give your points.")
    rest = len(required) - SUMMARY_SHOWN
    assert with_script["more"] == f"And {rest} more, marked beside their questions below."
    assert with_script == without_script  # the page does not depend on the script
    assert page.locator("p.error").count() == len(required)  # each beside its question
    assert serious(page) == [], "early submit"
    # The links work: focus goes to the question's first control.
    page.locator(f"#error-summary a[href='#q-{shown[1]}']").click()
    assert page.evaluate("document.activeElement.name") == shown[1]
    # 150 of 100 points: saved as typed, refused; the points' problem stays in the summary.
    (item,) = survey.items_of("allocation")
    first, second = survey.objective_ids[:2]
    page.fill(f"#f-{item.id}-{first}", "80")
    page.fill(f"#f-{item.id}-{second}", "70")
    expect(page.locator(f"#err-{item.id}")).to_contain_text("The points add up to 150")
    expect(summary.locator(f"a[href='#q-{item.id}']")).to_contain_text(
        "The points add up to 150; at most 100 can be given."
    )
    assert summary_of(page)["heading"] == f"{len(required)} answers need your attention"
    expect(summary.locator("li a")).to_have_count(SUMMARY_SHOWN)
    assert serious(page) == [], "points over their total"
    page.screenshot(path=str(SHOTS / "form-early-submit.png"), full_page=False)
    # Submitted again: a new summary with the sum as the service words it for a submit.
    page.click("button[value='submit']")
    expect(summary.locator(f"a[href='#q-{item.id}']")).to_contain_text(
        "The points add up to 150; they must add up to 100."
    )
    assert summary.get_attribute("role") == "alert"
    assert summary_of(page)["heading"] == f"{len(required)} answers need your attention"
    context.close()
    assert site.stored(token)["complete"] is False


def test_a_double_click_submits_once(page: Any, site: Site) -> None:
    form_url, _, _ = site.invite(respondent="dee")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.post_data or "") if r.method == "POST" else None)
    page.goto(form_url)
    for name, value in (("t1", 4), ("t2", 2), ("t3", 5), ("g1", 3), ("g2", 4), ("g3", 1)):
        page.locator(f"#q-{name} input[value='{value}']").check()
    page.fill("#f-priorities-speed", "100")
    page.wait_for_timeout(2500)  # let the saves as you go settle
    posts.clear()
    page.locator("button[value='submit']").dblclick()
    expect(page.locator("#notice")).to_contain_text("submitted")
    page.wait_for_timeout(500)
    assert sum("action=submit" in body for body in posts) == 1, posts


def test_a_failed_save_keeps_everything_typed(page: Any, site: Site) -> None:
    form_url, _, _ = site.invite(respondent="ivy")
    page.goto(form_url)
    page.fill("#f-priorities-speed", "70")
    page.locator("#q-t1 input[value='2']").check()
    page.route(
        "**/forms/inv_*",
        lambda route: (
            route.fulfill(
                status=503, content_type="application/problem+json", body='{"status": 503}'
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.click("button[value='save']")
    expect(page.locator("#save-status")).to_contain_text("could not save")
    assert page.input_value("#f-priorities-speed") == "70"
    assert page.locator("#q-t1 input[value='2']").is_checked()


def test_a_link_that_does_not_work_is_reported_and_its_link_put_back(page: Any, site: Site) -> None:
    """Its page names no alliance, so no portal may frame it: the portal (listed by an
    alliance) is told the frame stayed silent, and the person keeps the link, which says why."""
    site.invite(respondent="lou")
    broken = f"{site.url}/forms/inv_mistyped"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text))
    page.goto(f"{site.portal}/?form={broken}")
    page.wait_for_function("window.events.indexOf('unavailable:0') >= 0")
    assert events(page) == ["unavailable:0"]
    assert any("frame-ancestors 'none'" in line for line in refused), refused
    assert page.locator("#alliance-form iframe").count() == 0
    link = page.locator("#alliance-form a")
    assert link.get_attribute("href") == broken
    link.click()
    expect(page.locator("h1")).to_have_text("This link does not work")
    assert page.url == broken
    assert serious(page) == [], "a link that does not work"


def test_a_round_closed_while_the_form_is_open_tells_the_portal(page: Any, site: Site) -> None:
    form_url, _, base = site.invite(respondent="ray")
    page.goto(f"{site.portal}/?form={form_url}")
    page.wait_for_function("window.events.indexOf('ready:false') >= 0")
    site.client.patch(f"{base}/rounds/1", json={"status": "closed"}, headers=site.admin)
    frame = page.frame_locator("#alliance-form iframe")
    frame.locator("#q-t1 input[value='4']").check()
    page.wait_for_function("window.events.indexOf('unavailable:410') >= 0")
    expect(frame.locator("h1")).to_have_text("This round is closed")
    page.wait_for_timeout(2500)  # longer than embed.js waits for a silent frame
    assert events(page) == ["ready:false", "unavailable:410"]


def test_screenshots_and_no_horizontal_scroll_on_a_phone(chromium: Any, site: Site) -> None:
    form_url, _, _ = site.invite(survey="alliance-objectives", respondent="pat")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, width, height in (("desktop", 1280, 900), ("phone", 375, 812)):
        context = chromium.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(form_url)
        page.fill("#f-priorities-revenue_growth", "60")
        scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll[0] <= scroll[1], f"{name}: {scroll[0]} px of content in {scroll[1]} px"
        page.screenshot(path=str(SHOTS / f"form-{name}.png"), full_page=True)
        assert serious(page) == [], name
        context.close()


def test_axe_finds_nothing_serious_on_the_pages_without_script(chromium: Any, site: Site) -> None:
    form_url, token, base = site.invite(respondent="kim")
    context = chromium.new_context()
    context.route("**/form.js", lambda route: route.abort())  # the page as it is without script
    page = context.new_page()
    page.goto(form_url)
    assert serious(page) == [], "form"
    page.click("button[value='submit']")  # a plain POST: the error page the server renders
    assert page.locator("#error-summary").count() == 1
    assert serious(page) == [], "error page"
    site.client.patch(f"{base}/rounds/1", json={"status": "closed"}, headers=site.admin)
    answer = page.goto(form_url)
    assert answer is not None and answer.status == 410
    assert serious(page) == [], "closed round"
    page.screenshot(path=str(SHOTS / "closed-round.png"))
    context.close()
    assert site.stored(token)["answers"] == {}


def test_the_api_docs_authorize_a_partner_key_and_try_a_route(page: Any, site: Site) -> None:
    """The OpenAPI document names its bearer schemes: the docs UI's Authorize dialog takes a
    partner key, and "Try it out" calls a credentialed route with it (there was no Authorize
    button, so 16 of 21 routes could not be tried there)."""
    _, _, base = site.invite()
    key = site.client.post(f"{base}/partners/acme/keys", headers=site.admin).json["key"]
    page.goto(f"{site.url}{API}/docs")
    page.locator(".auth-wrapper").get_by_role("button", name="Authorize").click()
    dialog = page.locator(".modal-ux")
    partner = dialog.locator(".auth-container").filter(
        has=page.locator("h4 code", has_text="partner")
    )
    partner.get_by_label("auth-bearer-value").fill(key)
    partner.get_by_role("button", name="Authorize").click()
    expect(partner).to_contain_text("Authorized")
    dialog.get_by_role("button", name="Close").first.click()
    path = "/api/v1/alliances/{alliance_id}/rounds"
    route = page.locator(".opblock-get").filter(
        has=page.locator(f".opblock-summary-path[data-path='{path}']")
    )
    route.locator(".opblock-summary").click()
    route.get_by_role("button", name="Try it out").click()
    route.get_by_placeholder("alliance_id").fill(base.rsplit("/", 1)[1])
    route.get_by_role("button", name="Execute").click()
    live = route.locator(".live-responses-table tbody .response-col_status").first
    expect(live).to_have_text("200")
    expect(route.locator(".curl")).to_contain_text(f"Authorization: Bearer {key}")
    expect(route.locator(".live-responses-table")).to_contain_text('"label": "Q1"')
