"""A worker killed under load, and what the phones saw (tests/failover_load.py).

HAProxy (docs/haproxy.cfg) before two `fair serve` workers on a private Redis; gate phones
scan through the proxy at --rate scans/s in all, and --kill-at seconds in worker A dies:

- kill:   SIGKILL (a crash, an OOM kill): its sockets close at once;
- freeze: SIGSTOP, then SIGKILL --freeze seconds later (a worker that hangs): its sockets stay
          open, acks never come, the phones' scans queue.

After the load each phone drains its queue, and the database is compared with every answer a
phone got: lost (answered, not stored), doubled or wrong id (the answer's checkin_id is not
the row stored for its nonce), unanswered, rows no phone made. Runs are repeated and medians
printed; losses are summed over the runs.

    PYTHONPATH=$PWD python scripts/bench_failover.py --rate 200 --phones 20 --seconds 20 --kill-at 8 --repeat 3
    url=$(scripts/postgres-for-tests start)
    PYTHONPATH=$PWD python scripts/bench_failover.py --database-url "$url" ...   # a fresh database per run
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.failover_load import median_summary, run  # noqa: E402

COLUMNS = [("scans", "scans"), ("via", "via socket/http/replay"), ("lost", "lost"),
           ("doubled_or_wrong_id", "doubled"), ("unanswered", "unanswered"), ("phantom_rows", "phantom"),
           ("phones_cut", "phones cut"), ("phones_back", "back"), ("gap_p50_s", "gap p50 s"),
           ("gap_max_s", "gap max s"), ("answer_p99_before_ms", "p99 before ms"),
           ("answer_p50_after_ms", "p50 after ms"), ("answer_p99_after_ms", "p99 after ms"),
           ("answer_max_after_ms", "max after ms"), ("queues_empty_after_kill_s", "queues empty s")]


def vias(values) -> str:
    runs = values if isinstance(values, list) else [values]
    return ", ".join(f"{v.get('socket', 0)}/{v.get('http', 0)}/{v.get('replay', 0)}" for v in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kill-at", type=float, default=8)
    parser.add_argument("--freeze", type=float, default=3.0, help="seconds stopped before the kill (mode freeze)")
    parser.add_argument("--modes", default="kill,freeze")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--database-url", help="PostgreSQL server to make a fresh database on for each run")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    results: dict[str, list] = {mode: [] for mode in modes}
    for repeat in range(args.repeat):
        for mode in modes:   # interleaved, so a noisy minute does not fall on one mode only
            drop = None
            database_url = None
            if args.database_url:
                from bench_async_modes import fresh_database
                database_url, drop = fresh_database(args.database_url)
            try:
                with tempfile.TemporaryDirectory(prefix="fair-failover-") as folder:
                    outcome = run(Path(folder), phones=args.phones, rate=args.rate, seconds=args.seconds,
                                  kill_at=args.kill_at, freeze=args.freeze if mode == "freeze" else 0.0,
                                  attendees=args.attendees, database_url=database_url,
                                  progress=lambda message: print(f"  [{mode} {repeat + 1}] {message}", flush=True))
            finally:
                if drop:
                    drop()
            results[mode].append(outcome)
            print(f"{mode} run {repeat + 1}: {json.dumps(outcome.summary())}", flush=True)
    print(f"\n{args.phones} phones, {args.rate:g} scans/s, {args.seconds:g} s, worker A failing at "
          f"{args.kill_at:g} s; {args.repeat} runs each, medians (losses summed); database "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; load average {os.getloadavg()[0]:.1f}")
    print("| mode | " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|" + "---|" * (len(COLUMNS) + 1))
    for mode, outcomes in results.items():
        merged = median_summary(outcomes)
        cells = [vias(merged[key]) if key == "via" else str(merged[key]) for key, _ in COLUMNS]
        print(f"| {mode} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
