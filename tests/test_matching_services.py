"""Recommendations, candidates in the hall and invitations, through services, API and sockets."""
from __future__ import annotations

import pytest

from fair.web import live
from fair.checkin.services import check_in
from fair.web.errors import InvalidInput
from fair.matching import services
from fair.matching.models import Invitation
from tests import factories


@pytest.fixture
def floor(fair):
    """Two booths: a warehouse hiring forklift drivers, a hotel hiring cooks."""
    warehouse = factories.make_employer(fair, ref="WH", booth_code="A1", name="Siam Logistics")
    hotel = factories.make_employer(fair, ref="HT", booth_code="B1", name="Riverside Hotel")
    factories.make_job(warehouse, ref="J-FORK", title="Forklift driver", skills_required=("forklift",),
                       skills_optional=("warehouse", "stock"))
    factories.make_job(hotel, ref="J-COOK", title="Cook", skills_required=("cooking", "food hygiene"))
    return warehouse.booths[0], hotel.booths[0]


def test_a_forklift_driver_is_sent_to_the_warehouse_first(fair, floor):
    driver = factories.make_attendee(fair, skills=["ขับรถโฟล์คลิฟท์", "สต็อกสินค้า"], desired_positions=["พนักงานขับรถยก"])
    recommended = services.recommend_booths(driver, top=2, lang="en")
    assert recommended[0]["booth"] == "A1"
    assert recommended[0]["job_ref"] == "J-FORK"
    assert recommended[0]["reasons"], "a recommendation says why"
    thai = services.recommend_booths(driver, top=1, lang="th")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in " ".join(thai[0]["reasons"]))


def test_check_in_answers_with_recommendations_when_asked(fair, floor, gate, client):
    cook = factories.make_attendee(fair, skills=["cooking", "food safety"], desired_positions=["chef"])
    result = check_in(gate.device, factories.token_of(cook), "n1", with_recommendations=True)
    assert result.status == "ok"
    assert result.recommendations and result.recommendations[0]["booth"] == "B1"
    # A gate phone does not show them, so the answer leaves them out unless asked.
    waiter = factories.make_attendee(fair, ref="W", skills=["cooking"], desired_positions=["chef"])
    plain = client.post("/api/v1/checkins", json={"code": factories.token_of(waiter), "nonce": "n2"},
                        headers={"Authorization": f"Bearer {gate.token}"})
    assert plain.json["status"] == "ok" and "recommendations" not in plain.json
    kiosk = factories.make_attendee(fair, ref="K", skills=["cooking"], desired_positions=["chef"])
    asked = client.post("/api/v1/checkins", json={"code": factories.token_of(kiosk), "nonce": "n3",
                                                  "recommendations": True},
                        headers={"Authorization": f"Bearer {gate.token}"})
    assert asked.json["recommendations"][0]["booth"] == "B1"


def test_candidates_in_the_hall_are_only_the_people_inside(fair, floor, gate):
    warehouse_booth, _ = floor
    inside = factories.make_attendee(fair, ref="IN", skills=["forklift"])
    factories.make_attendee(fair, ref="OUT", skills=["forklift"])  # never checked in
    left = factories.make_attendee(fair, ref="LEFT", skills=["forklift", "warehouse"])
    check_in(gate.device, factories.token_of(inside), "a")
    check_in(gate.device, factories.token_of(left), "b")
    named = {factories.pseudonym_at(warehouse_booth, person): person.ref for person in (inside, left)}
    assert {named.get(c["candidate"]["pseudonym"]) for c in services.candidates_in_hall(warehouse_booth)} == {"IN", "LEFT"}
    check_in(gate.device, factories.token_of(left), "c", kind="exit")
    assert [named.get(c["candidate"]["pseudonym"]) for c in services.candidates_in_hall(warehouse_booth)] == ["IN"]


def test_candidates_without_consent_are_pseudonymous(fair, floor, gate):
    warehouse_booth, _ = floor
    private = factories.make_attendee(fair, first_name="ลับ", skills=["forklift"], consent_share_profile=False)
    check_in(gate.device, factories.token_of(private), "a")
    [candidate] = services.candidates_in_hall(warehouse_booth)
    assert candidate["candidate"]["shared"] is False
    assert "name" not in candidate["candidate"] and "ลับ" not in str(candidate)


def test_a_busy_booth_is_damped_and_says_so(fair, gate):
    first = factories.make_employer(fair, ref="E1", booth_code="A1")
    second = factories.make_employer(fair, ref="E2", booth_code="A2")
    for employer, ref in ((first, "J1"), (second, "J2")):
        factories.make_job(employer, ref=ref, title="Forklift driver", skills_required=("forklift",))
    seeker = factories.make_attendee(fair, skills=["forklift"])
    calm = services.recommend_booths(seeker, top=2, lang="en")
    busy_code = calm[0]["booth"]
    busy_booth = next(b for b in (first.booths[0], second.booths[0]) if b.code == busy_code)
    device = factories.make_device(fair, "booth", "phone", busy_booth)
    from fair.booths.services import capture_lead
    for n in range(12):
        visitor = factories.make_attendee(fair, skills=["forklift"])
        capture_lead(device.device, busy_booth, factories.token_of(visitor), f"n{n}")
    services.fair_matching(fair.id).queue_at = 0  # do not wait for the next queue refresh
    crowded = services.recommend_booths(seeker, top=2, lang="en")
    assert crowded[0]["booth"] != busy_code
    busy = next(r for r in crowded if r["booth"] == busy_code)
    assert any("busy" in reason.lower() or "queue" in reason.lower() for reason in busy["reasons"])


def test_invitation_round_trip_reaches_the_attendee_and_the_booth(fair, floor, gate, live_client):
    from fair.checkin.services import card_link
    warehouse_booth, _ = floor
    phone = factories.make_device(fair, "booth", "phone", warehouse_booth)
    seeker = factories.make_attendee(fair, skills=["forklift"])
    check_in(gate.device, factories.token_of(seeker), "a")
    card_page = live_client(card=card_link(seeker))
    booth_phone = live_client(phone.token)
    live.flush()
    card_page.get_received(live.NAMESPACE)
    booth_phone.get_received(live.NAMESPACE)

    seeker_here = factories.pseudonym_at(warehouse_booth, seeker)
    invitation = services.invite(phone.device, warehouse_booth, seeker_here, "J-FORK", "Come to A1")
    assert services.invite(phone.device, warehouse_booth, seeker_here) is invitation  # no duplicates
    live.flush()
    seen = [e for m in card_page.get_received(live.NAMESPACE) if m["name"] == "events" for e in m["args"][0]]
    assert seen and seen[0]["type"] == "invitation" and seen[0]["invitation"]["booth"] == "A1"

    services.answer_invitation(seeker, invitation.id, accept=True)
    live.flush()
    answers = [e for m in booth_phone.get_received(live.NAMESPACE) if m["name"] == "events" for e in m["args"][0]]
    assert answers[-1]["invitation"]["status"] == "accepted"
    assert services.answer_invitation(seeker, invitation.id, accept=False).status == "accepted"


def test_invitations_need_someone_inside_and_the_booths_own_job(fair, floor, gate):
    warehouse_booth, hotel_booth = floor
    phone = factories.make_device(fair, "booth", "phone", warehouse_booth)
    seeker = factories.make_attendee(fair, skills=["forklift"])
    seeker_here = factories.pseudonym_at(warehouse_booth, seeker)
    with pytest.raises(InvalidInput):
        services.invite(phone.device, warehouse_booth, seeker_here)  # not inside yet
    check_in(gate.device, factories.token_of(seeker), "a")
    with pytest.raises(InvalidInput):
        services.invite(phone.device, warehouse_booth, seeker_here, job_ref="J-COOK")
    with pytest.raises(InvalidInput):
        services.invite(phone.device, hotel_booth, seeker_here)  # another booth's device
    assert Invitation.query.count() == 0


def test_jobs_without_a_good_candidate_inside(fair, floor, gate):
    assert {j["job_ref"] for j in services.jobs_without_candidates(fair.id)} == {"J-FORK", "J-COOK"}
    driver = factories.make_attendee(fair, skills=["forklift", "warehouse", "stock"], desired_positions=["forklift driver"])
    check_in(gate.device, factories.token_of(driver), "a")
    assert {j["job_ref"] for j in services.jobs_without_candidates(fair.id)} == {"J-COOK"}


def test_recommendations_api_for_organiser_and_api_keys_only(client, fair, floor, api_device, gate):
    seeker = factories.make_attendee(fair, ref="S1", skills=["forklift"])
    response = client.get("/api/v1/attendees/S1/recommendations?top=1&lang=en", headers=api_device.headers)
    assert response.status_code == 200
    assert response.json["recommendations"][0]["booth"] == "A1"
    assert set(response.json["recommendations"][0]) >= {"booth", "employer", "job_ref", "title", "score", "reasons"}
    assert client.get("/api/v1/attendees/S1/recommendations", headers=gate.headers).status_code == 403
    assert client.get("/api/v1/attendees/NOPE/recommendations", headers=api_device.headers).status_code == 404
    assert client.get("/api/v1/attendees/S1/recommendations?top=x", headers=api_device.headers).status_code == 400


def test_candidates_and_invitations_api(client, fair, floor, gate):
    warehouse_booth, hotel_booth = floor
    phone = factories.make_device(fair, "booth", "phone", warehouse_booth)
    other = factories.make_device(fair, "booth", "other", hotel_booth)
    seeker = factories.make_attendee(fair, skills=["forklift"])
    check_in(gate.device, factories.token_of(seeker), "a")
    listed = client.get("/api/v1/booths/A1/candidates", headers=phone.headers)
    seeker_here = factories.pseudonym_at(warehouse_booth, seeker)
    assert listed.status_code == 200 and listed.json["candidates"][0]["candidate"]["pseudonym"] == seeker_here
    assert "attendee_id" not in str(listed.json)
    assert client.get("/api/v1/booths/A1/candidates", headers=other.headers).status_code == 403
    sent = client.post("/api/v1/booths/A1/invitations", json={"candidate": seeker_here, "job_ref": "J-FORK"},
                       headers=phone.headers)
    assert sent.status_code == 201 and sent.json["invitation"]["status"] == "sent"
    bad = client.post("/api/v1/booths/A1/invitations", json={"candidate": 5}, headers=phone.headers)
    assert bad.status_code == 400


def test_attendee_answers_from_the_card_page(client, fair, floor, gate):
    from fair.checkin.services import card_link
    warehouse_booth, _ = floor
    phone = factories.make_device(fair, "booth", "phone", warehouse_booth)
    seeker = factories.make_attendee(fair, skills=["forklift"])
    stranger = factories.make_attendee(fair, skills=["cooking"])
    check_in(gate.device, factories.token_of(seeker), "a")
    invitation = services.invite(phone.device, warehouse_booth, factories.pseudonym_at(warehouse_booth, seeker),
                                 "J-FORK")
    page = client.get(f"/me/{card_link(seeker)}")
    assert b"Invitations from booths" in page.data or "คำเชิญ".encode() in page.data
    assert client.post(f"/me/{card_link(stranger)}/invitations/{invitation.id}", json={"accept": True}).status_code == 404
    assert client.post(f"/me/{card_link(seeker)}/invitations/{invitation.id}", json={"accept": "yes"}).status_code == 400
    answered = client.post(f"/me/{card_link(seeker)}/invitations/{invitation.id}", json={"accept": True})
    assert answered.status_code == 200 and answered.json["invitation"]["status"] == "accepted"


def test_card_page_shows_the_first_booths_on_a_floor_plan(client, fair, floor, gate):
    from fair.checkin.services import card_link
    cook = factories.make_attendee(fair, skills=["cooking", "food safety"], desired_positions=["chef"])
    check_in(gate.device, factories.token_of(cook), "n1")
    page = client.get(f"/me/{card_link(cook)}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="floor-map"' in page
    assert page.count('class="floor-pick"') == 2  # both booths are recommended, numbered 1 and 2
    assert "<title>B1</title>" in page
