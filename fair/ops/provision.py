"""Setting a laptop up: database migrations, the fair, the first organiser, the demo fair."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import text

from fair.core import private_files
from fair.web import auth
from fair.extensions import db
from fair.core.fairs import ensure_fair
from fair.core.models import Organiser

DEFAULT_ORGANISER = "admin"


@dataclass
class InitReport:
    database: str
    fair_name: str
    fair_created: bool
    organiser_username: str
    organiser_password: str | None


# pg_advisory_lock's key for setting the database up: any 64-bit number no other code uses.
INIT_LOCK_KEY = 0x6661_6972_696E_6974  # "fairinit"


@contextmanager
def one_setup_at_a_time() -> Iterator[None]:
    """Two `fair init` at once (two workers, or machines, starting together): the second
    waits for the first, then finds the migrations applied and the fair made.

    PostgreSQL: a session advisory lock, held on a connection of its own while the
    migrations run on another. SQLite: an exclusive lock on a file beside the database.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": INIT_LOCK_KEY})
            holder.commit()  # the lock is the session's, not the transaction's: hold no transaction open
            try:
                yield
            finally:
                holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INIT_LOCK_KEY})
                holder.commit()
        return
    database = private_files.sqlite_file(current_app.config.get("SQLALCHEMY_DATABASE_URI"))
    try:
        import fcntl
    except ImportError:  # Windows: one laptop, one `fair init` at a time anyway
        fcntl = None
    if database is None or fcntl is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".init-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade_database() -> None:
    """Apply every Alembic migration (creating the database the first time)."""
    with one_setup_at_a_time():
        upgrade(directory=current_app.extensions["migrate"].directory)


def initialise(name: str | None = None, *, progress: bool = False) -> InitReport:
    """Idempotent: migrations, the fair with its signing keys, one organiser login.
    progress: a bar while older rows get their occupations (the CLI on a terminal)."""
    with one_setup_at_a_time():
        upgrade(directory=current_app.extensions["migrate"].directory)
        fair, created = ensure_fair(name=name or current_app.config["FAIR_NAME"])
        # Rows written before occupations were stored (migration 0008) get theirs now, once.
        from fair.matching import services as matching
        matching.reclassify(fair.id, progress=progress)
        organiser = db.session.scalar(db.select(Organiser).order_by(Organiser.id).limit(1))
        password = None
        if organiser is None:
            organiser, password = auth.create_organiser(DEFAULT_ORGANISER)
    url = db.engine.url.render_as_string(hide_password=True)
    return InitReport(url, fair.name, created, organiser.username, password)


def reset_password(username: str) -> str | None:
    organiser = db.session.scalar(db.select(Organiser).filter_by(username=username))
    if organiser is None:
        return None
    password = secrets.token_urlsafe(12)
    auth.set_organiser_password(organiser, password)
    return password


def load_demo(attendees: int = 2000, booths: int = 60, seed: int = 2026, progress: bool = False) -> dict:
    """Fill the demo fair through the same validation and import path as real CSV files.

    Rows whose ref already exists are left as they are, so a second run adds nothing.
    """
    from fair.loading import demo, store
    data = demo.generate_demo(seed=seed, attendees=attendees, booths=booths)
    fair, _ = ensure_fair()
    if fair.name == current_app.config["FAIR_NAME"] and data.fair:
        fair.name = data.fair.get("name", fair.name)
        fair.name_th = data.fair.get("name_th")
        fair.venue = data.fair.get("venue")
        fair.starts_on = data.fair.get("starts_on")
        fair.ends_on = data.fair.get("ends_on")
    added = store.load_many(
        [("employers", data.employers), ("jobs", data.jobs), ("attendees", data.attendees)],
        on_existing="skip", source="demo", progress=progress)
    return {**store.counts(), "added": added}
