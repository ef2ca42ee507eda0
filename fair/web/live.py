"""Live updates: room names, publish(), and the broadcaster that batches per room.

Services call publish() after their commit, naming what happened and to whom;
ROUTES says which audiences hear of each kind and fair.core.disclosure what each of
them may receive. Nothing is emitted there: events wait in a per-room buffer and the broadcaster sends each room one `events`
list per tick (LIVE_BATCH_INTERVAL, 0.25 s by default), plus one `stats`
message per fair whose counts changed. Fifty dashboards then cost fifty emits
per tick whether the hall scans once a second or a thousand times.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any, Callable

from flask import current_app
from socketio import PubSubManager

from fair.core import changes, disclosure
from fair.web import cluster
from fair.extensions import socketio
from fair.core.timeutil import iso, utcnow

NAMESPACE = "/live"


def fair_room(fair_id: int) -> str:
    """Organiser dashboards and big screens of a fair."""
    return f"fair:{fair_id}"


def screen_room(fair_id: int) -> str:
    """Dashboard devices on big screens: the fair's events with every name removed."""
    return f"screen:{fair_id}"


def public_room(fair_id: int) -> str:
    """Anyone's live counter: aggregate numbers, never names."""
    return f"public:{fair_id}"


def gate_room(fair_id: int) -> str:
    """Every entrance device of a fair."""
    return f"gates:{fair_id}"


def booth_room(booth_id: int) -> str:
    """All the phones of one booth."""
    return f"booth:{booth_id}"


def attendee_room(attendee_id: int) -> str:
    """The attendee's own card page(s)."""
    return f"attendee:{attendee_id}"


# Which audiences hear of each kind of domain event; disclosure.event() decides what
# each of them may receive of it. A kind not listed here reaches the organiser only.
ROUTES: dict[str, tuple[str, ...]] = {
    "checkin": (disclosure.ORGANISER, disclosure.SCREEN, disclosure.GATE, disclosure.ATTENDEE),
    "checkin_undo": (disclosure.ORGANISER, disclosure.SCREEN, disclosure.GATE),
    "lead": (disclosure.ORGANISER, disclosure.SCREEN, disclosure.BOOTH, disclosure.ATTENDEE),
    "invitation": (disclosure.ORGANISER, disclosure.SCREEN, disclosure.BOOTH, disclosure.ATTENDEE),
    "registration": (disclosure.ORGANISER, disclosure.SCREEN),
    "lead_deleted": (disclosure.ORGANISER, disclosure.SCREEN, disclosure.BOOTH, disclosure.ATTENDEE),
    "questions": (disclosure.ORGANISER, disclosure.BOOTH),
}


def room_of(audience: str, fair: int, booth: int | None, attendee: int | None) -> str | None:
    """The room where an audience of this event listens (None: the event has no such party)."""
    if audience == disclosure.ORGANISER:
        return fair_room(fair)
    if audience == disclosure.SCREEN:
        return screen_room(fair)
    if audience == disclosure.PUBLIC:
        return public_room(fair)
    if audience == disclosure.GATE:
        return gate_room(fair)
    if audience == disclosure.BOOTH:
        return booth_room(booth) if booth is not None else None
    if audience == disclosure.ATTENDEE:
        return attendee_room(attendee) if attendee is not None else None
    return None


class Broadcaster:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list[dict]] = defaultdict(list)
        self._dirty_fairs: set[int] = set()
        self._started = False
        # Dashboard counts cost a few aggregate queries: at most once a second per
        # fair, while events still flow every tick.
        self.stats_interval = 1.0
        self._stats_sent_at: dict[int, float] = {}
        # Set by the matching area (dashboard counts); live.py knows no models.
        self.stats_provider: Callable[[int], dict] | None = None

    def publish(self, kind: str, payload: dict[str, Any], *, fair: int, booth: int | None = None,
                attendee: int | None = None) -> dict:
        """Queue one domain event for every audience ROUTES names, each as disclosure allows."""
        event = {**payload, "type": kind, "at": payload.get("at") or iso(utcnow())}
        views = []
        for audience in ROUTES.get(kind, (disclosure.ORGANISER,)):
            room = room_of(audience, fair, booth, attendee)
            view = disclosure.event(audience, kind, event) if room is not None else None
            if view is not None:
                views.append((room, view))
        with self._lock:
            for room, view in views:
                self._pending[room].append(view)
            self._dirty_fairs.add(fair)
        return event

    def take(self) -> tuple[dict[str, list[dict]], set[int]]:
        """Swap the buffers out under the lock, so publishing never waits on emits."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(list)
            dirty, self._dirty_fairs = self._dirty_fairs, set()
        return pending, dirty

    def flush(self) -> int:
        """Emit everything pending now; returns the number of batches sent (rooms nobody is in are skipped)."""
        pending, dirty = self.take()
        sent = 0
        for room, events in pending.items():
            if has_listeners(room):
                socketio.emit("events", events, to=room, namespace=NAMESPACE)
                sent += 1
        relay = cluster.of(current_app)
        if relay is not None:
            relay.flush()                          # people let in or out here, to the other workers
            dirty = relay.stats_to_compute(dirty)  # several workers: the stats leader alone counts
        if self.stats_provider is not None:
            now = time.monotonic()
            waiting = {f for f in dirty if now - self._stats_sent_at.get(f, -1e9) < self.stats_interval}
            if waiting:
                with self._lock:
                    self._dirty_fairs |= waiting  # sent on a later tick, not dropped
            for fair_id in dirty - waiting:
                self._stats_sent_at[fair_id] = now
                counts = self.stats_provider(fair_id)
                for audience in (disclosure.ORGANISER, disclosure.SCREEN, disclosure.PUBLIC, disclosure.GATE):
                    room = room_of(audience, fair_id, None, None)
                    if has_listeners(room):
                        socketio.emit("stats", disclosure.stats(audience, counts), to=room, namespace=NAMESPACE)
        return sent

    def reset(self, stats_interval: float = 1.0) -> None:
        """Forget everything pending (a new app, e.g. in tests) and set the stats rate."""
        self.take()
        self._stats_sent_at.clear()
        self.stats_interval = stats_interval

    def mark_all_dirty(self, fair_ids: list[int]) -> None:
        with self._lock:
            self._dirty_fairs.update(fair_ids)

    def start(self, app, interval: float) -> None:
        """Run flush() every interval in a background task (green thread under eventlet)."""
        if self._started:
            return
        self._started = True
        self.stats_interval = float(app.config["LIVE_STATS_INTERVAL"])
        revisions = changes.RevisionWatcher()
        polls_per_second = max(1, round(1.0 / interval)) if interval > 0 else 1

        relay = cluster.of(app)
        if relay is not None:
            relay.start(app, socketio.start_background_task, socketio.sleep)

        def loop() -> None:
            ticks = 0
            while True:
                socketio.sleep(interval)
                ticks += 1
                try:
                    with app.app_context():
                        if ticks % polls_per_second == 0:
                            # Other processes' erasures, revocations and imports (fair.core.changes);
                            # their fair_changed also marks the counts for a resend (_counts_changed).
                            revisions.poll(app)
                        self.flush()
                except Exception:  # a failed tick must not stop live updates for the day
                    app.logger.exception("live broadcast tick failed")

        socketio.start_background_task(loop)


def has_listeners(room: str) -> bool:
    """Somebody is in the room. Most attendee rooms are empty (no card page open), and
    python-socketio encodes a message before it looks for recipients: at 800 scans/s
    those empty emits were several percent of the server.

    With a message queue (several workers) the listeners may be on another worker: the
    emit is always published, and each worker skips its empty rooms (fair.web.cluster)."""
    manager = socketio.server.manager
    if isinstance(manager, PubSubManager):
        return True
    return next(iter(socketio.server.manager.get_participants(NAMESPACE, room)), None) is not None


@changes.fair_changed.connect
def _counts_changed(app, fair_id: int, **_kwargs) -> None:
    """fair.core.changes: another process wrote (an import, the demo, an erasure): the
    dashboards' counts are sent afresh at the next tick."""
    broadcaster_of_app = app.extensions.get("fair.live")
    if broadcaster_of_app is not None:
        broadcaster_of_app.mark_all_dirty([fair_id])


def init_app(app) -> None:
    """Each app has its own broadcaster (app.extensions["fair.live"]): two apps in one process
    (tests, a script beside a server) never send each other's events."""
    app.extensions["fair.live"] = Broadcaster()


def broadcaster(app=None) -> Broadcaster:
    """The broadcaster of this app (the current one by default)."""
    return (app or current_app).extensions["fair.live"]


def publish(kind: str, payload: dict[str, Any], *, fair: int, booth: int | None = None,
            attendee: int | None = None) -> dict:
    """Queue a domain event ("checkin", "lead", "invitation", ...): services say what
    happened and to whom (the fair, the booth, the attendee); live.py alone decides which
    rooms hear of it and disclosure.py what each may see."""
    return broadcaster().publish(kind, payload, fair=fair, booth=booth, attendee=attendee)


def close_attendee_pages(attendee_id: int) -> None:
    """Drop every card page listening for this attendee (a replaced card: the lost phone's
    page must hear nothing more; the new link joins afresh)."""
    try:
        socketio.close_room(attendee_room(attendee_id), namespace=NAMESPACE)
    except (AttributeError, KeyError):
        pass  # no socket server in this process (the CLI): nobody to drop


def flush() -> int:
    return broadcaster().flush()
