"""Lead capture at booths: the services behind the booth page, its socket and its API."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fair.organiser import devices, exports
from fair.booths import services
from fair.booths.models import Lead, LeadScan
from fair.checkin import cards
from fair.checkin import services as checkin_services
from fair.web.errors import InvalidInput
from fair.extensions import db
from fair.core.timeutil import utcnow
from tests import factories


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def forged_token(fair, serial: int) -> str:
    """A token that claims this fair but is signed with somebody else's key."""
    other, _public = cards.generate_signing_key()
    payload = cards.key_tag(fair.public_key) + serial.to_bytes(cards.SERIAL_BYTES, "big")
    signature = Ed25519PrivateKey.from_private_bytes(other).sign(payload)
    return cards.TOKEN_PREFIX + cards._base32(payload + signature)


@pytest.fixture
def other_booth(fair):
    return factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]


def test_first_scan_creates_a_lead_with_the_candidate_and_matches(booth_device, booth, attendee, attendee_token):
    job = factories.make_job(booth.employer, ref="J1")
    result = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    assert result.status == "ok"
    assert result.candidate["name"] == "สมชาย ใจดี" and result.candidate["shared"] is True
    assert [m["job_ref"] for m in result.matches] == [job.ref]
    lead = db.session.get(Lead, result.lead_id)
    assert lead.booth_id == booth.id and lead.attendee_id == attendee.id and lead.device_id == booth_device.device.id


def test_second_scan_of_the_same_attendee_updates_the_one_lead(booth_device, booth, attendee_token):
    first = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    again = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n2", rating=4)
    assert again.status == "updated" and again.lead_id == first.lead_id
    assert _count(Lead) == 1
    assert db.session.get(Lead, first.lead_id).rating == 4


def test_another_phone_of_the_booth_scanning_the_same_card_updates_too(fair, booth, booth_device, attendee_token):
    second_phone = factories.make_device(fair, "booth", "Khun Malee's phone", booth)
    first = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    again = services.capture_lead(second_phone.device, booth, code=attendee_token, nonce="n1")
    assert again.status == "updated" and again.lead_id == first.lead_id and _count(Lead) == 1


def test_nonce_replayed_after_an_offline_period_returns_the_first_answer(booth_device, booth, attendee_token):
    scanned_at = utcnow() - timedelta(hours=3)  # scanned in the morning, queued while the Wi-Fi was down
    first = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1",
                                  scanned_at=scanned_at, rating=5)
    scans_before = _count(LeadScan)
    replay = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1",
                                   scanned_at=scanned_at, rating=5)
    assert replay.as_json() == first.as_json()
    assert _count(LeadScan) == scans_before and _count(Lead) == 1
    assert db.session.get(Lead, first.lead_id).first_scanned_at == scanned_at


def test_update_lead_changes_fields_and_replays_by_nonce(booth_device, booth, attendee_token):
    job = factories.make_job(booth.employer, ref="J1")
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    result = services.update_lead(booth_device.device, booth, lead_id, nonce="e1", rating=3, tags=["Call back"],
                                  notes="Good with forklifts", next_step="shortlisted", job_ref=job.ref)
    assert result.status == "updated"
    assert result.lead["rating"] == 3 and result.lead["tags"] == ["Call back"]
    assert result.lead["next_step"] == "shortlisted" and result.lead["job_ref"] == "J1"
    again = services.update_lead(booth_device.device, booth, lead_id, nonce="e1", rating=1)
    assert again.as_json() == result.as_json()
    assert db.session.get(Lead, lead_id).rating == 3


def test_a_booth_device_cannot_capture_or_edit_for_another_booth(booth_device, booth, other_booth, attendee_token):
    with pytest.raises(InvalidInput) as refused:
        services.capture_lead(booth_device.device, other_booth, code=attendee_token, nonce="n1")
    assert refused.value.status == 403
    assert _count(Lead) == 0 and _count(LeadScan) == 0
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    with pytest.raises(InvalidInput) as refused:
        services.update_lead(booth_device.device, other_booth, lead_id, nonce="e1", rating=1)
    assert refused.value.status == 403


def test_a_lead_of_another_booth_cannot_be_edited_through_this_booth(fair, booth_device, booth, other_booth,
                                                                      attendee_token):
    theirs = factories.make_device(fair, "booth", "B2 phone", other_booth)
    their_lead = services.capture_lead(theirs.device, other_booth, code=attendee_token, nonce="n1").lead_id
    with pytest.raises(InvalidInput) as refused:
        services.update_lead(booth_device.device, booth, their_lead, nonce="e1", rating=5)
    assert refused.value.status == 404
    assert db.session.get(Lead, their_lead).rating is None


def test_without_consent_a_booth_sees_and_exports_only_pseudonym_education_skills(fair, booth_device, booth):
    shy = factories.make_attendee(fair, ref="A-SHY", first_name="มาลี", last_name="ศรีสุข", phone="0899999999",
                                  email="malee@example.com", consent_share_profile=False, education="vocational",
                                  national_id="1101700203451")
    result = services.capture_lead(booth_device.device, booth, code=factories.token_of(shy), nonce="n1")
    view = result.candidate
    assert view["shared"] is False
    assert set(view) == {"pseudonym", "education", "skills", "shared"}
    assert view["education"] == "vocational" and view["skills"] == ["forklift", "Excel"]
    text = str(result.as_json())
    for secret in ("มาลี", "ศรีสุข", "0899999999", "malee@example.com", "A-SHY", "1101700203451"):
        assert secret not in text
    data, count = exports.export_bytes("leads", "csv", booth.code, actor="test")
    exported = data.decode("utf-8-sig")
    assert count == 1 and view["pseudonym"] in exported
    for secret in ("มาลี", "ศรีสุข", "0899999999", "malee@example.com", "A-SHY", "1101700203451"):
        assert secret not in exported


def test_search_sees_only_what_consent_allows(fair, booth_device, booth):
    shy = factories.make_attendee(fair, ref="A-SHY", first_name="มาลี", consent_share_profile=False,
                                  skills=["welding"])
    open_ = factories.make_attendee(fair, ref="A-OPEN", first_name="สมศักดิ์", skills=["cooking"])
    shy_id = services.capture_lead(booth_device.device, booth, code=factories.token_of(shy), nonce="n1").lead_id
    open_id = services.capture_lead(booth_device.device, booth, code=factories.token_of(open_),
                                    nonce="n2", notes="ready Monday").lead_id
    assert services.search_leads(fair.id, booth, "มาลี") == []  # no probing names without consent
    assert [v["id"] for v in services.search_leads(fair.id, booth, "WELDING")] == [shy_id]
    assert [v["id"] for v in services.search_leads(fair.id, booth, "สมศักดิ์")] == [open_id]
    assert [v["id"] for v in services.search_leads(fair.id, booth, "monday")] == [open_id]
    assert [v["id"] for v in services.search_leads(fair.id, booth, factories.pseudonym_at(booth, shy))] == [shy_id]


def test_leads_sort_by_rating_or_latest_scan(fair, booth_device, booth):
    ids = []
    for n, rating in enumerate((2, None, 5)):
        person = factories.make_attendee(fair, ref=f"S{n}")
        ids.append(services.capture_lead(booth_device.device, booth, code=factories.token_of(person),
                                         nonce=f"n{n}", rating=rating,
                                         scanned_at=utcnow() - timedelta(minutes=10 - n)).lead_id)
    assert [v["id"] for v in services.search_leads(fair.id, booth, sort="time")] == ids[::-1]
    assert [v["id"] for v in services.search_leads(fair.id, booth, sort="rating")] == [ids[2], ids[0], ids[1]]


def test_a_job_of_another_employer_is_refused_and_nothing_stored(booth_device, booth, other_booth, attendee_token):
    foreign = factories.make_job(other_booth.employer, ref="J-THEIRS")
    with pytest.raises(InvalidInput) as refused:
        services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1", job_ref=foreign.ref)
    assert refused.value.status == 400 and refused.value.field == "job_ref"
    assert _count(Lead) == 0 and _count(LeadScan) == 0


@pytest.mark.parametrize("fields, field", [
    ({"rating": 0}, "rating"), ({"rating": 6}, "rating"),
    ({"notes": "x" * (services.MAX_NOTES + 1)}, "notes"), ({"next_step": "married"}, "next_step"),
])
def test_bad_fields_are_refused_and_nothing_stored(booth_device, booth, attendee_token, fields, field):
    with pytest.raises(InvalidInput) as refused:
        services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1", **fields)
    assert refused.value.field == field and 400 <= refused.value.status < 500
    assert _count(Lead) == 0 and _count(LeadScan) == 0
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n2").lead_id
    with pytest.raises(InvalidInput):
        services.update_lead(booth_device.device, booth, lead_id, nonce="e1", **fields)
    assert db.session.get(Lead, lead_id).rating is None and _count(LeadScan) == 1


def test_unknown_forged_revoked_and_foreign_cards_answer_their_status(fair, booth_device, booth, attendee):
    old_token = factories.token_of(attendee)
    checkin_services.replace_card(attendee, actor="test")
    other_key, _public = cards.generate_signing_key()
    serial = factories.card_of(attendee).serial
    cases = {
        "unknown": "SJW1.NOT-A-CARD",
        "invalid_signature": forged_token(fair, serial),
        "revoked": old_token,
        "wrong_fair": cards.make_token(other_key, serial),
    }
    for n, (status, code) in enumerate(cases.items()):
        result = services.capture_lead(booth_device.device, booth, code=code, nonce=f"n{n}")
        assert (result.status, result.lead_id, result.candidate) == (status, None, None)
    assert _count(Lead) == 0


def test_a_typed_manual_code_captures_the_lead(booth_device, booth, attendee):
    manual = factories.card_of(attendee).manual_code
    assert services.capture_lead(booth_device.device, booth, code=manual, nonce="n1").status == "ok"


def test_export_of_a_booth_holds_only_its_leads_and_is_audited(fair, booth_device, booth, other_booth, attendee):
    from fair.core.models import AuditEvent
    theirs = factories.make_device(fair, "booth", "B2 phone", other_booth)
    other_person = factories.make_attendee(fair, ref="A2", first_name="วิชัย")
    services.capture_lead(booth_device.device, booth, code=factories.token_of(attendee), nonce="n1", rating=5)
    services.capture_lead(theirs.device, other_booth, code=factories.token_of(other_person), nonce="n1")
    data, count = exports.export_bytes("leads", "csv", booth.code, actor=f"device:{booth_device.device.id}")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert count == 1 and [r["booth"] for r in rows] == ["A1"]
    assert rows[0]["name"] == "สมชาย ใจดี" and rows[0]["rating"] == "5"
    audit = db.session.scalars(db.select(AuditEvent).filter_by(action="export.leads")).all()
    assert [(a.actor, a.subject) for a in audit] == [(f"device:{booth_device.device.id}", "booth:A1")]


def test_a_recruiter_names_their_phone(fair, booth):
    paired = devices.pair("booth", devices.default_booth_name(booth), booth, actor="test")
    device = db.session.get(devices.Device, paired.id)
    assert devices.has_default_name(device)
    devices.rename(device, "  Khun Somchai's   phone ", actor=f"device:{device.id}")
    assert device.name == "Khun Somchai's phone" and not devices.has_default_name(device)
    with pytest.raises(devices.PairingError):
        devices.rename(device, "x" * (devices.MAX_NAME_LENGTH + 1), actor="test")
