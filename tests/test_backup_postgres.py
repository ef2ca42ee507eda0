"""`fair backup` on PostgreSQL: pg_dump's custom format, restorable with pg_restore, and a clear
refusal when pg_dump is missing or of another major version than the server."""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from fair.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_attendee


def _conninfo(database: str | None = None) -> str:
    from sqlalchemy.engine import make_url
    url = make_url(TEST_DATABASE_URL).set(drivername="postgresql")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def fresh_database():
    """An empty database on the test server (dropped afterwards): where the dump is restored."""
    import psycopg
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_conninfo(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_conninfo(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only("pg_dump of the test PostgreSQL")
def test_a_postgresql_backup_restores_into_a_fresh_database_with_the_same_rows(app, fair, fresh_database, runner):
    import psycopg
    from fair.checkin.models import Attendee
    from fair.core.models import AuditEvent
    from fair.organiser import backup
    for i in range(7):
        make_attendee(fair, ref=f"B{i:03d}")
    db.session.commit()
    expected = db.session.scalar(db.select(db.func.count()).select_from(Attendee))
    assert expected == 7

    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    made = list((Path(app.instance_path) / "backups").iterdir())
    assert len(made) == 1 and made[0].name.startswith("fair-") and made[0].suffix == ".dump"
    assert made[0].stat().st_mode & 0o077 == 0     # owner-only, like the SQLite copies
    assert str(made[0]) in result.output
    assert backup.last_backup_at(fair.id) is not None
    audit = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == backup.ACTION)).one()
    assert audit.details["path"] == str(made[0])

    # Rows added after the backup are not in it: the restore shows the moment of the dump.
    make_attendee(fair, ref="AFTER")
    db.session.commit()

    pg_restore = str(Path(backup._pg_dump_for_server()).with_name("pg_restore"))
    env = {**os.environ, "PGPASSWORD": _password()}
    done = subprocess.run([pg_restore, "--no-owner", "--dbname", _conninfo_without_password(fresh_database),
                           str(made[0])], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    schema = _schema_of(app)
    with psycopg.connect(_conninfo(fresh_database)) as restored:
        count = restored.execute(f'SELECT count(*) FROM "{schema}".{Attendee.__tablename__}').fetchone()[0]
        refs = {r for (r,) in restored.execute(f'SELECT ref FROM "{schema}".{Attendee.__tablename__}')}
    assert count == expected
    assert "AFTER" not in refs and "B006" in refs


def _password() -> str:
    from sqlalchemy.engine import make_url
    return make_url(TEST_DATABASE_URL).password or ""


def _conninfo_without_password(database: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(TEST_DATABASE_URL).set(drivername="postgresql", database=database, password=None) \
        .render_as_string(hide_password=False)


def _schema_of(app) -> str:
    """The test run's schema (the app's URL sets search_path to it: tests.schema.PostgresSchema)."""
    return db.session.execute(db.text("SELECT current_schema()")).scalar_one()


def _fake_pg_dump(folder: Path, says: str) -> str:
    tool = folder / "pg_dump"
    tool.write_text(f"#!/bin/sh\necho '{says}'\n")
    tool.chmod(0o700)
    return str(tool)


@pytest.mark.postgres_only("the server's major version")
def test_a_pg_dump_of_another_major_version_is_refused_with_what_to_install(app, tmp_path):
    from fair.organiser import backup
    major = backup._server_major()
    other = _fake_pg_dump(tmp_path, f"pg_dump (PostgreSQL) {major + 1}.2 (Debian {major + 1}.2-1)")
    with pytest.raises(backup.BackupError) as refused:
        backup._pg_dump_for_server([other])
    said = str(refused.value)
    assert f"PostgreSQL {major}" in said and f"version {major + 1}" in said
    assert f"postgresql-client-{major}" in said
    (tmp_path / "right").mkdir()
    same = _fake_pg_dump(tmp_path / "right", f"pg_dump (PostgreSQL) {major}.9")
    assert backup._pg_dump_for_server([other, same]) == same   # the next candidate of the right version


@pytest.mark.postgres_only("the server's major version")
def test_no_pg_dump_at_all_is_a_clear_error_and_writes_no_file(app, fair, runner, tmp_path, monkeypatch):
    from fair.organiser import backup
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(backup, "DEBIAN_PG_BIN", str(tmp_path / "nowhere"))
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "out" / "copy.dump")])
    assert result.exit_code == 1
    assert "pg_dump is not installed" in result.output
    assert not (tmp_path / "out").exists()     # refused before any file or folder is made
    assert backup.last_backup_at(fair.id) is None


@pytest.mark.sqlite_only("a SQLite file copy")
def test_a_sqlite_backup_keeps_its_db_name(app, fair, runner):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    made = list((Path(app.instance_path) / "backups").iterdir())
    assert len(made) == 1 and made[0].suffix == ".db"
