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


class Backends:
    """CPU of the PostgreSQL backends serving one database (pg_stat_activity; /proc is readable on
    this machine's loopback server): a scan's cost on PostgreSQL is the worker's plus this."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url
        given = make_url(url)
        self.database = given.database
        self.conninfo = given.set(drivername="postgresql").render_as_string(hide_password=False)
        self.last: dict[int, float] = {}   # pid -> CPU seen: a backend gone keeps what it had

    def __call__(self) -> float:
        import psycopg
        from bench_workers import cpu_seconds
        with psycopg.connect(self.conninfo, autocommit=True) as c:
            pids = [pid for (pid,) in c.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                                "AND pid <> pg_backend_pid()", (self.database,))]
        for pid in pids:
            try:
                self.last[pid] = cpu_seconds(pid)
            except OSError:
                pass
        return sum(self.last.values())


def prepared(folder: Path, database_url: str | None, redis_url: str) -> tuple[dict, list[str]]:
    # One Redis database per fair: each instance has its own secrets (and their fingerprint).
    redis_url = redis_url.rsplit("/", 1)[0] + ("/1" if database_url else "/2")
    env = fair_env(folder, redis_url)
    env.pop("FAIR_MESSAGE_QUEUE")
    if database_url:
        env["FAIR_DATABASE_URL"] = database_url
    fair(env, "init")
    fair(env, "demo", "--attendees", "200", "--booths", "10")
    cards = [line.split(",")[-1] for line in fair(env, "cards", "list", "--csv").splitlines()[1:]]
    return env, cards, (Backends(database_url) if database_url else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL URL (postgresql+psycopg://...)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--modes", default="eventlet,gevent,threading")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--two-workers", action="store_true", help="also 2 eventlet workers on Redis")
    parser.add_argument("--split", action="store_true",
                        help="with --two-workers: also every phone on worker A (B's CPU: the cost of a peer)")
    parser.add_argument("--ports", type=int, nargs=2, default=[6820, 6821])
    args = parser.parse_args()
    modes = args.modes.split(",")
    drops = []
    results: dict[str, list[dict]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-async-") as folder, \
                redis_server(Path(folder) / "redis") as redis_url:
            folder = Path(folder)
            databases = {}
            if args.database_url:
                url, drop = fresh_database(args.database_url)
                drops.append(drop)
                databases["PostgreSQL"] = prepared(folder / "postgres", url, redis_url)
            if not args.no_sqlite:
                databases["SQLite"] = prepared(folder / "sqlite", None, redis_url)
            for round_ in range(args.repeat):
                for mode in modes:   # each mode on both databases back to back: the fairest pairs
                    for db_name, (env, cards, backends) in databases.items():
                        label = f"{db_name} {mode} 1w"
                        run_env = {**env, "FAIR_ASYNC_MODE": mode}
                        pids: list[int] = []
                        with workers(run_env, args.ports[:1], pids) as bases:
                            results.setdefault(label, []).append(
                                load(run_env, bases, pids, cards, args.rate, args.seconds, args.phones,
                                     f"{label} r{round_}", backends))
                for db_name, (env, cards, backends) in databases.items():
                    if args.two_workers and redis_available():
                        run_env = {**env, "FAIR_ASYNC_MODE": "eventlet",
                                   "FAIR_MESSAGE_QUEUE": redis_url.rsplit("/", 1)[0] + ("/1" if backends else "/2")}
                        # Phones on both workers; then all on A, so that B's CPU is what a worker
                        # spends on the others' scans (Redis messages, entrants, stats leader).
                        for label, on in ((f"{db_name} eventlet 2w", 2), (f"{db_name} eventlet 2w, phones on A", 1)):
                            if on == 1 and not args.split:
                                continue
                            pids = []
                            with workers(run_env, args.ports, pids) as bases:
                                results.setdefault(label, []).append(
                                    load(run_env, bases[:on], pids, cards, args.rate, args.seconds, args.phones,
                                         f"{label} r{round_}", backends))
                            print(f"  CPU per scan by worker: "
                                  f"{', '.join(f'{x:.2f}' for x in results[label][-1]['cpu_ms_by_worker'])} ms",
                                  flush=True)
                print(f"load average after round {round_ + 1}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                      flush=True)
    finally:
        for drop in drops:
            drop()
    print(f"\nmedians over {args.repeat} runs, {args.rate:.0f} scans/s offered for {args.seconds:.0f} s "
          f"from {args.phones} gate phones:")
    print("| configuration | acked | ack p50 (ms) | ack p99 (ms) | workers' CPU per scan (ms) | above idle (ms) "
          "| PostgreSQL backends' CPU per scan (ms) |")
    print("|---|---|---|---|---|---|---|")
    for label, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "cpu_ms_by_worker"}
        print(f"| {label} | {med['acked']:.0f}/{med['sent']:.0f} | {med['ack_p50_ms']:.1f} | "
              f"{med['ack_p99_ms']:.1f} | {med['cpu_ms_per_scan']:.2f} | {med['cpu_ms_above_idle']:.2f} | "
              f"{med['other_cpu_ms_per_scan']:.2f} |")
        if len(runs[0]["cpu_ms_by_worker"]) > 1:
            by_worker = [statistics.median(r["cpu_ms_by_worker"][i] for r in runs) for i in range(2)]
            print(f"|   by worker A / B | | | | {by_worker[0]:.2f} / {by_worker[1]:.2f} | | |")


if __name__ == "__main__":
    main()
