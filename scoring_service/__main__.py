"""``python -m scoring_service``: the CLI."""

from .cli import main

raise SystemExit(main())
