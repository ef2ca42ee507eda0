"""Fixtures: a fresh app and database per test, devices, attendees with cards, socket clients.

Tests run on SQLite (a new file per test) unless FAIR_TEST_DATABASE_URL names a
PostgreSQL database (`make test-postgres`, scripts/postgres-for-tests): then the
app fixture uses it, in a schema of this pytest process made once, and empties
every table before each test (TRUNCATE; a new database or schema per test costs
far more). Tests marked `sqlite_only` are skipped there, with their reason.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from fair import create_app
from fair.web import live
from fair.extensions import db, socketio
from fair.core.fairs import ensure_fair
from tests import factories


TEST_DATABASE_URL = os.environ.get("FAIR_TEST_DATABASE_URL") or None


def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


def pytest_report_header(config):
    if TEST_DATABASE_URL:
        return f"database: {_without_password(TEST_DATABASE_URL)} (FAIR_TEST_DATABASE_URL)"
    return "database: SQLite (set FAIR_TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if on_postgres() and (mark := item.get_closest_marker("sqlite_only")):
            item.add_marker(pytest.mark.skip(reason="SQLite only: " + mark.args[0]))
        if not on_postgres() and (mark := item.get_closest_marker("postgres_only")):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: " + mark.args[0]))


class PostgresSchema:
    """A schema of this pytest process in the test database: tables made once, emptied per test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = f"test_{os.getpid()}"
        self.tables_made = False
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self.name}"))
        engine.dispose()

    def config(self) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": self.url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-c search_path={self.name}"}}}

    def prepare(self) -> None:
        """In the app context: make the tables the first time, else empty them all."""
        if not self.tables_made:
            db.create_all()
            self.tables_made = True
            return
        names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def drop(self) -> None:
        engine = create_engine(self.url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema():
    """The PostgreSQL schema of this run, or None on SQLite."""
    if not TEST_DATABASE_URL:
        yield None
        return
    schema = PostgresSchema(TEST_DATABASE_URL)
    yield schema
    schema.drop()


@pytest.fixture
def database_config(tmp_path, postgres_schema) -> dict:
    """The database settings of the app fixture: a new SQLite file, or the PostgreSQL schema."""
    if postgres_schema is not None:
        return postgres_schema.config()
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"}


@pytest.fixture
def empty_database_url(tmp_path):
    """The URL of an empty database for tests that build one themselves (migrations, `fair init`):
    a new SQLite file, or a new schema on the test PostgreSQL, dropped afterwards."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'fair.db'}"
        return
    from sqlalchemy.engine import make_url
    schema = f"empty_{os.getpid()}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def app(tmp_path, database_config, postgres_schema):
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        **database_config,
        "ASYNC_MODE": "threading",
        "SECRET_KEY": "test-secret",
        "NATIONAL_ID_KEY": b"test-national-id-key",
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://fair.test:5000",
    })
    with app.app_context():
        if postgres_schema is not None:
            postgres_schema.prepare()
        else:
            db.create_all()
        live.broadcaster().reset(stats_interval=0)  # nothing left over; stats on every flush
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fair(app):
    return ensure_fair("Test Fair")[0]


@pytest.fixture
def gate(fair):
    return factories.make_device(fair, "gate", "Gate 1")


@pytest.fixture
def employer(fair):
    return factories.make_employer(fair, ref="E1", booth_code="A1")


@pytest.fixture
def booth(employer):
    return employer.booths[0]


@pytest.fixture
def booth_device(fair, booth):
    return factories.make_device(fair, "booth", "Recruiter phone", booth)


@pytest.fixture
def dashboard_device(fair):
    return factories.make_device(fair, "dashboard", "Big screen")


@pytest.fixture
def api_device(fair):
    return factories.make_device(fair, "api", "Smart Job link")


@pytest.fixture
def attendee(fair):
    return factories.make_attendee(fair, ref="A1")


@pytest.fixture
def attendee_token(attendee):
    return factories.token_of(attendee)


@pytest.fixture
def organiser_client(app, client):
    from fair.web import auth
    auth.create_organiser("admin", "correct horse")
    client.post("/login", data={"username": "admin", "password": "correct horse"})
    return client


@pytest.fixture
def live_client(app, fair):
    """Factory: a Socket.IO test client on /live, authenticated as given."""
    clients = []

    def connect(token: str | None = None, card: str | None = None, flask_client=None):
        auth = {k: v for k, v in (("token", token), ("card", card)) if v}
        c = socketio.test_client(app, namespace=live.NAMESPACE, auth=auth, flask_test_client=flask_client)
        clients.append(c)
        return c

    yield connect
    for c in clients:
        if c.is_connected(live.NAMESPACE):
            c.disconnect(namespace=live.NAMESPACE)
