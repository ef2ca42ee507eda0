"""The empty schema, built once per test run and copied for each test.

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
