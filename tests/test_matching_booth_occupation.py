"""A booth's scan matches on the occupation stored for the person (ISCO-08 codes), read
with the card on the server: never computed on the scan, never shown to the booth."""
from __future__ import annotations

import json

import pytest

from fair.booths.services import capture_lead
from fair.extensions import db
from fair.matching import embeddings, occupations
from tests import factories

# Titles the vocabulary does not know: only the stored codes can tell the jobs apart.
SEEKER_TITLE = "zzqx seeker"


@pytest.fixture
def booth_jobs(employer):
    waiter = factories.make_job(employer, ref="JW", title="zzqx alpha", skills_required=(),
                                isco08="5131", isco08_minor="513", isco08_sub_major="51", isco08_confidence=0.9)
    clerk = factories.make_job(employer, ref="JC", title="zzqx beta", skills_required=(),
                               isco08="4110", isco08_minor="411", isco08_sub_major="41", isco08_confidence=0.9)
    db.session.commit()
    return waiter, clerk


def _person(fair, consent: bool):
    person = factories.make_attendee(fair, consent_share_profile=consent, desired_positions=[SEEKER_TITLE],
                                     isco08="5131", isco08_minor="513", isco08_sub_major="51",
                                     isco08_confidence=0.9)
    db.session.commit()
    return person


@pytest.fixture
def no_classifier_on_the_scan(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a scan must read the stored occupation, not compute it")
    monkeypatch.setattr(occupations, "classify", refuse)
    monkeypatch.setattr(occupations, "classify_many", refuse)
    monkeypatch.setattr(embeddings, "encode", refuse)


def test_a_scanned_person_is_matched_on_their_stored_isco08_code(fair, booth, booth_device, booth_jobs,
                                                                no_classifier_on_the_scan):
    person = _person(fair, consent=True)
    result = capture_lead(booth_device.device, booth, factories.token_of(person), "n1", lang="en")
    waiter, clerk = result.matches
    assert (waiter["job_ref"], clerk["job_ref"]) == ("JW", "JC")
    assert waiter["score"] > clerk["score"]
    assert any(r.startswith("same occupation") for r in waiter["reasons"])
    # The person's code is the server's: not in what the booth is sent of them.
    assert "isco08" not in result.candidate and "5131" not in json.dumps(result.candidate)


def test_without_shared_desired_positions_the_stored_code_does_not_count(fair, booth, booth_device, booth_jobs):
    """The code was computed from the desired positions: a booth that may not see them
    (no consent to share) gets no match from them either."""
    person = _person(fair, consent=False)
    result = capture_lead(booth_device.device, booth, factories.token_of(person), "n1", lang="en")
    scores = {m["job_ref"]: m["score"] for m in result.matches}
    assert scores["JW"] == scores["JC"]
    assert not any("occupation" in r for m in result.matches for r in m["reasons"])
