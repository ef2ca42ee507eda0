"""Who may see what: each audience gets only what its allow-list names (fair.core.disclosure),
checked on what the services really produce, not on hand-made payloads."""
from __future__ import annotations

import pytest

from fair.core import disclosure
from fair.web import live
from fair.booths import services as booths
from fair.checkin.services import check_in
from fair.web.errors import InvalidInput
from fair.matching import services as matching
from tests import factories

SECRET_NOTE = "ขอเงินเดือนสูง call after 6pm"
SECRET_TAG = "ex-employee-blacklist"
SECRET_MESSAGE = "Ask for Khun Noi at the back"


@pytest.fixture
def warehouse(fair, booth):
    job = factories.make_job(booth.employer, ref="J-FORK", title="Forklift driver", skills_required=("forklift",),
                             experience_min_years=2, salary_max=18000, province="Chon Buri",
                             education_min="upper_secondary")
    return booth, job


def _events(client) -> list[dict]:
    return [e for m in client.get_received(live.NAMESPACE) if m["name"] == "events" for e in m["args"][0]]


# --- 3. contact details only for people the booth scanned ---------------------------------

def test_hall_list_hides_contacts_of_consenting_people_the_booth_never_scanned(client, fair, warehouse, gate,
                                                                                booth_device):
    booth, _ = warehouse
    seeker = factories.make_attendee(fair, ref="OPEN-1", first_name="สมศรี", phone="0861112222",
                                     email="somsri@example.com", consent_share_profile=True, skills=["forklift"])
    check_in(gate.device, factories.token_of(seeker), "in-1")
    listed = client.get("/api/v1/booths/A1/candidates", headers=booth_device.headers).json["candidates"]
    assert len(listed) == 1
    text = str(listed)
    for secret in ("สมศรี", "0861112222", "somsri@example.com", "OPEN-1"):
        assert secret not in text
    assert set(listed[0]["candidate"]) == set(disclosure.BOOTH_ALWAYS)

    booths.capture_lead(booth_device.device, booth, factories.token_of(seeker), "scan-1")
    listed = client.get("/api/v1/booths/A1/candidates", headers=booth_device.headers).json["candidates"]
    assert listed[0]["candidate"]["name"] == "สมศรี ใจดี" and listed[0]["candidate"]["phone"] == "0861112222"


def test_an_accepted_invitation_lets_the_booth_see_a_consenting_profile(fair, warehouse, gate, booth_device):
    booth, _ = warehouse
    seeker = factories.make_attendee(fair, first_name="วันดี", consent_share_profile=True, skills=["forklift"])
    check_in(gate.device, factories.token_of(seeker), "in-1")
    [before] = matching.candidates_in_hall(booth)
    assert before["candidate"]["shared"] is False
    invitation = matching.invite(booth_device.device, booth, before["candidate"]["pseudonym"])
    matching.answer_invitation(seeker, invitation.id, accept=True)
    [after] = matching.candidates_in_hall(booth)
    assert after["candidate"]["shared"] is True and after["candidate"]["name"] == "วันดี ใจดี"


def test_scanning_never_shares_the_profile_of_someone_who_did_not_consent(fair, warehouse, booth_device):
    booth, _ = warehouse
    shy = factories.make_attendee(fair, first_name="ลับ", consent_share_profile=False, skills=["forklift"])
    result = booths.capture_lead(booth_device.device, booth, factories.token_of(shy), "scan-1")
    assert set(result.candidate) == set(disclosure.BOOTH_ALWAYS) and "ลับ" not in str(result.as_json())


# --- 4. match reasons built from the booth's view ------------------------------------------

def _withheld_person(fair):
    return factories.make_attendee(fair, consent_share_profile=False, skills=["forklift"], experience_years=7,
                                   salary_expected=45000, desired_positions=["forklift driver"],
                                   province="Chon Buri", education="bachelor")


@pytest.mark.parametrize("lang", ["en", "th"])
def test_scan_reasons_never_mention_fields_the_booth_may_not_see(fair, warehouse, booth_device, lang):
    booth, _ = warehouse
    person = _withheld_person(fair)
    result = booths.capture_lead(booth_device.device, booth, factories.token_of(person), "scan-1", lang=lang)
    reasons = " ".join(r for match in result.matches for r in match["reasons"])
    assert result.matches and reasons
    for withheld in ("45,000", "45000", "7 ", "Chon Buri", "ชลบุรี", "relocate"):
        assert withheld not in reasons, (withheld, reasons)


def test_hall_reasons_use_only_education_and_skills(client, fair, warehouse, gate, booth_device):
    person = _withheld_person(fair)
    check_in(gate.device, factories.token_of(person), "in-1")
    listed = client.get("/api/v1/booths/A1/candidates?lang=en", headers=booth_device.headers).json["candidates"]
    reasons = " ".join(listed[0]["reasons"])
    assert reasons
    for withheld in ("45,000", "7 years", "Chon Buri", "province", "salary", "THB"):
        assert withheld not in reasons, (withheld, reasons)


def test_consented_and_scanned_reasons_still_use_the_shared_profile(fair, warehouse, booth_device):
    booth, _ = warehouse
    person = factories.make_attendee(fair, consent_share_profile=True, skills=["forklift"], experience_years=7,
                                     salary_expected=45000, province="Chon Buri")
    result = booths.capture_lead(booth_device.device, booth, factories.token_of(person), "scan-1", lang="en")
    reasons = " ".join(result.matches[0]["reasons"])
    assert "7 years" in reasons and "same province" in reasons
    assert "45,000" not in reasons  # the salary expectation is not part of any booth's view


# --- 5. big screens and other audiences get no free text ------------------------------------

def test_free_text_reaches_the_booth_and_the_organiser_but_no_screen(fair, warehouse, gate, booth_device,
                                                                      dashboard_device, live_client,
                                                                      organiser_client):
    booth, _ = warehouse
    other_booth = factories.make_employer(fair, ref="E2", booth_code="B2").booths[0]
    other_phone = factories.make_device(fair, "booth", "Other", other_booth)
    screen = live_client(dashboard_device.token)
    organiser = live_client(flask_client=organiser_client)
    gate_phone = live_client(gate.token)
    mine, theirs = live_client(booth_device.token), live_client(other_phone.token)
    person = factories.make_attendee(fair, first_name="ปรีดา", skills=["forklift"])
    check_in(gate.device, factories.token_of(person), "in-1")
    pseudonym = matching.candidates_in_hall(booth)[0]["candidate"]["pseudonym"]
    matching.invite(booth_device.device, booth, pseudonym, message=SECRET_MESSAGE)
    booths.capture_lead(booth_device.device, booth, factories.token_of(person), "scan-1", notes=SECRET_NOTE,
                        tags=[SECRET_TAG], rating=2)
    live.flush()
    screen_events = _events(screen)
    on_screen, at_gate = str(screen_events), str(_events(gate_phone))
    for secret in (SECRET_NOTE, SECRET_TAG, SECRET_MESSAGE, "ปรีดา", person.ref, pseudonym, "rating"):
        assert secret not in on_screen, secret
    for secret in (SECRET_NOTE, SECRET_TAG, SECRET_MESSAGE):
        assert secret not in at_gate
    assert {e["type"] for e in screen_events} == {"checkin", "invitation", "lead"}
    at_my_booth = str(_events(mine))
    assert SECRET_NOTE in at_my_booth and SECRET_MESSAGE in at_my_booth
    assert _events(theirs) == []
    assert SECRET_NOTE in str(_events(organiser))


def test_the_card_page_hears_of_a_visit_but_not_what_the_recruiter_wrote(fair, warehouse, booth_device,
                                                                         live_client):
    from fair.checkin.services import card_link
    booth, _ = warehouse
    person = factories.make_attendee(fair, skills=["forklift"])
    card_page = live_client(card=card_link(person))
    booths.capture_lead(booth_device.device, booth, factories.token_of(person), "scan-1", notes=SECRET_NOTE,
                        tags=[SECRET_TAG], rating=1)
    live.flush()
    [visit] = _events(card_page)
    assert visit["type"] == "visit" and visit["booth"] == "A1" and visit["employer"]
    assert SECRET_NOTE not in str(visit) and SECRET_TAG not in str(visit) and "rating" not in visit


def test_the_big_screen_page_shows_no_person(client, fair, warehouse, gate, booth_device, dashboard_device):
    from fair.organiser.dashboard import recent_events
    booth, _ = warehouse
    person = factories.make_attendee(fair, first_name="กมล", skills=["forklift"])
    check_in(gate.device, factories.token_of(person), "in-1")
    booths.capture_lead(booth_device.device, booth, factories.token_of(person), "scan-1", notes=SECRET_NOTE)
    feed = str(recent_events(fair.id, names=False))
    assert "กมล" not in feed and person.ref not in feed and SECRET_NOTE not in feed and "pseudonym" not in feed
    assert "กมล" in str(recent_events(fair.id, names=True))


# --- 18. per-booth pseudonyms, one answer for "cannot invite" --------------------------------

def test_pseudonyms_differ_between_booths_and_carry_no_database_id(fair, warehouse, booth_device):
    booth, _ = warehouse
    other_booth = factories.make_employer(fair, ref="E2", booth_code="B2").booths[0]
    person = factories.make_attendee(fair, skills=["forklift"])
    here, there = factories.pseudonym_at(booth, person), factories.pseudonym_at(other_booth, person)
    assert here != there and str(person.id) not in here
    assert booths.capture_lead(booth_device.device, booth, factories.token_of(person), "s").candidate["pseudonym"] == here


def test_invitation_answers_alike_for_unknown_absent_and_erased_people(client, fair, warehouse, gate,
                                                                       booth_device):
    from fair.organiser.privacy import erase_attendee
    booth, _ = warehouse
    absent = factories.make_attendee(fair, skills=["forklift"])  # registered, never came in
    erased = factories.make_attendee(fair, skills=["forklift"])
    check_in(gate.device, factories.token_of(erased), "in-1")
    erased_name = factories.pseudonym_at(booth, erased)
    erase_attendee(erased, actor="test")
    answers = [client.post("/api/v1/booths/A1/invitations", json={"candidate": name}, headers=booth_device.headers)
               for name in ("#AAAAAAA", factories.pseudonym_at(booth, absent), erased_name)]
    assert {a.status_code for a in answers} == {404}
    assert len({a.get_data() for a in answers}) == 1
    with pytest.raises(InvalidInput):
        matching.invite(booth_device.device, booth, str(absent.id))


# --- 8. only gates (and the organiser) look people up by national ID --------------------------

def test_a_booth_phone_cannot_find_people_by_national_id(client, fair, booth_device, gate):
    number = "110170020345"
    from fair.checkin import natid
    number += str(natid.national_id_check_digit(number))
    factories.make_attendee(fair, ref="NID", first_name="บุญมี", national_id=number)
    at_booth = client.post("/api/v1/booths/A1/scans", json={"code": number, "nonce": "b1"},
                           headers=booth_device.headers)
    assert at_booth.status_code == 200 and at_booth.json["status"] == "unknown"
    assert "บุญมี" not in at_booth.get_data(as_text=True)
    at_gate = client.post("/api/v1/checkins", json={"code": number, "nonce": "g1"}, headers=gate.headers)
    assert at_gate.json["status"] == "ok" and at_gate.json["attendee"]["ref"] == "NID"
