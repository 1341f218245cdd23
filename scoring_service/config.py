"""Settings from environment variables, validated once at start-up."""

from __future__ import annotations

import errno
import os
import re
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_SURVEYS = Path(__file__).resolve().parent.parent / "surveys"
# Secrets generated on first start when the environment gives none (the embedded default).
OPERATOR_TOKEN_FILE = "operator-token"
SECRET_KEY_FILE = "secret-key"
MIN_SECRET_LENGTH = 32


class ConfigError(ValueError):
    """An environment variable has a value the service cannot use; names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    surveys_dir: Path = DEFAULT_SURVEYS
    max_body_bytes: int = 4 * 1024 * 1024
    bootstrap_resamples: int = 2000
    confidence: float = 0.95
    log_level: str = "INFO"
    instance_dir: Path = Path("instance")
    database_url: str = "sqlite:///instance/scoring.db"
    # Creates alliances (POST /api/v1/alliances); None: nobody can.
    operator_token: str | None = None
    # Key of the HMAC that credentials are stored as; every host of one database needs the same.
    secret_key: str = ""
    # Where respondents reach the service (form links); None: the request's own host.
    public_url: str | None = None
    # gunicorn's worker timeout (SCORING_TIMEOUT): how long an idempotent write may run.
    timeout: int = 30
    # Rate limits (docs/deployment.md): counted in Redis when set, else in each worker's memory.
    redis_url: str | None = None
    limit_prefix: str = "scoring"
    # Failed authentications and unknown form links per client address; writes per credential.
    limit_failures: str = "30 per minute"
    limit_writes: str = "600 per minute"
    # Proxies in front whose X-Forwarded-For is believed (0: the peer address is the client).
    trusted_proxies: int = 0
    # Networks besides loopback that may read /metrics.
    metrics_allow: tuple[str, ...] = ()


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer variable within [low, high]."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: must be an integer") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r}: must be between {low} and {high}")
    return value


def _log_format(env: Mapping[str, str]) -> str:
    """SCORING_LOG_FORMAT, ``json`` (the default) or ``text`` (read by ``logs.json_lines``)."""
    found = (env.get("SCORING_LOG_FORMAT") or "json").lower()
    if found not in ("json", "text"):
        raise ConfigError(f"SCORING_LOG_FORMAT={found!r}: must be json or text")
    return found


def _log_level(env: Mapping[str, str]) -> str:
    """LOG_LEVEL, one of DEBUG, INFO, WARNING, ERROR (default INFO)."""
    level = (env.get("LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL={level!r}: must be DEBUG, INFO, WARNING or ERROR")
    return level


def _secret(env: Mapping[str, str], name: str, instance: Path, filename: str) -> str | None:
    """A secret from the environment, else from the instance folder's file (None: neither)."""
    value = env.get(name)
    if not value:
        path = instance / filename
        value = path.read_text(encoding="utf-8").strip() if path.is_file() else None
        name = str(path)
    if value is not None and len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{name}: must be at least {MIN_SECRET_LENGTH} characters")
    return value


def ensure_instance(instance: Path) -> dict[str, Path]:
    """Create the instance folder and its secret files where missing (never overwrites).

    Returns the files it created, by name. Each is written with mode 0600 and O_EXCL, so two
    processes starting at once cannot end up with different secrets.
    """
    instance.mkdir(parents=True, exist_ok=True)
    created = {}
    from .store.credentials import OPERATOR_PREFIX  # stdlib only: cheap for gunicorn.conf.py

    for filename, prefix in ((OPERATOR_TOKEN_FILE, OPERATOR_PREFIX), (SECRET_KEY_FILE, "")):
        path = instance / filename
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(prefix + secrets.token_urlsafe(32) + "\n")
        created[filename] = path
    return created


def with_instance_secrets(settings: Settings) -> Settings:
    """Fill a missing secret key or operator token from the instance folder, creating its files
    on first start (the embedded default needs no setup)."""
    if settings.secret_key and settings.operator_token is not None:
        return settings
    ensure_instance(settings.instance_dir)
    read = {
        name: (settings.instance_dir / name).read_text(encoding="utf-8").strip()
        for name in (OPERATOR_TOKEN_FILE, SECRET_KEY_FILE)
    }
    return replace(
        settings,
        secret_key=settings.secret_key or read[SECRET_KEY_FILE],
        operator_token=settings.operator_token or read[OPERATOR_TOKEN_FILE],
    )


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Read and check the settings; :class:`ConfigError` names the first bad variable."""
    env = os.environ if env is None else env
    surveys = Path(env.get("SCORING_SURVEYS_DIR") or DEFAULT_SURVEYS)
    if not surveys.is_dir():
        raise ConfigError(f"SCORING_SURVEYS_DIR={str(surveys)!r}: not a directory")
    raw_conf = env.get("SCORING_CONFIDENCE") or "0.95"
    try:
        confidence = float(raw_conf)
    except ValueError:
        raise ConfigError(f"SCORING_CONFIDENCE={raw_conf!r}: must be a number") from None
    if not 0.5 <= confidence < 1:
        raise ConfigError(f"SCORING_CONFIDENCE={raw_conf!r}: must be in [0.5, 1)")
    level = _log_level(env)
    _log_format(env)
    instance = Path(env.get("SCORING_INSTANCE_DIR") or "instance").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'scoring.db'}"
    if not database_url.startswith(("sqlite:", "sqlite+pysqlite:", "postgresql")):
        raise ConfigError(
            f"DATABASE_URL: must be sqlite:///path or postgresql+psycopg://..., "
            f"got {database_url.split(':', 1)[0]!r}"
        )
    public_url = env.get("SCORING_PUBLIC_URL") or None
    if public_url is not None and not re.match(r"^https?://[^/\s]+(/[^\s]*)?\Z", public_url):
        raise ConfigError(f"SCORING_PUBLIC_URL={public_url!r}: must be an http(s) URL")
    return Settings(
        timeout=_int(env, "SCORING_TIMEOUT", 30, 1, 3600),
        surveys_dir=surveys,
        public_url=public_url.rstrip("/") if public_url else None,
        instance_dir=instance,
        database_url=database_url,
        operator_token=_secret(env, "SCORING_OPERATOR_TOKEN", instance, OPERATOR_TOKEN_FILE),
        secret_key=_secret(env, "SCORING_SECRET_KEY", instance, SECRET_KEY_FILE) or "",
        max_body_bytes=_int(env, "SCORING_MAX_BODY_BYTES", 4 * 1024 * 1024, 2_000_000, 1 << 30),
        bootstrap_resamples=_int(env, "SCORING_BOOTSTRAP_RESAMPLES", 2000, 200, 100_000),
        confidence=confidence,
        log_level=level,
        redis_url=_redis_url(env),
        limit_prefix=env.get("SCORING_LIMIT_PREFIX") or "scoring",
        limit_failures=_limit(env, "SCORING_LIMIT_FAILURES", "30 per minute"),
        limit_writes=_limit(env, "SCORING_LIMIT_WRITES", "600 per minute"),
        trusted_proxies=_int(env, "SCORING_TRUSTED_PROXIES", 0, 0, 10),
        metrics_allow=_networks(env, "SCORING_METRICS_ALLOW"),
    )


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of addresses or networks (``10.0.0.0/8, 192.0.2.7``)."""
    import ipaddress

    found = tuple(n.strip() for n in (env.get(name) or "").split(",") if n.strip())
    for net in found:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: {net!r} is not an address or a network") from None
    return found


def _redis_url(env: Mapping[str, str]) -> str | None:
    """REDIS_URL, a redis:// or rediss:// URL (None: limits are counted in memory)."""
    url = env.get("REDIS_URL") or None
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL: must be redis://host:port/db, got {url.split(':')[0]!r}")
    return url


def _limit(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate limit such as ``30 per minute`` or ``5/second`` (the limits library's notation)."""
    from limits import parse

    raw = env.get(name) or default
    try:
        parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: must be a rate such as '30 per minute'") from None
    return raw


@dataclass(frozen=True)
class ServerSettings:
    """gunicorn's settings (read by ``gunicorn.conf.py``), from the same environment."""

    bind: str
    workers: int
    timeout: int
    graceful_timeout: int
    keepalive: int
    accesslog: str
    loglevel: str


def bind_in_use(bind: str) -> str | None:
    """A sentence when something already listens on ``bind`` (host:port), else None.

    Probed with ``SO_REUSEADDR``, as gunicorn binds: connections of an earlier run waiting in
    TIME_WAIT do not count, only a listening socket does. A ``unix:`` path is gunicorn's to check.
    """
    if bind.startswith("unix:"):
        return None
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        return f"SCORING_BIND={bind}: cannot use this address ({exc})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"SCORING_BIND={bind}: that address is already in use (another server "
                    f"running?); stop it, or choose another, e.g. SCORING_BIND={host}:"
                    f"{int(port) + 1}"
                )
            return f"SCORING_BIND={bind}: cannot listen there ({exc.strerror})"
    return None


def server_from_env(env: Mapping[str, str] | None = None) -> ServerSettings:
    """Read and check gunicorn's settings; :class:`ConfigError` names the first bad variable."""
    env = os.environ if env is None else env
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    bind = env.get("SCORING_BIND") or "127.0.0.1:8000"
    if ":" not in bind and not bind.startswith("unix:"):
        raise ConfigError(f"SCORING_BIND={bind!r}: must be host:port or unix:path")
    _log_format(env)  # read by the logger gunicorn loads (logs.json_lines): checked here
    return ServerSettings(
        bind=bind,
        workers=_int(env, "WEB_CONCURRENCY", cores or 1, 1, 256),
        timeout=_int(env, "SCORING_TIMEOUT", 30, 1, 3600),
        graceful_timeout=_int(env, "SCORING_GRACEFUL_TIMEOUT", 20, 1, 3600),
        keepalive=_int(env, "SCORING_KEEPALIVE", 5, 0, 3600),
        accesslog=env.get("SCORING_ACCESS_LOG") or "-",
        loglevel=_log_level(env).lower(),
    )
