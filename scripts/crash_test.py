#!/usr/bin/env python
"""Crash test: SIGKILL `fair serve` under load, restart it, retry, and count.

Gate and booth clients (python-socketio asyncio, real websockets, automatic
reconnection) scan at a steady rate; at a random moment the server gets
SIGKILL; it is restarted on the same port and database; the clients reconnect
and resend every scan they have no ack for, with the same nonce. After all
iterations the database is read:

- every acknowledged scan is stored exactly once, and its stored row is the
  one the ack named (checkin_id / lead_id): an ack never outlives its write;
- no (device, nonce) is stored twice, no scan is stored that was never sent;
- restart-to-serving time (exec to the first HTTP 200) per iteration.

    .venv/bin/python scripts/crash_test.py --iterations 20 --rate 200
    .venv/bin/python scripts/crash_test.py --iterations 20 --synchronous FULL

Only 127.0.0.1 is a target; iterations, rate and every wait are bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_realtime as bench  # noqa: E402  (scripts/ is not a package)


def stored_rows(server: bench.Server, tag: str) -> dict[tuple[str, str], list]:
    """(device id, nonce) → [row answers]: check_in.id for gates, lead_scan.lead_id for booths."""
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True, timeout=10) as c:
        rows: dict[tuple[str, str], list] = {}
        for dev, nonce, answer in c.execute(
                "SELECT CAST(device_id AS TEXT), nonce, id FROM check_in WHERE nonce LIKE ?", (tag + "%",)):
            rows.setdefault((dev, nonce), []).append(("c", answer))
        for dev, nonce, answer in c.execute(
                "SELECT CAST(device_id AS TEXT), nonce, lead_id FROM lead_scan WHERE nonce LIKE ?", (tag + "%",)):
            rows.setdefault((dev, nonce), []).append(("l", answer))
        leads_twice = c.execute("SELECT count(*) FROM (SELECT booth_id, attendee_id FROM lead "
                                "GROUP BY booth_id, attendee_id HAVING count(*) > 1)").fetchone()[0]
    rows[("__leads_twice__", "")] = [leads_twice]
    return rows


async def wait_connected(load: bench.Load, timeout: float) -> float | None:
    started = time.perf_counter()
    deadline = started + timeout
    scanners = [c for c, _ in load.gate_clients + load.booth_clients if c is not None]
    while time.perf_counter() < deadline:
        if all(c.connected and bench.NAMESPACE in c.namespaces for c in scanners):
            return time.perf_counter() - started
        await asyncio.sleep(0.02)
    return None


async def crash_loop(server: bench.Server, fixture: bench.Fixture, iterations: int, rate: float, clients: int,
                     seed: int, tag: str, log=print) -> dict:
    rng = random.Random(seed)
    mix = bench.Mix.for_clients(clients, fixture)
    load = bench.Load(server.url, fixture, mix, tag, reconnect=True, seed=seed)
    await load.connect_all()
    by_token = {t: c for c, t in load.gate_clients + load.booth_clients if c is not None}
    iterations_report = []
    for i in range(iterations):
        await load.drive(rate, rng.uniform(0.3, 2.0), 0.0)
        in_flight = sum(1 for s in load.scans if not s.acked)
        server.kill()                                   # SIGKILL, mid-flight
        killed = time.perf_counter()
        startup = await asyncio.to_thread(server.start)
        reconnect = await wait_connected(load, 20.0)
        pending = [s for s in load.scans if not s.acked]
        for scan in pending:                            # same nonce, same body: the phone's retry
            client = by_token.get(scan.device)
            if client is not None and client.connected:
                scan.tries += 1
                load.send(scan, client)
        await load.wait_acks(15.0)
        first_ack = min((s.acked for s in pending if s.acked), default=None)
        row = {"iteration": i + 1, "in_flight_at_kill": in_flight, "retried": len(pending),
               "restart_to_serving_s": round(startup, 2),
               "kill_to_reconnected_s": round(startup + (reconnect or 0), 2) if reconnect is not None else None,
               "kill_to_first_retry_ack_s": round(first_ack - killed, 2) if first_ack else None,
               "still_unacked": sum(1 for s in load.scans if not s.acked)}
        iterations_report.append(row)
        log(json.dumps(row))
    await load.close()
    server.stop()
    return check(load, server, tag, iterations_report)


def check(load: bench.Load, server: bench.Server, tag: str, iterations: list[dict]) -> dict:
    keys = server.device_keys()
    rows = stored_rows(server, tag)
    leads_twice = rows.pop(("__leads_twice__", ""))[0]
    sent = {(keys[s.device], s.body["nonce"]) for s in load.scans}
    acked = [s for s in load.scans if s.acked and s.key is not None]
    lost = wrong_row = 0
    for s in acked:
        found = rows.get((keys[s.device], s.body["nonce"]), [])
        if len(found) != 1:
            lost += len(found) == 0
            continue
        kind, answer = found[0]
        if (kind, answer) != (s.key[0], s.key[1]):
            wrong_row += 1
    duplicated = sum(1 for found in rows.values() if len(found) > 1)
    phantom = sum(1 for k in rows if k not in sent)
    startups = sorted(r["restart_to_serving_s"] for r in iterations)
    return {
        "iterations": len(iterations), "scans_sent": len(load.scans), "acked": len(acked),
        "retried_total": sum(r["retried"] for r in iterations),
        "unacked_at_end": sum(1 for s in load.scans if not s.acked),
        "acked_lost": lost, "acked_with_other_row": wrong_row, "duplicated": duplicated,
        "leads_twice_for_one_person": leads_twice, "phantom_rows": phantom,
        "restart_to_serving_s": {"median": startups[len(startups) // 2] if startups else None,
                                 "max": startups[-1] if startups else None},
        "per_iteration": iterations,
    }


def run(iterations: int = 20, rate: float = 200, clients: int = 40, workdir: Path | None = None,
        synchronous: str | None = None, mode: str = "eventlet", seed: int = 7, attendees: int = 600,
        booths: int = 20, log=print) -> dict:
    bench.raise_fd_limit()
    bench.quiet_client_logs()
    own = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="crash-test-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        fixture = bench.prepare(workdir, attendees=attendees, booths=booths, gates=4, quiet=True)
        run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))
        server = bench.Server("ours", mode, fixture, run_dir, synchronous)
        server.start()
        try:
            report = bench.run_async(crash_loop(server, fixture, iterations, rate, clients, seed,
                                            f"crash{int(time.time())}", log))
        finally:
            server.kill()
        report.update(rate=rate, clients=clients, synchronous=synchronous or "NORMAL", mode=mode)
        return report
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200, help="scans per second between kills")
    parser.add_argument("--clients", type=int, default=40, help="connections (gates, booth phones, dashboards)")
    parser.add_argument("--synchronous", choices=("NORMAL", "FULL"), default=None)
    parser.add_argument("--mode", choices=("eventlet", "threading"), default="eventlet")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not 1 <= args.iterations <= 200 or args.rate > 3000:
        parser.error("bounded: 1..200 iterations, rate ≤ 3000/s")
    report = run(args.iterations, args.rate, args.clients, args.workdir, args.synchronous, args.mode, args.seed)
    summary = {k: v for k, v in report.items() if k != "per_iteration"}
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    ok = not (report["acked_lost"] or report["acked_with_other_row"] or report["duplicated"]
              or report["phantom_rows"] or report["leads_twice_for_one_person"])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
