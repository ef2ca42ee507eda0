"""Several `fair serve` workers on one fair: what they tell each other through Redis.

Off unless MESSAGE_QUEUE (FAIR_MESSAGE_QUEUE=redis://...) is set; one process
needs none of it. With it:

- Socket.IO emits go through Flask-SocketIO's Redis message queue, so an event
  published on one worker reaches the rooms of every worker. QueueManager below
  is python-socketio's RedisManager that skips, before encoding, a message for a
  room with nobody in it on this worker (most card-page rooms are empty).
- fair.core.changes' signals travel too, on a channel of their own: a change
  committed here (a revoked device, an erasure, an import: fair_changed with
  here=True) reaches the other workers' caches at once, not at their next
  revision poll (which stays, for writers without Redis, e.g. the CLI); people
  let in or out here (people_moved) reach the other workers' pools of people
  inside, batched once per broadcast tick.
- One worker at a time is the stats leader (a Redis key with a short expiry):
  it alone computes the dashboards' counts, for the fairs any worker saw change,
  and its `stats` reach every worker's dashboards through the queue.
- Every worker must hold the same secrets (sessions, card links, national-ID
  hashes): the first to start leaves a fingerprint of them in Redis and a worker
  whose secrets differ refuses to start (check_same_secrets).

A Redis failure never stops a scan: a message that cannot be sent is logged and
dropped (the revision poll catches the caches up within a second), and a worker
that cannot reach Redis computes its own counts.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from typing import Any

import socketio as python_socketio

from fair.core import changes
from fair.extensions import db

CHANNEL = "fair-cluster"            # our own messages; Socket.IO's are on "flask-socketio"
LEADER_KEY = "fair:stats-leader"
SECRETS_KEY = "fair:secrets-fingerprint"
SECRETS_TTL_SECONDS = 60            # kept by the running leader: new secrets once every worker stopped
LEADER_TTL_MS = 3000                # a dead leader's place is taken within three seconds
LEADER_RENEW_SECONDS = 1.0

log = logging.getLogger(__name__)


class QueueManager(python_socketio.RedisManager):
    """Flask-SocketIO's Redis message queue, minus the encoding of messages nobody here hears.

    Every worker receives every emit; python-socketio encodes a message before it
    looks for recipients, so an emit to an empty room (a card page not open on
    this worker) would cost its encoding on every worker."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._outbox: list[dict] = []
        self._outbox_lock = threading.Lock()
        self._draining = False

    def _publish(self, data):
        """Queue the message; one background task sends what has queued up in one pipeline.

        The broadcaster emits to each room with news once per tick: one Redis round trip
        per room cost more CPU than the emits themselves. The task runs as soon as the
        emitting code yields (after the tick's emits), so nothing waits a tick more;
        one task at a time keeps the messages in order."""
        with self._outbox_lock:
            self._outbox.append(data)
            if self._draining:
                return
            self._draining = True
        self.server.start_background_task(self._drain)

    def _drain(self) -> None:
        while True:
            with self._outbox_lock:
                batch, self._outbox = self._outbox, []
                if not batch:
                    self._draining = False
                    return
            self._send(batch)

    def _send(self, batch: list[dict]) -> None:
        for retries_left in (1, 0):
            try:
                if not self.connected:
                    self._redis_connect()
                pipe = self.redis.pipeline(transaction=False)
                for data in batch:
                    pipe.publish(self.channel, self.json.dumps(data))
                pipe.execute()
                return
            except Exception:
                self.connected = False
                if not retries_left:
                    log.error("could not publish %d Socket.IO messages to Redis", len(batch), exc_info=True)

    def _handle_emit(self, message):
        room = message.get("room")
        if isinstance(room, str) and message.get("callback") is None:
            if next(iter(self.get_participants(message.get("namespace") or "/", room)), None) is None:
                return None
        return super()._handle_emit(message)


def client_manager(url: str | None) -> QueueManager | None:
    """The Socket.IO client manager for MESSAGE_QUEUE (None: python-socketio's in-process one)."""
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError(f"MESSAGE_QUEUE must be a redis:// URL, not {url.split(':', 1)[0]}://")
    return QueueManager(url, channel="flask-socketio")


class Cluster:
    """This worker's side of the conversation between workers (app.extensions["fair.cluster"])."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.host_id = uuid.uuid4().hex
        self._redis = None
        self._lock = threading.Lock()
        self._moved: dict[int, set[int]] = {}        # fair → people let in or out here since the last tick
        self._peer_dirty: set[int] = set()            # fairs whose counts other workers saw change
        self._leader = False
        self._leader_checked = -1e9
        self._listening = False
        self._stopped = False
        self._pubsub = None
        self.received = 0                             # messages handled from other workers (tests, logs)

    def redis(self):
        if self._redis is None:
            import redis
            self._redis = redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=5,
                                               health_check_interval=30)
        return self._redis

    def _listening_client(self):
        """A client of its own for the subscription, without a read timeout: a quiet channel
        is no failure (with one, listen() raised every few seconds and missed messages
        while it subscribed again). Keep-alives notice a dead connection instead."""
        import redis
        return redis.Redis.from_url(self.url, socket_connect_timeout=5, socket_keepalive=True)

    # --- telling the others --------------------------------------------------------------

    def tell(self, kind: str, **body: Any) -> bool:
        """Publish one message to the other workers; False (logged) when Redis cannot take it."""
        message = json.dumps({"host": self.host_id, "kind": kind, **body})
        try:
            self.redis().publish(CHANNEL, message)
            return True
        except Exception:   # redis.RedisError, OSError: the revision poll still catches up
            log.warning("could not tell the other workers %s", kind, exc_info=True)
            return False

    def note_moved(self, fair_id: int, attendee_ids: list[int]) -> None:
        with self._lock:
            self._moved.setdefault(fair_id, set()).update(attendee_ids)

    def flush(self) -> None:
        """Once per broadcast tick: the people let in or out here since the last one."""
        with self._lock:
            moved, self._moved = self._moved, {}
        for fair_id, ids in moved.items():
            self.tell("moved", fair=fair_id, attendees=sorted(ids))

    # --- the stats leader ----------------------------------------------------------------

    def is_leader(self) -> bool:
        """Hold (or take) the stats leadership; renewed at most once a second."""
        now = time.monotonic()
        if now - self._leader_checked < LEADER_RENEW_SECONDS:
            return self._leader
        self._leader_checked = now
        try:
            r = self.redis()
            if r.set(LEADER_KEY, self.host_id, nx=True, px=LEADER_TTL_MS):
                self._leader = True
            elif r.get(LEADER_KEY) == self.host_id.encode():
                r.pexpire(LEADER_KEY, LEADER_TTL_MS)
                self._leader = True
            if self._leader:
                r.expire(SECRETS_KEY, SECRETS_TTL_SECONDS)
            else:
                self._leader = False
        except Exception:
            log.warning("Redis unreachable: this worker computes its own counts", exc_info=True)
            self._leader = True   # counts from each worker beat no counts at all
        return self._leader

    def stats_to_compute(self, dirty: set[int]) -> set[int]:
        """The fairs whose counts this worker computes now: the leader takes its own and the
        others' changed fairs; any other worker passes its changed fairs to the leader."""
        if self.is_leader():
            with self._lock:
                dirty = dirty | self._peer_dirty
                self._peer_dirty = set()
            return dirty
        if dirty:
            self.tell("dirty", fairs=sorted(dirty))
        return set()

    def resign(self) -> None:
        """Give the leadership up at once (a worker shutting down)."""
        try:
            r = self.redis()
            if r.get(LEADER_KEY) == self.host_id.encode():
                r.delete(LEADER_KEY)
        except Exception:
            pass
        self._leader = False

    # --- hearing the others --------------------------------------------------------------

    def handle(self, app, raw: bytes | str) -> bool:
        """Act on one message from another worker (our own are ignored); True when acted on."""
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            return False
        if not isinstance(message, dict) or message.get("host") == self.host_id:
            return False
        kind = message.get("kind")
        if kind == "changed" and isinstance(message.get("fair"), int):
            with app.app_context():
                try:
                    changes.fair_changed.send(app, fair_id=message["fair"])
                finally:
                    db.session.remove()
        elif kind == "moved" and isinstance(message.get("fair"), int) and isinstance(message.get("attendees"), list):
            ids = [i for i in message["attendees"] if isinstance(i, int)]
            with app.app_context():
                try:
                    changes.people_moved.send(app, fair_id=message["fair"], attendee_ids=ids, here=False)
                finally:
                    db.session.remove()
        elif kind == "dirty" and isinstance(message.get("fairs"), list):
            with self._lock:
                self._peer_dirty.update(f for f in message["fairs"] if isinstance(f, int))
        else:
            return False
        self.received += 1
        return True

    def listen(self, app, sleep) -> None:
        """Run forever in a background task: subscribe, handle, resubscribe after a Redis failure."""
        retry = 1.0
        while not self._stopped:
            try:
                pubsub = self._pubsub = self._listening_client().pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                retry = 1.0
                for item in pubsub.listen():
                    if item.get("type") == "message":
                        try:
                            self.handle(app, item["data"])
                        except Exception:
                            app.logger.exception("a message from another worker failed")
            except Exception:
                if self._stopped:
                    return
                app.logger.warning("lost Redis (%s); listening again in %.0f s", self.url, retry, exc_info=True)
                sleep(retry)
                retry = min(retry * 2, 30.0)

    def stop(self) -> None:
        """End listen() (tests, a script): its subscription is closed under it."""
        self._stopped = True
        if self._pubsub is not None:
            try:
                self._pubsub.close()
            except Exception:
                pass

    def start(self, app, start_background_task, sleep) -> None:
        if not self._listening:
            self._listening = True
            start_background_task(self.listen, app, sleep)


def init_app(app) -> None:
    """A Cluster for this app when MESSAGE_QUEUE is set (else nothing: one process)."""
    url = app.config.get("MESSAGE_QUEUE")
    app.extensions["fair.cluster"] = Cluster(url) if url else None


def of(app) -> Cluster | None:
    return app.extensions.get("fair.cluster")


@changes.fair_changed.connect
def _relay_change(app, fair_id: int, here: bool = False, **_kwargs) -> None:
    """A change committed in this process: the other workers drop their caches now."""
    cluster = of(app) if here else None
    if cluster is not None:
        cluster.tell("changed", fair=fair_id)


@changes.people_moved.connect
def _relay_moved(app, fair_id: int, attendee_ids: list[int], here: bool = False, **_kwargs) -> None:
    """People let in or out here: told to the other workers at the next broadcast tick."""
    cluster = of(app) if here else None
    if cluster is not None:
        cluster.note_moved(fair_id, attendee_ids)


# --- the same secrets everywhere --------------------------------------------------------------

def secrets_fingerprint(secret_key: str | bytes, national_id_key: bytes) -> str:
    """A keyed digest that shows whether two workers hold the same secrets, and reveals neither."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key + b"\x00" + national_id_key, b"fair secrets fingerprint", hashlib.sha256).hexdigest()


class DifferentSecrets(RuntimeError):
    pass


def check_same_secrets(app) -> None:
    """Refuse to serve with secrets other than the first worker's (DifferentSecrets)."""
    cluster = of(app)
    if cluster is None:
        return
    mine = secrets_fingerprint(app.config["SECRET_KEY"], app.config["NATIONAL_ID_KEY"])
    r = cluster.redis()
    r.set(SECRETS_KEY, mine, nx=True, ex=SECRETS_TTL_SECONDS)
    theirs = r.get(SECRETS_KEY)
    if theirs is not None and theirs.decode() != mine:
        raise DifferentSecrets(
            "This worker's SECRET_KEY or NATIONAL_ID_KEY differs from the other workers' (Redis "
            f"{SECRETS_KEY}). Give every worker the same: run `fair init` once and copy "
            "instance/secret_key and instance/national_id_key, or set FAIR_SECRET_KEY and "
            "FAIR_NATIONAL_ID_KEY to their contents (docs/deploy.md).")
