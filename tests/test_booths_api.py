"""The booths' HTTP API and socket `scan`, with bearer tokens and every role."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from fair.web import live
from fair.booths.models import Lead, LeadScan
from fair.extensions import db
from fair.core.models import AuditEvent
from tests import factories


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _events(client) -> list[dict]:
    return [event for message in client.get_received(live.NAMESPACE) if message["name"] == "events"
            for event in message["args"][0]]


@pytest.fixture
def other_booth(fair):
    return factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]


@pytest.fixture
def other_booth_device(fair, other_booth):
    return factories.make_device(fair, "booth", "B2 phone", other_booth)


def test_scan_then_edit_over_http(client, booth, booth_device, attendee_token):
    job = factories.make_job(booth.employer, ref="J1")
    scanned = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1"},
                          headers=booth_device.headers)
    assert scanned.status_code == 200
    body = scanned.get_json()
    assert body["status"] == "ok" and body["candidate"]["name"] == "สมชาย ใจดี"
    assert body["matches"][0]["job_ref"] == "J1"
    edited = client.patch(f"/api/v1/booths/a1/leads/{body['lead_id']}",
                          json={"nonce": "e1", "rating": 5, "next_step": "interview_now", "job_ref": job.ref,
                                "tags": ["Call back"], "notes": "พูดอังกฤษได้"},
                          headers=booth_device.headers)
    assert edited.status_code == 200
    lead = edited.get_json()["lead"]
    assert (lead["rating"], lead["next_step"], lead["job_ref"], lead["notes"]) == (5, "interview_now", "J1", "พูดอังกฤษได้")
    again = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n2"},
                        headers=booth_device.headers)
    assert again.get_json()["status"] == "updated" and again.get_json()["lead"]["rating"] == 5
    assert _count(Lead) == 1


@pytest.mark.parametrize("body, field", [
    ({"rating": 9}, "rating"), ({"rating": "five"}, "rating"), ({"notes": "x" * 2001}, "notes"),
    ({"next_step": "maybe"}, "next_step"), ({"tags": "not a list"}, "tags"), ({"job_ref": "J-THEIRS"}, "job_ref"),
])
def test_bad_input_answers_400_with_a_message_and_stores_nothing(client, booth_device, other_booth, attendee_token,
                                                                 body, field):
    factories.make_job(other_booth.employer, ref="J-THEIRS")
    answer = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1", **body},
                         headers=booth_device.headers)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_input" and answer.get_json()["field"] == field
    assert answer.get_json()["message"]
    assert _count(Lead) == 0 and _count(LeadScan) == 0


def test_missing_nonce_or_not_json_is_400(client, booth_device, attendee_token):
    assert client.post("/api/v1/booths/A1/scans", json={"code": attendee_token},
                       headers=booth_device.headers).status_code == 400
    assert client.post("/api/v1/booths/A1/scans", data="code=x",
                       headers=booth_device.headers).status_code == 400
    assert _count(LeadScan) == 0


def test_a_booth_that_does_not_exist_is_404(client, booth_device, organiser_client, attendee_token):
    scanned = client.post("/api/v1/booths/ZZ9/scans", json={"code": attendee_token, "nonce": "n1"},
                          headers=booth_device.headers)
    assert scanned.status_code == 404 and scanned.get_json()["error"] == "not_found"
    assert organiser_client.get("/api/v1/booths/ZZ9/leads").status_code == 404
    assert _count(LeadScan) == 0


def test_an_unknown_card_answers_its_status_over_http(client, booth_device):
    answer = client.post("/api/v1/booths/A1/scans", json={"code": "SJW1.FORGED", "nonce": "n1"},
                         headers=booth_device.headers)
    assert answer.status_code == 200 and answer.get_json()["status"] == "unknown"


def test_editing_a_lead_of_another_booth_is_403(client, booth_device, other_booth_device, attendee_token):
    lead_id = client.post("/api/v1/booths/B2/scans", json={"code": attendee_token, "nonce": "n1"},
                          headers=other_booth_device.headers).get_json()["lead_id"]
    assert client.patch(f"/api/v1/booths/B2/leads/{lead_id}", json={"nonce": "e1", "rating": 1},
                        headers=booth_device.headers).status_code == 403
    assert client.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e1", "rating": 1},
                        headers=booth_device.headers).status_code == 404
    assert db.session.get(Lead, lead_id).rating is None


ROLES = ["anonymous", "gate", "booth_a", "dashboard", "organiser", "api"]


@pytest.fixture
def as_role(app, fair, booth, other_booth, gate, booth_device, dashboard_device, api_device):
    """A request function for each role, on a fresh client each."""
    from fair.web import auth

    def make(role: str):
        client = app.test_client()
        headers = {}
        if role == "organiser":
            auth.create_organiser("admin", "correct horse")
            client.post("/login", data={"username": "admin", "password": "correct horse"})
        elif role != "anonymous":
            headers = {"gate": gate, "booth_a": booth_device, "dashboard": dashboard_device,
                       "api": api_device}[role].headers
        return lambda url: client.get(url, headers=headers)
    return make


@pytest.mark.parametrize("role, own, other", [
    ("anonymous", 401, 401), ("gate", 403, 403), ("booth_a", 200, 403), ("dashboard", 403, 403),
    ("organiser", 200, 200), ("api", 200, 200),
])
def test_lead_list_permissions_by_role(as_role, role, own, other):
    get = as_role(role)
    assert get("/api/v1/booths/A1/leads").status_code == own
    assert get("/api/v1/booths/B2/leads").status_code == other


# Export URLs are links on pages: an anonymous browser is sent to sign in (302), not given a 401.
@pytest.mark.parametrize("role, own, other, all_booths", [
    ("anonymous", 302, 302, 302), ("gate", 403, 403, 403), ("booth_a", 200, 403, 403),
    ("dashboard", 403, 403, 403), ("organiser", 200, 200, 200), ("api", 200, 200, 200),
])
def test_lead_export_permissions_by_role(as_role, role, own, other, all_booths):
    get = as_role(role)
    assert get("/booths/A1/leads/export.csv").status_code == own
    assert get("/booths/B2/leads/export.xlsx").status_code == other
    assert get("/organiser/leads/export.csv").status_code == all_booths
    expected = (own == 200) + (other == 200) + (all_booths == 200)
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "export.leads")) == expected


def test_lead_list_shows_only_the_booths_own_leads(client, fair, booth_device, other_booth_device, attendee_token):
    other_person = factories.make_attendee(fair, ref="A2")
    client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1"}, headers=booth_device.headers)
    client.post("/api/v1/booths/B2/scans", json={"code": factories.token_of(other_person), "nonce": "n1"},
                headers=other_booth_device.headers)
    leads = client.get("/api/v1/booths/A1/leads", headers=booth_device.headers).get_json()["leads"]
    assert [lead["booth"] for lead in leads] == ["A1"]


def test_socket_scan_answers_like_http_and_reaches_the_booths_other_phones_only(
        client, fair, booth, booth_device, other_booth_device, attendee_token, live_client):
    second_phone = factories.make_device(fair, "booth", "Khun Malee's phone", booth)
    scanning = live_client(booth_device.token)
    colleague = live_client(second_phone.token)
    stranger = live_client(other_booth_device.token)
    ack = scanning.emit("scan", {"code": attendee_token, "nonce": "s1"}, namespace=live.NAMESPACE, callback=True)
    assert ack["status"] == "ok"
    # An offline replay of the same scan over HTTP gets exactly the socket's answer.
    over_http = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "s1"},
                            headers=booth_device.headers).get_json()
    assert over_http == ack
    live.flush()
    received = _events(colleague)
    assert [(e["type"], e["id"]) for e in received] == [("lead", ack["lead_id"])]
    assert received[0]["lead"]["candidate"]["name"] == "สมชาย ใจดี"
    assert _events(stranger) == []
    # An edit from the colleague's phone reaches the scanning phone.
    client.patch(f"/api/v1/booths/A1/leads/{ack['lead_id']}", json={"nonce": "e1", "rating": 4},
                 headers=second_phone.headers)
    live.flush()
    assert [e["lead"]["rating"] for e in _events(scanning) if e["type"] == "lead"][-1] == 4
    assert _events(stranger) == []


def test_socket_scan_with_bad_input_answers_an_error_and_stores_nothing(booth_device, attendee_token, live_client):
    phone = live_client(booth_device.token)
    ack = phone.emit("scan", {"code": attendee_token, "nonce": "s1", "rating": 11}, namespace=live.NAMESPACE,
                     callback=True)
    assert ack["error"] == "invalid_input"
    assert _count(Lead) == 0 and _count(LeadScan) == 0


def test_csv_export_parses_back_with_consent_respected(client, fair, booth_device, attendee_token):
    shy = factories.make_attendee(fair, ref="A-SHY", first_name="มาลี", consent_share_profile=False)
    client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1", "rating": 5,
                                                 "tags": ["Call back"], "notes": "ok"}, headers=booth_device.headers)
    client.post("/api/v1/booths/A1/scans", json={"code": factories.token_of(shy), "nonce": "n2"},
                headers=booth_device.headers)
    answer = client.get("/booths/A1/leads/export.csv", headers=booth_device.headers)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = {r["attendee_ref"] or r["candidate"]: r
            for r in csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig")))}
    assert rows["A1"]["name"] == "สมชาย ใจดี" and rows["A1"]["rating"] == "5" and rows["A1"]["tags"] == "Call back"
    private = rows[factories.pseudonym_at(booth_device.device.booth, shy)]
    assert private["name"] == "" and private["phone"] == "" and private["email"] == ""
    assert "มาลี" not in answer.data.decode("utf-8-sig")
    audit = db.session.scalars(db.select(AuditEvent).filter_by(action="export.leads")).one()
    assert audit.actor == f"device:{booth_device.device.id}" and audit.subject == "booth:A1"
    assert audit.details == {"rows": 2, "format": "csv"}


def test_xlsx_export_opens_in_openpyxl_and_each_export_is_audited(organiser_client, fair, booth_device,
                                                                   attendee_token, client):
    client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1", "rating": 3},
                headers=booth_device.headers)
    for _ in range(2):
        answer = organiser_client.get("/booths/A1/leads/export.xlsx")
        assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("lead_id", "booth", "candidate")
    assert rows[1][1] == "A1" and rows[1][4] == "สมชาย ใจดี" and rows[1][10] == 3
    audits = db.session.scalars(db.select(AuditEvent).filter_by(action="export.leads")).all()
    assert len(audits) == 2 and all(a.actor.startswith("organiser:") for a in audits)


def test_unknown_export_format_is_404(organiser_client, fair, booth):
    assert organiser_client.get("/booths/A1/leads/export.pdf").status_code == 404
    assert _count(AuditEvent) == 0 or not db.session.scalars(
        db.select(AuditEvent).filter_by(action="export.leads")).all()
