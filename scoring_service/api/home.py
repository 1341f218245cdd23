"""``GET /``: what this service is, and where to go next (a page for people, not an API)."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("home", __name__)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alliance alignment scoring</title>
</head>
<body>
<main>
<h1>Alliance alignment scoring</h1>
<p>This service tells the two partners of a business alliance how well their objectives line up,
and where they conflict: statistical alignment scores with their uncertainty, and flags with the
evidence behind each, round after round.</p>
<h2>Where to go</h2>
<ul>
<li><a href="/api/v1/docs">API documentation</a> (interactive), and the
<a href="/api/v1/openapi.json">OpenAPI document</a></li>
<li><a href="/api/v1/surveys">Survey definitions</a> (public)</li>
<li>Embedding the questionnaire in a portal: <a href="/embed.js">/embed.js</a>, described in
<code>docs/embedding.md</code> of the source</li>
<li>Health: <a href="/livez">/livez</a> (the process is up) and
<a href="/readyz">/readyz</a> (ready to answer)</li>
</ul>
<p>Try it: <code>curl -X POST /api/v1/score -H 'Content-Type: application/json'
-d @docs/examples/score-request.json</code>, as in the README.</p>
</main>
</body>
</html>
"""


@bp.get("/")
def home() -> Response:
    """The service's front page."""
    response = Response(PAGE, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
