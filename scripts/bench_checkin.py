#!/usr/bin/env python
"""Check-ins per second through the service (in process) and through the socket (`fair serve`).

    .venv/bin/python scripts/bench_checkin.py --scans 2000 --rate 100 --duration 15

The service figure is one thread calling fair.checkin.services.check_in on a
copy of a demo fair; the socket figure is gate phones on real websockets at a
steady rate (scripts/bench_realtime.py with every scan made at a gate).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_realtime as bench  # noqa: E402


def service_rate(fixture: bench.Fixture, workdir: Path, scans: int, kind: str) -> dict:
    """`scans` calls of the service in one thread; per-call latency and calls per second."""
    instance = workdir / f"service-{kind}"
    shutil.rmtree(instance, ignore_errors=True)  # a fresh copy each time the workdir is reused
    shutil.copytree(fixture.template, instance)
    os.environ.update(FAIR_INSTANCE=str(instance), FAIR_ASYNC_MODE="threading")
    from fair.core import cached
    from fair import create_app
    from fair.web.auth import device_for_token
    from fair.extensions import db
    app = create_app()
    latencies = []
    with app.app_context():
        # As the socket handler does: the device (and booth) as cached facts.
        if kind == "gate":
            from fair.checkin.services import check_in
            device_id = device_for_token(fixture.gates[0]).id

            def call(code, nonce, kind_now):
                return check_in(cached.device(device_id), code, nonce, kind_now)
        else:
            from fair.booths.services import booth_facts, capture_lead
            device_id = device_for_token(fixture.booths[0][0]).id

            def call(code, nonce, _kind):
                device = cached.device(device_id)
                return capture_lead(device, booth_facts(device.booth_id), code, nonce, rating=3)
        db.session.remove()
        cards = [token for _, token in fixture.cards]
        started = time.perf_counter()
        for i in range(scans):
            t = time.perf_counter()
            kind_now = "entry" if (i // len(cards)) % 2 == 0 else "exit"
            call(cards[i % len(cards)], f"svc-{i}", kind_now)
            db.session.remove()
            latencies.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"calls": scans, "per_second": round(scans / elapsed, 1),
            "ms": {"p50": bench.ms(bench.percentile(latencies, 50)), "p99": bench.ms(bench.percentile(latencies, 99)),
                   "max": bench.ms(latencies[-1])}}


def main(kind: str = "gate") -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000, help="service calls (max 100000)")
    parser.add_argument("--rate", type=float, default=100, help="socket scans per second")
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.scans > 100_000 or args.duration > 600 or args.rate > 5000:
        parser.error("bounded: scans ≤ 100000, duration ≤ 600 s, rate ≤ 5000/s")
    bench.raise_fd_limit()
    bench.quiet_client_logs()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    fixture = bench.prepare(workdir)
    report = {"service": service_rate(fixture, workdir, args.scans, kind)}
    run_dir = Path(tempfile.mkdtemp(prefix="socket-", dir=workdir))
    server = bench.Server("ours", "eventlet", fixture, run_dir)
    server.start()
    try:
        result = bench.run_async(_socket_run(server, fixture, args, kind))
    finally:
        server.kill()
    report["socket"] = result
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


async def _socket_run(server, fixture, args, kind: str) -> dict:
    share = 1.0 if kind == "gate" else 0.0
    result = await bench.run_once(server, fixture, args.clients, args.rate, args.duration, 2.0,
                                  f"{kind}bench", share, extra=kind == "booth")
    keep = ("sustained_scans_per_s", "ack_ms", "dashboard_ms", "acked_scans_lost", "duplicated_rows",
            "unacked", "server_cpu_percent", "statuses", "booth_phones_ms")
    return {k: result[k] for k in keep if k in result}


if __name__ == "__main__":
    main("gate")
