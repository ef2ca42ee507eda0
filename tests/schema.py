"""The empty schema, built once per test run and copied for each test (SQLite), or made
once in a schema of the test PostgreSQL and emptied for each test (PostgresSchema).

Building it (create_all: every table and index, in WAL mode) costs 50-100 ms a
test on SQLite; copying the finished file costs about a millisecond. Each test
still gets its own fresh file, so tests stay isolated exactly as before.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Iterator


def build_template(folder: Path) -> Path:
    """An empty database with the whole schema (create_all, as the tests always used), in one file."""
    from fair import create_app
    from fair.extensions import db
    path = folder / "schema.db"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "ASYNC_MODE": "threading",
                      "SECRET_KEY": "schema-template", "NATIONAL_ID_KEY": b"schema-template"})
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    # Fold the WAL back into the file and leave WAL mode: one self-contained file to copy.
    # (Every connection the app opens switches the copy back to WAL: fair.app._sqlite_pragmas.)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    if mode != "delete" or Path(f"{path}-wal").exists():
        raise RuntimeError(f"schema template {path} is not a single file (journal mode {mode})")
    return path


def fresh_database(template: Path, target: Path) -> str:
    """Copy the template to `target` (owner-only, like the app's own files); returns its SQLAlchemy URL."""
    shutil.copyfile(template, target)
    os.chmod(target, 0o600)
    return f"sqlite:///{target}"


class PostgresSchema:
    """A schema of this pytest process in the test database: tables made once, emptied per test.

    TRUNCATE of every table costs a few milliseconds; a new schema or database per test
    would cost create_all (every table and index) each time.
    """

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text
        self.url = url
        self.name = f"test_{os.getpid()}"
        self.tables_made = False
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self.name}"))
        engine.dispose()

    def config(self) -> dict:
        # The schema in the URL itself: a `fair` command a test runs in another process gets it too.
        from sqlalchemy.engine import make_url
        url = make_url(self.url).update_query_dict({"options": f"-csearch_path={self.name}"})
        return {"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)}

    def prepare(self) -> None:
        """In the app context: make the tables the first time, else empty them all."""
        from sqlalchemy import text
        from fair.extensions import db
        if not self.tables_made:
            db.create_all()
            self.tables_made = True
            return
        names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def drop(self) -> None:
        from sqlalchemy import create_engine, text
        engine = create_engine(self.url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
        engine.dispose()


@contextlib.contextmanager
def empty_postgres_schema(url: str, name: str) -> Iterator[str]:
    """A new empty schema on the test PostgreSQL: the URL of a database whose search_path is it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()
