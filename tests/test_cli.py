"""``scoring-service``: offline scoring of JSON and CSV files with the same engine."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring_service.cli import main
from scoring_service.store import migrate

from .helpers import mini_response


@pytest.fixture(autouse=True)
def mini_surveys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORING_SURVEYS_DIR", str(Path(__file__).parent / "fixtures" / "surveys"))


def responses() -> list[dict]:  # type: ignore[type-arg]
    fast = {"speed": 60, "risk": 10, "revenue": 20, "cost": 10}
    careful = {"speed": 10, "risk": 60, "revenue": 20, "cost": 10}
    return [mini_response("acme", f"a{k}", priorities=fast) for k in range(3)] + [
        mini_response("globex", f"g{k}", priorities=careful) for k in range(3)
    ]


def test_json_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"survey": "mini", "responses": responses()}))
    assert main(["score", str(path), "--resamples", "300"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["conflicts"][0]["kind"] == "objective_conflict"
    assert result["method"]["permutations"] == 300


def write_csv(path: Path, rows: list[dict]) -> None:  # type: ignore[type-arg]
    items = ["t1", "t2", "t3", "g1", "g2", "g3"]
    objectives = ["speed", "risk", "revenue", "cost"]
    header = ["partner", "role", "respondent", *items, *(f"priorities.{o}" for o in objectives)]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            a = r["answers"]
            w.writerow(
                [r["partner"], r["role"], r["respondent"], *(a[i] for i in items)]
                + [a["priorities"][o] for o in objectives]
            )


def test_csv_gives_the_same_result_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_csv(tmp_path / "r.csv", responses())
    (tmp_path / "r.json").write_text(json.dumps({"survey": "mini", "responses": responses()}))
    assert main(["score", "--survey", "mini", str(tmp_path / "r.csv")]) == 0
    from_csv = capsys.readouterr().out
    assert main(["score", str(tmp_path / "r.json")]) == 0
    assert from_csv == capsys.readouterr().out


def test_table_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_csv(tmp_path / "r.csv", responses())
    assert main(["score", "--survey", "mini", "--format", "table", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("alignment") and "trust" in out and "[high]" in out
    partners = sorted({r["partner"] for r in responses()})
    assert f"gap: {partners[1]} minus {partners[0]}" in out  # the sign, named
    assert "q: the gap's Benjamini-Hochberg adjusted p-value" in out


def test_the_command_line_imports_nothing_heavy_to_start() -> None:
    """`scoring-service --help` answers at once: the engine, the store and Flask load only in
    the commands that use them."""
    code = (
        "import sys, scoring_service.cli; "
        "print(sorted(m for m in ('numpy', 'scipy', 'sqlalchemy', 'flask', 'marshmallow') "
        "if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
    helped = subprocess.run(
        [sys.executable, "-m", "scoring_service", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "rotate-admin-key" in helped.stdout


def test_bad_csv_names_the_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = responses()
    rows[1]["answers"]["t1"] = 9
    write_csv(tmp_path / "r.csv", rows)
    assert main(["score", "--survey", "mini", str(tmp_path / "r.csv")]) == 2
    # The second data row is line 3 of the file (the header is line 1).
    assert "line 3.answers.t1: must be an integer between 1 and 5" in capsys.readouterr().err


def test_unknown_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.csv").write_text("partner,role,respondent,zz\nacme,legal,r1,3\n")
    assert main(["score", "--survey", "mini", str(tmp_path / "r.csv")]) == 2
    assert "columns.zz: unknown column" in capsys.readouterr().err


def test_unknown_survey(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "b.json").write_text(json.dumps({"survey": "nope", "responses": []}))
    assert main(["score", str(tmp_path / "b.json")]) == 2
    assert "no survey 'nope'" in capsys.readouterr().err


def test_check_surveys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-surveys"]) == 0
    assert "mini: versions [1] ok" in capsys.readouterr().out


def test_csv_without_survey_and_bad_encoding_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_csv(tmp_path / "r.csv", responses())
    assert main(["score", str(tmp_path / "r.csv")]) == 2
    assert "--survey is required" in capsys.readouterr().err
    people = responses()
    people[4]["respondent"] = "gérard"
    write_csv(tmp_path / "utf8.csv", people)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((tmp_path / "utf8.csv").read_text().encode("windows-1252"))
    assert main(["score", "--survey", "mini", str(latin)]) == 2
    assert capsys.readouterr().err.startswith("error: line 6: byte 0xE9 is not UTF-8 text;")
    assert main(["score", "--survey", "mini", "--encoding", "latin-1", str(latin)]) == 0
    assert json.loads(capsys.readouterr().out)["sample"]["globex"]["n"] == 3
    assert main(["score", "--survey", "mini", "--encoding", "koi8-r", str(latin)]) == 2
    assert "A CSV is read as UTF-8, windows-1252 or UTF-16" in capsys.readouterr().err


def test_json_envelope_is_checked_like_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.json").write_text(json.dumps({"survey": ["x"], "responses": []}))
    assert main(["score", str(tmp_path / "b.json")]) == 2
    assert "survey: Not a valid string." in capsys.readouterr().err


def test_csv_problems_name_the_file_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "partner,role,respondent,t1\nacme,it,r1,3\n\nacme,it,r2\nglobex,legal,g1,2\n"
    (tmp_path / "r.csv").write_text(text)
    assert main(["score", "--survey", "mini", str(tmp_path / "r.csv")]) == 2
    assert "line 4: has 3 cells, the header 4" in capsys.readouterr().err
    (tmp_path / "r.csv").write_text(text.replace("acme,it,r2\n", "acme,ceo,r2,3\n"))
    assert main(["score", "--survey", "mini", str(tmp_path / "r.csv")]) == 2
    assert "line 4.role: must be one of" in capsys.readouterr().err


def test_setup_migrates_and_prints_the_operator_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCORING_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SCORING_OPERATOR_TOKEN", raising=False)
    assert main(["setup"]) == 0
    out = capsys.readouterr().out
    token = (tmp_path / "instance" / "operator-token").read_text().strip()
    head = migrate.head()
    assert token.startswith("op_") and token in out and f"database revision: {head}" in out
    assert (tmp_path / "instance" / "secret-key").stat().st_mode & 0o077 == 0  # owner only
    assert main(["setup"]) == 0  # a second start keeps the secrets
    assert (tmp_path / "instance" / "operator-token").read_text().strip() == token
    assert main(["db", "downgrade", "base"]) == 0
    assert "database revision: None" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0 and main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"database revision: {head} (code: {head})")


def test_rotate_admin_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scoring_service import create_app

    from .helpers import OPERATOR

    monkeypatch.setenv("SCORING_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("SCORING_OPERATOR_TOKEN", OPERATOR)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    client = app.test_client()
    made = client.post(
        "/api/v1/alliances",
        json={
            "name": "A",
            "partners": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
            "survey": "mini",
        },
        headers={"Authorization": f"Bearer {OPERATOR}"},
    ).json
    assert main(["rotate-admin-key", made["id"]]) == 0
    new = capsys.readouterr().out.strip().rsplit(" ", 1)[1]
    url = f"/api/v1/alliances/{made['id']}"
    assert (
        client.get(url, headers={"Authorization": f"Bearer {made['admin_key']}"}).status_code == 401
    )
    assert client.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert main(["rotate-admin-key", "nope"]) == 2
    app.extensions["scoring"].store.dispose()


def test_the_readme_csv_example_scores_like_its_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README's offline examples: the shipped CSV holds the same two partners as the JSON."""
    monkeypatch.delenv("SCORING_SURVEYS_DIR")  # the real surveys, as the README runs it
    examples = Path(__file__).resolve().parent.parent / "docs" / "examples"
    assert main(["score", str(examples / "score-request.json")]) == 0
    from_json = json.loads(capsys.readouterr().out)
    csv_file = str(examples / "score-request.csv")
    assert main(["score", "--survey", "alliance-objectives", csv_file]) == 0
    assert json.loads(capsys.readouterr().out) == from_json
    assert from_json["partners"] == ["acme", "globex"]
