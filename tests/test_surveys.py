"""Survey files: the shipped ones load; a broken one stops start-up naming file and field."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from scoring_service import create_app
from scoring_service.errors import SurveyDefinitionError
from scoring_service.surveys import Survey, load_registry

from .helpers import FIXTURES, settings_for

MINI = (FIXTURES / "surveys" / "mini" / "1.toml").read_text()


def test_default_instrument_meets_the_brief(default_survey: Survey) -> None:
    s = default_survey
    assert s.id == "alliance-objectives"
    assert set(s.role_ids) == {
        "executive_sponsor",
        "business_owner",
        "legal",
        "procurement",
        "it",
        "finance",
        "operations",
    }
    assert {
        "revenue_growth",
        "cost_reduction",
        "market_access",
        "innovation",
        "customer_experience",
        "speed_to_market",
        "risk_control",
        "operational_efficiency",
        "learning",
    } <= set(s.objective_ids)
    kinds = {frozenset((r.a, r.b)): r.kind for r in s.relations}
    assert kinds[frozenset(("speed_to_market", "risk_control"))] == "conflicts"
    assert kinds[frozenset(("cost_reduction", "innovation"))] == "tension"
    assert kinds[frozenset(("cost_reduction", "customer_experience"))] == "tension"
    assert kinds[frozenset(("revenue_growth", "market_access"))] == "supports"
    assert all(r.rationale["en"] for r in s.relations)
    assert 10 <= len(s.dimensions) <= 12
    assert all(3 <= len(d.items) <= 5 for d in s.dimensions)
    assert all(d.source for d in s.dimensions)
    assert len(s.items_of("allocation")) == 1 and s.items_of("allocation")[0].total == 100
    assert np.linalg.eigvalsh(s.R).min() > 0


def write(tmp_path: Path, text: str, name: str = "mini/1.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            'id = "t1"\ntype = "likert"\ndimension = "trust"',
            'id = "t1"\ntype = "likert"\ndimension = "nope"',
            "items[0].dimension",
        ),
        ("supports = 0.4", "supports = 1.4", "relation_weights"),
        ('objectives = ["speed", "risk"]', 'objectives = ["speed", "moon"]', "relations[0]"),
        ('relation = "tension"', 'relation = "enemies"', "relations[1].relation"),
        ('id = "t2"', 'id = "t1"', "items"),
        (
            'scale = "agreement"\nsource = "Wilder',
            'scale = "sevenpoint"\nsource = "Wilder',
            "dimensions[0].scale",
        ),
        ("total = 100", 'total = "100"', "items[6].total"),
        (
            'title = { en = "Mini survey", de = "Mini-Umfrage" }',
            'title = { de = "Mini-Umfrage" }',
            "title",
        ),
        ('profile = "respondents"', 'profile = "loudest"', "scoring.profile"),
        ('{ id = "weak", min = 0', '{ id = "weak", min = 10', "scoring.bands"),
        ("compatibility = 60, max_gap", "compatibility = 90, max_gap", "scoring.bands"),
        ("max_gap = 0.25", "max_gap = 0.1", "scoring.bands"),
        ("max_gap = 1,", "max_gap = 0.9,", "scoring.bands"),
        ("compatibility = 80, max_gap = 0.125, ", "", "scoring.bands[0].compatibility"),
        ("version = 1", 'version = 1\ncolour = "red"', "colour"),
    ],
)
def test_broken_file_names_file_and_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in MINI
    folder = write(tmp_path, MINI.replace(old, new, 1))
    with pytest.raises(SurveyDefinitionError) as info:
        load_registry(folder)
    message = str(info.value)
    assert "mini/1.toml" in message and field in message, message


def test_relation_matrix_must_be_positive_definite(tmp_path: Path) -> None:
    """speed-risk -1 and risk-revenue -1 and speed-revenue -1 cannot all hold."""
    text = MINI.replace("conflicts = -0.8", "conflicts = -1.0") + "\n".join(
        f'[[relations]]\nobjectives = ["{a}", "{b}"]\n'
        'relation = "conflicts"\nrationale = { en = "x" }\n'
        for a, b in (("risk", "revenue"), ("speed", "revenue"))
    )
    with pytest.raises(SurveyDefinitionError, match="not positive definite") as info:
        load_registry(write(tmp_path, text))
    assert re.search(r"speed/risk \(conflicts\)", str(info.value))
    assert "risk/revenue" in str(info.value) and "speed/revenue" in str(info.value)


def test_duplicate_pair_is_refused(tmp_path: Path) -> None:
    text = (
        MINI + '\n[[relations]]\nobjectives = ["risk", "speed"]\n'
        'relation = "supports"\nrationale = { en = "x" }\n'
    )
    with pytest.raises(
        SurveyDefinitionError, match=r"relations\[2\].*already related in relations\[0\]"
    ):
        load_registry(write(tmp_path, text))


def test_file_name_must_match_id_and_version(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError, match="must be surveys/mini/1.toml"):
        load_registry(write(tmp_path, MINI, "mini/2.toml"))


def test_not_toml(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError, match="cannot be read as TOML"):
        load_registry(write(tmp_path, "id = "))


def test_broken_survey_stops_the_app(tmp_path: Path) -> None:
    folder = write(tmp_path, MINI.replace('id = "g3"', 'id = "G 3"'))
    with pytest.raises(SurveyDefinitionError, match=r"items\[5\]\.id"):
        create_app(settings_for(f"sqlite:///{tmp_path}/s.db", tmp_path, surveys_dir=folder))


def test_versions_latest_and_lookup(tmp_path: Path) -> None:
    write(tmp_path, MINI)
    write(tmp_path, MINI.replace("version = 1", "version = 2"), "mini/2.toml")
    registry = load_registry(tmp_path)
    assert registry.versions("mini") == [1, 2]
    assert registry.get("mini").version == 2 and registry.get("mini", 1).version == 1


def test_survey_api(mini_client) -> None:  # type: ignore[no-untyped-def]
    listing = mini_client.get("/api/v1/surveys")
    assert listing.status_code == 200
    assert listing.headers["Access-Control-Allow-Origin"] == "*"
    assert listing.get_json() == [
        {"id": "mini", "version": 1, "versions": [1], "title": "Mini survey"}
    ]
    doc = mini_client.get("/api/v1/surveys/mini").get_json()
    assert doc["objectives"][0] == {"id": "speed", "label": "Speed to market", "description": None}
    assert doc["relations"][0]["objectives"] == ["speed", "risk"]
    assert doc["relations"][0]["relation"] == "conflicts"
    assert doc["dimensions"][0]["source"] == "Wilder Collaboration Factors Inventory"
    t1 = doc["items"][0]
    assert t1["id"] == "t1" and t1["type"] == "likert" and t1["dimension"] == "trust"
    assert (t1["min"], t1["max"], t1["text"]) == (1, 5, "We trust the other partner.")
    assert doc["items"][6]["total"] == 100
    german = mini_client.get("/api/v1/surveys/mini?lang=de").get_json()
    assert german["language"] == "de" and german["items"][0]["text"] == "Wir vertrauen dem Partner."
    assert mini_client.get("/api/v1/surveys/mini?lang=fr").get_json()["language"] == "en"
    assert mini_client.get("/api/v1/surveys/mini?version=1").status_code == 200
    assert mini_client.get("/api/v1/surveys/mini?version=9").status_code == 404
    bad = mini_client.get("/api/v1/surveys/mini?version=x")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "version"
    assert mini_client.get("/api/v1/surveys/nope").mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("supports = 0.4", "supports = -0.4", "relation_weights.supports"),
        ("conflicts = -0.8", "conflicts = 0.3", "relation_weights.conflicts"),
        ("neutral = 0.0", "neutral = 0.1", "relation_weights.neutral"),
    ],
)
def test_relation_weights_have_the_sign_of_their_kind(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    with pytest.raises(SurveyDefinitionError, match=field):
        load_registry(write(tmp_path, MINI.replace(old, new)))


def test_reverse_scoring_on_a_scale_around_zero(tmp_path: Path) -> None:
    """A -2..2 scale: a reversed answer x scores -x (min + max - x), even though min + max = 0."""
    from scoring_service.answers import parse_responses
    from scoring_service.scoring import score

    labels = ", ".join(f'"{k}" = {{ en = "p{k}" }}' for k in range(-2, 3))
    text = MINI.replace("min = 1\nmax = 5", "min = -2\nmax = 2").replace(
        MINI[MINI.index("labels = { 1 = ") : MINI.index("\n", MINI.index("labels = { 1 = "))],
        f"labels = {{ {labels} }}",
    )
    survey = load_registry(write(tmp_path, text)).get("mini")
    raws = [
        {"partner": p, "role": "it", "respondent": "r", "answers": {"t1": v, "t2": v, "t3": v}}
        for p, v in (("acme", 2), ("globex", -2))
    ]
    trust = score(survey, parse_responses(raws, survey), n_resamples=200)["dimensions"][0]
    assert trust["items"]["t2"]["means"] == {"acme": -2.0, "globex": 2.0}
    assert trust["means"] == {"acme": pytest.approx(2 / 3), "globex": pytest.approx(-2 / 3)}
