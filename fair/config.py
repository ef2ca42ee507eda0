"""Defaults. instance/config.py, then FAIR_* environment variables, override them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

# Overridable by instance/config.py or FAIR_<NAME> environment variables.
DEFAULTS: dict[str, object] = {
    "FAIR_NAME": "Job Fair",
    # Times on pages and exports are shown in the venue's time zone (Thailand: UTC+7, no DST).
    "UTC_OFFSET_HOURS": 7,
    # "eventlet" in production; tests use "threading" (no monkey patching needed).
    "ASYNC_MODE": "eventlet",
    # How often live.py flushes batched events to rooms (seconds): ≤ 4 Hz.
    "LIVE_BATCH_INTERVAL": 0.25,
    # Dashboard counts are recomputed at most this often (seconds) per fair.
    "LIVE_STATS_INTERVAL": 1.0,
    # Engine.IO heartbeat (seconds): the server pings every interval and drops a phone that
    # has not answered within the timeout; a phone whose pings stop reconnects after both.
    # Engine.IO's 25 + 20 s left a gate showing "Online" 45 s into an outage; 5 + 5 s costs
    # 1,000 phones 200 tiny frames a second. The pages notice a lost network sooner still
    # (the browser's offline event, an unanswered scan): see static/js/live-socket.js.
    "SOCKETIO_PING_INTERVAL": 5,
    "SOCKETIO_PING_TIMEOUT": 5,
    "BASE_URL": None,  # e.g. https://192.168.1.10:5000; derived from the LAN address when unset
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "DECODE_MAX_BYTES": 8 * 1024 * 1024,
    "PAIRING_CODE_TTL_HOURS": 72,
    "RATE_LIMIT_LOOKUPS_PER_MINUTE": 20,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "th",
    "LANGUAGES": ("th", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {},
}

ENV_PREFIX = "FAIR_"


def instance_path() -> str:
    """The instance folder: ./instance unless FAIR_INSTANCE names another."""
    return str(Path(os.environ.get("FAIR_INSTANCE", "instance")).resolve())


def load_secret(path: Path, nbytes: int = 32) -> bytes:
    """Read a secret from the instance folder, creating it once (mode 600) when missing.

    Secrets live beside the database, never in git, and survive restarts so
    sessions and keyed hashes stay valid.
    """
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value.hex())
    return value


def env_overrides() -> dict[str, object]:
    """FAIR_* variables, with FAIR_DATABASE_URL mapped to SQLAlchemy's setting."""
    found: dict[str, object] = {}
    for key, value in os.environ.items():
        if not key.startswith(ENV_PREFIX) or key == "FAIR_INSTANCE":
            continue
        name = key[len(ENV_PREFIX):]
        if name == "DATABASE_URL":
            found["SQLALCHEMY_DATABASE_URI"] = value
        else:
            found[name] = value
    return found
