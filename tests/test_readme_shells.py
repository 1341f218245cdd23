"""The README's curl walk-through, pasted into bash and into zsh, against a real server.

The ``sh`` blocks between the README's ``<!-- walkthrough: ...`` and ``<!-- walkthrough end -->``
markers are fed, one after the other, to an interactive shell without start-up files
(``bash --norc -i``, ``zsh -f -i``): as a newcomer's terminal takes a paste, so with history
expansion, zsh's word splitting rules and its default of ``#`` not starting a comment in an
interactive shell. ``BASE`` points the block at a gunicorn server on a free port of 127.0.0.1,
and ``SCORING_OPERATOR_TOKEN`` gives it that server's operator token.

Each run creates its own alliance; the outcome is checked through the API afterwards, and a run
with a wrong operator token has to show its 401 rather than go on quietly.

zsh comes from Debian's packages (``.ci/run`` installs it): when a shell is missing the test is
skipped, or fails under ``SCORING_REQUIRE_SHELLS=1``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import OPERATOR, ROOT, env, gunicorn

pytestmark = pytest.mark.slow

START = "<!-- walkthrough:"
END = "<!-- walkthrough end -->"
# Interactive, no start-up files: the defaults a fresh bash or zsh (macOS's shell) starts with
# (bash without readline, which would echo every line it reads into the output checked here).
SHELLS = {
    "bash": ["bash", "--norc", "--noprofile", "--noediting", "-i"],
    "zsh": ["zsh", "-f", "-i"],
}
CONFLICT = "objective_conflict:speed_to_market:risk_control"
PEOPLE = {
    "acme": ["a-legal", "a-sponsor", "a-it", "a-owner"],
    "globex": ["g-legal", "g-sponsor", "g-procurement", "g-finance"],
}
# What the walk-through's shell says after the README's blocks: the ids the checks need.
TRAILER = 'printf \'\\n@@ walkthrough %s %s\\n\' "$ALLIANCE" "$ADMIN"\n'
# Signs of a step that failed: curl's own error line (--fail-with-body: "curl: (22) The
# requested URL returned error: 401"), a problem document, pick's complaint, a shell error.
FAILURES = [
    r"curl: \(\d+\)",
    r"returned error: \d{3}",
    r'"status": ?[45]\d\d',
    r"\bno \w+ in [{\[]",
    r"command not found",
    r"(syntax|parse) error",
    r"bad substitution",
    r"no matches found",
    r"event not found",
    r"Traceback",
]


def walkthrough() -> str:
    """The README's walk-through: its shell blocks between the markers, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(START)
    part = text[start : text.index(END, start)]
    blocks = re.findall(r"^```sh\n(.*?)^```$", part, flags=re.S | re.M)
    assert blocks, "no ```sh block between the walk-through's markers"
    return "".join(blocks)


def shell(name: str) -> list[str]:
    """The command line of ``name``; skipped (or failed, SCORING_REQUIRE_SHELLS=1) if missing."""
    if shutil.which(name) is None:
        reason = f"{name} is not installed (Debian: apt-get install {name}; .ci/run does it)"
        if os.environ.get("SCORING_REQUIRE_SHELLS") == "1":
            pytest.fail(f"SCORING_REQUIRE_SHELLS=1 but {reason}")
        pytest.skip(reason)
    return SHELLS[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gunicorn server on SQLite in a temporary instance folder; stopped by this fixture."""
    instance = tmp_path_factory.mktemp("instance")
    settings = {"SCORING_INSTANCE_DIR": str(instance), "SCORING_OPERATOR_TOKEN": OPERATOR}
    with gunicorn(instance / "gunicorn.log", **settings) as base:
        yield base


def paste(argv: list[str], base: str, token: str, home: Path) -> tuple[int, str]:
    """Run the walk-through in the shell ``argv`` from the repository's folder, as pasted;
    returns the exit status and everything it printed (stdout, then stderr)."""
    run = subprocess.run(
        argv,
        input=walkthrough() + TRAILER,
        cwd=ROOT,  # the blocks name docs/examples/walkthrough/... relative to it
        env=env(
            BASE=base,
            SCORING_OPERATOR_TOKEN=token,
            HOME=str(home),
            HISTFILE=str(home / "history"),  # bash -i saves its history on exit
        ),
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,  # no controlling terminal for an interactive shell to take
    )
    return run.returncode, f"{run.stdout}\n--- stderr ---\n{run.stderr}"


def get(url: str, key: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        return json.loads(resp.read())


def test_the_walkthrough_blocks_are_plain_ascii_with_the_base_url_variable() -> None:
    block = walkthrough()
    assert block.isascii(), "typographic quotes or dashes break a pasted shell block"
    assert "BASE=${BASE:-http://127.0.0.1:8000}" in block
    assert "set -- $" not in block and ">/dev/null" not in block


@pytest.mark.parametrize("name", sorted(SHELLS))
def test_the_walkthrough_as_pasted(name: str, server: str, tmp_path: Path) -> None:
    status, out = paste(shell(name), server, OPERATOR, tmp_path)
    assert status == 0, out
    for sign in FAILURES:
        assert not re.search(sign, out), f"{name}: {sign!r} in the output:\n{out}"
    # Every step printed its answer: the CSV reports, the results with the conflict, a form.
    assert out.count('{"saved":2,"failed":0,"errors":[]}') == 2, out
    assert CONFLICT in out, out
    ids = re.search(r"^@@ walkthrough (\S+) (\S+)$", out, flags=re.M)
    assert ids, out
    alliance, admin = ids.groups()
    assert f"alliance {alliance}, admin key {admin}\n" in out, out
    form = re.search(
        rf"a-legal's form for round 2, to open in a browser: ({re.escape(server)}/forms/inv_\S+)$",
        out,
        flags=re.M,
    )
    assert form, out
    with urllib.request.urlopen(form[1], timeout=30) as page:
        assert page.status == 200 and page.headers.get_content_type() == "text/html"
    report = re.search(
        rf"round 1's report for the steering committee, to open in a browser: "
        rf"({re.escape(server)}/reports/rep_\S+)$",
        out,
        flags=re.M,
    )
    assert report, out
    with urllib.request.urlopen(report[1], timeout=30) as page:
        text = page.read().decode()
        assert page.status == 200 and "What to talk about next" in text
        assert "Agree a pre-approved contract template" in text  # the conflict's next step

    # What the server kept: all eight people's responses, complete, and the conflict flagged.
    rounds = f"{server}/api/v1/alliances/{alliance}/rounds"
    results = get(f"{rounds}/1/results", admin)
    assert {p: c["complete"] for p, c in results["completion"].items()} == {
        "acme": 4,
        "globex": 4,
    }
    assert CONFLICT in {c["id"] for c in results["result"]["conflicts"]}
    invited = get(f"{rounds}/1/invitations", admin)["items"]
    everyone = [r for people in PEOPLE.values() for r in people]
    assert {i["respondent"]: i["status"] for i in invited} == dict.fromkeys(everyone, "complete")
    assert [(r["n"], r["label"], r["status"]) for r in get(rounds, admin)["items"]] == [
        (1, "2026 Q4", "closed"),
        (2, "2027 Q2", "open"),
    ]
    again = get(f"{rounds}/2/invitations", admin)["items"]
    assert [i["respondent"] for i in again] == ["a-legal"]


@pytest.mark.parametrize("name", sorted(SHELLS))
def test_a_wrong_operator_token_shows_its_401(name: str, server: str, tmp_path: Path) -> None:
    """The first request is refused: the walk-through says so (curl's line and the problem),
    and what depends on it fails visibly too, instead of carrying on in silence."""
    status, out = paste(shell(name), server, "op_" + "w" * 40, tmp_path)
    assert status == 0, out
    errors = re.findall(r"curl: \(22\) The requested URL returned error: (\d{3})", out)
    assert errors[:1] == ["401"] and len(errors) > 10, out  # the later requests fail visibly too
    # pick shows the problem it got instead of the alliance's id and admin key.
    assert re.search(r'\bno id in \{.*"status": 401', out, flags=re.M), out
    assert re.search(r'\bno admin_key in \{.*"status": 401', out, flags=re.M), out
    assert re.search(r"^alliance , admin key $", out, flags=re.M), out
    assert re.search(r"to open in a browser: $", out, flags=re.M), out
    assert "/forms/inv_" not in out and "command not found" not in out, out
