"""Owner-only files: the database holds the card-signing private key and everybody's phone number."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FAIR = str(Path(sys.executable).parent / "fair")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual desktop umask (022): what a fresh terminal gives `fair`."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _run(env, *args):
    # Each command starts with umask 022, as from a normal shell.
    return subprocess.run([FAIR, *args], env=env, check=True, capture_output=True, text=True,
                          preexec_fn=lambda: os.umask(0o022))


def test_instance_folder_database_backups_and_exports_are_owner_only(tmp_path, loose_umask):
    instance = tmp_path / "instance"
    env = {**os.environ, "FAIR_INSTANCE": str(instance)}
    env.pop("FAIR_ASYNC_MODE", None)
    _run(env, "init")
    _run(env, "demo", "--attendees", "5", "--booths", "1")
    _run(env, "backup")
    _run(env, "backup", "--out", str(tmp_path / "elsewhere" / "copy.db"))
    _run(env, "export", "attendees", "--out", str(tmp_path / "people.csv"))
    _run(env, "export", "leads", "--out", str(tmp_path / "leads.xlsx"))
    ref = _run(env, "cards", "list", "--csv").stdout.splitlines()[1].split(",")[0]
    _run(env, "attendee", "export", ref, "--out", str(tmp_path / "mine.json"))

    assert mode(instance) == 0o700
    assert mode(instance / "fair.db") == 0o600
    backups = list((instance / "backups").iterdir())
    assert backups and all(mode(b) == 0o600 for b in backups)
    assert mode(instance / "backups") == 0o700
    assert mode(tmp_path / "elsewhere" / "copy.db") == 0o600
    for name in ("people.csv", "leads.xlsx", "mine.json"):
        assert mode(tmp_path / name) == 0o600, name
    assert all(mode(p) & 0o077 == 0 for p in instance.rglob("*")), \
        {str(p): oct(mode(p)) for p in instance.rglob("*") if mode(p) & 0o077}


@pytest.mark.sqlite_only("SQLite's WAL file in the instance folder; PostgreSQL keeps its own files")
def test_the_live_databases_wal_is_owner_only(app, fair, tmp_path, loose_umask):
    from fair.extensions import db
    from tests import factories
    factories.make_attendee(fair, ref="W1")  # a write: the WAL exists while the engine is open
    db.session.commit()
    wal = tmp_path / "test.db-wal"
    assert wal.exists()
    assert mode(tmp_path / "test.db") == 0o600
    assert mode(wal) == 0o600


def test_startup_tightens_an_instance_folder_left_readable_by_an_older_version(tmp_path, loose_umask):
    from fair import create_app
    instance = tmp_path / "instance"
    (instance / "backups").mkdir(parents=True)
    (instance / "tls").mkdir()
    loose = [instance / "fair.db", instance / "fair.db-wal", instance / "fair.db-shm",
             instance / "backups" / "fair-20260101-000000.db", instance / "tls" / "server.key"]
    for path in loose:
        path.write_bytes(b"")
        path.chmod(0o644)
    (instance / "secret_key").write_text("00" * 32)
    (instance / "secret_key").chmod(0o644)
    for folder in (instance, instance / "backups", instance / "tls"):
        folder.chmod(0o755)
    create_app({"INSTANCE_PATH": str(instance), "ASYNC_MODE": "threading", "TESTING": True})
    for path in loose + [instance / "secret_key"]:
        assert mode(path) == 0o600, path
    for folder in (instance, instance / "backups", instance / "tls"):
        assert mode(folder) == 0o700, folder
