"""Several workers: how long a check-in made on worker A takes to show on a dashboard on worker B.

Starts a private redis-server, a demo fair, and real `fair serve` workers on loopback, then
scans N cards one at a time from a gate phone (Socket.IO) on A and times, for each, the
moment the big screen's `events` batch with that check-in arrives, on B and (as the floor)
on A itself; then the same with one worker and no Redis. Dashboards hear events in batches
(LIVE_BATCH_INTERVAL, 0.25 s by default), so half a tick is the expected floor.

    PYTHONPATH=$PWD python scripts/bench_workers.py --scans 100
    PYTHONPATH=$PWD python scripts/bench_workers.py --scans 0 --load 100 --seconds 20   # CPU per scan

With --load, gate phones spread over the workers scan at a fixed rate: ack latency and
the workers' CPU per scan, 2 workers on Redis against 1 without.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.served_process import FAIR  # noqa: E402
from tests.served_workers import fair, fair_env, redis_server, workers  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Screen:
    """A dashboard device's socket that notes when each check-in id arrives."""

    def __init__(self, base: str, token: str) -> None:
        self.seen: dict[int, float] = {}
        self.arrived = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("events", self._events, namespace="/live")
        self.client.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token},
                            wait_timeout=20)

    def _events(self, batch) -> None:
        now = time.perf_counter()
        with self.arrived:
            for event in batch:
                if event.get("type") == "checkin" and isinstance(event.get("id"), int):
                    self.seen.setdefault(event["id"], now)
            self.arrived.notify_all()

    def wait_for(self, checkin_id: int, timeout: float = 10.0) -> float | None:
        deadline = time.perf_counter() + timeout
        with self.arrived:
            while checkin_id not in self.seen:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.arrived.wait(left)
            return self.seen[checkin_id]


def run(env: dict, bases: list[str], cards: list[str], scans: int, label: str) -> dict[str, list[float]]:
    gate = json.loads(fair(env, "device", "pair", "--gate", f"Bench {label}", "--json"))["token"]
    screen_token = json.loads(fair(env, "device", "pair", "--dashboard", f"Screen {label}", "--json"))["token"]
    phone = socketio.Client(reconnection=False)
    phone.connect(bases[0], namespaces=["/live"], transports=["websocket"], auth={"token": gate}, wait_timeout=20)
    screens = {name: Screen(base, screen_token) for name, base in zip(("same worker", "other worker"), bases)}
    time.sleep(1.0)
    latencies: dict[str, list[float]] = {name: [] for name in screens}
    missed = {name: 0 for name in screens}
    rng = random.Random(7)
    interval = float(env["FAIR_LIVE_BATCH_INTERVAL"])
    for i in range(scans):
        card = cards[i % len(cards)]
        kind = "entry" if (i // len(cards)) % 2 == 0 else "exit"
        sent = time.perf_counter()
        ack = phone.call("scan", {"code": card, "nonce": f"{label}-{i}", "type": kind}, namespace="/live", timeout=10)
        for name, screen in screens.items():
            arrived = screen.wait_for(ack["checkin_id"])
            if arrived is None:
                missed[name] += 1
            else:
                latencies[name].append((arrived - sent) * 1000)
        time.sleep(rng.uniform(0.0, interval))   # anywhere in the broadcast tick, not in step with it
    phone.disconnect()
    for screen in screens.values():
        screen.client.disconnect()
    for name, values in latencies.items():
        if values:
            print(f"{label:<26} dashboard on the {name:<12}: median {statistics.median(values):6.1f} ms  "
                  f"p99 {percentile(values, 0.99):6.1f} ms  max {max(values):6.1f} ms  "
                  f"({len(values)} of {scans} seen, {missed[name]} missed)")
    return latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(env: dict, bases: list[str], pids: list[int], cards: list[str], rate: float, seconds: float,
         phones: int, label: str, other_cpu=None) -> dict:
    """`rate` scans a second from `phones` gate phones spread over the workers, for `seconds`:
    ack latency and the workers' CPU per scan (printed, and returned). `other_cpu`, if given,
    returns the CPU seconds so far of other processes the scans cost (PostgreSQL's backends),
    read over the same window."""
    tokens = [json.loads(fair(env, "device", "pair", "--gate", f"Load {label} {i}", "--json"))["token"]
              for i in range(phones)]
    clients = []
    for i, token in enumerate(tokens):
        client = socketio.Client(reconnection=False)
        client.connect(bases[i % len(bases)], namespaces=["/live"], transports=["websocket"],
                       auth={"token": token}, wait_timeout=20)
        clients.append(client)
    acks: list[float] = []
    lost = [0]
    lock = threading.Lock()

    def phone(index: int) -> None:
        mine = cards[index::phones]
        interval = phones / rate
        start = time.perf_counter() + index * interval / phones
        n = 0
        while True:
            due = start + n * interval
            if due - begin > seconds:
                return
            time.sleep(max(0.0, due - time.perf_counter()))
            card = mine[n % len(mine)]
            kind = "entry" if (n // len(mine)) % 2 == 0 else "exit"
            sent = time.perf_counter()
            done = threading.Event()

            def answered(*_args, sent=sent, done=done) -> None:
                with lock:
                    acks.append((time.perf_counter() - sent) * 1000)
                done.set()
            clients[index].emit("scan", {"code": card, "nonce": f"{label}-{index}-{n}", "type": kind},
                                namespace="/live", callback=answered)
            n += 1
    # The workers warm up after starting (the Thai dictionary, the job index: seconds of CPU on a
    # busy machine): measure only once they are quiet.
    settle_until = time.perf_counter() + 120
    while time.perf_counter() < settle_until:
        used_from = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(2.0)
        if sum(cpu_seconds(pid) for pid in pids) - used_from < 0.05 * 2.0 * len(pids):
            break
    idle_from, idle_start = sum(cpu_seconds(pid) for pid in pids), time.perf_counter()
    time.sleep(5.0)   # connected, nobody scanning: what the workers cost anyway
    idle_rate = (sum(cpu_seconds(pid) for pid in pids) - idle_from) / (time.perf_counter() - idle_start)
    before = [cpu_seconds(pid) for pid in pids]
    other_before = other_cpu() if other_cpu else 0.0
    begin = time.perf_counter()
    threads = [threading.Thread(target=phone, args=(i,)) for i in range(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(2.0)   # the last acks
    elapsed = time.perf_counter() - begin
    after = [cpu_seconds(pid) for pid in pids]
    other_used = (other_cpu() - other_before) if other_cpu else 0.0
    used = sum(after) - sum(before)
    for client in clients:
        client.disconnect()
    sent_total = round(rate * seconds)
    print(f"{label:<26} {rate:.0f} scans/s for {seconds:.0f} s from {phones} phones: ack median "
          f"{statistics.median(acks):6.1f} ms  p99 {percentile(acks, 0.99):7.1f} ms  ({len(acks)} acked of "
          f"~{sent_total}); workers' CPU {used / max(1, len(acks)) * 1000:.2f} ms per scan, "
          f"{(used - idle_rate * elapsed) / max(1, len(acks)) * 1000:.2f} ms above idle "
          f"({used / elapsed * 100:.0f} % of a core over {elapsed:.0f} s; idle {idle_rate * 100:.1f} %)")
    return {"acked": len(acks), "sent": sent_total, "ack_p50_ms": statistics.median(acks),
            "ack_p99_ms": percentile(acks, 0.99), "cpu_ms_per_scan": used / max(1, len(acks)) * 1000,
            "cpu_ms_above_idle": (used - idle_rate * elapsed) / max(1, len(acks)) * 1000,
            "other_cpu_ms_per_scan": other_used / max(1, len(acks)) * 1000,
            "cpu_ms_by_worker": [(a - b) / max(1, len(acks)) * 1000 for a, b in zip(after, before)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=100)
    parser.add_argument("--ports", type=int, nargs=2, default=[6810, 6811])
    parser.add_argument("--redis-port", type=int, default=None, help="default: a free port")
    parser.add_argument("--load", type=float, default=0, help="also: this many scans/s from --phones phones")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--batch-interval", default="0.25", help="LIVE_BATCH_INTERVAL of the workers (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as folder:
        folder = Path(folder)
        with redis_server(folder / "redis", args.redis_port) as url:
            env = fair_env(folder, url, LIVE_BATCH_INTERVAL=args.batch_interval)
            fair(env, "init")
            fair(env, "demo", "--attendees", "200", "--booths", "10")
            cards = [line.split(",")[-1] for line in fair(env, "cards", "list", "--csv").splitlines()[1:]]
            pids: list[int] = []
            with workers(env, args.ports, pids) as bases:
                if args.scans:
                    run(env, bases, cards, args.scans, "2 workers on Redis")
                if args.load:
                    load(env, bases, pids, cards, args.load, args.seconds, args.phones, "2 workers on Redis")
            single = {k: v for k, v in env.items() if k != "FAIR_MESSAGE_QUEUE"}
            with workers(single, args.ports[:1], pids) as bases:
                if args.scans:
                    run(single, bases + bases, cards, args.scans, "1 worker, no Redis")
                if args.load:
                    load(single, bases, pids, cards, args.load, args.seconds, args.phones, "1 worker, no Redis")
    print(f"(batch interval {env['FAIR_LIVE_BATCH_INTERVAL']} s; with one worker both dashboards are on it)")


if __name__ == "__main__":
    main()
