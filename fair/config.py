"""Defaults. instance/config.py, then FAIR_* environment variables, override them."""
from __future__ import annotations

import json
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
    # (the browser's offline event, an unanswered scan): see static/js/lib/live.js.
    "SOCKETIO_PING_INTERVAL": 5,
    "SOCKETIO_PING_TIMEOUT": 5,
    # Several `fair serve` workers (docs/deploy.md): a redis:// URL. Socket.IO events, cache
    # invalidations, people let in or out and rate limits are then shared through it
    # (fair.web.cluster); unset, one process keeps all of that in memory.
    "MESSAGE_QUEUE": None,
    # Where the sliding-window rate limits count (a `limits` storage URI, e.g. redis://...):
    # unset, the message queue's Redis when there is one, else this process's memory.
    "RATE_LIMIT_STORAGE": None,
    # How many reverse proxies (HAProxy, nginx) stand before the workers: their
    # X-Forwarded-For/-Proto are trusted that many hops deep (0: none, the default).
    "TRUSTED_PROXIES": 0,
    # "websocket": refuse Engine.IO long-polling, for several workers behind a proxy without
    # sticky sessions (each polling request may reach another worker). Unset: both.
    "SOCKETIO_TRANSPORTS": None,
    "BASE_URL": None,  # e.g. https://192.168.1.10:5000; derived from the LAN address when unset
    # Request bodies (fair.web.limits): JSON and forms are small; only the photo upload
    # (POST /api/v1/decode) may send up to DECODE_MAX_BYTES. Werkzeug applies the two
    # form limits to multipart forms only; fair.web.limits applies them to urlencoded ones.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "MAX_FORM_PARTS": 200,
    "DECODE_MAX_BYTES": 8 * 1024 * 1024,
    # Photo decoding (POST /api/v1/decode): what one decoded picture may take in
    # memory (checked from its header), how many decode at once (the others wait up
    # to DECODE_WAIT_SECONDS, then get 503), and how many photos a device may send.
    "DECODE_MAX_DECODED_BYTES": 64 * 1024 * 1024,
    "DECODE_CONCURRENCY": 2,
    "DECODE_WAIT_SECONDS": 10.0,
    "DECODE_PER_MINUTE": 30,
    # Connections to `fair serve` (fair.ops.serving): a socket operation (a read of a
    # request, a write of an answer) waits at most SOCKET_TIMEOUT seconds, an idle
    # keep-alive connection KEEPALIVE_TIMEOUT seconds for its next request
    # (websockets keep Engine.IO's own ping timeout); past MAX_CONNECTIONS open at
    # once a new one is answered 503 and closed instead of waiting unseen.
    "SOCKET_TIMEOUT": 30.0,
    "KEEPALIVE_TIMEOUT": 15.0,
    "MAX_CONNECTIONS": 2000,
    "PAIRING_CODE_TTL_HOURS": 72,
    "RATE_LIMIT_LOOKUPS_PER_MINUTE": 20,
    # A gate may undo its own scans of the last this many minutes (its recent list);
    # older ones, and other gates' scans, only the organiser.
    "GATE_UNDO_MINUTES": 30,
    # Name searches at the gate per device and minute (each is one pass over the fair's names).
    "GATE_SEARCHES_PER_MINUTE": 60,
    # Socket.IO messages per connection (fair.web.socket): a token bucket, refilled at
    # RATE per second up to BURST. Gate and booth phones scan (a busy scanner makes
    # one or two a second, an offline queue may catch up at once); dashboards,
    # organiser pages and integrations only connect; anonymous counters and card
    # pages (and any connection before it says who it is) send nothing but that.
    # A connection past its allowance is cut off.
    "SOCKET_SCANNER_RATE": 20.0,
    "SOCKET_SCANNER_BURST": 300,
    "SOCKET_VIEWER_RATE": 1.0,
    "SOCKET_VIEWER_BURST": 30,
    "SOCKET_ANONYMOUS_RATE": 0.2,
    "SOCKET_ANONYMOUS_BURST": 10,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "th",
    "LANGUAGES": ("th", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # PostgreSQL's connection pool, per process (SQLite keeps SQLAlchemy's defaults). A scan
    # holds a connection for a few milliseconds; past POOL_SIZE + MAX_OVERFLOW at once a
    # request waits up to POOL_TIMEOUT seconds for one. K processes open up to K × 20
    # connections: PostgreSQL's default max_connections is 100. Pre-ping replaces a
    # connection the server dropped (a restart, a failover) instead of failing a scan.
    "DATABASE_POOL_SIZE": 10,
    "DATABASE_MAX_OVERFLOW": 10,
    "DATABASE_POOL_TIMEOUT": 10,
    "DATABASE_POOL_RECYCLE": 1800,
}

ENV_PREFIX = "FAIR_"


def instance_path() -> str:
    """The instance folder: ./instance unless FAIR_INSTANCE names another."""
    return str(Path(os.environ.get("FAIR_INSTANCE", "instance")).resolve())


def load_secret(path: Path, nbytes: int = 32) -> bytes:
    """Read a secret from the instance folder, creating it once (mode 600) when missing.

    Secrets live beside the database, never in git, and survive restarts so
    sessions and keyed hashes stay valid. `fair init` makes them; several workers
    starting at once on a new folder agree on one: each writes its candidate to a
    file of its own and links it into place, which only the first link does, and
    all then read that one (never a half-written file).
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_bytes(nbytes).hex())
        try:
            os.link(candidate, path)   # fails when another process linked its own first
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # made readable by an older version or a copy: nobody else reads a secret
    return secret_bytes(path.read_text(), str(path))


def secret_bytes(text: str, where: str) -> bytes:
    """A secret as its file holds it (hex): FAIR_NATIONAL_ID_KEY copied from
    instance/national_id_key must give the same key, so the same national-ID hashes."""
    text = text.strip()
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) < 16:
        raise ValueError(f"{where} must be at least 32 hexadecimal digits, as `fair init` writes "
                         "them (e.g. the contents of instance/national_id_key)")
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


def compact_json(value) -> str:
    """How JSON columns are written: UTF-8 text, no spaces (json.loads reads either form)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def engine_options(config: dict) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS with the pool settings above for a PostgreSQL URL (given
    options win); for SQLite only the JSON serializer is added."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # JSON columns (booth scan receipts, answers, tags) as UTF-8 without spaces: json.dumps'
    # default writes each Thai letter as a 6-byte \uXXXX escape and a space after every
    # separator, which made a booth scan's receipt about twice its size. Read back the same.
    options.setdefault("json_serializer", compact_json)
    if not str(config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
        return options
    options.setdefault("pool_size", int(config["DATABASE_POOL_SIZE"]))
    options.setdefault("max_overflow", int(config["DATABASE_MAX_OVERFLOW"]))
    options.setdefault("pool_timeout", float(config["DATABASE_POOL_TIMEOUT"]))
    options.setdefault("pool_recycle", int(config["DATABASE_POOL_RECYCLE"]))
    options.setdefault("pool_pre_ping", True)
    return options
