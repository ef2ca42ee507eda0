"""Fixtures: a fresh app and database per test, devices, attendees with cards, socket clients.

The schema is built once per run (`schema_template`); each test's database is a copy of it.

Tests run on SQLite unless FAIR_TEST_DATABASE_URL names a PostgreSQL database
(`make test-postgres`, scripts/postgres-for-tests): then the app fixture uses it, in a
schema of this pytest process whose tables are made once and emptied (TRUNCATE) before
each test (tests.schema.PostgresSchema). Tests marked `sqlite_only` are skipped there,
with their reason; `postgres_only` ones are skipped on SQLite.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# The app's modules are imported inside the fixtures: the unit tests (tests/unit) share this
# conftest and load none of Flask, SQLAlchemy or Socket.IO when run on their own.

TEST_DATABASE_URL = os.environ.get("FAIR_TEST_DATABASE_URL") or None


def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL)


def pytest_report_header(config):
    if TEST_DATABASE_URL:
        from sqlalchemy.engine import make_url
        shown = make_url(TEST_DATABASE_URL).render_as_string(hide_password=True)
        return f"database: {shown} (FAIR_TEST_DATABASE_URL)"
    return "database: SQLite (FAIR_TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if on_postgres() and (mark := item.get_closest_marker("sqlite_only")):
            item.add_marker(pytest.mark.skip(reason="SQLite only: " + mark.args[0]))
        if not on_postgres() and (mark := item.get_closest_marker("postgres_only")):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only: " + mark.args[0]))


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> Path:
    """An empty database with the whole schema, built once; tests copy it (tests.schema)."""
    from tests.schema import build_template
    return build_template(tmp_path_factory.mktemp("schema"))


@pytest.fixture(scope="session")
def postgres_schema():
    """The PostgreSQL schema of this run (tests.schema.PostgresSchema), or None on SQLite."""
    if not TEST_DATABASE_URL:
        yield None
        return
    from tests.schema import PostgresSchema
    schema = PostgresSchema(TEST_DATABASE_URL)
    yield schema
    schema.drop()


@pytest.fixture
def database_config(request, tmp_path, postgres_schema) -> dict:
    """The app fixture's database settings: a copy of the SQLite template, or the PostgreSQL schema."""
    if postgres_schema is not None:
        return postgres_schema.config()
    from tests.schema import fresh_database
    template = request.getfixturevalue("schema_template")
    return {"SQLALCHEMY_DATABASE_URI": fresh_database(template, tmp_path / "test.db")}


@pytest.fixture
def empty_database_url(tmp_path):
    """The URL of an empty database for tests that build one themselves (migrations, `fair init`):
    a new SQLite file, or a new schema on the test PostgreSQL, dropped afterwards."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'fair.db'}"
        return
    from tests.schema import empty_postgres_schema
    with empty_postgres_schema(TEST_DATABASE_URL, f"empty_{os.getpid()}") as url:
        yield url


@pytest.fixture
def app(tmp_path, database_config, postgres_schema):
    from fair import create_app
    from fair.extensions import db
    from fair.web import live
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
    from fair.core.fairs import ensure_fair
    return ensure_fair("Test Fair")[0]


@pytest.fixture
def gate(fair):
    from tests import factories
    return factories.make_device(fair, "gate", "Gate 1")


@pytest.fixture
def employer(fair):
    from tests import factories
    return factories.make_employer(fair, ref="E1", booth_code="A1")


@pytest.fixture
def booth(employer):
    return employer.booths[0]


@pytest.fixture
def booth_device(fair, booth):
    from tests import factories
    return factories.make_device(fair, "booth", "Recruiter phone", booth)


@pytest.fixture
def dashboard_device(fair):
    from tests import factories
    return factories.make_device(fair, "dashboard", "Big screen")


@pytest.fixture
def api_device(fair):
    from tests import factories
    return factories.make_device(fair, "api", "Smart Job link")


@pytest.fixture
def attendee(fair):
    from tests import factories
    return factories.make_attendee(fair, ref="A1")


@pytest.fixture
def attendee_token(attendee):
    from tests import factories
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
    from fair.extensions import socketio
    from fair.web import live
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
