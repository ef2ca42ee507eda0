"""Numbers a fair hands out once each: card serials and self-registration refs.

`count + 1` or `max + 1` read in one transaction and written in another gives
two registrations at the same moment the same number (on PostgreSQL a unique
violation, a 500). A counter row per (fair, name) is bumped by one UPDATE ...
RETURNING instead: the database makes concurrent bumps wait for each other, so
each gets its own number. The row is made on first use, from what the tables
already hold (`start`), so a database made before counters continues its
numbering. The bump holds the row until the caller's transaction ends (on
SQLite the whole database is held by any write anyway).

Numbers only grow: an erased person's serial is never given to the next card,
so an old signed token cannot name someone else.
"""
from __future__ import annotations

from typing import Callable

from fair.core.models import FairCounter
from fair.extensions import db, dialect_insert, execute

CARD_SERIAL = "card_serial"
REGISTRATION_REF = "register_ref"


def take(fair_id: int, name: str, start: Callable[[], int], count: int = 1) -> int:
    """The next number of the fair's counter `name`, in the caller's transaction; with
    count=N the last of the next N (the caller's alone: last - N + 1 .. last).

    `start()` gives the last number already used when the counter does not exist yet.
    """
    table = FairCounter.__table__
    bump = (db.update(table).where(table.c.fair_id == fair_id, table.c.name == name)
            .values(value=table.c.value + count).returning(table.c.value))
    value = execute(bump).scalar()
    if value is None:
        # Two first uses at once: one insert wins, the other does nothing; both then bump.
        execute(dialect_insert(table).values(fair_id=fair_id, name=name, value=start())
                .on_conflict_do_nothing(index_elements=["fair_id", "name"]))
        value = execute(bump).scalar()
    return value
