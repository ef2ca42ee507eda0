"""The dashboard's counts, computed in a handful of indexed queries (run at most a few times a second).

live.py calls stats() once per tick for every fair whose data changed, and
sends the result to the fair's dashboards *and* to the public counter room:
so nothing here may name an attendee. Employers, booths, gates and job titles
are public information at a fair; people are not.

Queries per call: people (1), gates (1), arrivals (1), booths (1), leads
funnel (1), plus the matching engine's "jobs without candidates" at most
every JOBS_WITHOUT_CANDIDATES_TTL seconds.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import current_app
from sqlalchemy import case

from fair.booths.models import Booth, Employer, Job, Lead
from fair.booths.services import candidate_view
from fair.checkin.models import Attendee, CheckIn, CheckInCorrection
from fair.checkin.services import not_undone
from fair.extensions import db
from fair.core import disclosure
from fair.matching import services as matching
from fair.core.models import Device
from fair.core.timeutil import iso, utcnow
from fair.web.dates import venue_offset

BUCKET = timedelta(minutes=5)
MAX_BUCKETS = 24 * 12               # one day of 5-minute buckets
BUSY_WINDOW = timedelta(minutes=30)
RANKED_BOOTHS = 5
# A funnel stage counts everyone who reached it or went further: a person hired
# on the spot was interviewed, even though their lead now says "hired".
INTERVIEW_STEPS = ("interview_now", "shortlisted", "hired")
# The matching engine ranks everyone inside against every job (~0.1 s for the
# 2,000-person demo, on the event loop): fresh enough every half minute, far
# too costly four times a second.
JOBS_WITHOUT_CANDIDATES_TTL = 30.0
FUNNEL_STEPS = ("checked_in", "visited_booth", "interview", "hired")
# Cards the gate turned away; already_inside / not_inside are repeats, not refusals.
# People with an undone entry today read again one by one, up to this many (bound parameters).
MAX_CORRECTED_LISTED = 5000
REFUSED_STATUSES = ("unknown", "invalid_signature", "revoked", "wrong_fair", "fair_closed")


def day_start(now: datetime, offset: timedelta) -> datetime:
    """Naive UTC of the venue's last local midnight."""
    local = now + offset
    return local.replace(hour=0, minute=0, second=0, microsecond=0) - offset


def stats(fair_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Counts for dashboards, the public counter and GET /api/v1/stats (no attendee names, ever)."""
    now = now or utcnow()
    today = day_start(now, venue_offset())
    registered, checked_in, inside = _people(fair_id)
    gates, gate_scans = _gates(fair_id, today)
    arrivals, checked_in_today = _arrivals(fair_id, today, now)
    booths = _booths(fair_id, now - BUSY_WINDOW)
    visited, interviewed, hired_people, leads, hired = _lead_funnel(fair_id)
    result: dict[str, Any] = {
        "registered": registered, "checked_in": checked_in, "inside": inside, "gate_scans": gate_scans,
        "leads": leads, "hired": hired,
        "per_booth": {b["code"]: b["leads"] for b in booths},
        "checked_in_today": checked_in_today,
        "day_start": iso(today),
        "now": iso(now),
        "bucket_minutes": int(BUCKET.total_seconds() // 60),
        "busy_window_minutes": int(BUSY_WINDOW.total_seconds() // 60),
        "arrivals": arrivals,
        "gates": gates,
        "funnel": [{"step": step, "n": n} for step, n in
                   zip(FUNNEL_STEPS, (checked_in, visited, interviewed, hired_people))],
        "booths": booths,
        "busiest": {"recent": _ranked(booths, "recent", busiest=True),
                    "overall": _ranked(booths, "leads", busiest=True)},
        "quietest": {"recent": _ranked(booths, "recent", busiest=False),
                     "overall": _ranked(booths, "leads", busiest=False)},
    }
    jobs = _jobs_without_candidates(fair_id)
    if jobs is not None:
        result["jobs_without_candidates"] = jobs
    return result


def _people(fair_id: int) -> tuple[int, int, int]:
    row = db.session.execute(
        db.select(db.func.count(Attendee.id),
                  db.func.count(Attendee.first_entry_at),
                  db.func.coalesce(db.func.sum(case((Attendee.inside.is_(True), 1), else_=0)), 0))
        .where(Attendee.fair_id == fair_id, Attendee.erased_at.is_(None))).one()
    return int(row[0]), int(row[1]), int(row[2])


def _gates(fair_id: int, today: datetime) -> tuple[list[dict], int]:
    """Accepted entries and exits, and refused cards, per gate device today; all scans ever (gate_scans).

    Counted over the scans as they are, then the few undone ones (check_in_correction)
    taken off, so an undone scan never counts: no probe of the corrections per scan.
    All scans per gate are counted on the (device_id, nonce) index, today's on
    today's range of ix_check_in_fair_scanned (migration 0010), neither reading a table row.
    """
    devices = db.session.execute(
        db.select(Device.id, Device.name, Device.revoked_at)
        .where(Device.fair_id == fair_id, Device.kind == "gate")).all()
    gates = {device_id: {"gate": name, "device_id": device_id, "entries": 0, "exits": 0, "refused": 0}
             for device_id, name, _revoked in devices}
    revoked = {device_id for device_id, _name, revoked_at in devices if revoked_at is not None}
    totals = dict.fromkeys(gates, 0)
    day: dict[tuple[int, str, str], int] = {}
    if gates:
        ids = list(gates)
        for device_id, n in db.session.execute(
                db.select(CheckIn.device_id, db.func.count())
                .where(CheckIn.device_id.in_(ids)).group_by(CheckIn.device_id)):
            totals[device_id] += n
        for device_id, kind, status, n in db.session.execute(
                db.select(CheckIn.device_id, CheckIn.type, CheckIn.status, db.func.count())
                .where(CheckIn.fair_id == fair_id, CheckIn.scanned_at >= today, CheckIn.device_id.in_(ids))
                .group_by(CheckIn.device_id, CheckIn.type, CheckIn.status)):
            key = (device_id, kind, status)
            day[key] = day.get(key, 0) + n
        for device_id, kind, status, scanned_at in db.session.execute(
                db.select(CheckIn.device_id, CheckIn.type, CheckIn.status, CheckIn.scanned_at)
                .join(CheckInCorrection, CheckInCorrection.checkin_id == CheckIn.id)
                .where(CheckInCorrection.fair_id == fair_id)):    # read from the few corrections
            if device_id not in totals:
                continue
            totals[device_id] -= 1
            if scanned_at >= today:
                day[(device_id, kind, status)] -= 1
    for (device_id, kind, status), n in day.items():
        gate = gates.get(device_id)
        if gate is None or not n:
            continue
        if status == "ok" and kind == "entry":
            gate["entries"] += n
        elif status == "exit_recorded":
            gate["exits"] += n
        elif status in REFUSED_STATUSES:
            gate["refused"] += n
    # A revoked gate that never scanned is noise; one that did still counts today.
    shown = [g for g in gates.values() if not (g["device_id"] in revoked and totals[g["device_id"]] == 0)]
    shown.sort(key=lambda g: (g["gate"].lower(), g["device_id"]))
    return shown, sum(totals.values())


def _arrivals(fair_id: int, today: datetime, now: datetime) -> tuple[list[dict], int]:
    """People arriving per 5 minutes today: each person's first accepted entry of the day.

    Re-entries after lunch are not arrivals; a returning visitor on day two is.
    The first entries are read over today's range of the check-in index, undone
    ones included; only the people with an undone entry today are read again
    without it (corrections are few).
    """
    entry_today = db.and_(CheckIn.type == "entry", CheckIn.status == "ok",
                          CheckIn.attendee_id.is_not(None), CheckIn.scanned_at >= today)
    undone = {checkin_id: attendee_id for checkin_id, attendee_id, kind, status, scanned_at in db.session.execute(
        db.select(CheckIn.id, CheckIn.attendee_id, CheckIn.type, CheckIn.status, CheckIn.scanned_at)
        .join(CheckInCorrection, CheckInCorrection.checkin_id == CheckIn.id)
        .where(CheckInCorrection.fair_id == fair_id))    # read from the few corrections of the fair
        if kind == "entry" and status == "ok" and attendee_id is not None and scanned_at >= today}
    corrected = sorted(set(undone.values()))
    if len(corrected) > MAX_CORRECTED_LISTED:   # beyond a list of bound parameters: undone left out per scan
        firsts = list(db.session.scalars(
            db.select(db.func.min(CheckIn.scanned_at))
            .where(CheckIn.fair_id == fair_id, entry_today, not_undone()).group_by(CheckIn.attendee_id)))
        corrected = []
    else:
        everyone_else = db.select(db.func.min(CheckIn.scanned_at)).where(CheckIn.fair_id == fair_id, entry_today)
        if corrected:
            everyone_else = everyone_else.where(CheckIn.attendee_id.not_in(corrected))
        firsts = list(db.session.scalars(everyone_else.group_by(CheckIn.attendee_id)))
    for chunk in _chunks(corrected, 500):
        # Those people's scans today, by person (ix_checkin_attendee_scanned), the undone ones left out.
        first_of: dict[int, datetime] = {}
        for checkin_id, attendee_id, kind, status, scanned_at in db.session.execute(
                db.select(CheckIn.id, CheckIn.attendee_id, CheckIn.type, CheckIn.status, CheckIn.scanned_at)
                .where(CheckIn.attendee_id.in_(chunk), CheckIn.scanned_at >= today)):
            if kind == "entry" and status == "ok" and checkin_id not in undone:
                earliest = first_of.get(attendee_id)
                if earliest is None or scanned_at < earliest:
                    first_of[attendee_id] = scanned_at
        firsts.extend(first_of.values())
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


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _booths(fair_id: int, since: datetime) -> list[dict]:
    """Every booth with its place on the plan, leads all day and leads seen in the busy window."""
    recent = db.func.coalesce(db.func.sum(case((Lead.last_scanned_at >= since, 1), else_=0)), 0)
    rows = db.session.execute(
        db.select(Booth.code, Employer.name, Booth.plan_x, Booth.plan_y, db.func.count(Lead.id), recent)
        .join(Employer, Booth.employer_id == Employer.id)
        .outerjoin(Lead, Lead.booth_id == Booth.id)
        .where(Booth.fair_id == fair_id)
        .group_by(Booth.id, Booth.code, Employer.name, Booth.plan_x, Booth.plan_y)
        .order_by(Booth.code)).all()
    return [{"code": code, "employer": employer, "plan_x": x, "plan_y": y, "leads": int(n), "recent": int(r)}
            for code, employer, x, y, n, r in rows]


def _ranked(booths: list[dict], key: str, busiest: bool) -> list[dict]:
    other = "leads" if key == "recent" else "recent"
    sign = -1 if busiest else 1
    ordered = sorted(booths, key=lambda b: (sign * b[key], sign * b[other], b["code"]))
    return [{"code": b["code"], "employer": b["employer"], "leads": b["leads"], "recent": b["recent"]}
            for b in ordered[:RANKED_BOOTHS]]


def _lead_funnel(fair_id: int) -> tuple[int, int, int, int, int]:
    """Distinct people at ≥1 booth, at interview or beyond, hired; and lead and hire counts."""
    interviewed = case((Lead.next_step.in_(INTERVIEW_STEPS), Lead.attendee_id))
    hired_person = case((Lead.next_step == "hired", Lead.attendee_id))
    row = db.session.execute(
        db.select(db.func.count(db.distinct(Lead.attendee_id)),
                  db.func.count(db.distinct(interviewed)),
                  db.func.count(db.distinct(hired_person)),
                  db.func.count(Lead.id),
                  db.func.coalesce(db.func.sum(case((Lead.next_step == "hired", 1), else_=0)), 0))
        .join(Booth, Lead.booth_id == Booth.id).where(Booth.fair_id == fair_id)).one()
    return tuple(int(v) for v in row)  # type: ignore[return-value]


def _jobs_without_candidates(fair_id: int) -> list[dict] | None:
    """The matching engine's list, cached briefly; None when the engine failed with nothing cached."""
    cache = current_app.extensions.setdefault("dashboard_cache", {})
    cached = cache.get(("jobs_without_candidates", fair_id))
    if cached is not None and time.monotonic() - cached[0] < JOBS_WITHOUT_CANDIDATES_TTL:
        return cached[1]
    try:
        jobs = [{"job_ref": j.get("job_ref"), "title": j.get("title"), "booth": j.get("booth"),
                 "employer": j.get("employer")} for j in matching.jobs_without_candidates(fair_id)]
    except Exception:  # the panel may go missing; the dashboard's counts must not
        current_app.logger.exception("jobs_without_candidates failed")
        return cached[1] if cached is not None else None
    cache[("jobs_without_candidates", fair_id)] = (time.monotonic(), jobs)
    return jobs


def stats_for_broadcast(app) -> Callable[[int], dict]:
    """The broadcaster's stats provider: runs in its own app context and session."""
    def provide(fair_id: int) -> dict:
        with app.app_context():
            try:
                return stats(fair_id)
            finally:
                db.session.remove()
    return provide


# --- the organiser's page: the latest events, the end-of-day report -------------------------

FEED_LENGTH = 30


def recent_events(fair_id: int, names: bool, limit: int = FEED_LENGTH) -> list[dict]:
    """The feed's first screenful, shaped like live `events` (checkin, lead), newest first.

    Built as the organiser's events, then cut by fair.core.disclosure for a big screen
    (names=False): the same allow-list as the live feed, so nothing identifies a person.
    """
    checkins = db.session.execute(
        db.select(CheckIn, Device.name).join(Device, CheckIn.device_id == Device.id)
        .where(CheckIn.fair_id == fair_id).order_by(CheckIn.received_at.desc(), CheckIn.id.desc())
        .limit(limit)).all()
    leads = db.session.scalars(
        db.select(Lead).join(Booth, Lead.booth_id == Booth.id).where(Booth.fair_id == fair_id)
        .order_by(Lead.updated_at.desc(), Lead.id.desc()).limit(limit)).all()
    audience = disclosure.ORGANISER if names else disclosure.SCREEN
    events: list[dict] = []
    for row, gate in checkins:
        event = {"type": "checkin", "id": row.id, "at": iso(row.received_at), "status": row.status,
                 "kind": row.type, "gate": gate}
        person = row.attendee
        if person is not None and person.erased_at is None:
            event["attendee"] = disclosure.gate_person(person)
        events.append(disclosure.event(audience, "checkin", event))
    for lead in leads:
        event = {"type": "lead", "id": lead.id, "at": iso(lead.updated_at), "booth": lead.booth.code,
                 "next_step": lead.next_step,
                 "lead": {"candidate": candidate_view(lead.attendee, lead.booth_id, scanned=True)}}
        events.append(disclosure.event(audience, "lead", event))
    events.sort(key=lambda e: e["at"] or "", reverse=True)
    return events[:limit]


def hires_by_employer(fair_id: int) -> list[dict]:
    rows = db.session.execute(
        db.select(Employer.name, db.func.count(Lead.id))
        .join(Booth, Lead.booth_id == Booth.id).join(Employer, Booth.employer_id == Employer.id)
        .where(Booth.fair_id == fair_id, Lead.next_step == "hired")
        .group_by(Employer.id, Employer.name).order_by(db.func.count(Lead.id).desc(), Employer.name)).all()
    return [{"employer": name, "hired": int(n)} for name, n in rows]


def jobs_offered(fair_id: int) -> tuple[int, int]:
    """(job postings, positions) on the floor, for the report's totals."""
    row = db.session.execute(db.select(db.func.count(Job.id), db.func.coalesce(db.func.sum(Job.positions), 0))
                             .where(Job.fair_id == fair_id)).one()
    return int(row[0]), int(row[1])


def heat_class(value: int, top: int, classes: int = 5) -> int:
    """0 for no traffic, else 1..classes in equal steps up to the busiest booth (dashboard.js mirrors it)."""
    if value <= 0 or top <= 0:
        return 0
    return min(classes, -(-value * classes // top))


def heat_legend(top: int, classes: int = 5) -> list[dict]:
    """The non-empty classes as {"cls", "low", "high"} for a legend ("1–3")."""
    legend = [{"cls": 0, "low": 0, "high": 0}]
    for k in range(1, classes + 1):
        low, high = (k - 1) * top // classes + 1, k * top // classes
        if top > 0 and low <= high:
            legend.append({"cls": k, "low": low, "high": high})
    return legend
