"""The live dashboard: counts against a known day, who may see it, no names on big screens, exports."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from fair.organiser import devices
from fair.web import live
from fair.booths import services as booth_services
from fair.checkin import services as checkin_services
from fair.extensions import db
from fair.organiser import dashboard
from fair.core.models import AuditEvent
from tests import factories

# 10:30 in Bangkok (UTC+7) on the fair's day; the venue's midnight is 17:00 UTC the day before.
NOW = datetime(2026, 5, 23, 3, 30)


def at(hh_mm: str) -> datetime:
    """A UTC time on the fair's day, "03:01" → 10:01 in the hall."""
    hours, minutes = hh_mm.split(":")
    return NOW.replace(hour=int(hours), minute=int(minutes))


def _path(url: str) -> str:
    return url.split("5000", 1)[1]  # BASE_URL is http://fair.test:5000 in tests


@pytest.fixture
def day(fair, gate, booth, booth_device):
    """3 arrivals, 1 exit and a re-entry, a refused card, a repeat; 2 leads at 2 booths, 1 hired."""
    gate2 = factories.make_device(fair, "gate", "Gate 2")
    other = factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]
    other_device = factories.make_device(fair, "booth", "B2 phone", other)
    a = factories.make_attendee(fair, ref="P-A", first_name="Anong")
    b = factories.make_attendee(fair, ref="P-B", first_name="Boonmee")
    c = factories.make_attendee(fair, ref="P-C", first_name="Chai")
    factories.make_attendee(fair, ref="P-D", first_name="Duang")  # registered, never came
    scans = [
        (gate, a, "entry", "03:01"), (gate, b, "entry", "03:02"), (gate2, c, "entry", "03:07"),
        (gate2, a, "exit", "03:10"), (gate, b, "entry", "03:12"),  # b again: already inside
        (gate, a, "entry", "03:20"),                               # a comes back: not a new arrival
    ]
    for n, (device, person, kind, moment) in enumerate(scans):
        checkin_services.check_in(device.device, factories.token_of(person), f"n{n}", kind, scanned_at=at(moment))
    checkin_services.check_in(gate.device, "SJW1.not-a-card", "bad", "entry", scanned_at=at("03:21"))
    booth_services.capture_lead(booth_device.device, booth, factories.token_of(a), "l1",
                                scanned_at=at("03:15"), next_step="hired")
    booth_services.capture_lead(other_device.device, other, factories.token_of(b), "l2",
                                scanned_at=at("02:50"), next_step="shortlisted")
    return {"a": a, "b": b, "c": c, "gate2": gate2, "other": other}


def test_counts_of_a_known_day(day, fair):
    s = dashboard.stats(fair.id, now=NOW)
    assert (s["registered"], s["checked_in"], s["checked_in_today"], s["inside"]) == (4, 3, 3, 3)
    assert s["gate_scans"] == 7
    assert (s["leads"], s["hired"]) == (2, 1)
    assert s["per_booth"] == {"A1": 1, "B2": 1}
    assert s["day_start"] == "2026-05-22T17:00:00.000Z"
    # Each person's first entry of the day, per 5 minutes, up to now; a re-entry is not an arrival.
    assert s["arrivals"] == [{"t": "2026-05-23T03:00:00.000Z", "n": 2}, {"t": "2026-05-23T03:05:00.000Z", "n": 1}] + [
        {"t": f"2026-05-23T03:{m:02d}:00.000Z", "n": 0} for m in (10, 15, 20, 25, 30)]
    assert s["gates"] == [
        {"gate": "Gate 1", "device_id": s["gates"][0]["device_id"], "entries": 3, "exits": 0, "refused": 1},
        {"gate": "Gate 2", "device_id": day["gate2"].device.id, "entries": 1, "exits": 1, "refused": 0},
    ]
    # Distinct people; the hire counts as an interview too (a funnel never widens).
    assert s["funnel"] == [{"step": "checked_in", "n": 3}, {"step": "visited_booth", "n": 2},
                           {"step": "interview", "n": 2}, {"step": "hired", "n": 1}]


def test_busiest_and_quietest_booths_by_the_last_30_minutes_and_all_day(day, fair):
    s = dashboard.stats(fair.id, now=NOW)
    assert [(b["code"], b["recent"], b["leads"]) for b in s["busiest"]["recent"]] == [("A1", 1, 1), ("B2", 0, 1)]
    assert [b["code"] for b in s["quietest"]["recent"]] == ["B2", "A1"]
    assert [b["code"] for b in s["busiest"]["overall"]] == ["A1", "B2"]  # a tie: by code
    assert {b["code"]: (b["plan_x"], b["plan_y"], b["employer"]) for b in s["booths"]}["B2"][2] == "Chao Phraya Foods"


def test_stats_name_no_one(day, fair):
    text = str(dashboard.stats(fair.id, now=NOW))
    for person in ("Anong", "Boonmee", "Chai", "P-A", "ใจดี"):
        assert person not in text


def test_yesterdays_scans_are_not_today(fair, gate, attendee):
    checkin_services.check_in(gate.device, factories.token_of(attendee), "y", scanned_at=at("03:00") - timedelta(days=1))
    s = dashboard.stats(fair.id, now=NOW)
    assert (s["checked_in"], s["checked_in_today"], s["arrivals"]) == (1, 0, [])
    assert s["gates"][0]["entries"] == 0 and s["gate_scans"] == 1


def test_an_empty_fair_has_zeros_not_errors(fair):
    s = dashboard.stats(fair.id)
    assert s["arrivals"] == [] and s["gates"] == [] and s["booths"] == []
    assert [step["n"] for step in s["funnel"]] == [0, 0, 0, 0]


def test_jobs_without_candidates_come_from_the_engine_cached_between_ticks(app, fair, monkeypatch):
    from fair.matching import services
    calls = []

    def engine(fair_id):
        calls.append(fair_id)
        return [{"job_ref": "J9", "title": "Welder", "booth": "A1", "employer": "Siam Packing Co., Ltd."}]
    monkeypatch.setattr(services, "jobs_without_candidates", engine)
    assert dashboard.stats(fair.id)["jobs_without_candidates"] == [
        {"job_ref": "J9", "title": "Welder", "booth": "A1", "employer": "Siam Packing Co., Ltd."}]
    dashboard.stats(fair.id)
    assert calls == [fair.id]  # cached between ticks


def test_a_failing_engine_leaves_the_panel_out_and_the_counts_in(app, fair, gate, attendee, monkeypatch):
    from fair.matching import services
    checkin_services.check_in(gate.device, factories.token_of(attendee), "n-fail")

    def engine(fair_id):
        raise RuntimeError("index broken")
    monkeypatch.setattr(services, "jobs_without_candidates", engine)
    s = dashboard.stats(fair.id)
    assert "jobs_without_candidates" not in s
    assert s["inside"] == 1


# --- the page -------------------------------------------------------------------------------

def _paired(app, kind: str, booth=None):
    paired = devices.pair(kind, f"{kind} browser", booth, actor="test")
    browser = app.test_client()
    assert browser.get(_path(paired.url)).status_code == 302
    return browser


@pytest.mark.parametrize("path", ["/dashboard", "/organiser/report", "/organiser/export/leads.csv"])
def test_who_may_open_the_dashboard_report_and_exports(app, fair, booth, organiser_client, path):
    allowed = {"/dashboard": {"organiser", "dashboard"}}.get(path, {"organiser"})
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for kind in ("gate", "booth", "dashboard"):
        answer = _paired(app, kind, booth if kind == "booth" else None).get(path)
        assert answer.status_code == (200 if kind in allowed else 403), (kind, path)
    assert organiser_client.get(path).status_code == 200


def test_the_api_answers_401_for_strangers(client, fair):
    assert client.get("/api/v1/stats").status_code == 401


def test_a_big_screen_page_shows_no_names_and_no_exports(app, day, organiser_client):
    screen = _paired(app, "dashboard").get("/dashboard").get_data(as_text=True)
    mine = organiser_client.get("/dashboard").get_data(as_text=True)
    assert "Anong" in mine and "/organiser/export/" in mine  # the organiser sees who and can export
    for person in ("Anong", "Boonmee", "Chai", "ใจดี", "P-A", "#0000"):
        assert person not in screen
    assert "/organiser/export/" not in screen and "/organiser/report" not in screen
    assert '"show_names": false' in screen
    projected = organiser_client.get("/dashboard?screen=1").get_data(as_text=True)
    assert "Anong" not in projected and "/organiser/export/" not in projected


def test_the_page_carries_the_counts_and_its_strings(organiser_client, day):
    html = organiser_client.get("/dashboard").get_data(as_text=True)
    assert 'id="dashboard-config"' in html and 'id="i18n"' in html
    assert '"checked_in": 3' in html and '"checked_in_today"' in html and 'data-page="dashboard"' in html


def test_the_report_prints_totals_charts_and_hires_by_employer(organiser_client, day):
    html = organiser_client.get("/organiser/report").get_data(as_text=True)
    assert html.count("<svg") >= 3  # arrivals, funnel bars, floor plan
    assert "Siam Packing Co., Ltd." in html and "Chao Phraya Foods" in html
    assert "Anong" not in html


# --- exports --------------------------------------------------------------------------------

def _csv(answer) -> list[dict]:
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))


def test_attendance_and_hires_as_csv_are_audited(organiser_client, day, fair):
    rows = _csv(organiser_client.get("/organiser/export/attendance.csv"))
    by_ref = {r["attendee_ref"]: r for r in rows}
    assert set(by_ref) == {"P-A", "P-B", "P-C"}
    assert (by_ref["P-A"]["entries"], by_ref["P-A"]["exits"], by_ref["P-A"]["booths_visited"]) == ("2", "1", "1")
    hires = _csv(organiser_client.get("/organiser/export/hires.csv"))
    assert [(h["attendee_ref"], h["booth"], h["employer"]) for h in hires] == [("P-A", "A1", "Siam Packing Co., Ltd.")]
    audit = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.like("export.%"))).all()
    assert [(e.action, e.details["rows"], e.details["format"]) for e in audit] == [
        ("export.attendance", 3, "csv"), ("export.hires", 1, "csv")]
    assert all(e.actor.startswith("organiser:") for e in audit)


def test_leads_and_matches_as_xlsx(organiser_client, day, employer):
    from openpyxl import load_workbook
    factories.make_job(employer, ref="J1", title="Forklift driver", skills_required=("forklift",))
    answer = organiser_client.get("/organiser/export/leads.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("lead_id", "booth") and len(values) == 3
    matches = list(load_workbook(io.BytesIO(organiser_client.get("/organiser/export/matches.xlsx").get_data()))
                   .active.iter_rows(values_only=True))
    header, body = matches[0], matches[1:]
    assert header[:4] == ("attendee_ref", "name", "rank", "booth")
    assert {row[0] for row in body} == {"P-A", "P-B", "P-C"}  # everyone who came got recommendations
    assert all(row[3] == "A1" and row[5] == "J1" for row in body)
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "export.matches")) == 1


def test_unknown_exports_are_not_found(organiser_client, fair):
    assert organiser_client.get("/organiser/export/passwords.csv").status_code == 404
    assert organiser_client.get("/organiser/export/leads.pdf").status_code == 404


# --- live -----------------------------------------------------------------------------------

def test_a_dashboard_receives_the_new_stats_after_a_check_in(live_client, dashboard_device, fair, gate, attendee):
    screen = live_client(dashboard_device.token)
    screen.get_received(live.NAMESPACE)
    checkin_services.check_in(gate.device, factories.token_of(attendee), "live-1")
    live.flush()
    received = screen.get_received(live.NAMESPACE)
    stats = [m["args"][0] for m in received if m["name"] == "stats"]
    # One per room the screen is in (the fair's and the public one): the same counts.
    assert stats and all(s == stats[0] for s in stats)
    for key in ("arrivals", "gates", "funnel", "busiest", "quietest", "booths", "checked_in_today"):
        assert key in stats[0]
    assert stats[0]["inside"] == 1 and stats[0]["arrivals"][-1]["n"] == 1
    assert stats[0]["gates"][0]["entries"] == 1
    events = [e for m in received if m["name"] == "events" for e in m["args"][0]]
    assert [e["type"] for e in events] == ["checkin"]
