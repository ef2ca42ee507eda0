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


# --- undo ------------------------------------------------------------------------------------

def _inside(attendee) -> bool:
    db.session.expire_all()
    return db.session.get(Attendee, attendee.id).inside


def test_undoing_a_wrong_entry_is_a_correction_and_the_counts_follow(fair, gate, attendee, attendee_token):
    from fair.checkin.models import CheckInCorrection
    from fair.core.models import AuditEvent
    from fair.organiser.dashboard import stats
    entry = check_in(gate.device, attendee_token, "n1")
    before = stats(fair.id)
    assert before["inside"] == 1 and before["checked_in"] == 1 and before["gates"][0]["entries"] == 1
    undone = services.undo_checkin(fair.id, entry.checkin_id, actor=f"device:{gate.device.id}", device=gate.device)
    assert (undone.status, undone.kind, undone.inside) == ("undone", "entry", False)
    assert undone.attendee == {"ref": "A1", "name": "สมชาย ใจดี"}
    # The scan stays as it was; a correction names it; the audit log says who.
    scan = db.session.get(CheckIn, entry.checkin_id)
    assert scan.status == "ok" and db.session.scalar(db.select(db.func.count(CheckIn.id))) == 1
    correction = db.session.scalar(db.select(CheckInCorrection))
    assert correction.checkin_id == scan.id and correction.device_id == gate.device.id
    audit = db.session.scalar(db.select(AuditEvent).filter_by(action="checkin.undo"))
    assert audit.details["checkin_id"] == scan.id and audit.actor == f"device:{gate.device.id}"
    after = stats(fair.id)
    assert after["inside"] == 0 and after["checked_in"] == 0 and after["checked_in_today"] == 0
    assert after["gates"][0]["entries"] == 0
    assert not _inside(attendee)
    # They really come in now: counted once.
    assert check_in(gate.device, attendee_token, "n2").status == "ok"
    assert stats(fair.id)["gates"][0]["entries"] == 1


def test_undoing_a_wrong_exit_puts_the_person_back_inside(fair, gate, attendee, attendee_token):
    check_in(gate.device, attendee_token, "n1")
    out = check_in(gate.device, attendee_token, "n2", kind="exit")
    assert not _inside(attendee)
    result = services.undo_checkin(fair.id, out.checkin_id, actor="organiser:1")
    assert result.inside and _inside(attendee)
    assert check_in(gate.device, attendee_token, "n3").status == "already_inside"


def test_undo_twice_corrects_once(fair, gate, attendee, attendee_token):
    from fair.checkin.models import CheckInCorrection
    entry = check_in(gate.device, attendee_token, "n1")
    first = services.undo_checkin(fair.id, entry.checkin_id, actor="organiser:1")
    again = services.undo_checkin(fair.id, entry.checkin_id, actor="organiser:1")
    assert again.status == "already_undone" and again.correction_id == first.correction_id
    assert db.session.scalar(db.select(db.func.count(CheckInCorrection.id))) == 1


def test_undoing_an_old_entry_keeps_a_later_exit_standing(fair, gate, attendee, attendee_token):
    """Presence is worked out again from the scans that stand: the exit after the undone entry
    still says they left, and the first entry becomes the next one that stands."""
    first = check_in(gate.device, attendee_token, "n1")
    check_in(gate.device, attendee_token, "n2", kind="exit")
    second = check_in(gate.device, attendee_token, "n3")
    services.undo_checkin(fair.id, first.checkin_id, actor="organiser:1")
    person = db.session.get(Attendee, attendee.id)
    assert person.inside
    assert person.first_entry_at == db.session.get(CheckIn, second.checkin_id).scanned_at


@pytest.mark.parametrize("status_code", ["already_inside", "unknown", "mistyped"])
def test_only_accepted_scans_can_be_undone(fair, gate, attendee, attendee_token, status_code):
    check_in(gate.device, attendee_token, "n0")
    code = {"already_inside": attendee_token, "unknown": "nonsense", "mistyped": MIXED[:8]}[status_code]
    row = check_in(gate.device, code, "n1")
    assert row.status == status_code
    with pytest.raises(services.UndoRefused) as refused:
        services.undo_checkin(fair.id, row.checkin_id, actor="organiser:1")
    assert refused.value.reason == "not_undoable" and _inside(attendee)


def test_a_gate_undoes_only_its_own_recent_scans(app, fair, gate, attendee, attendee_token):
    other = factories.make_device(fair, "gate", "Gate 2")
    entry = check_in(gate.device, attendee_token, "n1")
    with pytest.raises(services.UndoRefused) as refused:
        services.undo_checkin(fair.id, entry.checkin_id, actor="x", device=other.device)
    assert refused.value.reason == "not_yours" and refused.value.http == 403
    app.config["GATE_UNDO_MINUTES"] = 0
    with pytest.raises(services.UndoRefused) as refused:
        services.undo_checkin(fair.id, entry.checkin_id, actor="x", device=gate.device)
    assert refused.value.reason == "too_old"
    assert services.undo_checkin(fair.id, entry.checkin_id, actor="organiser:1").status == "undone"


def test_undo_over_http_for_the_gate_and_the_organiser(client, organiser_client, fair, gate, attendee,
                                                       attendee_token):
    entry = check_in(gate.device, attendee_token, "n1")
    answer = client.post(f"/api/v1/checkins/{entry.checkin_id}/undo", headers=gate.headers)
    assert answer.status_code == 200 and answer.get_json()["status"] == "undone"
    assert client.post("/api/v1/checkins/999999/undo", headers=gate.headers).status_code == 404
    unknown = check_in(gate.device, "nonsense", "n2")
    refused = client.post(f"/api/v1/checkins/{unknown.checkin_id}/undo", headers=gate.headers)
    assert refused.status_code == 409 and refused.get_json()["error"] == "not_undoable"
    out = check_in(gate.device, attendee_token, "n3")
    by_organiser = organiser_client.post(f"/api/v1/checkins/{out.checkin_id}/undo")
    assert by_organiser.status_code == 200 and not by_organiser.get_json()["inside"]


def test_undo_reaches_dashboards_and_gates_live_without_names_on_big_screens(
        fair, gate, dashboard_device, attendee, attendee_token, live_client):
    from fair.web import live
    screen = live_client(dashboard_device.token)
    gate_socket = live_client(gate.token)
    entry = check_in(gate.device, attendee_token, "n1")
    for c in (screen, gate_socket):
        c.get_received(live.NAMESPACE)
    services.undo_checkin(fair.id, entry.checkin_id, actor="organiser:1")
    live.flush()

    def undo_events(c):
        return [e for m in c.get_received(live.NAMESPACE) if m["name"] == "events"
                for e in m["args"][0] if e["type"] == "checkin_undo"]
    on_screen, at_gate = undo_events(screen), undo_events(gate_socket)
    assert on_screen and at_gate
    assert on_screen[0]["checkin_id"] == entry.checkin_id and "attendee" not in on_screen[0]
    assert at_gate[0]["attendee"]["name"] == "สมชาย ใจดี" and at_gate[0]["inside"] is False


def test_the_organiser_checks_people_in_and_out_and_undoes_from_the_attendee_list(organiser_client, fair, attendee):
    from fair.checkin.models import CheckInCorrection
    page = organiser_client.get("/organiser/attendees?q=A1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="entry"' in page and "Undo" not in page
    answer = organiser_client.post("/organiser/attendees/A1/move", data={"kind": "entry", "q": "A1"})
    assert answer.status_code == 303 and "q=A1" in answer.headers["Location"]
    assert _inside(attendee)
    desk = db.session.scalar(db.select(CheckIn)).device
    assert desk.name == services.ORGANISER_DESK_NAME and desk.kind == "gate"
    assert db.session.scalar(db.select(CheckIn)).notes.startswith("organiser:")
    page = organiser_client.get("/organiser/attendees?q=A1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="exit"' in page and 'data-undo="entry"' in page and "Organiser desk" in page
    scan_id = db.session.scalar(db.select(CheckIn.id))
    assert organiser_client.post(f"/organiser/checkins/{scan_id}/undo", data={"q": "A1"}).status_code == 303
    assert not _inside(attendee)
    assert db.session.scalar(db.select(CheckInCorrection.checkin_id)) == scan_id
    assert organiser_client.post(f"/organiser/checkins/{scan_id}/undo").status_code == 303   # again: once
    assert organiser_client.post("/organiser/checkins/987654/undo").status_code == 404
    assert organiser_client.post("/organiser/attendees/A1/move", data={"kind": "sideways"}).status_code == 400
    assert organiser_client.post("/organiser/attendees/NOPE/move", data={"kind": "entry"}).status_code == 404
    organiser_client.post("/organiser/attendees/A1/move", data={"kind": "entry"})
    organiser_client.post("/organiser/attendees/A1/move", data={"kind": "exit"})
    assert not _inside(attendee)


# --- the gate's counts -------------------------------------------------------------------------

def test_a_gate_hears_its_entries_today_and_the_people_inside_live(fair, gate, attendee, attendee_token,
                                                                   live_client):
    from fair.web import live
    other_gate = factories.make_device(fair, "gate", "Gate 2")
    someone = factories.make_attendee(fair, ref="A2")
    socket = live_client(gate.token)
    live.flush()    # a gate that connects is sent the counts at the next tick

    def last_stats():
        sent = [m["args"][0] for m in socket.get_received(live.NAMESPACE) if m["name"] == "stats"]
        return sent[-1] if sent else None
    first = last_stats()
    assert first is not None and first["inside"] == 0
    entry = check_in(gate.device, attendee_token, "n1")
    check_in(other_gate.device, factories.token_of(someone), "n2")
    live.flush()
    counts = last_stats()
    mine = next(g for g in counts["gates"] if g["device_id"] == gate.device.id)
    assert counts["inside"] == 2 and mine["entries"] == 1
    # Nothing about people in a gate's counts: numbers per gate only.
    assert set(mine) == {"device_id", "gate", "entries", "exits"} and "booths" not in counts
    services.undo_checkin(fair.id, entry.checkin_id, actor="organiser:1")
    live.flush()
    counts = last_stats()
    assert counts["inside"] == 1
    assert next(g for g in counts["gates"] if g["device_id"] == gate.device.id)["entries"] == 0


# --- search by name or phone -------------------------------------------------------------------

def test_the_gate_finds_a_person_by_name_or_phone_with_minimum_fields(client, fair, gate, attendee):
    factories.make_attendee(fair, ref="A2", first_name="Anong", last_name="Sukjai", phone="0899990123")
    for q in ("สมชา", "สมชาย ใจดี", "ใจดี", "สมฃาย", "345678"):
        answer = client.get("/api/v1/gate/search", query_string={"q": q}, headers=gate.headers)
        assert answer.status_code == 200
        results = answer.get_json()["results"]
        assert [r["ref"] for r in results] == ["A1"], q
    found = client.get("/api/v1/gate/search", query_string={"q": "anong"}, headers=gate.headers).get_json()
    # The gate's view, and what confirms the person: the phone's last 3 digits, inside or not.
    assert found["results"] == [{"ref": "A2", "name": "Anong Sukjai", "phone_last3": "123", "inside": False,
                                 "by": "name"}]


def test_a_person_found_is_checked_in_by_reference_after_confirming(client, fair, gate, attendee):
    answer = client.post("/api/v1/checkins", headers=gate.headers, json={"attendee": "A1", "nonce": "s1"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"
    assert _inside(attendee)
    again = client.post("/api/v1/checkins", headers=gate.headers, json={"attendee": "A1", "nonce": "s2"})
    assert again.get_json()["status"] == "already_inside"
    results = client.get("/api/v1/gate/search", query_string={"q": "สมชาย"}, headers=gate.headers).get_json()
    assert results["results"][0]["inside"] is True
    nobody = client.post("/api/v1/checkins", headers=gate.headers, json={"attendee": "NOPE", "nonce": "s3"})
    assert nobody.get_json()["status"] == "unknown"


@pytest.mark.parametrize("body", [{"nonce": "n"}, {"nonce": "n", "code": "x", "attendee": "A1"},
                                  {"nonce": "n", "attendee": 5}, {"nonce": "n", "attendee": "x" * 65}])
def test_a_scan_names_a_code_or_a_person_never_both_or_neither(client, gate, attendee, body):
    answer = client.post("/api/v1/checkins", headers=gate.headers, json=body)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_input"
    assert db.session.scalar(db.select(db.func.count(CheckIn.id))) == 0


def test_gate_search_is_for_gates_is_limited_and_refuses_long_queries(app, client, fair, gate, booth_device,
                                                                     attendee):
    assert client.get("/api/v1/gate/search?q=somchai", headers=booth_device.headers).status_code == 403
    assert client.get("/api/v1/gate/search?q=somchai").status_code == 401
    assert client.get("/api/v1/gate/search", query_string={"q": "x" * 61}, headers=gate.headers).status_code == 400
    assert client.get("/api/v1/gate/search?q=", headers=gate.headers).get_json() == {"results": []}
    app.config["GATE_SEARCHES_PER_MINUTE"] = 2
    for _ in range(2):
        assert client.get("/api/v1/gate/search?q=a", headers=gate.headers).status_code == 200
    assert client.get("/api/v1/gate/search?q=a", headers=gate.headers).status_code == 429


def test_the_search_sees_new_registrations_and_never_erased_people(client, fair, gate, attendee):
    from fair.organiser import privacy
    assert services.search_attendees(fair.id, "Prasert") == []
    newcomer = factories.make_attendee(fair, ref="A9", first_name="Prasert", last_name="Ok")
    assert [a.ref for a, _by in services.search_attendees(fair.id, "Prasert")] == ["A9"]
    privacy.erase_attendee(newcomer, actor="test", reason="asked")
    assert services.search_attendees(fair.id, "Prasert") == []


def test_the_organisers_attendee_search_finds_phones_and_misspelt_names(organiser_client, fair, attendee):
    for q in ("0812345678", "345678", "สมชาย", "สมฃาย", "a1"):
        page = organiser_client.get("/organiser/attendees", query_string={"q": q}).get_data(as_text=True)
        assert "สมชาย ใจดี" in page, q


# --- the offline roster -----------------------------------------------------------------------

def test_the_gate_roster_holds_serials_refs_and_short_names_only(client, fair, gate, attendee, booth_device):
    from fair.organiser import privacy
    english = factories.make_attendee(fair, ref="A2", first_name="Anong", last_name="Sukjai")
    gone = factories.make_attendee(fair, ref="A3", first_name="Gone", last_name="Person")
    old_card = factories.card_of(english)
    services.replace_card(english, actor="test")
    privacy.erase_attendee(gone, actor="test", reason="asked")
    answer = client.get("/api/v1/gate/roster", headers=gate.headers)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    roster = answer.get_json()
    people = {ref: (serial, name) for serial, ref, name in roster["people"]}
    assert people["A1"] == (factories.card_of(attendee).serial, "สมชาย ใจ.")
    assert people["A2"] == (factories.card_of(english).serial, "Anong S.")
    assert "A3" not in people and not any(ref.startswith("erased") for ref in people)
    assert old_card.serial in roster["revoked"]
    text = answer.get_data(as_text=True)
    assert "0812345678" not in text and "ใจดี" not in text and "Sukjai" not in text   # no phone, no full name
    assert client.get("/api/v1/gate/roster", headers=booth_device.headers).status_code == 403
    assert client.get("/api/v1/gate/roster").status_code == 401


def test_the_gate_page_points_at_the_roster_search_and_undo(client, fair, gate):
    page = client.get("/gate", headers=gate.headers).get_data(as_text=True)
    for url in ("/api/v1/gate/roster", "/api/v1/gate/search", "/api/v1/checkins/0/undo"):
        assert url in page
    assert f'"deviceId": {gate.device.id}' in page or f'"deviceId":{gate.device.id}' in page
