"""Booth pages: pairing a recruiter's phone, the booth page, lead lists, devices and pairing sheets."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from fair.organiser import devices
from fair.booths import services
from fair.extensions import db
from fair.core.models import AuditEvent, Device, PairingCode
from fair.core.timeutil import utcnow
from tests import factories


def _path(url: str) -> str:
    return url.split("5000", 1)[1]  # BASE_URL is http://fair.test:5000 in tests


@pytest.fixture
def other_booth(fair):
    return factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]


@pytest.fixture
def paired_phone(app, booth):
    """A browser paired as a booth phone through its pairing link, as a recruiter would."""
    paired = devices.pair("booth", devices.default_booth_name(booth), booth, actor="test")
    phone = app.test_client()
    answer = phone.get(_path(paired.url))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/booth")
    phone.device_id = paired.id
    return phone


def test_booth_page_needs_a_booth_device_session(organiser_client, app, gate):
    anonymous = app.test_client()
    assert anonymous.get("/booth").status_code == 401  # a page saying to pair the phone, not the sign-in
    assert organiser_client.get("/booth").status_code == 403
    paired_gate = devices.pair("gate", "Gate 9", actor="test")
    gate_browser = app.test_client()
    gate_browser.get(_path(paired_gate.url))
    assert gate_browser.get("/booth").status_code == 403


def test_booth_page_carries_its_data_and_a_page_token_not_the_device_token(paired_phone, booth, attendee, booth_device, attendee_token):
    factories.make_job(booth.employer, ref="J1", title="Forklift driver")
    services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    page = paired_phone.get("/booth")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="booth-data">(.*?)</script>', html, re.S)[1])
    strings = json.loads(re.search(r'<script type="application/json" id="i18n">(.*?)</script>', html, re.S)[1])
    assert data["booth"] == "A1" and data["jobs"] == [{"ref": "J1", "title": "Forklift driver"}]
    assert data["scan_url"] == "/api/v1/booths/A1/scans"
    assert [lead["candidate"]["name"] for lead in data["leads"]] == ["สมชาย ใจดี"]
    assert strings["scan.ok"] and "{n}" in strings["queue.pending"]
    assert 'name="csrf-token"' in html and 'data-page="booth"' in html
    # The page token (auth.page_token) authenticates its writes; the device's own bearer token never
    # reaches the page.
    from fair.web.auth import PAGE_TOKEN_PREFIX
    assert data["page_token"].startswith(PAGE_TOKEN_PREFIX)
    assert booth_device.token not in html


def test_page_data_cannot_break_out_of_its_script_block(paired_phone, fair, booth, booth_device):
    sly = factories.make_attendee(fair, ref="A-X", first_name="</script><script>alert(1)</script>")
    services.capture_lead(booth_device.device, booth, code=factories.token_of(sly), nonce="n1")
    html = paired_phone.get("/booth").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_a_new_phone_is_asked_for_its_name_once(paired_phone):
    assert "Whose phone is this?" in paired_phone.get("/booth", headers={"Accept-Language": "en"}).get_data(as_text=True)
    answer = paired_phone.post("/booth/name", data={"name": "Khun Somchai's phone"})
    assert answer.status_code == 302
    device = db.session.get(Device, paired_phone.device_id)
    assert device.name == "Khun Somchai's phone"
    assert db.session.scalars(db.select(AuditEvent).filter_by(action="device.rename")).one().details["to"] == \
        "Khun Somchai's phone"
    assert "Whose phone is this?" not in paired_phone.get("/booth", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_skipping_the_name_keeps_the_default_and_stops_asking(paired_phone, booth):
    paired_phone.post("/booth/name", data={"skip": "1"})
    assert db.session.get(Device, paired_phone.device_id).name == "A1 phone"
    assert "Whose phone is this?" not in paired_phone.get("/booth", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_pairing_codes_are_single_use_and_expire(app, booth):
    used = devices.pair("booth", "A1 phone", booth, actor="test")
    assert app.test_client().get(_path(used.url)).status_code == 302
    assert app.test_client().get(_path(used.url)).status_code == 404  # a photographed sheet is dead once used
    stale = devices.pair("booth", devices.default_booth_name(booth), booth, actor="test")
    db.session.execute(db.update(PairingCode).where(PairingCode.device_id == stale.id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    late = app.test_client()
    assert late.get(_path(stale.url)).status_code == 404
    assert late.get("/booth").status_code == 401  # not paired


def test_pairing_sheet_page_is_for_the_organiser_only(app, organiser_client, paired_phone, booth):
    assert app.test_client().get("/organiser/booths/pairing-sheets").status_code == 302
    assert paired_phone.get("/organiser/booths/pairing-sheets").status_code == 403
    assert paired_phone.post("/organiser/booths/pairing-sheets", data={"booth": "all"}).status_code == 403
    assert organiser_client.get("/organiser/booths/pairing-sheets").status_code == 200


def test_pairing_sheets_have_one_working_qr_per_booth(app, organiser_client, booth, other_booth):
    before = db.session.scalar(db.select(db.func.count()).select_from(Device))
    html = organiser_client.post("/organiser/booths/pairing-sheets", data={"booth": "all"}).get_data(as_text=True)
    assert html.count('class="pairing-sheet"') == 2 and html.count("<svg") == 2
    assert "Siam Packing Co., Ltd." in html and "Chao Phraya Foods" in html
    links = re.findall(r"http://fair\.test:5000/pair/[\w-]+", html)
    assert len(set(links)) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Device)) == before + 2
    for link, code in zip(sorted(set(links), key=html.index), ("A1", "B2")):
        phone = app.test_client()
        assert phone.get(_path(link)).headers["Location"].endswith("/booth")
        with phone.session_transaction() as session:
            assert db.session.get(Device, session["device_id"]).booth.code == code


def test_a_sheet_for_one_booth(organiser_client, booth, other_booth):
    html = organiser_client.post("/organiser/booths/pairing-sheets", data={"booth": "B2"}).get_data(as_text=True)
    assert html.count('class="pairing-sheet"') == 1 and "Chao Phraya Foods" in html


def test_devices_page_lists_devices_with_their_state(organiser_client, paired_phone, booth, gate):
    devices.rename(db.session.get(Device, paired_phone.device_id), "Khun Somchai's phone", actor="test")
    waiting = devices.pair("booth", devices.default_booth_name(booth), booth, actor="test")
    html = organiser_client.get("/organiser/devices", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Khun Somchai&#39;s phone" in html and gate.device.name in html
    assert "Waiting to be paired" in html and "In use" in html
    assert f"/organiser/devices/{waiting.id}/revoke" in html


def test_organiser_adds_a_booth_phone_and_a_gate_from_the_devices_page(app, organiser_client, booth):
    html = organiser_client.post("/organiser/devices", data={"kind": "booth", "booth": "A1"}).get_data(as_text=True)
    link = re.search(r"http://fair\.test:5000/pair/[\w-]+", html)[0]
    assert "<svg" in html
    phone = app.test_client()
    assert phone.get(_path(link)).headers["Location"].endswith("/booth")
    html = organiser_client.post("/organiser/devices", data={"kind": "gate", "name": "Gate 3"}).get_data(as_text=True)
    link = re.search(r"http://fair\.test:5000/pair/[\w-]+", html)[0]
    assert app.test_client().get(_path(link)).headers["Location"].endswith("/gate")
    assert organiser_client.post("/organiser/devices", data={"kind": "api", "name": "x"}).status_code == 302
    assert organiser_client.post("/organiser/devices", data={"kind": "booth", "booth": "ZZ"}).status_code == 302


def test_revoke_from_the_devices_page_stops_the_device(app, organiser_client, paired_phone, booth_device,
                                                       attendee_token):
    assert paired_phone.get("/booth").status_code == 200
    for device_id in (paired_phone.device_id, booth_device.device.id):
        answer = organiser_client.post(f"/organiser/devices/{device_id}/revoke", data={"confirm": "yes"})
        assert answer.status_code == 302
    assert paired_phone.get("/booth").status_code == 401  # the paired session is gone
    scan = app.test_client().post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1"},
                       headers=booth_device.headers)
    assert scan.status_code == 401
    audit = db.session.scalars(db.select(AuditEvent).filter_by(action="device.revoke")).all()
    assert len(audit) == 2 and all(a.actor.startswith("organiser:") for a in audit)


def test_revoke_needs_the_organiser(paired_phone, booth_device):
    assert paired_phone.post(f"/organiser/devices/{booth_device.device.id}/revoke",
                             data={"confirm": "yes"}).status_code == 403
    assert db.session.get(Device, booth_device.device.id).active


def test_booth_writes_from_the_page_need_the_csrf_header(app, paired_phone, attendee_token):
    app.config["WTF_CSRF_ENABLED"] = True
    html = paired_phone.get("/booth").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
    body = {"code": attendee_token, "nonce": "n1"}
    assert paired_phone.post("/api/v1/booths/A1/scans", json=body).status_code == 400
    answer = paired_phone.post("/api/v1/booths/A1/scans", json=body, headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"
    lead_id = answer.get_json()["lead_id"]
    assert paired_phone.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e1", "rating": 2}).status_code == 400
    assert paired_phone.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e1", "rating": 2},
                              headers={"X-CSRFToken": token}).status_code == 200


def test_booth_lead_list_searches_and_sorts_its_own_leads(paired_phone, fair, booth, other_booth, booth_device):
    theirs = factories.make_device(fair, "booth", "B2 phone", other_booth)
    one = factories.make_attendee(fair, ref="P1", first_name="สมหญิง", skills=["sewing"])
    two = factories.make_attendee(fair, ref="P2", first_name="ประเสริฐ", skills=["welding"])
    three = factories.make_attendee(fair, ref="P3", first_name="คนอื่น")
    services.capture_lead(booth_device.device, booth, code=factories.token_of(one), nonce="n1", rating=2)
    services.capture_lead(booth_device.device, booth, code=factories.token_of(two), nonce="n2", rating=5)
    services.capture_lead(theirs.device, other_booth, code=factories.token_of(three), nonce="n1")
    html = paired_phone.get("/booth/leads?sort=rating").get_data(as_text=True)
    assert html.index("ประเสริฐ") < html.index("สมหญิง") and "คนอื่น" not in html
    html = paired_phone.get("/booth/leads?q=sewing").get_data(as_text=True)
    assert "สมหญิง" in html and "ประเสริฐ" not in html
    assert "/booths/A1/leads/export.csv" in html and "/booths/A1/leads/export.xlsx" in html


def test_organiser_lead_list_covers_all_booths_with_a_filter(organiser_client, fair, booth, other_booth,
                                                             booth_device):
    theirs = factories.make_device(fair, "booth", "B2 phone", other_booth)
    one = factories.make_attendee(fair, ref="P1", first_name="สมหญิง")
    two = factories.make_attendee(fair, ref="P2", first_name="ประเสริฐ")
    services.capture_lead(booth_device.device, booth, code=factories.token_of(one), nonce="n1")
    services.capture_lead(theirs.device, other_booth, code=factories.token_of(two), nonce="n1")
    html = organiser_client.get("/organiser/leads").get_data(as_text=True)
    assert "สมหญิง" in html and "ประเสริฐ" in html and "/organiser/leads/export.xlsx" in html
    html = organiser_client.get("/organiser/leads?booth=B2").get_data(as_text=True)
    assert "ประเสริฐ" in html and "สมหญิง" not in html and "/booths/B2/leads/export.csv" in html
    assert organiser_client.get("/organiser/leads?booth=NOPE").status_code == 404


def test_device_use_is_recorded_as_last_seen(client, booth_device):
    assert booth_device.device.last_seen_at is None
    client.get("/api/v1/booths/A1/leads", headers=booth_device.headers)
    assert db.session.get(Device, booth_device.device.id).last_seen_at is not None
