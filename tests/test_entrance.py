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
