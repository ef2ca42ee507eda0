"""One worker killed under load: gate and booth phones behind HAProxy, two `fair serve` workers
on one Redis, worker A killed (SIGKILL) while the phones scan. Used by tests/test_failover.py and
scripts/bench_failover.py.

Each phone follows the browser's policy (fair/static/js/lib/scan-sender.js), re-stated here in
Python because a load of real browsers does not fit this machine:

1. older scans waiting in the phone's queue go first (replayed over HTTP, oldest first);
2. the live socket when it is connected: its ack is the answer; no ack within 1.5 s
   (live.js's ackTimeoutMs) queues the scan at once, with no second try over HTTP;
3. HTTP (POST /api/v1/checkins, or the booth's /scans) when the socket is not connected: any answer but a
   retryable one (5xx, 408, 429) is the answer, else the scan queues;
4. the queue is replayed over HTTP, with the scan's own nonce and scanned_at.

The socket reconnects by itself (python-socketio's client, as socket.io's does in the browser),
through the proxy, which sends it to the worker still alive.

What is checked afterwards, in the database: every scan a phone made was answered; every
answered scan is stored exactly once, under its (device, nonce) (a gate's check-in row, a
booth's lead receipt), and the answer's id and status are that row's (checkin_id; lead_id and
ok/updated): an acknowledged scan neither lost nor doubled; and no row exists that no phone
made.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import statistics
import threading
import time
import uuid
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

import requests
import socketio

from tests.served_process import free_port
from tests.served_workers import fair, fair_env, proxy, redis_server, workers

ACK_TIMEOUT = 1.5    # live.js ackTimeoutMs
HTTP_TIMEOUT = 2.5   # scan-sender.js POLICY.httpTimeoutMs
REPLAY_TIMEOUT = 10  # scan-sender.js POLICY.replayTimeoutMs
RETRYABLE = {408, 429} | set(range(500, 600))


@dataclasses.dataclass
class Scan:
    nonce: str
    code: str
    scanned_at: float          # time.time() when the card was read
    made: float                # time.monotonic() of the same moment
    answered: float | None = None
    via: str | None = None     # socket | http | replay
    status: str | None = None
    answer_id: int | None = None   # the gate's checkin_id or the booth's lead_id

    def body(self, booth: bool) -> dict:
        at = datetime.fromtimestamp(self.scanned_at, timezone.utc).isoformat(timespec="milliseconds")
        body = {"code": self.code, "nonce": self.nonce, "scanned_at": at}
        return body if booth else {**body, "type": "entry"}


class Phone:
    """A gate or booth phone behind the proxy: a reconnecting socket, HTTP, and an offline queue.
    `booth` is the booth's code for a booth phone, None for a gate."""

    def __init__(self, name: str, base: str, token: str, booth: str | None = None) -> None:
        self.name, self.base, self.token, self.booth = name, base, token, booth
        self.url = f"{base}/api/v1/booths/{booth}/scans" if booth else f"{base}/api/v1/checkins"
        self.scans: list[Scan] = []
        self.queue: deque[Scan] = deque()
        self.disconnects: list[float] = []
        self.gaps: list[float] = []          # seconds from a lost socket to its reconnection
        self.closing = False
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2,
                                      randomization_factor=0.5)
        self.client.on("connect", self._connected, namespace="/live")
        self.client.on("disconnect", self._disconnected, namespace="/live")

    def connect(self) -> None:
        self.client.connect(self.base, namespaces=["/live"], transports=["websocket"],
                            auth={"token": self.token}, wait_timeout=10)

    def _connected(self) -> None:
        if self.disconnects and len(self.gaps) < len(self.disconnects):
            self.gaps.append(time.monotonic() - self.disconnects[-1])

    def _disconnected(self, *_reason) -> None:
        if not self.closing:
            self.disconnects.append(time.monotonic())

    @property
    def online(self) -> bool:
        return self.client.connected and "/live" in self.client.namespaces

    def scan(self, code: str) -> Scan:
        now = time.monotonic()
        item = Scan(nonce=str(uuid.uuid4()), code=code, scanned_at=time.time(), made=now)
        self.scans.append(item)
        self.drain()
        if self.queue:   # never overtake an older scan
            self.queue.append(item)
        elif self.online:
            self._over_socket(item)
        elif not self._over_http(item, HTTP_TIMEOUT, "http"):
            self.queue.append(item)
        return item

    def _over_socket(self, item: Scan) -> None:
        try:
            answer = self.client.call("scan", item.body(self.booth is not None), namespace="/live", timeout=ACK_TIMEOUT)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                socketio.exceptions.SocketIOError):
            self.queue.append(item)
            return
        self._answered(item, answer, "socket")

    def _over_http(self, item: Scan, timeout: float, via: str) -> bool:
        try:
            response = self.http.post(self.url, json=item.body(self.booth is not None), timeout=timeout)
        except requests.RequestException:
            return False
        if response.status_code in RETRYABLE:
            return False
        self._answered(item, response.json(), via)
        return True

    def _answered(self, item: Scan, answer: dict, via: str) -> None:
        item.answered, item.via = time.monotonic(), via
        item.status = answer.get("status")
        item.answer_id = answer.get("lead_id" if self.booth else "checkin_id")

    def drain(self) -> None:
        """Replay the queue over HTTP, oldest first, until one fails (the next scan tries again)."""
        while self.queue:
            if not self._over_http(self.queue[0], REPLAY_TIMEOUT, "replay"):
                return
            self.queue.popleft()

    def close(self) -> None:
        self.closing = True
        self.client.disconnect()
        self.http.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@dataclasses.dataclass
class Outcome:
    scans: int
    answered: int
    by_via: dict[str, int]
    stored_rows: int
    lost: list[str]           # nonces answered but not stored
    unanswered: list[str]     # nonces a phone made and never got an answer for
    wrong_id: list[str]       # answered with an id or status other than the stored row's (a double)
    phantom: int              # rows no phone made
    phones: int
    phones_cut: int           # phones whose socket the kill cut
    phones_back: int          # of those, reconnected before the end
    gaps: list[float]         # their seconds without a socket
    latency_before: list[float]   # seconds from the read to the answer, scans made before the kill
    latency_after: list[float]    # scans made after it
    queue_empty_after: float | None   # seconds from the kill to the last queued scan answered

    def summary(self) -> dict:
        return {"scans": self.scans, "answered": self.answered, "via": self.by_via, "rows": self.stored_rows,
                "lost": len(self.lost), "doubled_or_wrong_id": len(self.wrong_id), "unanswered": len(self.unanswered),
                "phantom_rows": self.phantom, "phones": self.phones, "phones_cut": self.phones_cut,
                "phones_back": self.phones_back,
                "gap_p50_s": round(pct(self.gaps, 0.5), 2), "gap_max_s": round(max(self.gaps, default=0), 2),
                "answer_p99_before_ms": round(1000 * pct(self.latency_before, 0.99), 1),
                "answer_p50_after_ms": round(1000 * pct(self.latency_after, 0.5), 1),
                "answer_p99_after_ms": round(1000 * pct(self.latency_after, 0.99), 1),
                "answer_max_after_ms": round(1000 * max(self.latency_after, default=0), 1),
                "queues_empty_after_kill_s": None if self.queue_empty_after is None
                else round(self.queue_empty_after, 2)}


def _query(database_url: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql)).all()]
    finally:
        engine.dispose()


def stored_answers(database_url: str) -> dict[tuple[str, str], tuple[int | None, str]]:
    """(device name, nonce) -> (id, status) of every gate scan (its check-in row) and booth scan
    (its receipt: the lead's id and the first answer's status) in the database."""
    rows = _query(database_url, "SELECT device.name, check_in.nonce, check_in.id, check_in.status FROM check_in "
                                "JOIN device ON device.id = check_in.device_id")
    rows += _query(database_url, "SELECT device.name, lead_scan.nonce, lead_scan.lead_id, lead_scan.status "
                                 "FROM lead_scan JOIN device ON device.id = lead_scan.device_id")
    return {(name, nonce): (row_id, status) for name, nonce, row_id, status in rows}


def run(folder: Path, *, phones: int, rate: float, seconds: float, kill_at: float, freeze: float = 0.0,
        attendees: int = 300, database_url: str | None = None, settle: float = 30.0, progress=None) -> Outcome:
    """Set up Redis, a demo fair, two workers and HAProxy in `folder`; `phones` gate phones scan
    `rate` cards a second in all for `seconds`; worker A is killed `kill_at` seconds in. With
    `freeze`, A is first stopped (SIGSTOP: a worker that hangs, its sockets open, answering
    nothing) and killed `freeze` seconds later: its phones' scans then wait for acks that never
    come and go to their queues. Then every phone drains its queue (for up to `settle` s) and
    the database is compared with the answers."""
    say = progress or (lambda message: None)
    with redis_server(folder / "redis") as redis_url:
        settings = {"TRUSTED_PROXIES": "1"}
        if database_url:
            settings["DATABASE_URL"] = database_url
        env = fair_env(folder, redis_url, **settings)
        fair(env, "init")
        fair(env, "demo", "--attendees", str(attendees), "--booths", "3")
        url = database_url or f"sqlite:///{env['FAIR_INSTANCE']}/fair.db"
        booths = [code for code, in _query(url, "SELECT code FROM booth ORDER BY id")]
        # Half gates, half booth phones (spread over the booths).
        kinds = [None if n % 2 == 0 else booths[(n // 2) % len(booths)] for n in range(phones)]
        names = [f"Failover {'gate' if booth is None else 'booth phone'} {n}" for n, booth in enumerate(kinds)]
        tokens = [json.loads(fair(env, "device", "pair", *(("--gate", name) if booth is None
                                                           else ("--booth", booth, "--name", name)),
                                  "--json"))["token"] for name, booth in zip(names, kinds)]
        cards = [line.split(",")[-1] for line in fair(env, "cards", "list", "--csv").splitlines()[1:]]
        ports, pids = [free_port(), free_port()], []
        with workers(env, ports, pids, logs=folder / "logs"), proxy(folder / "proxy", free_port(), ports) as base:
            say(f"workers {pids} behind {base}; {phones} phones at {rate:g} scans/s")
            fleet = [Phone(name, base, token, booth) for name, token, booth in zip(names, tokens, kinds)]
            for phone in fleet:
                phone.connect()
            started = time.monotonic()
            killed_at: list[float] = []
            stop_at = started + seconds

            def scanning(phone: Phone, offset: float) -> None:
                chooser = random.Random(phone.name)
                interval = len(fleet) / rate
                due = started + offset
                while due < stop_at:
                    pause = due - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                    phone.scan(chooser.choice(cards))
                    due += interval

            def killing() -> None:
                time.sleep(max(0.0, started + kill_at - time.monotonic()))
                killed_at.append(time.monotonic())
                if freeze:
                    os.kill(pids[0], signal.SIGSTOP)
                    say(f"stopped worker A (pid {pids[0]}) at {killed_at[0] - started:.1f} s")
                    time.sleep(freeze)
                os.kill(pids[0], signal.SIGKILL)
                say(f"killed worker A (pid {pids[0]}) at {time.monotonic() - started:.1f} s")

            threads = [threading.Thread(target=scanning, args=(phone, n / rate), daemon=True)
                       for n, phone in enumerate(fleet)]
            threads.append(threading.Thread(target=killing, daemon=True))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            deadline = time.monotonic() + settle
            while any(phone.queue for phone in fleet) and time.monotonic() < deadline:
                for phone in fleet:
                    phone.drain()
                time.sleep(0.2)
            for phone in fleet:
                phone.close()
            say("load over; comparing the phones' answers with the database")
        return _compare(fleet, stored_answers(url), killed_at[0])


def _compare(fleet: list[Phone], stored: dict[tuple[str, str], tuple[int | None, str]], killed_at: float) -> Outcome:
    made = {(phone.name, scan.nonce): scan for phone in fleet for scan in phone.scans}
    answered = [scan for scan in made.values() if scan.answered is not None]
    by_via: dict[str, int] = {}
    for scan in answered:
        by_via[scan.via] = by_via.get(scan.via, 0) + 1
    cut = [phone for phone in fleet if any(at >= killed_at - 0.1 for at in phone.disconnects)]
    replayed = [scan.answered for scan in answered if scan.via == "replay" and scan.made >= killed_at - ACK_TIMEOUT]
    return Outcome(
        scans=len(made), answered=len(answered), by_via=by_via,
        stored_rows=sum(1 for key in stored if key[0] in {phone.name for phone in fleet}),
        lost=[key[1] for key, scan in made.items() if scan.answered is not None and key not in stored],
        unanswered=[key[1] for key, scan in made.items() if scan.answered is None],
        wrong_id=[key[1] for key, scan in made.items()
                  if scan.answered is not None and key in stored
                  and (scan.answer_id, scan.status) != stored[key]],
        phantom=sum(1 for key in stored if key[0] in {phone.name for phone in fleet} and key not in made),
        phones=len(fleet), phones_cut=len(cut),
        phones_back=sum(1 for phone in cut if len(phone.gaps) == len(phone.disconnects)),
        gaps=[gap for phone in cut for gap in phone.gaps],
        latency_before=[s.answered - s.made for s in answered if s.made < killed_at],
        latency_after=[s.answered - s.made for s in answered if s.made >= killed_at],
        queue_empty_after=(max(replayed) - killed_at) if replayed else None)


def median_summary(outcomes: list[Outcome]) -> dict:
    """Each figure's median over runs (counts summed where a sum says more: losses)."""
    summaries = [o.summary() for o in outcomes]
    merged: dict = {}
    for key in summaries[0]:
        values = [s[key] for s in summaries]
        if key in ("lost", "doubled_or_wrong_id", "unanswered", "phantom_rows"):
            merged[key] = sum(values)
        elif all(isinstance(v, (int, float)) for v in values):
            middle = statistics.median(values)   # of an even number of runs: a mean of two
            merged[key] = int(middle) if middle == int(middle) else round(middle, 2)
        else:
            merged[key] = values
    return merged

