"""Alembic migrations build exactly the schema the models describe (on SQLite, and on
PostgreSQL with FAIR_TEST_DATABASE_URL), and upgrade a fair that has data."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from fair import create_app
from fair.extensions import db


def _app(tmp_path, url):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url,
                       "ASYNC_MODE": "threading"})


def test_upgrading_an_empty_database_yields_the_models_schema(tmp_path, empty_database_url):
    url = empty_database_url
    app = _app(tmp_path, url)
    with app.app_context():
        from fair.ops.provision import upgrade_database
        upgrade_database()
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        db.engine.dispose()
    assert diff == []
    assert {"fair", "attendee", "card", "check_in", "employer", "booth", "job", "device", "lead",
            "invitation", "audit_event", "fair_counter", "alembic_version"} <= tables


def test_0009_seeds_the_counters_and_keeps_one_open_invitation_each(tmp_path, empty_database_url):
    """A fair from before 0008 and 0009: numbering goes on where it stood; duplicate open invitations
    (possible before) are cancelled but the oldest, so the new unique index can be made."""
    app = _app(tmp_path, empty_database_url)
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision="0007")
        with db.engine.begin() as conn:
            run = lambda sql: conn.execute(text(sql))  # noqa: E731
            conn.execute(text("INSERT INTO fair (id, name, signing_key, public_key, created_at, revision) "
                              "VALUES (1, 'F', :k, :k, '2026-01-01', 0)"), {"k": b"\0" * 32})
            for n, source in ((1, "import"), (2, "register"), (3, "register")):
                conn.execute(text(
                    "INSERT INTO attendee (id, fair_id, ref, first_name, last_name, skills, desired_positions, "
                    "languages, needs_disability_friendly, willing_to_relocate, consent_participate, "
                    "consent_share_profile, inside, link_version, source, created_at) VALUES (:n, 1, :ref, 'A', '', "
                    "'[]', '[]', '[]', false, false, true, false, false, 1, :source, '2026-01-01')"),
                    {"n": n, "ref": f"R{n}", "source": source})
                conn.execute(text("INSERT INTO card (id, fair_id, attendee_id, serial, manual_code, status, issued_at) "
                                  "VALUES (:n, 1, :n, :serial, :code, 'active', '2026-01-01')"),
                             {"n": n, "serial": n * 10, "code": f"CODE{n}"})
            run("INSERT INTO employer (id, fair_id, ref, name, created_at) VALUES (1, 1, 'E1', 'Emp', '2026-01-01')")
            run("INSERT INTO booth (id, fair_id, code, employer_id, plan_x, plan_y) VALUES (1, 1, 'A1', 1, 0, 0)")
            for n, status in ((1, "sent"), (2, "sent"), (3, "declined"), (4, "sent")):
                conn.execute(text("INSERT INTO invitation (id, booth_id, attendee_id, status, created_at) "
                                  "VALUES (:n, 1, :who, :status, '2026-01-01')"),
                             {"n": n, "who": 1 if n < 4 else 2, "status": status})
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            counters = dict(conn.execute(text("SELECT name, value FROM fair_counter WHERE fair_id = 1")).all())
            statuses = dict(conn.execute(text("SELECT id, status FROM invitation")).all())
        assert counters == {"card_serial": 30, "register_ref": 2}
        assert statuses == {1: "sent", 2: "cancelled", 3: "declined", 4: "sent"}
        downgrade(directory=directory, revision="0008")
        assert "fair_counter" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
