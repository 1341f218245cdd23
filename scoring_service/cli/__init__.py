"""scoring-service: score a file offline with the same engine as the API."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ConfigError, from_env
from ..errors import FieldError, InvalidInput, ScoringError

if TYPE_CHECKING:
    from ..scoring import Result

# The engine (scipy), the store (SQLAlchemy) and the schemas are imported by the commands that
# use them: `scoring-service --help` answers at once.


def _parser() -> argparse.ArgumentParser:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(prog="scoring-service", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("score", help="score a JSON or CSV file of responses")
    s.add_argument("file", type=Path, help="JSON (the body of POST /api/v1/score) or CSV")
    s.add_argument("--survey", help="survey id (required for CSV; overrides the JSON's)")
    s.add_argument("--survey-version", type=int, help="survey version (default: latest)")
    s.add_argument("--format", choices=("json", "table"), default="json")
    s.add_argument(
        "--encoding",
        help="a CSV file's encoding: utf-8 (the default; a byte-order mark is read), "
        "windows-1252 or utf-16",
    )
    s.add_argument(
        "--resamples",
        type=int,
        default=None,
        help="random permutations of the role tests (when too many to enumerate)",
    )
    commands.add_parser("check-surveys", help="load and validate every survey file")
    db = commands.add_parser("db", help="database migrations (DATABASE_URL)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate to the newest revision")
    down = db_commands.add_parser("downgrade", help="migrate down to a revision")
    down.add_argument("revision", help="a revision id, or 'base' to remove every table")
    db_commands.add_parser("current", help="print the database's revision and the code's")
    commands.add_parser(
        "setup",
        help="create the instance folder and its secrets if missing, migrate, print the "
        "operator token (what `make run` does first)",
    )
    rotate = commands.add_parser(
        "rotate-admin-key", help="issue a new admin key for an alliance, revoking the old ones"
    )
    rotate.add_argument("alliance", help="the alliance's id")
    return parser


class UsageError(Exception):
    """The command line or the file does not say what to score."""


def _load(args: argparse.Namespace) -> tuple[str, int | None, Any]:
    """Survey id, version and raw responses from the file (a JSON file is checked like the API's
    body, by the same schema)."""
    data = args.file.read_bytes()
    if args.file.suffix.lower() == ".csv":
        if not args.survey:
            raise UsageError("--survey is required for a CSV file")
        from ..answers.csvfile import CHARSET_HELP, codec, decode

        if codec(args.encoding) is None:
            raise UsageError(f"--encoding {args.encoding}: {CHARSET_HELP}")
        return args.survey, args.survey_version, decode(data, args.encoding)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError("the JSON file is not UTF-8 text (--encoding is for a CSV)") from None
    body = json.loads(text)
    if not isinstance(body, dict):
        raise UsageError("the JSON file must hold an object like the API's body")
    if args.survey:
        body["survey"] = args.survey
    from ..schemas.score import ScoreRequestSchema
    from ..surveys import flatten_errors

    problems = flatten_errors(ScoreRequestSchema().validate(body))
    if problems:
        raise InvalidInput([FieldError(path, message) for path, message in problems])
    return body["survey"], args.survey_version or body.get("survey_version"), body["responses"]


def _fmt(x: float | None, digits: int = 2) -> str:
    """A number for the table, or a dash for null."""
    return "-" if x is None else f"{x:.{digits}f}"


def table(result: Result) -> str:
    """A plain-text summary of a result document: alignment, dimensions, conflicts, warnings,
    with a legend of the columns."""
    a, b = result["partners"]
    al = result["alignment"]
    ci = al["ci"]
    lines = [
        f"alignment  {_fmt(al['score'], 1)}  ({al['band'] or '-'})"
        + (f"  CI [{ci[0]:.1f}, {ci[1]:.1f}]" if ci else ""),
        f"compatibility  {_fmt(result['objectives']['compatibility'], 1)}",
        "",
        f"{'dimension':<16}{a[:10]:>10}{b[:10]:>10}{'gap':>8}{'agree':>8}{'q':>8}",
    ]
    for d in result["dimensions"]:
        lines.append(
            f"{d['id']:<16}{_fmt(d['means'][a]):>10}{_fmt(d['means'][b]):>10}"
            f"{_fmt(d['gap']):>8}{_fmt(d['agreement'], 0):>8}{_fmt(d['q_value'], 3):>8}"
        )
    lines += ["", f"conflicts ({len(result['conflicts'])})"]
    lines += [f"  [{c['severity']}] {c['message']}" for c in result["conflicts"]]
    lines += [f"  warning: {w['message']}" for w in result["warnings"]]
    lines += [
        "",
        f"gap: {b} minus {a} (mean on the dimension's scale); agree: agreement within both "
        "partners (0-100);",
        "q: the gap's Benjamini-Hochberg adjusted p-value (a gap is flagged when q is below "
        "the level and the gap is large enough; '-' when no test could run).",
    ]
    return "\n".join(lines)


def _score(args: argparse.Namespace) -> int:
    """The ``score`` command."""
    from ..answers import parse_responses
    from ..answers.csvfile import name_lines, read_csv
    from ..scoring import score
    from ..surveys import load_registry

    settings = from_env()
    registry = load_registry(settings.surveys_dir)
    survey_id, version, raw = _load(args)
    survey = registry.get(survey_id, version)
    if isinstance(raw, str):
        rows, lines = read_csv(raw, survey)
        try:
            responses = parse_responses(rows, survey)
        except InvalidInput as exc:
            raise name_lines(exc, lines) from None
    else:
        responses = parse_responses(raw, survey)
    result = score(
        survey,
        responses,
        n_resamples=args.resamples or settings.bootstrap_resamples,
        confidence=settings.confidence,
    )
    out = table(result) if args.format == "table" else json.dumps(result, indent=2, allow_nan=False)
    print(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit 0 on success, 2 on invalid input or configuration."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # `scoring-service ... | head`: the reader left, nothing to report
        # As the Python docs advise: point stdout at devnull so the exit flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    """Dispatch a parsed command line; errors become messages and exit status 2."""
    try:
        if args.command == "check-surveys":
            from ..surveys import load_registry

            registry = load_registry(from_env().surveys_dir)
            for s in registry.latest():
                print(f"{s.id}: versions {registry.versions(s.id)} ok")
            return 0
        if args.command in ("db", "setup", "rotate-admin-key"):
            return _admin(args)
        return _score(args)
    except BrokenPipeError:
        raise
    except InvalidInput as exc:
        for e in exc.errors:
            print(f"error: {e}", file=sys.stderr)
        return 2
    except (ScoringError, ConfigError, UsageError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _admin(args: argparse.Namespace) -> int:
    """The database and key commands; a database that cannot be used is an error message."""
    from sqlalchemy.exc import SQLAlchemyError

    from . import admin

    try:
        return admin.run(args)
    except SQLAlchemyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
