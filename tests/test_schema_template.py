"""Each test's database is a copy of one schema template (tests.schema): whole, and its own."""
from __future__ import annotations

import pytest

from pathlib import Path

from sqlalchemy import inspect

from fair.booths.models import Employer
from fair.extensions import db


@pytest.mark.sqlite_only("checks the SQLite template file the app fixture copies")
def test_the_copy_has_every_table_and_index_of_the_models(app, tmp_path):
    assert Path(db.engine.url.database) == tmp_path / "test.db"
    inspector = inspect(db.engine)
    assert set(inspector.get_table_names()) == set(db.metadata.tables)
    for name, table in db.metadata.tables.items():
        assert {i["name"] for i in inspector.get_indexes(name)} >= {i.name for i in table.indexes}, name
    assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"


def test_writing_to_a_test_database_leaves_the_template_empty(app, fair, schema_template):
    from tests import factories
    factories.make_employer(fair, ref="E-COPY", booth_code="Q1")
    assert db.session.scalar(db.select(db.func.count(Employer.id))) == 1
    import sqlite3
    with sqlite3.connect(schema_template) as template:
        assert template.execute("SELECT count(*) FROM employer").fetchone()[0] == 0
        assert template.execute("SELECT count(*) FROM fair").fetchone()[0] == 0
