"""The dashboard's check-in counts (issue #14): stats() against a plain recount of every row.

stats() counts with a few aggregates and takes the undone scans off; here the
same figures are worked out the long way, scan by scan in Python, over a fair
with entries, exits, re-entries, refused cards, undone scans (check_in_correction),
several gates (one revoked after scanning, one revoked unused, one idle) and two days.
"""
from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

from fair.checkin.models import CheckIn, CheckInCorrection
from fair.core.models import Device
from fair.core.timeutil import iso
from fair.extensions import db
from fair.organiser import dashboard
from tests.factories import make_attendee, make_device

NOW = datetime(2026, 12, 3, 6, 0)            # 13:00 in Bangkok
TODAY = datetime(2026, 12, 2, 17, 0)         # the venue's midnight, in UTC
_nonces = itertools.count()


def scan(fair, gate, person, kind, status, at) -> CheckIn:
    row = CheckIn(fair_id=fair.id, device_id=gate.id, attendee_id=person.id if person else None, type=kind,
                  status=status, nonce=f"n{next(_nonces)}", scanned_at=at, received_at=at)
    db.session.add(row)
    db.session.flush()
    return row


def undo(fair, row: CheckIn) -> None:
    db.session.add(CheckInCorrection(fair_id=fair.id, checkin_id=row.id, actor="organiser:1"))
    db.session.flush()


def reference(fair_id: int, now: datetime) -> dict:
    """The counts the long way: every scan of every gate, one by one."""
    today = dashboard.day_start(now, timedelta(hours=7))
    undone = set(db.session.scalars(db.select(CheckInCorrection.checkin_id)))
    gates = list(db.session.scalars(db.select(Device).where(Device.fair_id == fair_id, Device.kind == "gate")))
    rows = [r for r in db.session.scalars(db.select(CheckIn)) if r.id not in undone]
    shown, gate_scans = [], 0
    for gate in gates:
        mine = [r for r in rows if r.device_id == gate.id]
        gate_scans += len(mine)
        if gate.revoked_at is not None and not mine:
            continue
        day = [r for r in mine if r.scanned_at >= today]
        shown.append({"gate": gate.name, "device_id": gate.id,
                      "entries": sum(r.type == "entry" and r.status == "ok" for r in day),
                      "exits": sum(r.status == "exit_recorded" for r in day),
                      "refused": sum(r.status in dashboard.REFUSED_STATUSES for r in day)})
    shown.sort(key=lambda g: (g["gate"].lower(), g["device_id"]))
    firsts: dict[int, datetime] = {}
    for r in rows:
        if r.fair_id == fair_id and r.type == "entry" and r.status == "ok" and r.attendee_id is not None \
                and r.scanned_at >= today:
            firsts[r.attendee_id] = min(firsts.get(r.attendee_id, r.scanned_at), r.scanned_at)
    buckets: dict[int, int] = {}
    for moment in firsts.values():
        index = int((moment - today) / dashboard.BUCKET)
        buckets[index] = buckets.get(index, 0) + 1
    arrivals = []
    if buckets:
        last = max(max(buckets), int((now - today) / dashboard.BUCKET))
        first = max(min(buckets), last - dashboard.MAX_BUCKETS + 1)
        arrivals = [{"t": iso(today + dashboard.BUCKET * i), "n": buckets.get(i, 0)} for i in range(first, last + 1)]
    return {"gates": shown, "gate_scans": gate_scans, "arrivals": arrivals, "checked_in_today": len(firsts)}


def counts(result: dict) -> dict:
    return {key: result[key] for key in ("gates", "gate_scans", "arrivals", "checked_in_today")}


def test_counts_match_a_recount_of_every_scan(app, fair):
    north, south, east = (make_device(fair, "gate", name).device for name in ("North", "south", "East"))
    gone_busy = make_device(fair, "gate", "Old gate").device
    gone_idle = make_device(fair, "gate", "Spare gate").device
    make_device(fair, "gate", "Idle gate")
    people = [make_attendee(fair) for _ in range(8)]
    a, b, c, d, e = people[:5]
    yesterday = TODAY - timedelta(hours=14)
    # Yesterday: in and out, one undone entry, one refused card.
    for person in (a, b, c):
        scan(fair, north, person, "entry", "ok", yesterday)
        scan(fair, south, person, "exit", "exit_recorded", yesterday + timedelta(hours=3))
    undo(fair, scan(fair, east, d, "entry", "ok", yesterday + timedelta(minutes=5)))
    scan(fair, east, None, "entry", "unknown", yesterday + timedelta(minutes=6))
    # A second before and exactly at the venue's midnight.
    scan(fair, north, e, "entry", "ok", TODAY - timedelta(seconds=1))
    scan(fair, north, e, "exit", "exit_recorded", TODAY)
    # Today: a's first entry undone (their arrival moves to the re-scan), b out and back,
    # c's only entry undone (no arrival), an undone exit, refusals and a repeat.
    undo(fair, scan(fair, north, a, "entry", "ok", TODAY + timedelta(hours=2)))
    scan(fair, south, a, "entry", "ok", TODAY + timedelta(hours=2, minutes=1))
    scan(fair, north, b, "entry", "ok", TODAY + timedelta(hours=2, minutes=3))
    scan(fair, north, b, "exit", "exit_recorded", TODAY + timedelta(hours=4))
    scan(fair, east, b, "entry", "ok", TODAY + timedelta(hours=5))
    undo(fair, scan(fair, east, c, "entry", "ok", TODAY + timedelta(hours=3)))
    scan(fair, east, c, "entry", "already_inside", TODAY + timedelta(hours=3, minutes=1))
    undo(fair, scan(fair, south, b, "exit", "exit_recorded", TODAY + timedelta(hours=4, minutes=2)))
    for status in ("invalid_signature", "revoked", "wrong_fair", "fair_closed", "unknown"):
        scan(fair, south, None, "entry", status, TODAY + timedelta(hours=1))
    scan(fair, gone_busy, d, "entry", "ok", TODAY + timedelta(hours=1, minutes=7))
    scan(fair, north, e, "entry", "ok", TODAY + timedelta(hours=6))
    # Many more, at random, with some undone.
    rng = random.Random(14)
    for _ in range(300):
        person = rng.choice(people + [None])
        at = TODAY + timedelta(minutes=rng.randint(-1500, 770))
        kind, status = rng.choice([("entry", "ok"), ("entry", "ok"), ("exit", "exit_recorded"),
                                   ("entry", "unknown"), ("entry", "already_inside"), ("exit", "not_inside")])
        row = scan(fair, rng.choice((north, south, east, gone_busy)), person if status != "unknown" else None,
                   kind, status, at)
        if status in ("ok", "exit_recorded") and rng.random() < 0.15:
            undo(fair, row)
    gone_busy.revoked_at = gone_idle.revoked_at = NOW - timedelta(hours=1)
    db.session.commit()

    result = dashboard.stats(fair.id, now=NOW)
    expected = reference(fair.id, NOW)
    assert counts(result) == expected
    names = [g["gate"] for g in result["gates"]]
    assert names == ["East", "Idle gate", "North", "Old gate", "south"]   # the unused revoked gate left out
    assert result["checked_in_today"] > 0 and result["gate_scans"] > 250

    # The next morning: yesterday's scans count in gate_scans only.
    tomorrow = NOW + timedelta(days=1)
    assert counts(dashboard.stats(fair.id, now=tomorrow)) == reference(fair.id, tomorrow)


def test_counts_of_a_fair_with_no_scans_and_no_gates(app, fair):
    result = dashboard.stats(fair.id, now=NOW)
    assert counts(result) == {"gates": [], "gate_scans": 0, "arrivals": [], "checked_in_today": 0}
    make_device(fair, "gate", "North")
    assert dashboard.stats(fair.id, now=NOW)["gates"] == [
        {"gate": "North", "device_id": 1, "entries": 0, "exits": 0, "refused": 0}]


def test_many_undone_entries_are_left_out_the_long_way(app, fair, monkeypatch):
    gate = make_device(fair, "gate", "North").device
    people = [make_attendee(fair) for _ in range(4)]
    for n, person in enumerate(people):
        undo(fair, scan(fair, gate, person, "entry", "ok", TODAY + timedelta(hours=1, minutes=n)))
        if n % 2:
            scan(fair, gate, person, "entry", "ok", TODAY + timedelta(hours=2, minutes=n))
    db.session.commit()
    monkeypatch.setattr(dashboard, "MAX_CORRECTED_LISTED", 1)
    assert counts(dashboard.stats(fair.id, now=NOW)) == reference(fair.id, NOW)
    assert dashboard.stats(fair.id, now=NOW)["checked_in_today"] == 2
