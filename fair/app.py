"""Job-fair check-in and on-site matching: the application factory."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from fair import config as fair_config

PACKAGE_DIR = Path(__file__).parent


class DatabaseIdConverter(IntegerConverter):
    """<int:...> in our URLs are row ids: beyond the id column's range (fair.extensions.MAX_ROW_ID;
    PostgreSQL's integer ends at 2**31 - 1) it is a 404, not a driver OverflowError (Schemathesis
    sent 2**64).

    Longer than 18 digits the pattern refuses it; a shorter one beyond the range becomes 0, an id
    no row has. Refusing it in the converter (`max`) made Werkzeug's matcher answer 405 "PATCH
    allowed" for the DELETE rule of a URL whose PATCH rule has the same pattern."""

    regex = r"\d{1,18}"

    def to_python(self, value: str) -> int:
        from fair.extensions import MAX_ROW_ID
        number = int(value)
        return number if number <= MAX_ROW_ID else 0


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, Socket.IO handlers, CLI."""
    instance = (test_config or {}).get("INSTANCE_PATH") or fair_config.instance_path()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIdConverter
    from fair.core import private_files
    private_files.set_private_umask()  # the database, its WAL, backups: owner only (fair.core.private_files)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.from_mapping(fair_config.DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "fair.db")
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(fair_config.env_overrides())
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = fair_config.engine_options(app.config)
    database = private_files.sqlite_file(app.config.get("SQLALCHEMY_DATABASE_URI"))
    private_files.tighten(Path(app.instance_path), (database,) if database else ())  # left 0644 by older versions
    _load_instance_secrets(app)

    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)

    from fair.web import dates, errors
    errors.init_app(app)
    dates.init_app(app)
    from fair.ops.cli import register_commands
    register_commands(app)
    return app


def _load_instance_secrets(app: Flask) -> None:
    """Secrets are generated once into the instance folder and never committed."""
    folder = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = fair_config.load_secret(folder / "secret_key").hex()
    if not app.config.get("NATIONAL_ID_KEY"):
        app.config["NATIONAL_ID_KEY"] = fair_config.load_secret(folder / "national_id_key")
    elif isinstance(app.config["NATIONAL_ID_KEY"], str):
        # FAIR_NATIONAL_ID_KEY or config.py: read as the file is (hex), so the hashes are the same.
        app.config["NATIONAL_ID_KEY"] = fair_config.secret_bytes(app.config["NATIONAL_ID_KEY"], "NATIONAL_ID_KEY")


WAL_AUTOCHECKPOINT_PAGES = 10_000  # 4 KB pages: 40 MB


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets dashboards read while a gate writes; foreign keys keep rows consistent.

    synchronous=NORMAL in WAL mode loses no committed transaction on an
    application crash (only on power loss), at a fraction of FULL's fsyncs.
    """
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Deleted and overwritten values are zeroed, not left in free space: an erased
    # attendee's name must not stay readable in the file (fair.organiser.privacy).
    cursor.execute("PRAGMA secure_delete=ON")
    # A commit that crosses this WAL size copies the WAL back into the database
    # and fsyncs, inside that commit. `fair serve` checkpoints from a background
    # thread instead (serving.checkpoint_in_background), which keeps the WAL far
    # below this; other processes (CLI, tests) still checkpoint past 40 MB.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


def _init_extensions(app: Flask) -> None:
    from fair.extensions import babel, csrf, db, migrate, socketio
    from fair.web import cluster, live
    from fair.web.packets import JsonFirstPacket, faster_websocket_unmask

    # Socket.IO handlers must be declared before the first init_app: the
    # extension copies its handler list into each new server it creates.
    from fair.web import socket  # noqa: F401
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in _csrf_guard
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(PACKAGE_DIR / "translations"))
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"],
                      cors_allowed_origins=app.config.get("CORS_ALLOWED_ORIGINS"),
                      max_http_buffer_size=1_000_000,
                      ping_interval=float(app.config["SOCKETIO_PING_INTERVAL"]),
                      ping_timeout=float(app.config["SOCKETIO_PING_TIMEOUT"]),
                      # Run each event in its connection's own reader (green) thread instead
                      # of spawning one more per event: a scan never waits on another phone.
                      async_handlers=False,
                      # Several workers: emits go through Redis to every worker's rooms
                      # (fair.web.cluster). None: the in-process manager (Flask-SocketIO keeps
                      # options between init_app calls, so it is always said).
                      client_manager=cluster.client_manager(app.config.get("MESSAGE_QUEUE")),
                      transports=_socket_transports(app.config.get("SOCKETIO_TRANSPORTS")),
                      # One JSON pass per ack and per room batch (fair.web.packets).
                      serializer=JsonFirstPacket)
    cluster.init_app(app)
    _trust_proxies(app)
    socket.install_scan_handler(app)
    if app.config["ASYNC_MODE"] == "eventlet":
        faster_websocket_unmask()
    # Import the models of every area so metadata (and migrations) see them all.
    from fair.core import models  # noqa: F401
    from fair.checkin import models as _checkin_models  # noqa: F401
    from fair.booths import models as _booth_models  # noqa: F401
    from fair.matching import models as _matching_models  # noqa: F401
    from fair.core import cached as _cached_facts  # noqa: F401  (its flush listener keeps the scan cache true)
    from fair.organiser import dashboard
    live.init_app(app)
    live.broadcaster(app).stats_provider = dashboard.stats_for_broadcast(app)


def _socket_transports(setting) -> list[str] | None:
    """SOCKETIO_TRANSPORTS ("websocket", or "websocket,polling"): several workers without sticky
    sessions must refuse long-polling, whose requests would land on any worker."""
    if not setting:
        return None
    names = [name.strip() for name in setting.split(",")] if isinstance(setting, str) else list(setting)
    unknown = set(names) - {"websocket", "polling"}
    if unknown or not names:
        raise ValueError(f"SOCKETIO_TRANSPORTS: websocket and/or polling, not {', '.join(sorted(unknown)) or 'nothing'}")
    return names


def _trust_proxies(app: Flask) -> None:
    """Behind HAProxy or nginx (TRUSTED_PROXIES = how many), the client's address and scheme
    come from X-Forwarded-For/-Proto: rate limits count per phone, not one bucket for the proxy.
    Wraps Socket.IO's middleware too, so sockets see the same address. Never trusted by default:
    a phone could name any address it likes."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        # Not X-Forwarded-Host/-Port: HAProxy passes a phone's own on unless told to drop it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _select_locale() -> str:
    languages = ("th", "en")
    if not has_request_context():
        return "en"   # the CLI and background work: a service's message must not crash there
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "th"


def _register_blueprints(app: Flask) -> None:
    from fair.web import pages
    from fair.booths.routes import bp as booths_bp
    from fair.checkin.routes import bp as checkin_bp
    from fair.matching.routes import bp as matching_bp
    # Each area's routes and pages attach themselves to its blueprint (in routes.py) when imported.
    from fair.booths import pages as _booth_pages, routes as _booth_routes  # noqa: F401
    from fair.checkin import pages as _checkin_pages, routes as _checkin_routes  # noqa: F401
    from fair.organiser import pages as _organiser_pages  # noqa: F401
    from fair.matching import routes as _matching_routes  # noqa: F401

    app.register_blueprint(pages.bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(booths_bp)
    app.register_blueprint(matching_bp)


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?|\[[0-9A-Fa-f:.]+\](:[0-9]+)?")


def content_security_policy(host: str) -> str:
    """Only this server: scripts, styles, sockets. JSON data blocks are not scripts, so they pass.

    img-src takes blob: for a photo's preview and data: for small inline images;
    Socket.IO's websocket is named by host (older browsers do not count ws: as 'self').
    """
    sockets = f" ws://{host} wss://{host}" if _PLAIN_HOST.fullmatch(host or "") else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            f"media-src 'self' blob: mediastream:; worker-src 'self'; connect-src 'self'{sockets}; "
            "font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'")


def _register_request_hooks(app: Flask) -> None:
    from fair.web import limits
    from fair.web.auth import bearer_token
    from fair.extensions import csrf

    limits.init_app(app)  # first: a body too large for its endpoint is refused before anything reads it

    @app.before_request
    def _fresh_request_state() -> None:
        # Per-request caches live on g; where an app context outlives a request
        # (tests, CLI), they must not leak into the next one.
        import flask_babel
        from flask import g
        g.pop("principal", None)
        g.pop("fair", None)
        flask_babel.refresh()

    @app.before_request
    def _csrf_guard() -> None:
        # Cookie-authenticated writes need the CSRF token; bearer-token clients
        # (scanners, scripts, integrations) carry no ambient credential to forge.
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or bearer_token() is not None:
            return
        if request.path.startswith("/api/") and app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return  # no credential at all: nothing to forge; the route answers 401
        csrf.protect()

    @app.after_request
    def _security_headers(response):
        # Every page is served by this laptop, scripts and styles from static files
        # only: an injected <script> or style="" does nothing, and no site may frame us.
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)  # the card pages keep their no-referrer
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.host))
        return response

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        from flask_babel import get_locale
        from fair.web.auth import current_principal
        return {"current_locale": str(get_locale() or "th"), "principal": current_principal()}
