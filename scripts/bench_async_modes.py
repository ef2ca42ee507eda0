"""Async modes and databases in one run: CPU per scan and ack latency of `fair serve`.

For each database (SQLite, and PostgreSQL when --database-url is given) and each async
mode (eventlet with psycopg made green, gevent, threading), one `fair serve` worker takes
--rate scans/s from --phones gate phones (scripts/bench_workers.load: the workers' CPU from
/proc after warm-up, less their idle rate); with --two-workers also two eventlet workers on a
private Redis. Repeated --repeat times, configurations interleaved, medians printed.

    url=$(scripts/postgres-for-tests start)
    PYTHONPATH=$PWD python scripts/bench_async_modes.py --database-url "$url" --rate 200 --seconds 20 --repeat 3

The PostgreSQL database is made fresh for the run (CREATE DATABASE, dropped at the end),
so the URL's user needs CREATEDB. Only 127.0.0.1 is a target.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_workers import load  # noqa: E402
from tests.served_workers import fair, fair_env, redis_available, redis_server, workers  # noqa: E402


def fresh_database(url: str) -> tuple[str, callable]:
    """A new database beside the one `url` names; returns its URL and a function that drops it."""
    import psycopg
    from sqlalchemy.engine import make_url
    given = make_url(url)
    name = f"bench_async_{uuid.uuid4().hex[:8]}"
    plain = given.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return given.set(database=name).render_as_string(hide_password=False), drop


def prepared(folder: Path, database_url: str | None, redis_url: str) -> tuple[dict, list[str]]:
    env = fair_env(folder, redis_url)
    env.pop("FAIR_MESSAGE_QUEUE")
    if database_url:
        env["FAIR_DATABASE_URL"] = database_url
    fair(env, "init")
    fair(env, "demo", "--attendees", "200", "--booths", "10")
    cards = [line.split(",")[-1] for line in fair(env, "cards", "list", "--csv").splitlines()[1:]]
    return env, cards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL (postgresql+psycopg://...)")
    parser.add_argument("--modes", default="eventlet,gevent,threading")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--two-workers", action="store_true", help="also 2 eventlet workers on Redis")
    parser.add_argument("--ports", type=int, nargs=2, default=[6820, 6821])
    args = parser.parse_args()
    modes = args.modes.split(",")
    drops = []
    results: dict[str, list[dict]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-async-") as folder, \
                redis_server(Path(folder) / "redis") as redis_url:
            folder = Path(folder)
            databases = {"SQLite": prepared(folder / "sqlite", None, redis_url)}
            if args.database_url:
                url, drop = fresh_database(args.database_url)
                drops.append(drop)
                databases["PostgreSQL"] = prepared(folder / "postgres", url, redis_url)
            for round_ in range(args.repeat):
                for db_name, (env, cards) in databases.items():
                    for mode in modes:
                        label = f"{db_name} {mode} 1w"
                        run_env = {**env, "FAIR_ASYNC_MODE": mode}
                        pids: list[int] = []
                        with workers(run_env, args.ports[:1], pids) as bases:
                            results.setdefault(label, []).append(
                                load(run_env, bases, pids, cards, args.rate, args.seconds, args.phones,
                                     f"{label} r{round_}"))
                    if args.two_workers and redis_available():
                        label = f"{db_name} eventlet 2w"
                        run_env = {**env, "FAIR_ASYNC_MODE": "eventlet", "FAIR_MESSAGE_QUEUE": redis_url}
                        pids = []
                        with workers(run_env, args.ports, pids) as bases:
                            results.setdefault(label, []).append(
                                load(run_env, bases, pids, cards, args.rate, args.seconds, args.phones,
                                     f"{label} r{round_}"))
                print(f"load average after round {round_ + 1}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                      flush=True)
    finally:
        for drop in drops:
            drop()
    print(f"\nmedians over {args.repeat} runs, {args.rate:.0f} scans/s offered for {args.seconds:.0f} s "
          f"from {args.phones} gate phones:")
    print(f"| configuration | acked | ack p50 (ms) | ack p99 (ms) | CPU per scan (ms) | above idle (ms) |")
    print("|---|---|---|---|---|---|")
    for label, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"| {label} | {med['acked']:.0f}/{med['sent']:.0f} | {med['ack_p50_ms']:.1f} | "
              f"{med['ack_p99_ms']:.1f} | {med['cpu_ms_per_scan']:.2f} | {med['cpu_ms_above_idle']:.2f} |")


if __name__ == "__main__":
    main()
