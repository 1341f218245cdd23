"""Schemathesis against the app: every generated request, valid or not, answered as the OpenAPI
document says (status, content type, body schema, headers), never a 5xx.

Real credentials of a real alliance (operator, admin, a partner key, an invitation token) are
made by the fixture; path parameters name its resources, so the cases reach past the
credential check. A fixed seed makes every run the same cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask

from scoring_service import create_app

from .helpers import OPERATOR, World, settings_for

SEED = 20261130
# Operations that end the world the others need (the alliance, its admin key, a partner key):
# the access matrix and the store tests cover their answers.
DESTRUCTIVE = (
    ("DELETE", r"^/api/v1/alliances/\{alliance_id\}$"),
    ("POST", r"/admin-key$"),
    ("DELETE", r"/keys/\{key_id\}$"),
    ("POST", r"/rotate$"),
)
CASES: Counter[str] = Counter()
# Where a request the document calls valid may still be refused (422), by a rule the document
# cannot state: a survey's items, roles and sums, a survey or stakeholder that must exist,
# partner keys that must differ, a round's window, a page cursor this API gave (opaque).
# Everywhere else, schema-valid data must be accepted (positive_data_acceptance, as it is).
RULES_BEYOND_THE_DOCUMENT = [
    ("GET", r"^/api/v1/alliances(/\{alliance_id\}/(rounds|stakeholders))?$"),
    ("GET", r"/rounds/\{n\}/(responses|invitations)$"),
    ("POST", r"^/api/v1/(score|alliances)$"),
    ("PATCH", r"^/api/v1/alliances/\{alliance_id\}$"),
    ("POST", r"/rounds$|/invitations$|/responses$"),
    ("PUT", r"/responses/\{respondent\}$|^/api/v1/me/response$"),
]
ALSO_422 = {"expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 422, 429]}


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(settings_for(f"sqlite:///{tmp / 'fuzz.db'}", tmp))
    yield app
    app.extensions["scoring"].store.dispose()


@pytest.fixture(scope="module")
def api(fuzzed_app: Flask) -> Any:
    """The app's own OpenAPI document, with the credentials and resources of one alliance."""
    client = fuzzed_app.test_client()
    w = World(client)
    invited = client.post(
        f"{w.base}/rounds/1/invitations",
        json={"partner": "acme", "role": "legal", "respondent": "lee"},
        headers=w.admin,
    ).json
    key = w.keys["acme"]["Authorization"].split()[1]
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": 40, "database": "none"},
            "auth": {
                "openapi": {
                    "operator": {"bearer": OPERATOR},
                    "admin": {"bearer": w.admin["Authorization"].split()[1]},
                    "partner": {"bearer": key},
                    "invitation": {"bearer": invited["token"]},
                }
            },
            "operations": [
                {
                    "include-method": method,
                    "include-path-regex": path,
                    "checks": {"positive_data_acceptance": ALSO_422},
                }
                for method, path in RULES_BEYOND_THE_DOCUMENT
            ],
            "parameters": {
                "path.alliance_id": w.id,
                "path.partner": "acme",
                "path.n": 1,
            },
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app, config=config)
    for method, path in DESTRUCTIVE:
        schema = schema.exclude(method=method, path_regex=path)
    return schema


schema = schemathesis.pytest.from_fixture("api")


@pytest.mark.slow
@schema.parametrize()
def test_every_answer_is_the_one_the_document_declares(case: schemathesis.Case) -> None:
    CASES[case.operation.label] += 1
    case.call_and_validate()


@pytest.mark.slow
def test_enough_cases_were_generated() -> None:
    """Runs after the test above (pytest keeps the file's order): at least 500 cases on the
    routes that need a credential, and every operation tried."""
    credentialed = {k: v for k, v in CASES.items() if "/api/v1/alliances" in k or "/me/" in k}
    print(
        f"schemathesis: {sum(CASES.values())} cases over {len(CASES)} operations, "
        f"{sum(credentialed.values())} of them over the {len(credentialed)} with a credential"
    )
    assert sum(credentialed.values()) >= 500, CASES
    assert len(CASES) == 30 and len(credentialed) == 25, CASES
