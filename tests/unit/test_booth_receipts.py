"""fair.booths.receipts: the stored shape of a booth scan's answer, versioned; old receipts still read."""
from __future__ import annotations

import json

import pytest

from fair.booths.receipts import RECEIPT_VERSION, LeadResult, ReceiptUnreadable, replayed

CANDIDATE = {"pseudonym": "K7Q2M9", "education": "vocational", "skills": ["forklift"]}
LEAD = {"id": 7, "booth": "A1", "rating": 4, "next_step": "shortlisted"}
MATCHES = [{"job_ref": "J1", "score": 81.5, "reasons": ["forklift"]}]


def test_a_receipt_is_written_field_by_field_with_its_version_and_reads_back():
    result = LeadResult("ok", 7, CANDIDATE, MATCHES, LEAD)
    stored = json.loads(json.dumps(result.to_receipt()))     # what the JSON column gives back
    assert stored == {"v": RECEIPT_VERSION, "status": "ok", "lead_id": 7, "candidate": CANDIDATE,
                      "matches": MATCHES, "lead": LEAD}
    assert LeadResult.from_receipt(stored) == result


def test_the_candidate_a_lead_carries_is_stored_once_and_read_back_into_the_lead():
    lead = {**LEAD, "candidate": CANDIDATE}
    result = LeadResult("ok", 7, CANDIDATE, MATCHES, lead)
    stored = json.loads(json.dumps(result.to_receipt()))
    assert stored["lead"] == LEAD and stored["candidate"] == CANDIDATE
    assert LeadResult.from_receipt(stored) == result
    other = LeadResult("ok", 7, CANDIDATE, MATCHES, {**LEAD, "candidate": {"pseudonym": "OTHER1"}})
    assert LeadResult.from_receipt(json.loads(json.dumps(other.to_receipt()))) == other


def test_version_one_receipts_the_plain_dataclass_dict_still_read():
    old = {"status": "updated", "lead_id": 7, "candidate": CANDIDATE, "matches": MATCHES, "lead": LEAD}
    assert LeadResult.from_receipt(old) == LeadResult("updated", 7, CANDIDATE, MATCHES, LEAD)
    # the oldest ones, from before the lead was part of the answer, and a refused card's
    oldest = {"status": "ok", "lead_id": 3, "candidate": CANDIDATE, "matches": []}
    assert LeadResult.from_receipt(oldest) == LeadResult("ok", 3, CANDIDATE, [], None)
    refused = {"status": "revoked", "lead_id": None, "candidate": None, "matches": [], "lead": None}
    assert LeadResult.from_receipt(refused).as_json() == {"status": "revoked", "lead_id": None,
                                                          "candidate": None, "matches": []}


@pytest.mark.parametrize("stored", [
    None, [], "ok",
    {"v": RECEIPT_VERSION + 1, "status": "ok", "lead_id": 1},     # a newer version wrote it
    {"v": 2, "lead_id": 1},                                        # no status
    {"status": "", "lead_id": 1},
    {"status": "ok", "lead_id": "7"},
    {"status": "ok", "lead_id": True},
    {"status": "ok", "lead_id": 1, "matches": "J1"},
    {"status": "ok", "lead_id": 1, "candidate": "K7Q2M9"},
])
def test_an_unreadable_receipt_is_refused_and_a_replay_falls_back_to_the_row(stored):
    with pytest.raises(ReceiptUnreadable):
        LeadResult.from_receipt(stored)
    assert replayed(stored, "ok", 9) == LeadResult("ok", 9, None, [], None)


def test_scrubbed_keeps_the_status_and_drops_the_person():
    result = LeadResult("ok", 7, CANDIDATE, MATCHES, LEAD)
    assert result.scrubbed() == LeadResult("ok", 7, None, [], None)
    assert result.scrubbed(keep_lead_id=False).to_receipt() == {
        "v": RECEIPT_VERSION, "status": "ok", "lead_id": None, "candidate": None, "matches": [], "lead": None}
