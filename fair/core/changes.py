"""One change signal between processes: the fair's revision number.

A write whose effect the caches of *other* processes must see (an erasure, a
revoked device, an import of employers, jobs or attendees, incl. --update,
the demo fair; all possibly made by the `fair` command while the server runs)
calls bump() inside its own transaction. The server polls the revisions once
a second (poll(), from live.py's broadcast loop) and sends the `fair_changed`
signal for each fair whose revision moved; within one process the writers
also send it at once after their commit (changed_here()).

Every cache of another process's writes listens to this signal and nothing
else: the scan facts (fair.core.cached), matching's job index and pool of
people inside, the dashboards' counts (fair.web.live), the sockets of revoked
devices (fair.web.socket).
"""
from __future__ import annotations

from blinker import Namespace

from fair.core.models import Fair
from fair.extensions import db

signals = Namespace()
# Sent with the app as sender and fair_id=...: something in that fair changed in
# a way that cached facts (device status, people inside, jobs) may no longer hold.
fair_changed = signals.signal("fair-changed")


def bump(fair_id: int) -> None:
    """Count one change of the fair, in the caller's transaction."""
    db.session.execute(db.update(Fair).where(Fair.id == fair_id).values(revision=Fair.revision + 1))


def changed_here(app, fair_id: int) -> None:
    """After a commit in this process: tell this process's caches at once (and, with
    several workers, the others through the message queue: fair.web.cluster relays
    what is sent with here=True)."""
    fair_changed.send(app, fair_id=fair_id, here=True)


class RevisionWatcher:
    """Remembers the revisions last seen; poll() reports the fairs whose revision moved."""

    def __init__(self) -> None:
        self._seen: dict[int, int] | None = None

    def poll(self, app) -> list[int]:
        """The fairs whose revision moved since the last poll (a fair created since counts too);
        the first poll only learns where they stand."""
        rows = db.session.execute(db.select(Fair.id, Fair.revision)).all()
        seen = self._seen
        moved = [] if seen is None else [fair_id for fair_id, revision in rows if seen.get(fair_id) != revision]
        self._seen = {fair_id: revision for fair_id, revision in rows}
        for fair_id in moved:
            fair_changed.send(app, fair_id=fair_id)
        return moved


# Sent with the app as sender, fair_id=..., attendee_ids=[...], here=True|False: those
# people came in or went out. here=True: by this process, whose caches are up to date
# already (fair.web.cluster tells the other workers); here=False: by another worker,
# so caches of who is inside read those people afresh. Check-ins do not bump the
# revision: a scan would make every worker rebuild every cache of the fair.
people_moved = signals.signal("people-moved")


def moved_here(app, fair_id: int, attendee_ids: list[int]) -> None:
    """After a committed entry or exit in this process (its own caches updated)."""
    people_moved.send(app, fair_id=fair_id, attendee_ids=attendee_ids, here=True)
