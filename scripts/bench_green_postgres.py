"""Does a PostgreSQL query under eventlet let other green threads run?

Four green threads each run `SELECT pg_sleep(0.5)` on their own connection. If
psycopg's wait yields to the eventlet hub they overlap (~0.5 s in all); if it
blocks the hub they run one after another (~2.0 s). Measured with psycopg's
default wait (wait_c, in C) and with the one `fair serve` installs
(fair.ops.serving.make_psycopg_green: wait_selector over the patched selectors).

    FAIR_TEST_DATABASE_URL=$(scripts/postgres-for-tests start) \\
        python scripts/bench_green_postgres.py [--runs 5] [--threads 4] [--sleep 0.5]
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from psycopg import waiting  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from fair.ops.serving import make_psycopg_green  # noqa: E402


def one_round(conninfo: str, threads: int, seconds: float) -> float:
    connections = [psycopg.connect(conninfo, autocommit=True) for _ in range(threads)]
    try:
        pool = eventlet.GreenPool(threads)
        started = time.perf_counter()
        for connection in connections:
            pool.spawn(connection.execute, "SELECT pg_sleep(%s)", (seconds,))
        pool.waitall()
        return time.perf_counter() - started
    finally:
        for connection in connections:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("FAIR_TEST_DATABASE_URL"),
                        help="postgresql+psycopg://... (default: FAIR_TEST_DATABASE_URL)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sleep", type=float, default=0.5)
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or set FAIR_TEST_DATABASE_URL (scripts/postgres-for-tests start)")
    url = make_url(args.url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    print(f"{args.threads} green threads × pg_sleep({args.sleep}), {args.runs} runs each; "
          f"psycopg {psycopg.__version__}, eventlet {eventlet.__version__}")
    default_wait = waiting.wait
    results = {}
    for label, install in (("psycopg default (%s)" % default_wait.__name__, lambda: setattr(waiting, "wait", default_wait)),
                           ("make_psycopg_green (wait_selector)", make_psycopg_green)):
        install()
        times = [one_round(conninfo, args.threads, args.sleep) for _ in range(args.runs)]
        results[label] = times
        print(f"  {label:38s} median {statistics.median(times):.2f} s  "
              f"min {min(times):.2f}  max {max(times):.2f}")
    print(f"  serial would be {args.threads * args.sleep:.2f} s, fully overlapped {args.sleep:.2f} s")


if __name__ == "__main__":
    main()
