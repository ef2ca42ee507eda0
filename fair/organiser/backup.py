"""Backups of the live SQLite database: consistent copies made while the server runs.

SQLite's online backup API copies the database inside one read transaction,
so the copy is a snapshot of a single moment even while gates and booths keep
writing (WAL: the copy never blocks them). Each backup is written to the audit
log, which is where the dashboard reads "last backup" from.
"""
from __future__ import annotations

import os
import sqlite3
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
    """The SQLite file behind db.engine (BackupError for any other database)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("`fair backup` copies SQLite databases; back PostgreSQL up with pg_dump.")
    return Path(url.database)


def default_path(now: datetime) -> Path:
    return Path(current_app.instance_path) / "backups" / f"fair-{now:%Y%m%d-%H%M%S}.db"


def backup_database(out: Path | None = None, actor: str = "cli") -> BackupReport:
    """Copy the live database to `out` (default instance/backups/fair-<time>.db) and audit it."""
    source_path = database_file()
    now = utcnow()
    if out is None:
        out = default_path(now)
        private_files.private_folder(out.parent)
    else:
        out = Path(out)
        out.parent.mkdir(mode=private_files.FOLDER_MODE, parents=True, exist_ok=True)  # a folder of theirs stays as is
    out = out.resolve()  # the audit log keeps where every copy went: erasure lists them
    partial = out.with_name(out.name + ".partial")
    started = time.monotonic()
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
    os.replace(partial, out)  # a backup file is either whole or absent
    seconds = time.monotonic() - started
    size = out.stat().st_size
    fair, _ = ensure_fair()
    db.session.add(AuditEvent(fair_id=fair.id, actor=actor, action=ACTION, subject=str(out)[:200],
                              details={"path": str(out), "bytes": size, "seconds": round(seconds, 3)}))
    db.session.commit()
    return BackupReport(out, size, seconds, now)


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
