"""Booth scan receipts in the database: written versioned (fair.booths.receipts), and receipts an
older version stored as the plain dataclass dict are replayed as they were (issue 13)."""
from __future__ import annotations

from fair.booths import services
from fair.booths.models import Lead, LeadScan
from fair.booths.receipts import RECEIPT_VERSION
from fair.checkin import services as checkin_services
from fair.extensions import db
from fair.organiser import privacy
from fair.core.timeutil import utcnow
from tests import factories


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _old_receipt(device, nonce: str, response: dict, lead_id: int | None = None, status: str = "ok") -> None:
    """A receipt row as the version before this one wrote it: result.__dict__, no "v"."""
    now = utcnow()
    db.session.add(LeadScan(device_id=device.id, nonce=nonce, lead_id=lead_id, status=status, scanned_at=now,
                            received_at=now, response=response))
    db.session.commit()


def test_a_new_receipt_is_stored_with_its_version(booth, booth_device, attendee_token):
    result = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    receipt = db.session.scalars(db.select(LeadScan)).one()
    assert result.lead["candidate"] == result.candidate and result.candidate["pseudonym"]
    lead_without_candidate = {key: value for key, value in result.lead.items() if key != "candidate"}
    assert receipt.response == {"v": RECEIPT_VERSION, **result.as_json(), "lead": lead_without_candidate,
                               "lead_has_candidate": True}
    replay = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    assert replay == result and replay.lead["candidate"] == result.candidate


def test_a_version_2_receipt_with_the_candidate_twice_is_replayed_as_answered(booth, booth_device, attendee_token):
    first = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    lead = {**first.lead, "candidate": {"pseudonym": "other"}}
    _old_receipt(booth_device.device, "v2", {"v": 2, **first.as_json(), "lead": lead}, first.lead_id)
    replay = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="v2")
    assert replay.lead == lead and replay.candidate == first.candidate


def test_an_old_format_receipt_is_replayed_as_first_answered(booth, booth_device, attendee, attendee_token, client):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="first").lead_id
    lead = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="again").lead
    candidate = {"pseudonym": services.booth_pseudonym(booth.id, attendee.id), "education": "bachelor"}
    old = {"status": "ok", "lead_id": lead_id, "candidate": candidate,
           "matches": [{"job_ref": "J1", "score": 70.0, "reasons": ["forklift"]}], "lead": lead}
    _old_receipt(booth_device.device, "offline-1", old, lead_id)
    scans, leads = _count(LeadScan), _count(Lead)

    replay = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="offline-1", rating=1)
    assert replay.as_json() == {key: value for key, value in old.items()}
    assert _count(LeadScan) == scans and _count(Lead) == leads
    assert db.session.get(Lead, lead_id).rating is None          # the retry changed nothing

    over_http = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "offline-1"},
                            headers=booth_device.headers)
    assert over_http.status_code == 200 and over_http.get_json()["matches"] == old["matches"]


def test_an_old_receipt_from_before_leads_were_in_the_answer_and_an_old_edit(booth, booth_device, attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    _old_receipt(booth_device.device, "e-old", {"status": "updated", "lead_id": lead_id, "candidate": None,
                                                "matches": []}, lead_id, status="updated")
    again = services.update_lead(booth_device.device, booth, lead_id, nonce="e-old", rating=5)
    assert (again.status, again.lead_id, again.lead) == ("updated", lead_id, None)
    assert db.session.get(Lead, lead_id).rating is None


def test_a_receipt_this_version_cannot_read_answers_from_its_row_not_a_500(booth, booth_device, attendee_token,
                                                                           client):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    _old_receipt(booth_device.device, "future", {"v": RECEIPT_VERSION + 1, "outcome": "ok"}, lead_id)
    answer = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "future"},
                         headers=booth_device.headers)
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "lead_id": lead_id, "candidate": None, "matches": []}


def test_erasure_and_deletion_rewrite_old_receipts_in_the_current_version(fair, gate, booth, booth_device):
    person = factories.make_attendee(fair, ref="E1", first_name="สมชาย", phone="0812345678")
    token = factories.token_of(person)
    checkin_services.check_in(gate.device, token, "in-e1")
    lead_id = services.capture_lead(booth_device.device, booth, code=token, nonce="n1").lead_id
    _old_receipt(booth_device.device, "old-1", {"status": "updated", "lead_id": lead_id,
                                                "candidate": {"phone": "0812345678"}, "matches": []}, lead_id,
                 status="updated")
    privacy.erase_attendee(person, actor="test", checkpoint=False)
    for receipt in db.session.scalars(db.select(LeadScan).where(LeadScan.lead_id == lead_id)):
        assert receipt.response["v"] == RECEIPT_VERSION and receipt.response["candidate"] is None
        assert receipt.response["lead_id"] == lead_id
    assert services.capture_lead(booth_device.device, booth, code=token, nonce="old-1").status == "updated"

    services.delete_lead(booth, lead_id, actor="test")
    responses = [r.response for r in db.session.scalars(db.select(LeadScan))]
    assert responses and all(r == {"v": RECEIPT_VERSION, "status": r["status"], "lead_id": None, "candidate": None,
                                   "matches": [], "lead": None} for r in responses)
    assert {r["status"] for r in responses} == {"ok", "updated"}
