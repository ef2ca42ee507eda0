"""Benchmark the dashboard's stats(), which live.py runs up to four times a second per busy fair.

    .venv/bin/python scripts/bench_dashboard.py [--attendees 2000] [--checkins 3000] [--leads 2000] [--runs 50]

Builds a throwaway instance (a temporary folder; nothing of yours is touched)
with the demo fair (`fair demo`'s data, through the same migrations and import
path), adds a day's worth of gate scans and booth leads straight into the
tables (deterministic, spread over the morning), then times stats() and
prints the median and 95th percentile, and the number of SQL statements one
call runs. BENCH_INSTANCE=folder keeps the filled database there to poke at.
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--booths", type=int, default=60)
    parser.add_argument("--checkins", type=int, default=3000)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", help="a PostgreSQL URL to bench there instead of SQLite")
    args = parser.parse_args()

    keep = os.environ.get("BENCH_INSTANCE")
    folder = keep or tempfile.mkdtemp(prefix="bench-dashboard-")
    os.environ["FAIR_INSTANCE"] = folder
    if args.database_url:
        os.environ["FAIR_DATABASE_URL"] = args.database_url
    from fair import create_app
    app = create_app({"ASYNC_MODE": "threading"})
    try:
        with app.app_context():
            fair_id = fill(args)
            report(fair_id, args.runs)
            db_engine_dispose()
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def db_engine_dispose() -> None:
    from fair.extensions import db
    db.session.remove()
    db.engine.dispose()


def fill(args) -> int:
    from fair.web import auth
    from fair.ops import provision
    from fair.booths.models import Booth, Lead
    from fair.checkin.models import Attendee, CheckIn
    from fair.extensions import db
    from fair.core.fairs import ensure_fair
    from fair.core.timeutil import utcnow

    started = time.perf_counter()
    provision.initialise()
    provision.load_demo(attendees=args.attendees, booths=args.booths)
    fair, _ = ensure_fair()
    gates = [auth.create_device(fair, "gate", f"Gate {n}")[0] for n in (1, 2, 3)]
    booths = list(db.session.scalars(db.select(Booth).filter_by(fair_id=fair.id)))
    phones = {b.id: auth.create_device(fair, "booth", f"{b.code} phone", b)[0] for b in booths}
    db.session.flush()
    people = list(db.session.scalars(db.select(Attendee).filter_by(fair_id=fair.id)))
    rng = random.Random(2026)
    now = utcnow()
    opened = now - timedelta(hours=4)

    # Most people come in once; some go out and back; a few cards are refused.
    checkins, inside, first = [], {}, {}
    came = rng.sample(people, min(len(people), int(args.checkins * 0.75)))
    for person in came:
        moment = opened + timedelta(seconds=rng.randint(0, 4 * 3600 - 60))
        checkins.append((person, "entry", "ok", moment))
        inside[person.id], first[person.id] = True, moment
    while len(checkins) < args.checkins:
        person = rng.choice(came)
        moment = first[person.id] + timedelta(minutes=rng.randint(5, 60))
        if rng.random() < 0.05:
            checkins.append((None, "entry", "unknown", moment))
        elif inside[person.id]:
            checkins.append((person, "exit", "exit_recorded", moment))
            inside[person.id] = False
        else:
            checkins.append((person, "entry", "ok", moment))
            inside[person.id] = True
    db.session.execute(db.insert(CheckIn), [
        {"fair_id": fair.id, "device_id": rng.choice(gates).id, "attendee_id": p.id if p else None,
         "type": kind, "status": status, "nonce": secrets.token_hex(8), "scanned_at": moment,
         "received_at": moment} for p, kind, status, moment in checkins])
    for person in came:
        person.inside, person.first_entry_at = inside[person.id], first[person.id]

    steps = ["none"] * 12 + ["interview_now"] * 4 + ["shortlisted"] * 3 + ["hired", "not_suitable"]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < min(args.leads, len(came) * len(booths)):
        pairs.add((rng.choice(booths).id, rng.choice(came).id))
    leads = []
    for booth_id, attendee_id in pairs:
        moment = first[attendee_id] + timedelta(minutes=rng.randint(1, 90))
        leads.append({"booth_id": booth_id, "attendee_id": attendee_id, "device_id": phones[booth_id].id,
                      "next_step": rng.choice(steps), "first_scanned_at": moment, "last_scanned_at": moment,
                      "updated_at": moment, "tags": [], "rating": None})
    db.session.execute(db.insert(Lead), leads)
    db.session.commit()
    print(f"filled in {time.perf_counter() - started:.1f} s: {len(people)} attendees, {len(booths)} booths, "
          f"{len(checkins)} check-ins, {len(leads)} leads")
    return fair.id


def report(fair_id: int, runs: int) -> None:
    from sqlalchemy import event

    from fair.extensions import db
    from fair.organiser import dashboard

    statements = []
    listener = lambda *a, **k: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    dashboard.stats(fair_id)            # cold: also fills the engine's cached list
    cold = len(statements)
    dashboard.stats(fair_id)
    per_call = len(statements) - cold   # a tick between two refreshes of that list
    event.remove(db.engine, "before_cursor_execute", listener)

    times = []
    for _ in range(runs):
        db.session.remove()             # as the broadcaster does: a fresh session per tick
        started = time.perf_counter()
        counts = dashboard.stats(fair_id)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"stats(): {per_call} SQL statements a tick ({cold} when the engine's list is refreshed); over {runs} runs median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms")
    print_breakdown(fair_id, runs)
    print(f"  checked_in={counts['checked_in']} inside={counts['inside']} leads={counts['leads']} "
          f"hired={counts['hired']} arrivals buckets={len(counts['arrivals'])} "
          f"jobs_without_candidates={'yes' if 'jobs_without_candidates' in counts else 'not offered'}")


def print_breakdown(fair_id: int, runs: int) -> None:
    """Median per part, so a slow part has a name (the engine's list is cached between ticks)."""
    from datetime import timedelta

    from fair.extensions import db
    from fair.organiser import dashboard
    from fair.core.timeutil import utcnow
    now = utcnow()
    today = dashboard.day_start(now, dashboard.venue_offset())
    parts = {
        "people": lambda: dashboard._people(fair_id),
        "gates": lambda: dashboard._gates(fair_id, today),
        "arrivals": lambda: dashboard._arrivals(fair_id, today, now),
        "booths": lambda: dashboard._booths(fair_id, now - timedelta(minutes=30)),
        "lead funnel": lambda: dashboard._lead_funnel(fair_id),
    }
    try:
        from fair.matching.services import jobs_without_candidates
        parts["engine: jobs_without_candidates (uncached)"] = lambda: jobs_without_candidates(fair_id)
    except ImportError:
        pass
    for name, call in parts.items():
        times = []
        for _ in range(min(runs, 20)):
            db.session.remove()
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {name}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
