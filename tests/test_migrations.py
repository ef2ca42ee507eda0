"""Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from fair import create_app
from fair.extensions import db


def test_upgrading_an_empty_database_yields_the_models_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url,
                      "ASYNC_MODE": "threading"})
    with app.app_context():
        from fair.ops.provision import upgrade_database
        upgrade_database()
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
    assert diff == []
    assert {"fair", "attendee", "card", "check_in", "employer", "booth", "job", "device", "lead",
            "invitation", "audit_event", "alembic_version"} <= tables
