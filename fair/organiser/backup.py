"""Backups of the live database: consistent copies made while the server runs.

SQLite's online backup API copies the database inside one read transaction,
so the copy is a snapshot of a single moment even while gates and booths keep
writing (WAL: the copy never blocks them). On PostgreSQL, pg_dump (custom
format, readable by pg_restore) does the same in one repeatable-read
transaction. Each backup is written to the audit log, which is where the
dashboard reads "last backup" from.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from fair.core import private_files
from fair.extensions import db
from fair.core.fairs import ensure_fair
from fair.core.models import AuditEvent
from fair.core.timeutil import utcnow

ACTION = "backup"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    seconds: float
    at: datetime


def database_file() -> Path:
    """The SQLite file behind db.engine (BackupError for an in-memory or other database)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("`fair backup` copies SQLite files and PostgreSQL databases; this database is neither.")
    return Path(url.database)


def default_path(now: datetime, suffix: str = ".db") -> Path:
    """instance/backups/fair-<UTC time><suffix>: .db for SQLite, .dump (pg_restore's format) for PostgreSQL."""
    return Path(current_app.instance_path) / "backups" / f"fair-{now:%Y%m%d-%H%M%S}{suffix}"


def _on_postgres() -> bool:
    return db.engine.url.get_backend_name() == "postgresql"


def backup_database(out: Path | None = None, actor: str = "cli") -> BackupReport:
    """Copy the live database to `out` (default instance/backups/fair-<time>.db, or .dump on
    PostgreSQL) and audit it."""
    postgres = _on_postgres()
    source_path = None if postgres else database_file()
    pg_dump = _pg_dump_for_server() if postgres else None   # before any file is made
    now = utcnow()
    if out is None:
        out = default_path(now, ".dump" if postgres else ".db")
        private_files.private_folder(out.parent)
    else:
        out = Path(out)
        out.parent.mkdir(mode=private_files.FOLDER_MODE, parents=True, exist_ok=True)  # a folder of theirs stays as is
    out = out.resolve()  # the audit log keeps where every copy went: erasure lists them
    partial = out.with_name(out.name + ".partial")
    started = time.monotonic()
    if postgres:
        _dump_postgres(pg_dump, partial)
    else:
        _copy_sqlite(source_path, partial)
    os.replace(partial, out)  # a backup file is either whole or absent
    seconds = time.monotonic() - started
    size = out.stat().st_size
    fair, _ = ensure_fair()
    db.session.add(AuditEvent(fair_id=fair.id, actor=actor, action=ACTION, subject=str(out)[:200],
                              details={"path": str(out), "bytes": size, "seconds": round(seconds, 3)}))
    db.session.commit()
    return BackupReport(out, size, seconds, now)


def _copy_sqlite(source_path: Path, partial: Path) -> None:
    source = sqlite3.connect(str(source_path), timeout=30)
    try:
        private_files.create_private(partial)  # SQLite then keeps the file's mode (and its journal's)
        target = sqlite3.connect(str(partial))
        try:
            # pages=-1: the whole database in one step, i.e. in one read
            # transaction; stepwise copies restart whenever a gate writes.
            source.backup(target, pages=-1)
            check = target.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            target.close()
    finally:
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {check}")


# --- PostgreSQL: pg_dump of the same major version as the server ---------------------------

PG_DUMP_TIMEOUT_SECONDS = 3600
DEBIAN_PG_BIN = "/usr/lib/postgresql/{major}/bin"   # Debian keeps each major version's tools here


def _server_major() -> int:
    number = int(db.session.execute(db.text("SHOW server_version_num")).scalar_one())
    db.session.rollback()   # nothing held open while pg_dump runs
    return number // 10000


def _tool_major(path: str) -> int | None:
    """16 for "pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)"; None if it does not say."""
    try:
        said = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s*(\d+)", said)
    return int(found.group(1)) if found else None


def _pg_dump_for_server(candidates: list[str] | None = None) -> str:
    """The pg_dump to use: the one on PATH, else Debian's of the server's major version
    (/usr/lib/postgresql/<major>/bin). A pg_dump older than the server refuses to dump it,
    and a newer one writes archives an older pg_restore cannot read: same major only."""
    major = _server_major()
    if candidates is None:
        candidates = [found for found in (shutil.which("pg_dump"),) if found]
        candidates.append(str(Path(DEBIAN_PG_BIN.format(major=major)) / "pg_dump"))
    seen = []
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        version = _tool_major(path)
        if version == major:
            return path
        seen.append(f"{path} is version {version if version is not None else 'unknown'}")
    if not seen:
        raise BackupError(f"pg_dump is not installed: install PostgreSQL {major}'s client tools "
                          f"(Debian: apt install postgresql-client-{major}).")
    raise BackupError(f"The database runs PostgreSQL {major} but {'; '.join(seen)}: install "
                      f"PostgreSQL {major}'s client tools (Debian: apt install postgresql-client-{major}).")


def _libpq_arguments() -> tuple[list[str], dict[str, str]]:
    """pg_dump's connection options from db.engine's URL; the password goes in the environment
    (PGPASSWORD), never on the command line that `ps` shows. A search_path in the URL's options
    (one fair's schema in a shared database) limits the dump to that schema."""
    url = db.engine.url
    args, env = [], {}
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args += [flag, str(value)]
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    options = url.query.get("options") or ""
    if isinstance(options, tuple):
        options = " ".join(options)
    for schema in re.findall(r"-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)", options):
        args += ["--schema", schema]
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if url.query.get(key):
            env[variable] = str(url.query[key])
    args += ["--dbname", url.database or ""]
    return args, env


def _dump_postgres(pg_dump: str, partial: Path) -> None:
    """pg_dump --format=custom into `partial` (made owner-only first), checked by pg_restore --list."""
    args, extra_env = _libpq_arguments()
    env = {**os.environ, **extra_env}
    private_files.create_private(partial)   # pg_dump rewrites the file and keeps its mode
    try:
        done = subprocess.run([pg_dump, "--format=custom", "--no-password", "--file", str(partial), *args],
                              env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_SECONDS)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
        pg_restore = str(Path(pg_dump).with_name("pg_restore"))
        if os.access(pg_restore, os.X_OK):
            listed = subprocess.run([pg_restore, "--list", str(partial)], capture_output=True, text=True,
                                    timeout=300)
            if listed.returncode != 0:
                raise BackupError(f"The dump cannot be read back: {listed.stderr.strip()[-500:]}")
    except subprocess.TimeoutExpired as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump took longer than {exc.timeout:.0f} s") from exc
    except BackupError:
        partial.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class BackupOnRecord:
    at: datetime
    path: str
    exists: bool


def backups_made_before(fair_id: int, moment: datetime) -> list[BackupOnRecord]:
    """Every backup the audit log knows of up to `moment`, oldest first: copies an erasure cannot reach."""
    rows = db.session.execute(db.select(AuditEvent.at, AuditEvent.subject, AuditEvent.details)
                              .where(AuditEvent.fair_id == fair_id, AuditEvent.action == ACTION,
                                     AuditEvent.at <= moment).order_by(AuditEvent.at, AuditEvent.id)).all()
    found = []
    for at, subject, details in rows:
        path = (details or {}).get("path") or subject or ""
        found.append(BackupOnRecord(at, path, bool(path) and Path(path).exists()))
    return found


def last_backup_at(fair_id: int) -> datetime | None:
    """When the latest backup of this fair was made (naive UTC), or None: for the dashboard."""
    return db.session.scalar(db.select(db.func.max(AuditEvent.at))
                             .where(AuditEvent.fair_id == fair_id, AuditEvent.action == ACTION))
