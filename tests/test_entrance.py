"""The entrance items of issue 15 at the service and API level: typos explained, undo as a
correction, search by name or phone, the gate's counts, the offline roster, unpaired phones."""
from __future__ import annotations

import pytest

from fair.checkin import cards, natid, services
from fair.checkin.models import Attendee, CheckIn
from fair.checkin.services import check_in
from fair.extensions import db
from tests import factories


def national_id(first_twelve: str = "110170020345") -> str:
    return first_twelve + str(natid.national_id_check_digit(first_twelve))


MIXED = "AB3DEFGH" + cards.manual_check_char("AB3DEFGH")


def wrong_check(code: str) -> str:
    return code[:8] + next(c for c in cards.MANUAL_ALPHABET if c != code[8])


# --- typos ----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, problem", [
    (wrong_check(MIXED), "check_character"),
    (MIXED[1] + MIXED[0] + MIXED[2:], "check_character"),     # two characters swapped
    (MIXED[:8], "length"),
    (MIXED + "2", "length"),
    ("AB3OEFGHJ", "character"),
    (national_id()[:12] + str((int(national_id()[12]) + 1) % 10), "id_check_digit"),
])
def test_a_typo_in_a_typed_code_is_said_so_not_unknown(gate, attendee, typed, problem):
    result = check_in(gate.device, typed, "n1")
    assert (result.status, result.problem) == ("mistyped", problem)
    assert result.as_json()["problem"] == problem
    row = db.session.scalar(db.select(CheckIn))
    assert row.status == "mistyped" and row.attendee_id is None
    assert not db.session.get(Attendee, attendee.id).inside


def test_a_retried_typo_gets_the_same_answer_with_its_problem(gate, attendee):
    first = check_in(gate.device, MIXED[:8], "n1")
    again = check_in(gate.device, MIXED[:8], "n1")
    assert again.status == "mistyped" and again.problem == first.problem == "length"


@pytest.mark.parametrize("typed", ["hello world", "Somchai", "0812345678", "SJW1.TOOSHORT"])
def test_names_phone_numbers_and_noise_stay_unknown(gate, attendee, typed):
    result = check_in(gate.device, typed, "n1")
    assert result.status == "unknown" and result.problem is None


def test_a_booth_scan_of_a_typo_keeps_the_booth_statuses(booth_device, booth, attendee):
    from fair.booths import services as booths
    result = booths.capture_lead(booth_device.device, booth, wrong_check(MIXED), nonce="n1")
    assert result.status == "unknown"


def test_the_http_answer_carries_the_problem(client, gate, attendee):
    answer = client.post("/api/v1/checkins", headers=gate.headers,
                         json={"code": MIXED[:8], "nonce": "n1"}).get_json()
    assert answer["status"] == "mistyped" and answer["problem"] == "length"


# --- phones that are not (or no longer) paired ------------------------------------------------

def _pair(client, device) -> None:
    with client.session_transaction() as session:
        session["device_id"] = device.device.id


def test_an_unpaired_phone_opening_the_gate_is_told_to_get_paired_not_sent_to_sign_in(client, fair):
    for lang, words in (("en", "This phone is not paired as a gate"), ("th", "โทรศัพท์นี้ยังไม่ได้จับคู่เป็นเครื่องที่จุดเข้า-ออก")):
        page = client.get("/gate", headers={"Accept-Language": lang})
        assert page.status_code == 401 and "Location" not in page.headers
        html = page.get_data(as_text=True)
        assert words in html and 'data-reason="unpaired"' in html
    assert "pair this phone again" in client.get("/gate", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_revoked_phone_is_told_its_pairing_was_revoked_on_every_visit(app, client, fair, gate):
    from fair.web import auth
    _pair(client, gate)
    assert client.get("/gate").status_code == 200
    auth.revoke_device(gate.device, actor="test")
    for _visit in range(2):   # a reload still says why, not "not paired"
        page = client.get("/gate", headers={"Accept-Language": "en"})
        assert page.status_code == 401
        assert "This phone is no longer paired" in page.get_data(as_text=True)
    booth_page = client.get("/booth", headers={"Accept-Language": "en"})
    assert 'data-reason="revoked"' in booth_page.get_data(as_text=True)


def test_a_booth_phone_or_the_organiser_on_the_gate_page_get_a_page_saying_so(client, organiser_client, fair,
                                                                             booth_device):
    organiser_page = organiser_client.get("/gate", headers={"Accept-Language": "en"})
    assert organiser_page.status_code == 403 and 'data-reason="organiser"' in organiser_page.get_data(as_text=True)
    other = organiser_client.application.test_client()
    _pair(other, booth_device)
    page = other.get("/gate", headers={"Accept-Language": "en"})
    assert page.status_code == 403 and "paired as a booth phone" in page.get_data(as_text=True)


def test_the_gate_api_still_answers_json_401_to_an_unpaired_caller(client, fair):
    answer = client.post("/api/v1/checkins", json={"code": "x", "nonce": "n"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
