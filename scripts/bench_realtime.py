#!/usr/bin/env python
"""Real-time load: `fair serve` and the floor server under the same Socket.IO load.

Starts `fair serve` on a demo fair (instance in a temporary folder), connects
simulated clients over real websockets with python-socketio's asyncio client
(booth phones, gate devices, up to 50 dashboards and attendee card pages),
drives a steady scan rate, and measures for each scan the time to its ack and
to its arrival on every dashboard. Then the same load against
scripts/floor_server.py (the floor: insert, ack, batched emit, nothing else),
in the same run, and the ratio of the two. Afterwards the database is read:
every acknowledged nonce must be there exactly once.

    .venv/bin/python scripts/bench_realtime.py --rates 300,500,1000 --duration 30 --clients 1000
    .venv/bin/python scripts/bench_realtime.py --mode threading --rates 200 --duration 20
    .venv/bin/python scripts/bench_realtime.py --rates 500 --synchronous FULL   # durability cost
    .venv/bin/python scripts/bench_realtime.py --shape booth-only --rates 500 --repeat 3

Shapes: "mixed" (the default: gates, booth phones, dashboards and card pages,
--gate-share of the scans at gates) and "booth-only" (issue 14: 50 booths with
19 phones each, 300 of them scanning and 650 connected to their booth's room,
50 dashboards, every scan a booth scan; the arrival on every phone of the
booth is measured too).

Only 127.0.0.1 is ever a target. Every loop is bounded by count and time.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import io
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
FAIR = str(BIN / "fair")
HOST = "127.0.0.1"  # the only target this harness ever loads
NAMESPACE = "/live"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Runs `fair serve` with a knob the command does not have: another SQLite
# synchronous level (the durability measurement), TCP_NODELAY on the
# listening socket (--nodelay: no Nagle delay on acks), or threading mode, where
# fair.ops.serving.run does not pass allow_unsafe_werkzeug (Flask-SocketIO refuses
# to start) and Flask ignores app.run() under the `flask` CLI group while
# FLASK_RUN_FROM_CLI is set (reported; remove the shim once serving.py does both).
LAUNCHER = r'''
import os, sys
mode = os.environ.get("FAIR_ASYNC_MODE", "eventlet")
if mode == "eventlet":
    import warnings
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet
    eventlet.monkey_patch()
    if os.environ.get("BENCH_NODELAY"):
        import socket
        _listen = eventlet.listen

        def listen_nodelay(*args, **kwargs):
            sock = _listen(*args, **kwargs)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        eventlet.listen = listen_nodelay
import fair.app
sync = os.environ.get("BENCH_SQLITE_SYNCHRONOUS")
if sync:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _bench_synchronous(dbapi_connection, record):
        if "sqlite" in type(dbapi_connection).__module__:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=" + sync)
            cursor.close()
if mode == "threading":
    import flask_socketio
    _run = flask_socketio.SocketIO.run

    def run(self, app, **kwargs):
        kwargs.setdefault("allow_unsafe_werkzeug", True)
        os.environ.pop("FLASK_RUN_FROM_CLI", None)  # else Flask ignores app.run() under the CLI
        return _run(self, app, **kwargs)
    flask_socketio.SocketIO.run = run
from fair.app import create_app
from fair.ops.cli import run
sys.argv = ["fair"] + sys.argv[1:]
run(create_app)
'''

LINKS = r'''
import json
from fair import create_app
from fair.extensions import db
from fair.checkin.models import Attendee
from fair.checkin.services import card_link
app = create_app()
with app.app_context():
    print(json.dumps({a.ref: card_link(a) for a in db.session.scalars(db.select(Attendee).order_by(Attendee.id))}))
'''


# --- the demo fair, prepared once per work folder ------------------------------------------

@dataclass
class Fixture:
    template: str                       # instance folder to copy for each run
    gates: list[str]                    # gate tokens
    booths: list[list[str]]             # [token, booth code], phones of one booth adjacent
    dashboards: list[str]               # dashboard tokens (shared by several screens)
    cards: list[list[str]]              # [attendee_ref, card token]
    links: list[str]                    # card-page links (auth {"card": link})


def fair_env(instance: Path, mode: str = "threading", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIR_")}
    env.update({"FAIR_INSTANCE": str(instance), "FAIR_ASYNC_MODE": mode,
                "FAIR_BASE_URL": "http://127.0.0.1:5000", **extra})
    return env


def _fair(env, *args: str) -> str:
    return subprocess.run([FAIR, *args], env=env, check=True, capture_output=True, text=True, timeout=300).stdout


def prepare(workdir: Path, attendees: int = 2000, booths: int = 60, gates: int = 10,
            phones_per_booth: int = 2, dashboard_tokens: int = 5, quiet: bool = False,
            name: str = "") -> Fixture:
    """`fair init`, `fair demo`, devices paired with `fair device pair --json`, cards from `fair cards list`.

    Kept in workdir under `name` (one fixture per shape: "" is the mixed one)."""
    suffix = f"-{name}" if name else ""
    saved = workdir / f"fixture{suffix}.json"
    if saved.exists():
        return Fixture(**json.loads(saved.read_text()))
    template = workdir / f"template{suffix}"
    env = fair_env(template)
    say = (lambda *_: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    say(f"preparing a demo fair ({attendees} attendees, {booths} booths) in {template}")
    _fair(env, "init")
    _fair(env, "demo", "--attendees", str(attendees), "--booths", str(booths))
    gate_tokens = [json.loads(_fair(env, "device", "pair", "--gate", f"Gate {i + 1}", "--json"))["token"]
                   for i in range(gates)]
    rounds = [json.loads(_fair(env, "device", "pair", "--booth", "all", "--json", "--name", f"Phone {r + 1}"))
              for r in range(phones_per_booth)]
    booth_tokens = [[p["token"], p["booth"]] for group in zip(*rounds) for p in group]
    dash_tokens = [json.loads(_fair(env, "device", "pair", "--dashboard", f"Screen {i + 1}", "--json"))["token"]
                   for i in range(dashboard_tokens)]
    rows = list(csv.reader(io.StringIO(_fair(env, "cards", "list", "--csv"))))[1:]
    cards = [[r[0], r[3]] for r in rows]
    links_by_ref = json.loads(subprocess.run([sys.executable, "-c", LINKS], env=env, check=True,
                                             capture_output=True, text=True, timeout=120).stdout)
    fixture = Fixture(str(template), gate_tokens, booth_tokens, dash_tokens, cards,
                      [links_by_ref[ref] for ref, _ in cards if ref in links_by_ref])
    saved.write_text(json.dumps(asdict(fixture)))
    return fixture


PORT_RANGE: tuple[int, int] | None = None   # --port-range: servers listen only there


def free_port() -> int:
    candidates = range(PORT_RANGE[0], PORT_RANGE[1] + 1) if PORT_RANGE else (0,)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def wait_quiet(below: float, at_most: float, say=print) -> float:
    """Wait (bounded) until the machine's 1-minute load average is below `below`; returns it."""
    deadline = time.monotonic() + at_most
    load = os.getloadavg()[0]
    while load >= below and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    if load >= below:
        say(f"load average still {load:.1f} after {at_most:.0f} s: running anyway (see loadavg in the result)")
    return load


def run_async(coro):
    """asyncio.run, also from a caller that already runs a loop in this thread (pytest with Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def quiet_client_logs() -> None:
    import logging
    for name in ("engineio.client", "socketio.client", "aiohttp"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


# --- servers ------------------------------------------------------------------------------

class Server:
    """One server process: ours (`fair serve`) or the floor, on a fresh copy of the data."""

    def __init__(self, target: str, mode: str, fixture: Fixture, run_dir: Path, synchronous: str | None = None,
                 nodelay: bool = False, base_tree: Path | None = None):
        self.target, self.mode, self.fixture, self.synchronous = target, mode, fixture, synchronous
        self.base_tree = base_tree   # target "base": `fair serve` from another source tree (before/after)
        self.nodelay = nodelay
        self.run_dir = run_dir
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = run_dir / "server.log"
        if target in ("ours", "base"):
            self.instance = run_dir / "instance"
            if not self.instance.exists():
                shutil.copytree(fixture.template, self.instance)
            self.db = self.instance / "fair.db"
        else:
            self.db = run_dir / "floor.db"
            tokens = {t: {"kind": "gate"} for t in fixture.gates}
            tokens.update({t: {"kind": "booth", "booth": b} for t, b in fixture.booths})
            tokens.update({t: {"kind": "dashboard"} for t in fixture.dashboards})
            self.tokens = run_dir / "tokens.json"
            self.tokens.write_text(json.dumps(tokens))

    def command(self) -> tuple[list[str], dict[str, str]]:
        if self.target == "floor":
            cmd = [sys.executable, str(HERE / "floor_server.py"), "--db", str(self.db), "--tokens",
                   str(self.tokens), "--host", HOST, "--port", str(self.port), "--mode", self.mode]
            if self.synchronous:
                cmd += ["--synchronous", self.synchronous]
            if self.nodelay:
                cmd += ["--nodelay"]
            return cmd, dict(os.environ)
        env = fair_env(self.instance, self.mode, FAIR_LIVE_BATCH_INTERVAL="0.25")
        if self.target == "base":
            env["PYTHONPATH"] = str(self.base_tree)
        args = ["serve", "--host", HOST, "--port", str(self.port)]
        if self.mode == "eventlet" and not self.synchronous and not self.nodelay:
            return [FAIR, *args], env                      # the real command, untouched
        if self.synchronous:
            env["BENCH_SQLITE_SYNCHRONOUS"] = self.synchronous
        if self.nodelay:
            env["BENCH_NODELAY"] = "1"
        return [sys.executable, "-c", LAUNCHER, *args], env

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait until it answers HTTP; returns seconds from exec to serving."""
        import urllib.request
        cmd, env = self.command()
        started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, stdout=open(self.log, "a"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.target} server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"{self.target} server did not start in {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError):
            return 0.0

    def rss_mb(self) -> float:
        try:
            return int(Path(f"/proc/{self.pid}/statm").read_text().split()[1]) * PAGE_SIZE / 2**20
        except (OSError, IndexError):
            return 0.0

    def device_keys(self) -> dict[str, str]:
        """token → how the database names the device (ours: device.id; floor: token prefix)."""
        tokens = self.fixture.gates + [t for t, _ in self.fixture.booths]
        if self.target == "floor":
            return {t: t[:12] for t in tokens}
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as c:
            ids = dict(c.execute("SELECT token_hash, id FROM device").fetchall())
        return {t: str(ids[hashlib.sha256(t.encode()).hexdigest()]) for t in tokens}

    def stored(self, prefix: str) -> dict[tuple[str, str], int]:
        """(device key, nonce) → rows in the database, for the nonces of one run."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as c:
            if self.target == "floor":
                queries = ["SELECT device, nonce, count(*) FROM scan WHERE nonce LIKE ? GROUP BY device, nonce"]
            else:
                queries = [f"SELECT CAST(device_id AS TEXT), nonce, count(*) FROM {t} WHERE nonce LIKE ? "
                           "GROUP BY device_id, nonce" for t in ("check_in", "lead_scan")]
            found: dict[tuple[str, str], int] = {}
            for q in queries:
                for dev, nonce, n in c.execute(q, (prefix + "%",)):
                    found[(dev, nonce)] = found.get((dev, nonce), 0) + n
        return found


# --- the simulated clients ------------------------------------------------------------------

@dataclass
class Scan:
    seq: int
    device: str          # token
    kind: str            # "gate" | "booth"
    body: dict
    sent: float
    steady: bool
    acked: float = 0.0
    key: tuple | None = None
    status: str | None = None
    tries: int = 1


@dataclass
class Mix:
    gates: int
    booth_phones: int            # booth phones that scan
    dashboards: int
    cards: int
    idle_phones: int = 0         # booth phones connected to their booth's room, not scanning

    @classmethod
    def for_clients(cls, clients: int, fixture: Fixture) -> "Mix":
        dashboards = max(1, min(50, clients * 5 // 100))
        gates = max(1, min(len(fixture.gates), clients // 100))
        phones = max(1, min(len(fixture.booths), clients * 12 // 100))
        cards = max(0, min(len(fixture.links), clients - dashboards - gates - phones))
        return cls(gates, phones, dashboards, cards)

    @classmethod
    def booth_only(cls, clients: int, fixture: Fixture) -> "Mix":
        """Issue 14's shape: 5 % dashboards (≤ 50), 30 % scanning booth phones, the rest idle booth phones."""
        dashboards = max(1, min(50, clients * 5 // 100))
        phones = max(1, min(len(fixture.booths), clients * 30 // 100))
        idle = max(0, min(len(fixture.booths) - phones, clients - dashboards - phones))
        return cls(0, phones, dashboards, 0, idle)


def booth_phone_split(fixture: Fixture, mix: Mix) -> tuple[list[list[str]], list[list[str]]]:
    """(scanning, idle) booth phones. Mixed shape: the first phones, none idle. Otherwise
    every booth gets its share of scanners (round-robin over the booths), then of idle phones."""
    if not mix.idle_phones:
        return fixture.booths[:mix.booth_phones], []
    by_booth: dict[str, list[list[str]]] = {}
    for phone in fixture.booths:
        by_booth.setdefault(phone[1], []).append(phone)
    round_robin = [group[i] for i in range(max(map(len, by_booth.values())))
                   for group in by_booth.values() if i < len(group)]
    return round_robin[:mix.booth_phones], round_robin[mix.booth_phones:mix.booth_phones + mix.idle_phones]


class Load:
    """The clients of one run, one asyncio loop, one aiohttp session."""

    def __init__(self, url: str, fixture: Fixture, mix: Mix, tag: str, gate_share: float = 0.5,
                 reconnect: bool = False, seed: int = 1):
        self.url, self.fixture, self.mix, self.tag = url, fixture, mix, tag
        self.gate_share = gate_share
        self.reconnect = reconnect
        self.rng = random.Random(seed)
        self.scans: list[Scan] = []
        self.arrivals: dict[tuple, array] = {}         # dashboards
        self.booth_arrivals: dict[tuple, array] = {}   # the booth's own phones
        self.dashboard_clients: list = []
        self.gate_clients: list = []
        self.booth_clients: list = []
        self.idle_clients: list = []
        self.other_clients: list = []
        self.scanning_phones, self.idle_phones = booth_phone_split(fixture, mix)
        self.disconnects = 0
        self.connect_failures = 0
        self.card_messages = 0
        self.session = None
        # Gate g walks its own share of the attendees: all in, then all out, so
        # every answer is ok / exit_recorded and no two gates race for a person.
        cards = [token for _, token in fixture.cards]
        self.gate_lists = [cards[g::mix.gates] for g in range(mix.gates)]
        self.gate_pos = [0] * mix.gates
        # Booth phones walk a shuffled list each, so a booth rarely rescans quickly.
        self.booth_lists = []
        for _ in range(mix.booth_phones):
            order = cards[:]
            self.rng.shuffle(order)
            self.booth_lists.append(order)
        self.booth_pos = [0] * mix.booth_phones

    # connection ---------------------------------------------------------------------------
    async def _client(self, auth: dict | None, role: str, index: int):
        import socketio
        client = socketio.AsyncClient(reconnection=self.reconnect, reconnection_delay=0.2,
                                      reconnection_delay_max=1.0, http_session=self.session,
                                      handle_sigint=False)
        if role == "dashboard":
            client.on("events", self._dashboard_handler(index), namespace=NAMESPACE)
        elif role in ("booth", "idle"):
            client.on("events", self._dashboard_handler(index, self.booth_arrivals), namespace=NAMESPACE)
        elif role == "card":
            client.on("events", self._count_card, namespace=NAMESPACE)

        @client.on("disconnect", namespace=NAMESPACE)
        def _gone(*_):
            self.disconnects += 1
        for attempt in range(3):
            try:
                await client.connect(self.url, transports=["websocket"], namespaces=[NAMESPACE],
                                     auth=auth, wait_timeout=30)
                return client
            except Exception:
                await asyncio.sleep(0.5 * (attempt + 1))
        self.connect_failures += 1
        return None

    async def connect_all(self, concurrency: int = 50) -> float:
        import aiohttp
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        plan = ([("gate", {"token": t}, i) for i, t in enumerate(self.fixture.gates[:self.mix.gates])]
                + [("booth", {"token": t}, i) for i, (t, _) in enumerate(self.scanning_phones)]
                + [("idle", {"token": t}, i) for i, (t, _) in enumerate(self.idle_phones)]
                + [("dashboard", {"token": self.fixture.dashboards[i % len(self.fixture.dashboards)]}, i)
                   for i in range(self.mix.dashboards)]
                + [("card", {"card": link}, i) for i, link in enumerate(self.fixture.links[:self.mix.cards])])
        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()

        async def one(role, auth, index):
            async with gate:
                return role, index, await self._client(auth, role, index)
        results = await asyncio.gather(*(one(*p) for p in plan))
        for role, index, client in sorted(results, key=lambda r: (r[0], r[1])):
            {"gate": self.gate_clients, "booth": self.booth_clients, "dashboard": self.dashboard_clients,
             "card": self.other_clients, "idle": self.idle_clients}[role].append((client, self._token_of(role, index)))
        return time.perf_counter() - started

    def _token_of(self, role: str, index: int) -> str | None:
        if role == "gate":
            return self.fixture.gates[index]
        if role == "booth":
            return self.scanning_phones[index][0]
        if role == "idle":
            return self.idle_phones[index][0]
        return None

    async def close(self) -> None:
        clients = [c for group in (self.gate_clients, self.booth_clients, self.dashboard_clients,
                                   self.other_clients, self.idle_clients) for c, _ in group if c is not None]
        sem = asyncio.Semaphore(100)

        async def bye(c):
            async with sem:
                try:
                    await asyncio.wait_for(c.disconnect(), 5)
                except Exception:
                    pass
        await asyncio.gather(*(bye(c) for c in clients))
        if self.session is not None:
            await self.session.close()

    # receiving ----------------------------------------------------------------------------
    def _dashboard_handler(self, index: int, arrivals: dict | None = None):
        arrivals = self.arrivals if arrivals is None else arrivals

        def on_events(events):
            now = time.perf_counter()
            if not isinstance(events, list):
                return
            for e in events:
                kind = e.get("type")
                if kind == "checkin":
                    key = ("c", e.get("id"))
                elif kind == "lead":
                    key = ("l", e.get("id"), e.get("at"))
                else:
                    continue
                seen = arrivals.get(key)
                if seen is None:
                    arrivals[key] = array("d", (now,))
                else:
                    seen.append(now)
        return on_events

    def _count_card(self, events):
        self.card_messages += 1

    # sending ------------------------------------------------------------------------------
    def _gate_body(self, g: int, seq: int) -> tuple[str, str, dict]:
        order = self.gate_lists[g]
        pos = self.gate_pos[g]
        self.gate_pos[g] += 1
        kind = "entry" if (pos // len(order)) % 2 == 0 else "exit"
        return "gate", self.gate_clients[g][1], {"code": order[pos % len(order)],
                                                "nonce": f"{self.tag}-{seq}", "type": kind}

    def _booth_body(self, b: int, seq: int) -> tuple[str, str, dict]:
        order = self.booth_lists[b]
        pos = self.booth_pos[b]
        self.booth_pos[b] += 1
        return "booth", self.booth_clients[b][1], {"code": order[pos % len(order)],
                                                  "nonce": f"{self.tag}-{seq}", "rating": 1 + seq % 5}

    def _next_body(self, seq: int) -> tuple[str, str, dict] | None:
        gate_turn = int((seq + 1) * self.gate_share) > int(seq * self.gate_share)
        if gate_turn and self.gate_clients:
            return self._gate_body(seq % len(self.gate_clients), seq)
        if self.booth_clients:
            return self._booth_body(seq % len(self.booth_clients), seq)
        return None

    def _client_for(self, token: str):
        for group in (self.gate_clients, self.booth_clients):
            for client, t in group:
                if t == token:
                    return client
        return None

    def send(self, scan: Scan, client) -> None:
        def on_ack(answer):
            if scan.acked:
                return
            scan.acked = time.perf_counter()
            if not isinstance(answer, dict):
                scan.status = "bad_ack"
                return
            scan.status = answer.get("status") or answer.get("error") or "?"
            if answer.get("checkin_id") is not None:
                scan.key = ("c", answer["checkin_id"])
            elif answer.get("lead_id") is not None:
                scan.key = ("l", answer["lead_id"], (answer.get("lead") or {}).get("updated_at"))

        async def emit():
            try:
                await client.emit("scan", scan.body, namespace=NAMESPACE, callback=on_ack)
            except Exception:
                pass  # not connected: stays unacknowledged (the crash test retries it)
        asyncio.ensure_future(emit())

    async def drive(self, rate: float, duration: float, warmup: float, on_tick=None) -> dict:
        """Send `rate` scans a second for warmup + duration seconds; bounded by both."""
        clients = {t: c for group in (self.gate_clients, self.booth_clients) for c, t in group}
        start = time.perf_counter()
        steady_from = start + warmup
        end = steady_from + duration
        max_lag = 0.0
        seq = len(self.scans)
        sent_at_start = seq
        limit = int(rate * (warmup + duration)) + 1
        while True:
            now = time.perf_counter()
            if now >= end or seq - sent_at_start >= limit:
                break
            due = sent_at_start + int((now - start) * rate)
            if due - seq > 1:
                max_lag = max(max_lag, (due - seq) / rate)
            while seq < due:
                picked = self._next_body(seq)
                if picked is None:
                    break
                kind, token, body = picked
                scan = Scan(seq, token, kind, body, time.perf_counter(), time.perf_counter() >= steady_from)
                self.scans.append(scan)
                client = clients.get(token)
                if client is not None and client.connected:
                    self.send(scan, client)
                seq += 1
            if on_tick is not None:
                on_tick(now)
            await asyncio.sleep(0.004)
        return {"start": start, "steady_from": steady_from, "end": end, "max_send_lag_s": round(max_lag, 3)}

    async def prime(self, timeout: float = 60.0) -> None:
        """One scan per scanner, answered before the clock starts: caches and indexes are built
        before the doors open at a real fair too (excluded from the figures, included in the checks)."""
        bodies = [self._gate_body(g, 0) for g in range(len(self.gate_clients))]
        bodies += [self._booth_body(b, 0) for b in range(len(self.booth_clients))]
        clients = {t: c for group in (self.gate_clients, self.booth_clients) for c, t in group}
        for kind, token, body in bodies:
            seq = len(self.scans)
            body["nonce"] = f"{self.tag}-{seq}"
            scan = Scan(seq, token, kind, body, time.perf_counter(), False)
            self.scans.append(scan)
            if clients.get(token) is not None and clients[token].connected:
                self.send(scan, clients[token])
        await self.wait_acks(timeout)

    async def wait_acks(self, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and any(not s.acked for s in self.scans):
            await asyncio.sleep(0.05)


# --- numbers ------------------------------------------------------------------------------

def percentile(sorted_values, q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(q / 100 * (len(sorted_values) - 1)))))
    return sorted_values[index]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def summarise(load: Load, window: dict, server: Server, stored: dict, keys: dict[str, str],
              cpu: float, wall: float, rss_max: float) -> dict:
    steady = [s for s in load.scans if s.steady]
    acked = [s for s in steady if s.acked]
    ack_lat = sorted(s.acked - s.sent for s in acked)
    dash_lat = array("d")
    missing = duplicated = 0
    n_dash = sum(1 for c, _ in load.dashboard_clients if c is not None)
    for s in acked:
        if s.key is None:
            continue
        seen = load.arrivals.get(s.key)
        count = len(seen) if seen is not None else 0
        missing += max(0, n_dash - count)
        duplicated += max(0, count - n_dash)
        if seen is not None:
            dash_lat.extend(t - s.sent for t in seen)
    dash_sorted = sorted(dash_lat)
    last_ack = max((s.acked for s in acked), default=window["end"])
    throughput = len(acked) / max(1e-9, max(last_ack, window["end"]) - window["steady_from"])
    statuses: dict[str, int] = {}
    for s in load.scans:
        statuses[s.status or "unacked"] = statuses.get(s.status or "unacked", 0) + 1
    all_acked = [s for s in load.scans if s.acked and s.status not in ("forbidden", "invalid_input", "bad_ack")]
    lost = sum(1 for s in all_acked if stored.get((keys[s.device], s.body["nonce"]), 0) == 0)
    dup_rows = sum(1 for n in stored.values() if n > 1)
    unacked_stored = sum(1 for s in load.scans if not s.acked and stored.get((keys[s.device], s.body["nonce"])))
    return {
        "sent": len(load.scans), "steady_sent": len(steady), "steady_acked": len(acked),
        "unacked": sum(1 for s in load.scans if not s.acked), "unacked_but_stored": unacked_stored,
        "acked_scans_lost": lost, "duplicated_rows": dup_rows, "rows_for_run": sum(stored.values()),
        "statuses": statuses,
        "sustained_scans_per_s": round(throughput, 1),
        "ack_ms": {"p50": ms(percentile(ack_lat, 50)), "p90": ms(percentile(ack_lat, 90)),
                   "p99": ms(percentile(ack_lat, 99)), "max": ms(ack_lat[-1] if ack_lat else None)},
        "dashboard_ms": {"p50": ms(percentile(dash_sorted, 50)), "p90": ms(percentile(dash_sorted, 90)),
                         "p99": ms(percentile(dash_sorted, 99)),
                         "max": ms(dash_sorted[-1] if dash_sorted else None)},
        "dashboard_deliveries": len(dash_lat), "dashboard_missing": missing, "dashboard_duplicated": duplicated,
        "server_cpu_percent": round(100 * cpu / wall, 1), "server_rss_mb_max": round(rss_max, 1),
        "disconnects": load.disconnects, "connect_failures": load.connect_failures,
        "max_send_lag_s": window["max_send_lag_s"],
    }


# --- one run ------------------------------------------------------------------------------

async def run_once(server: Server, fixture: Fixture, clients: int, rate: float, duration: float,
                   warmup: float, tag: str, gate_share: float, profile: Path | None = None,
                   extra: bool = False, shape: str = "mixed") -> dict:
    if shape == "booth-only":
        mix, gate_share, extra = Mix.booth_only(clients, fixture), 0.0, True
    else:
        mix = Mix.for_clients(clients, fixture)
    load = Load(server.url, fixture, mix, tag, gate_share)
    connect_s = await load.connect_all()
    await load.prime()
    await asyncio.sleep(1.0)  # let the connect storm settle
    samples = {"rss": 0.0, "cpu0": None, "t0": None, "next": 0.0}
    spy = None

    def on_tick(now):
        if samples["t0"] is None and now >= window_start[0]:
            samples["cpu0"], samples["t0"] = server.cpu_seconds(), now
        if now >= samples["next"]:
            samples["rss"] = max(samples["rss"], server.rss_mb())
            samples["next"] = now + 1.0
    window_start = [time.perf_counter() + warmup]
    if profile is not None and shutil.which("py-spy", path=str(BIN)):
        spy = subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(server.pid), "--rate", "100",
                                "--duration", str(int(duration + warmup)), "--format", "raw", "--nonblocking", "--idle",
                                "-o", str(profile)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own0 = os.times()
    load_before = os.getloadavg()[0]
    window = await load.drive(rate, duration, warmup, on_tick)
    load_after = os.getloadavg()[0]
    cpu, wall = server.cpu_seconds() - (samples["cpu0"] or 0.0), time.perf_counter() - (samples["t0"] or window["start"])
    own = os.times()
    await load.wait_acks(timeout=15)
    await asyncio.sleep(1.0)  # the last batch (≤ 0.25 s) reaches the dashboards
    await load.close()
    if spy is not None:
        try:
            spy.wait(timeout=duration + 30)
        except subprocess.TimeoutExpired:
            spy.kill()
    server.stop()
    stored = server.stored(tag)
    result = summarise(load, window, server, stored, server.device_keys(), cpu, wall, samples["rss"])
    result.update(target=server.target, mode=server.mode, rate=rate, duration=duration, clients=clients,
                  mix=asdict(mix), connect_s=round(connect_s, 1),
                  loadgen_cpu_percent=round(100 * ((own.user - own0.user) + (own.system - own0.system))
                                            / max(1e-9, window["end"] - window["start"]), 1),
                  synchronous=server.synchronous or "NORMAL", nodelay=server.nodelay, shape=shape,
                  # The machine's 1-minute load average around the window (shared machine: say how quiet it was).
                  loadavg=[round(load_before, 1), round(load_after, 1)])
    # Server CPU per acknowledged scan: the cost, less sensitive than latency to a busy machine.
    result["server_cpu_ms_per_scan"] = round(result["server_cpu_percent"] * 10 / max(1e-9, result["sustained_scans_per_s"]), 3)
    if extra:  # the booth's own phones (bench_leads)
        lat = sorted(t - s.sent for s in load.scans if s.steady and s.key
                     for t in load.booth_arrivals.get(s.key, ()))
        result["booth_phones_ms"] = {"p50": ms(percentile(lat, 50)), "p99": ms(percentile(lat, 99)),
                                     "max": ms(lat[-1] if lat else None), "deliveries": len(lat)}
    return result


def print_result(r: dict) -> None:
    phones = r.get("booth_phones_ms")
    booth = f"booth-phones p50/p99 {phones['p50']}/{phones['p99']} ms ({phones['deliveries']})  " if phones else ""
    print(f"{r['target']:>5} {r['mode']:<9} {r['synchronous']:<6} {'nodelay ' if r.get('nodelay') else ''}rate {r['rate']:>6.0f}/s  "
          f"sustained {r['sustained_scans_per_s']:>7.1f}/s  "
          f"ack p50/p99/max {r['ack_ms']['p50']}/{r['ack_ms']['p99']}/{r['ack_ms']['max']} ms  "
          f"dash p50/p99/max {r['dashboard_ms']['p50']}/{r['dashboard_ms']['p99']}/{r['dashboard_ms']['max']} ms  "
          f"{booth}lost {r['acked_scans_lost']} dup {r['duplicated_rows']} unacked {r['unacked']} "
          f"dash-missing {r['dashboard_missing']}  cpu {r['server_cpu_percent']}% rss {r['server_rss_mb_max']} MB  "
          f"loadgen {r['loadgen_cpu_percent']}%  lag {r['max_send_lag_s']} s  "
          f"cpu/scan {r.get('server_cpu_ms_per_scan')} ms  loadavg {r.get('loadavg')}", flush=True)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=None, help="scans per second (one rate)")
    parser.add_argument("--rates", default="500", help="comma-separated rates, each run against every target")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per run (max 600)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--mode", choices=("eventlet", "threading"), default="eventlet")
    parser.add_argument("--targets", default="floor,ours",
                        help="floor, ours, base: any of them, in the same run (base needs --base-tree)")
    parser.add_argument("--base-tree", type=Path, default=None,
                        help="target base runs `fair serve` with PYTHONPATH=this tree (e.g. `git archive` of main)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per rate and target (medians reported)")
    parser.add_argument("--gate-share", type=float, default=0.5, help="share of scans made at gates")
    parser.add_argument("--shape", choices=("mixed", "booth-only"), default="mixed",
                        help="booth-only: 50 booths × 19 phones (300 scanning), 50 dashboards, booth scans only")
    parser.add_argument("--synchronous", default=None,
                        help="SQLite synchronous level(s) to compare in this run, e.g. NORMAL,FULL")
    parser.add_argument("--nodelay", action="store_true", help="TCP_NODELAY on both servers' listeners")
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--booths", type=int, default=60)
    parser.add_argument("--gates", type=int, default=10, help="gate devices to pair (first run in a workdir)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the demo fair here between invocations")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy raw profile of `fair serve` (folder)")
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    parser.add_argument("--keep", action="store_true", help="keep each run's folder (server log, database)")
    parser.add_argument("--port-range", default=None, help="servers listen on a free port in A-B (default: any)")
    parser.add_argument("--wait-quiet", type=float, default=None,
                        help="before each run wait until the 1-minute load average is below this (shared machine)")
    parser.add_argument("--wait-max", type=float, default=600.0, help="longest wait for --wait-quiet, seconds")
    args = parser.parse_args(argv)
    rates = [args.rate] if args.rate else [float(r) for r in args.rates.split(",")]
    if args.duration > 600 or max(rates) > 5000 or args.clients > 5000:
        parser.error("bounded: duration ≤ 600 s, rate ≤ 5000/s, clients ≤ 5000")
    if args.port_range:
        global PORT_RANGE
        low, _, high = args.port_range.partition("-")
        PORT_RANGE = (int(low), int(high or low))
    raise_fd_limit()
    quiet_client_logs()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.shape == "booth-only":
        fixture = prepare(workdir, args.attendees, booths=50, gates=1, phones_per_booth=19, name=args.shape)
    else:
        fixture = prepare(workdir, args.attendees, args.booths, args.gates)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if "base" in targets and (args.base_tree is None or not (args.base_tree / "fair").is_dir()):
        parser.error("target base needs --base-tree, a folder holding a fair/ package")
    results: list[dict] = []
    run_no = 0
    syncs = [v.strip().upper() for v in args.synchronous.split(",")] if args.synchronous else [None]
    if any(v not in (None, "NORMAL", "FULL", "OFF") for v in syncs):
        parser.error("--synchronous takes NORMAL, FULL or OFF")
    plan = [(rate, repeat, sync, target) for rate in rates for repeat in range(args.repeat)
            for sync in syncs
            for target in (targets[repeat % len(targets):] + targets[:repeat % len(targets)])]  # rotate who goes first
    for rate, repeat, sync, target in plan:
        run_no += 1
        run_dir = workdir / f"run-{os.getpid()}-{run_no}"
        run_dir.mkdir()
        if args.wait_quiet:
            wait_quiet(args.wait_quiet, args.wait_max, lambda m: print(m, file=sys.stderr, flush=True))
        server = Server(target, args.mode, fixture, run_dir, sync, args.nodelay, args.base_tree)
        startup = server.start()
        profile = None
        if args.profile and target in ("ours", "base"):
            args.profile.mkdir(parents=True, exist_ok=True)
            profile = args.profile / f"{target}-{args.mode}-{int(rate)}-{repeat}.txt"
        try:
            result = run_async(run_once(server, fixture, args.clients, rate, args.duration,
                                          args.warmup, f"bench{run_no}", args.gate_share, profile,
                                          shape=args.shape))
        finally:
            server.kill()
        result["startup_s"] = round(startup, 2)
        print_result(result)
        results.append(result)
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    _print_ratios(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def _print_ratios(results: list[dict]) -> None:
    groups = sorted({(r["rate"], r["synchronous"], r["target"]) for r in results if r["target"] != "floor"})
    for rate, sync, target in groups:
        ours = [r for r in results if (r["rate"], r["synchronous"], r["target"]) == (rate, sync, target)]
        floor = [r for r in results if (r["rate"], r["synchronous"], r["target"]) == (rate, sync, "floor")]
        if not ours or not floor:
            continue
        line = [f"{target}: rate {rate:.0f}/s {sync} (median of {len(ours)}):"]
        for metric in ("ack_ms", "dashboard_ms", "booth_phones_ms"):
            if metric not in ours[0]:
                continue
            o = median([r[metric]["p99"] for r in ours])
            f = median([r[metric]["p99"] for r in floor])
            ratio = f"{o / f:.2f}x" if o and f else "n/a"
            line.append(f"{metric} p99 {target} {o} / floor {f} = {ratio};")
        line.append(f"sustained {target} {median([r['sustained_scans_per_s'] for r in ours])} "
                    f"floor {median([r['sustained_scans_per_s'] for r in floor])};")
        line.append(f"cpu/scan {target} {median([r.get('server_cpu_ms_per_scan') for r in ours])} "
                    f"floor {median([r.get('server_cpu_ms_per_scan') for r in floor])} ms")
        print(" ".join(line), flush=True)


if __name__ == "__main__":
    main()
