"""The booth rules with one home each (fair.booths.services): which booth a phone may act
for, and which jobs are a booth's, the same for leads, lead edits, invitations and the API."""
from __future__ import annotations

import pytest

from fair.booths import services
from fair.booths.models import Lead, LeadScan
from fair.checkin.services import check_in
from fair.extensions import db
from fair.matching import services as matching
from fair.matching.models import Invitation
from fair.web.errors import InvalidInput
from tests import factories


@pytest.fixture
def other_booth(fair):
    return factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_is_own_booth_only_for_a_booth_phone_of_that_booth(fair, gate, booth, booth_device, other_booth):
    assert services.is_own_booth(booth_device.device, booth)
    assert not services.is_own_booth(booth_device.device, other_booth)
    assert not services.is_own_booth(gate.device, booth)
    assert not services.is_own_booth(None, booth)
    # The cached facts of the scan path obey the same rule as the rows.
    assert services.is_own_booth(booth_device.device, services.booth_facts(booth.id))


@pytest.mark.parametrize("whose", ["other_booth_phone", "gate"])
def test_leads_edits_and_invitations_refuse_a_phone_that_is_not_the_booths(fair, gate, booth, booth_device,
                                                                            other_booth, attendee, attendee_token,
                                                                            whose):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="mine").lead_id
    check_in(gate.device, attendee_token, "in")
    stranger = (factories.make_device(fair, "booth", "B2 phone", other_booth).device if whose == "other_booth_phone"
                else gate.device)
    candidate = factories.pseudonym_at(booth, attendee)
    attempts = {
        "capture": lambda: services.capture_lead(stranger, booth, code=attendee_token, nonce="theirs"),
        "edit": lambda: services.update_lead(stranger, booth, lead_id, nonce="theirs", rating=1),
        "invite": lambda: matching.invite(stranger, booth, candidate),
    }
    for name, attempt in attempts.items():
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.status == 403, name
        assert refused.value.message == "This device belongs to another booth.", name
    assert _count(Lead) == 1 and _count(LeadScan) == 1 and _count(Invitation) == 0
    assert db.session.get(Lead, lead_id).rating is None
    # The booth's own phone passes the same rule.
    assert matching.invite(booth_device.device, booth, candidate).status == "sent"


def test_the_api_refuses_another_booths_phone_with_the_same_rule(client, fair, booth, other_booth):
    theirs = factories.make_device(fair, "booth", "B2 phone", other_booth)
    assert client.get(f"/api/v1/booths/{booth.code}/leads", headers=theirs.headers).status_code == 403
    assert client.get(f"/api/v1/booths/{other_booth.code}/leads", headers=theirs.headers).status_code == 200


def test_a_job_of_another_employer_is_refused_alike_by_leads_edits_and_invitations(fair, gate, booth, booth_device,
                                                                                  other_booth, attendee,
                                                                                  attendee_token):
    own = factories.make_job(booth.employer, ref="J-OURS")
    foreign = factories.make_job(other_booth.employer, ref="J-THEIRS")
    assert services.job_of_booth(booth, None) is None
    assert services.job_of_booth(booth, own.ref).id == own.id
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    check_in(gate.device, attendee_token, "in")
    candidate = factories.pseudonym_at(booth, attendee)
    attempts = {
        "rule": lambda: services.job_of_booth(booth, foreign.ref),
        "capture": lambda: services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n2",
                                                 job_ref=foreign.ref),
        "edit": lambda: services.update_lead(booth_device.device, booth, lead_id, nonce="e1", job_ref=foreign.ref),
        "invite": lambda: matching.invite(booth_device.device, booth, candidate, job_ref=foreign.ref),
        "unknown": lambda: matching.invite(booth_device.device, booth, candidate, job_ref="J-NONE"),
    }
    for name, attempt in attempts.items():
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.status == 400 and refused.value.field == "job_ref", name
        assert "is not one of this booth's jobs" in refused.value.message, name
    assert db.session.get(Lead, lead_id).job_id is None and _count(Invitation) == 0
    assert matching.invite(booth_device.device, booth, candidate, job_ref=own.ref).job_id == own.id


def test_a_lead_of_another_booth_is_the_same_404_for_edits_and_deletes(fair, booth, booth_device, other_booth,
                                                                       attendee_token):
    theirs = factories.make_device(fair, "booth", "B2 phone", other_booth)
    their_lead = services.capture_lead(theirs.device, other_booth, code=attendee_token, nonce="n1").lead_id
    assert services.lead_of_booth(other_booth, their_lead).id == their_lead
    attempts = {
        "rule": lambda: services.lead_of_booth(booth, their_lead),
        "edit": lambda: services.update_lead(booth_device.device, booth, their_lead, nonce="e1", rating=5),
        "delete": lambda: services.delete_lead(booth, their_lead, actor="test"),
        "none": lambda: services.lead_of_booth(booth, their_lead + 1000),
    }
    for name, attempt in attempts.items():
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.status == 404 and refused.value.message == "No such lead at this booth.", name
    assert db.session.get(Lead, their_lead).rating is None
