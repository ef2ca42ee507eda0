"""Benchmark the dashboard's stats() at 5k, 47k and 150k check-in rows: before and after, in one run.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_stats.py [--sizes 5000,47000,150000] [--runs 20]

For each size: a throwaway SQLite file in a temporary folder, the schema by the
migrations, one fair with 4 gates over two days (yesterday and today, venue
time), people coming in, going out and back, refused cards, about 1% of the
accepted scans undone (check_in_correction) and some booth leads. Then
stats() is timed `--runs` times with the code before issue #14's change (kept
below as old_gates / old_arrivals: a correlated "not undone" probe per scan and
a scan of every check-in row) and with fair.organiser.dashboard's, each call in
a fresh session as the broadcaster does, and the two results are compared (they
must be equal). Prints median and p95 in ms.
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
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


# --- the code before: kept verbatim as the baseline --------------------------------------

def old_gates(fair_id: int, today: datetime) -> tuple[list[dict], int]:
    from sqlalchemy import case

    from fair.checkin.models import CheckIn
    from fair.checkin.services import not_undone
    from fair.core.models import Device
    from fair.extensions import db
    from fair.organiser.dashboard import REFUSED_STATUSES
    is_today = case((CheckIn.scanned_at >= today, 1), else_=0)
    rows = db.session.execute(
        db.select(Device.id, Device.name, Device.revoked_at, CheckIn.type, CheckIn.status,
                  is_today.label("today"), db.func.count(CheckIn.id))
        .outerjoin(CheckIn, db.and_(CheckIn.device_id == Device.id, not_undone()))
        .where(Device.fair_id == fair_id, Device.kind == "gate")
        .group_by(Device.id, Device.name, Device.revoked_at, CheckIn.type, CheckIn.status, is_today)).all()
    gates: dict[int, dict] = {}
    totals: dict[int, int] = {}
    revoked: set[int] = set()
    for device_id, name, revoked_at, kind, status, today_flag, n in rows:
        gate = gates.setdefault(device_id, {"gate": name, "device_id": device_id,
                                            "entries": 0, "exits": 0, "refused": 0})
        totals[device_id] = totals.get(device_id, 0) + n
        if revoked_at is not None:
            revoked.add(device_id)
        if not n or not today_flag:
            continue
        if status == "ok" and kind == "entry":
            gate["entries"] += n
        elif status == "exit_recorded":
            gate["exits"] += n
        elif status in REFUSED_STATUSES:
            gate["refused"] += n
    shown = [g for g in gates.values() if not (g["device_id"] in revoked and totals[g["device_id"]] == 0)]
    shown.sort(key=lambda g: (g["gate"].lower(), g["device_id"]))
    return shown, sum(totals.values())


def old_arrivals(fair_id: int, today: datetime, now: datetime) -> tuple[list[dict], int]:
    from fair.checkin.models import CheckIn
    from fair.checkin.services import not_undone
    from fair.core.timeutil import iso
    from fair.extensions import db
    from fair.organiser.dashboard import BUCKET, MAX_BUCKETS
    firsts = db.session.scalars(
        db.select(db.func.min(CheckIn.scanned_at))
        .where(CheckIn.fair_id == fair_id, CheckIn.type == "entry", CheckIn.status == "ok",
               CheckIn.attendee_id.is_not(None), CheckIn.scanned_at >= today, not_undone())
        .group_by(CheckIn.attendee_id)).all()
    if not firsts:
        return [], 0
    counts: dict[int, int] = {}
    for moment in firsts:
        index = int((moment - today) // BUCKET)
        counts[index] = counts.get(index, 0) + 1
    last = max(max(counts), int((now - today) // BUCKET))
    first = max(min(counts), last - MAX_BUCKETS + 1)
    buckets = [{"t": iso(today + BUCKET * i), "n": counts.get(i, 0)} for i in range(first, last + 1)]
    return buckets, len(firsts)


# --- filling a fair -------------------------------------------------------------------------

def fill(rows: int, rng: random.Random) -> tuple[int, datetime]:
    """A fair with `rows` check-ins over yesterday and today; returns (fair id, now)."""
    from fair.booths.models import Booth, Employer, Lead
    from fair.checkin.models import Attendee, CheckIn, CheckInCorrection
    from fair.core.fairs import ensure_fair
    from fair.core.timeutil import utcnow
    from fair.extensions import db
    from fair.ops.provision import upgrade_database
    from fair.organiser import dashboard
    from fair.web import auth

    upgrade_database()
    fair, _ = ensure_fair("Bench fair")
    gates = [auth.create_device(fair, "gate", f"Gate {n}")[0] for n in (1, 2, 3, 4)]
    employers = [Employer(fair_id=fair.id, ref=f"E{n}", name=f"Employer {n}") for n in range(40)]
    db.session.add_all(employers)
    db.session.flush()
    booths = [Booth(fair_id=fair.id, employer_id=e.id, code=f"B{n:02d}") for n, e in enumerate(employers)]
    db.session.add_all(booths)
    db.session.flush()
    phones = {b.id: auth.create_device(fair, "booth", f"{b.code} phone", b)[0] for b in booths}
    people_n = max(50, rows // 3)
    db.session.execute(db.insert(Attendee), [
        {"fair_id": fair.id, "ref": f"R{n}", "first_name": f"P{n}", "last_name": "", "skills": [],
         "desired_positions": [], "languages": [], "source": "import", "created_at": utcnow()}
        for n in range(people_n)])
    people = list(db.session.scalars(db.select(Attendee.id).where(Attendee.fair_id == fair.id)))

    now = utcnow()
    today = dashboard.day_start(now, timedelta(hours=7))
    days = [today - timedelta(days=1), today]
    # Opening hours: 09:00 venue time on each day, up to now on today.
    checkins, inside, first = [], {}, {}
    while len(checkins) < rows:
        day = days[0] if len(checkins) < rows // 2 else days[1]
        opened = day + timedelta(hours=2)
        span = max(60, int(((now if day == today else day + timedelta(hours=10)) - opened).total_seconds()))
        person = rng.choice(people)
        moment = opened + timedelta(seconds=rng.randint(0, span - 1))
        if rng.random() < 0.04:
            checkins.append((None, "entry", "unknown", moment))
        elif rng.random() < 0.02:
            checkins.append((person, "entry", "already_inside", moment))
        elif inside.get(person):
            checkins.append((person, "exit", "exit_recorded", moment))
            inside[person] = False
        else:
            checkins.append((person, "entry", "ok", moment))
            inside[person] = True
            first.setdefault(person, moment)
    db.session.execute(db.insert(CheckIn), [
        {"fair_id": fair.id, "device_id": rng.choice(gates).id, "attendee_id": p, "type": kind,
         "status": status, "nonce": secrets.token_hex(8), "scanned_at": moment, "received_at": moment}
        for p, kind, status, moment in checkins])
    accepted = list(db.session.scalars(db.select(CheckIn.id).where(
        CheckIn.fair_id == fair.id, CheckIn.status.in_(("ok", "exit_recorded")))))
    db.session.execute(db.insert(CheckInCorrection), [
        {"fair_id": fair.id, "checkin_id": cid, "device_id": None, "actor": "organiser:1", "created_at": now}
        for cid in rng.sample(accepted, len(accepted) // 100)])
    db.session.execute(db.update(Attendee).where(Attendee.id.in_([p for p, v in inside.items() if v]))
                       .values(inside=True))
    pairs = {(rng.choice(booths).id, rng.choice(list(first))) for _ in range(min(rows // 5, 20000))}
    steps = ["none"] * 12 + ["interview_now"] * 4 + ["shortlisted"] * 3 + ["hired", "not_suitable"]
    db.session.execute(db.insert(Lead), [
        {"booth_id": b, "attendee_id": a, "device_id": phones[b].id, "next_step": rng.choice(steps),
         "first_scanned_at": first[a], "last_scanned_at": first[a], "updated_at": first[a], "tags": [],
         "rating": None} for b, a in pairs])
    db.session.commit()
    return fair.id, now


def timed(call, runs: int) -> tuple[float, float, dict]:
    from fair.extensions import db
    times, result = [], None
    for _ in range(runs):
        db.session.remove()            # a fresh session per tick, as the broadcaster's
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)], result


def bench(rows: int, runs: int, breakdown: bool) -> None:
    folder = tempfile.mkdtemp(prefix="bench-stats-")
    os.environ["FAIR_INSTANCE"] = folder
    from fair import create_app
    from fair.extensions import db
    from fair.organiser import dashboard
    app = create_app({"ASYNC_MODE": "threading", "INSTANCE_PATH": folder,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    try:
        with app.app_context():
            started = time.perf_counter()
            fair_id, now = fill(rows, random.Random(rows))
            filled = time.perf_counter() - started
            # The engine's list is cached for 30 s in both; take it out of the timing.
            dashboard._jobs_without_candidates = lambda fair_id: []
            new_gates, new_arrivals = dashboard._gates, dashboard._arrivals

            def old():
                dashboard._gates, dashboard._arrivals = old_gates, old_arrivals
                try:
                    return dashboard.stats(fair_id, now=now)
                finally:
                    dashboard._gates, dashboard._arrivals = new_gates, new_arrivals

            old_median, old_p95, old_result = timed(old, runs)
            new_median, new_p95, new_result = timed(lambda: dashboard.stats(fair_id, now=now), runs)
            same = "identical" if old_result == new_result else "DIFFERENT"
            print(f"{rows:>7} check-ins (filled in {filled:.0f} s): old median {old_median:.1f} ms, "
                  f"p95 {old_p95:.1f} ms | new median {new_median:.1f} ms, p95 {new_p95:.1f} ms | "
                  f"{old_median / new_median:.1f}x | results {same} "
                  f"(gate_scans {new_result['gate_scans']}, today {new_result['checked_in_today']})",
                  flush=True)
            if breakdown:
                today = dashboard.day_start(now, dashboard.venue_offset())
                parts = {"people": lambda: dashboard._people(fair_id),
                         "gates old": lambda: old_gates(fair_id, today),
                         "gates new": lambda: dashboard._gates(fair_id, today),
                         "arrivals old": lambda: old_arrivals(fair_id, today, now),
                         "arrivals new": lambda: dashboard._arrivals(fair_id, today, now),
                         "booths": lambda: dashboard._booths(fair_id, now - dashboard.BUSY_WINDOW),
                         "lead funnel": lambda: dashboard._lead_funnel(fair_id)}
                print("  " + ", ".join(f"{name} {timed(call, runs)[0]:.1f}" for name, call in parts.items())
                      + " (median ms)", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,47000,150000")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--breakdown", action="store_true", help="also the median of each part")
    args = parser.parse_args()
    for rows in (int(s) for s in args.sizes.split(",")):
        bench(rows, args.runs, args.breakdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
