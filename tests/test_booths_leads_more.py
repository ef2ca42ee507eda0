"""Issue 15, booths: who scanned and edited a lead, deleting a mistaken lead, the booth's own questions."""
from __future__ import annotations

import csv
import io

import pytest

from fair.booths import services
from fair.booths.models import BoothQuestion, Lead, LeadScan
from fair.core.models import AuditEvent
from fair.extensions import db
from fair.organiser import dashboard, exports
from fair.web import live
from fair.web.errors import InvalidInput
from tests import factories


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _events(client) -> list[dict]:
    return [event for message in client.get_received(live.NAMESPACE) if message["name"] == "events"
            for event in message["args"][0]]


@pytest.fixture
def second_phone(fair, booth):
    return factories.make_device(fair, "booth", "Khun Malee's phone", booth)


@pytest.fixture
def other_booth_device(fair):
    other = factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]
    return factories.make_device(fair, "booth", "B2 phone", other)


def _export_rows(booth_code: str | None = None, lang: str = "th") -> list[dict]:
    data, _count = exports.export_bytes("leads", "csv", booth_code, actor="test", lang=lang)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- attribution ----------------------------------------------------------------------------

def test_lead_names_the_phone_that_scanned_and_the_one_that_last_edited(booth, booth_device, second_phone,
                                                                        attendee_token):
    first = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    assert (first.lead["scanned_by"], first.lead["edited_by"]) == ("Recruiter phone", "Recruiter phone")
    edited = services.update_lead(second_phone.device, booth, first.lead_id, nonce="e1", rating=4)
    assert (edited.lead["scanned_by"], edited.lead["edited_by"]) == ("Recruiter phone", "Khun Malee's phone")
    rescanned = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n2")
    assert rescanned.status == "updated" and rescanned.lead["edited_by"] == "Recruiter phone"
    (listed,) = services.search_leads(booth.fair_id, booth)
    assert (listed["scanned_by"], listed["edited_by"]) == ("Recruiter phone", "Recruiter phone")
    lead = db.session.get(Lead, first.lead_id)
    assert (lead.device_id, lead.last_device_id) == (booth_device.device.id, booth_device.device.id)


def test_exports_carry_scanned_by_and_edited_by_after_the_stable_columns(booth, booth_device, second_phone,
                                                                         attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    services.update_lead(second_phone.device, booth, lead_id, nonce="e1", notes="ok")
    stable = ["lead_id", "booth", "candidate", "attendee_ref", "name", "phone", "email", "education",
              "experience_years", "skills", "rating", "tags", "notes", "next_step", "job_ref", "first_scanned_at",
              "last_scanned_at"]
    assert [c for c in exports.LEAD_COLUMNS if c in stable] == stable       # all there, in their order
    assert exports.LEAD_COLUMNS[-3:] == ["scanned_by", "edited_by", "answers"]
    (row,) = _export_rows("A1")
    assert (row["scanned_by"], row["edited_by"]) == ("Recruiter phone", "Khun Malee's phone")


def test_the_booth_lead_list_page_shows_who_scanned_and_edited(client, booth, booth_device, second_phone,
                                                               attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    services.update_lead(second_phone.device, booth, lead_id, nonce="e1", rating=2)
    page = client.get("/booth/leads", headers={**booth_device.headers, "Accept-Language": "en"})
    text = page.data.decode()
    assert page.status_code == 200
    assert "Scanned by Recruiter phone" in text and "edited by Khun Malee&#39;s phone" in text


def test_live_lead_event_to_the_booth_names_the_phones(booth, booth_device, second_phone, attendee_token,
                                                       live_client):
    other = live_client(second_phone.token)
    other.get_received(live.NAMESPACE)
    services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    live.flush()
    (event,) = [e for e in _events(other) if e["type"] == "lead"]
    assert event["lead"]["scanned_by"] == "Recruiter phone" and event["lead"]["edited_by"] == "Recruiter phone"


# --- deleting a mistaken lead -----------------------------------------------------------------

def test_deleting_a_lead_removes_it_audits_it_and_counts_follow(fair, booth, booth_device, attendee,
                                                                attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1", rating=5,
                                    notes="scanned the wrong person").lead_id
    assert dashboard.stats(fair.id)["leads"] == 1
    services.delete_lead(booth, lead_id, actor=f"device:{booth_device.device.id}", device_id=booth_device.device.id)
    assert db.session.get(Lead, lead_id) is None
    assert services.search_leads(fair.id, booth) == [] and _export_rows("A1") == []
    assert dashboard.stats(fair.id)["leads"] == 0
    audit = db.session.scalars(db.select(AuditEvent).filter_by(action="lead.delete")).one()
    assert audit.actor == f"device:{booth_device.device.id}" and audit.subject == f"lead:{lead_id}"
    assert audit.details["booth"] == "A1" and audit.details["deleted_by"] == "Recruiter phone"
    assert audit.details["candidate"] == factories.pseudonym_at(booth, attendee)
    assert "สมชาย" not in str(audit.details) and "wrong person" not in str(audit.details)


def test_a_retried_scan_after_the_delete_gets_an_answer_and_does_not_bring_the_lead_back(booth, booth_device,
                                                                                         attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    services.delete_lead(booth, lead_id, actor="test")
    retry = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    assert retry.status == "ok" and retry.lead_id is None and retry.candidate is None
    assert _count(Lead) == 0
    receipt = db.session.scalars(db.select(LeadScan)).one()
    assert receipt.lead_id is None and "สมชาย" not in str(receipt.response)
    # A new scan of the same card is a new lead.
    assert services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n2").status == "ok"


def test_delete_over_http_for_own_booth_only_and_404_for_unknown(client, booth, booth_device, other_booth_device,
                                                                 attendee_token, organiser_client):
    lead_id = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1"},
                          headers=booth_device.headers).get_json()["lead_id"]
    assert client.delete(f"/api/v1/booths/A1/leads/{lead_id}", headers=other_booth_device.headers).status_code == 403
    assert client.delete(f"/api/v1/booths/B2/leads/{lead_id}", headers=other_booth_device.headers).status_code == 404
    assert _count(Lead) == 1
    answer = client.delete(f"/api/v1/booths/A1/leads/{lead_id}", headers=booth_device.headers)
    assert answer.status_code == 200 and answer.get_json() == {"deleted": lead_id, "booth": "A1"}
    again = client.delete(f"/api/v1/booths/A1/leads/{lead_id}",
                          headers={**booth_device.headers, "Accept-Language": "th"})
    assert again.status_code == 404 and again.get_json()["message"] == "ไม่มีรายชื่อนี้ที่บูธนี้"


def test_an_edit_of_a_deleted_lead_is_answered_410_lead_deleted_and_changes_nothing(
        client, booth, booth_device, second_phone, other_booth_device, attendee_token, organiser_client):
    """A phone's queued (offline) edit of a lead the organiser or another phone deleted meanwhile:
    a final 410 "lead_deleted" the page shows and drops from its queue, not a 404 to guess at
    (nor anything the queue would retry), and the lead does not come back."""
    lead_id = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1"},
                          headers=booth_device.headers).get_json()["lead_id"]
    early = client.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e1", "rating": 3},
                         headers=second_phone.headers)
    assert early.status_code == 200
    assert organiser_client.delete(f"/api/v1/booths/A1/leads/{lead_id}").status_code == 200
    edits_before = _count(LeadScan)
    late = client.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e2", "rating": 5, "notes": "call"},
                        headers={**second_phone.headers, "Accept-Language": "en"})
    assert late.status_code == 410
    assert late.get_json()["error"] == "lead_deleted" and "deleted" in late.get_json()["message"]
    thai = client.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e3", "rating": 5},
                        headers={**booth_device.headers, "Accept-Language": "th"})
    assert thai.status_code == 410 and "ถูกลบ" in thai.get_json()["message"]
    assert _count(Lead) == 0 and _count(LeadScan) == edits_before
    # The edit made before the delete, replayed (its answer was lost): its first answer, still nothing back.
    again = client.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e1", "rating": 3},
                         headers=second_phone.headers)
    assert again.status_code == 200 and _count(Lead) == 0
    # A lead that never was, or another booth's deleted one seen from here: a plain 404.
    assert client.patch("/api/v1/booths/A1/leads/987654", json={"nonce": "e4", "rating": 1},
                        headers=booth_device.headers).status_code == 404
    assert client.patch(f"/api/v1/booths/B2/leads/{lead_id}", json={"nonce": "e5", "rating": 1},
                        headers=other_booth_device.headers).status_code == 404


def test_the_organiser_can_delete_a_lead_too(organiser_client, client, booth, booth_device, attendee_token):
    lead_id = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1"},
                          headers=booth_device.headers).get_json()["lead_id"]
    assert organiser_client.delete(f"/api/v1/booths/A1/leads/{lead_id}").status_code == 200
    audit = db.session.scalars(db.select(AuditEvent).filter_by(action="lead.delete")).one()
    assert audit.actor.startswith("organiser:")


def test_the_booths_other_phones_and_screens_hear_of_the_delete(fair, booth, booth_device, second_phone,
                                                                dashboard_device, attendee_token, live_client):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    other, screen = live_client(second_phone.token), live_client(dashboard_device.token)
    live.flush()
    other.get_received(live.NAMESPACE), screen.get_received(live.NAMESPACE)
    services.delete_lead(booth, lead_id, actor="test")
    live.flush()
    assert [e for e in _events(other) if e["type"] == "lead_deleted"][0]["id"] == lead_id
    received = screen.get_received(live.NAMESPACE)
    deleted = [e for m in received if m["name"] == "events" for e in m["args"][0] if e["type"] == "lead_deleted"]
    assert set(deleted[0]) == {"type", "id", "at", "booth"}
    stats = [m["args"][0] for m in received if m["name"] == "stats"]
    assert stats and stats[-1]["leads"] == 0


# --- the booth's own questions ----------------------------------------------------------------

def _three_questions(booth):
    return (services.add_question(booth, "Has a driving licence?", "yesno", None, actor="test"),
            services.add_question(booth, "Shift", "choice", ["Day", "Night", " day "], actor="test"),
            services.add_question(booth, "Start date", "text", None, actor="test"))


def test_questions_are_answered_per_lead_and_exported(booth, booth_device, attendee_token):
    licence, shift, start = _three_questions(booth)
    assert shift.choices == ["Day", "Night"]
    result = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1",
                                   answers={str(licence.id): True, str(shift.id): "Night"})
    assert result.lead["answers"] == {str(licence.id): True, str(shift.id): "Night"}
    edited = services.update_lead(booth_device.device, booth, result.lead_id, nonce="e1",
                                  answers={str(start.id): "Monday", str(shift.id): None})
    assert edited.lead["answers"] == {str(licence.id): True, str(start.id): "Monday"}
    (row,) = _export_rows("A1", lang="en")
    assert row["answers"] == "Has a driving licence?: yes; Start date: Monday"
    (row,) = _export_rows("A1", lang="th")
    assert row["answers"] == "Has a driving licence?: ใช่; Start date: Monday"


@pytest.mark.parametrize("answer", [{"licence": "maybe"}, {"shift": "Evening"}, {"start": "x" * 201},
                                    {"licence": "yes"}, {"999": "x"}])
def test_bad_answers_are_refused_and_nothing_stored(booth, booth_device, attendee_token, answer):
    licence, shift, start = _three_questions(booth)
    ids = {"licence": licence.id, "shift": shift.id, "start": start.id}
    answers = {str(ids.get(key, key)): value for key, value in answer.items()}
    with pytest.raises(InvalidInput) as refused:
        services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1", answers=answers)
    assert refused.value.field == "answers" and refused.value.status == 400
    assert _count(Lead) == 0 and _count(LeadScan) == 0


def test_at_most_five_questions_no_duplicates_and_choices_need_two(booth):
    with pytest.raises(InvalidInput) as refused:
        services.add_question(booth, "Shift", "choice", ["Day"], actor="test")
    assert refused.value.field == "choices"
    with pytest.raises(InvalidInput):
        services.add_question(booth, "   ", "text", None, actor="test")
    with pytest.raises(InvalidInput):
        services.add_question(booth, "Anything", "number", None, actor="test")
    for n in range(5):
        services.add_question(booth, f"Question {n}", "text", None, actor="test")
    with pytest.raises(InvalidInput) as refused:
        services.add_question(booth, "Sixth", "text", None, actor="test")
    assert refused.value.status == 409
    with pytest.raises(InvalidInput) as refused:
        services.remove_question(booth, 9999, actor="test")
    assert refused.value.status == 404


def test_a_removed_question_keeps_its_answers_in_exports_but_takes_no_new_ones(booth, booth_device,
                                                                               attendee_token):
    licence, _shift, _start = _three_questions(booth)
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1",
                                    answers={str(licence.id): False}).lead_id
    services.remove_question(booth, licence.id, actor="test")
    assert [q.label for q in services.questions_of_booth(booth.id)] == ["Shift", "Start date"]
    (row,) = _export_rows("A1", lang="en")
    assert row["answers"] == "Has a driving licence?: no"
    with pytest.raises(InvalidInput):
        services.update_lead(booth_device.device, booth, lead_id, nonce="e1", answers={str(licence.id): True})
    audit = [a.action for a in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
    assert audit.count("booth.question_add") == 3 and audit.count("booth.question_remove") == 1


def test_questions_over_http_for_the_booth_and_the_organiser(client, organiser_client, booth, booth_device,
                                                             other_booth_device, attendee_token):
    added = client.post("/api/v1/booths/A1/questions", json={"label": "Shift", "kind": "choice",
                                                             "choices": ["Day", "Night"]},
                        headers=booth_device.headers)
    assert added.status_code == 201
    question = added.get_json()["question"]
    assert organiser_client.post("/api/v1/booths/A1/questions",
                                 json={"label": "Can start now?", "kind": "yesno"}).status_code == 201
    assert client.post("/api/v1/booths/A1/questions", json={"label": "x", "kind": "text"},
                       headers=other_booth_device.headers).status_code == 403
    bad = client.post("/api/v1/booths/A1/questions", json={"label": "Pay", "kind": "money"},
                      headers=booth_device.headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "kind"
    listed = client.get("/api/v1/booths/A1/questions", headers=booth_device.headers).get_json()["questions"]
    assert [q["label"] for q in listed] == ["Shift", "Can start now?"]
    scan = client.post("/api/v1/booths/A1/scans", json={"code": attendee_token, "nonce": "n1",
                                                        "answers": {str(question["id"]): "Day"}},
                       headers=booth_device.headers).get_json()
    assert scan["lead"]["answers"] == {str(question["id"]): "Day"}
    bad = client.patch(f"/api/v1/booths/A1/leads/{scan['lead_id']}",
                       json={"nonce": "e1", "answers": ["not", "an", "object"]}, headers=booth_device.headers)
    assert bad.status_code == 400
    assert client.delete(f"/api/v1/booths/A1/questions/{question['id']}",
                         headers=booth_device.headers).status_code == 200
    assert client.delete(f"/api/v1/booths/A1/questions/{question['id']}",
                         headers=booth_device.headers).status_code == 404
    assert _count(BoothQuestion) == 2


def test_the_booths_other_phones_hear_of_new_questions(booth, booth_device, second_phone, live_client):
    other = live_client(second_phone.token)
    other.get_received(live.NAMESPACE)
    services.add_question(booth, "Shift", "choice", ["Day", "Night"], actor="test")
    live.flush()
    (event,) = [e for e in _events(other) if e["type"] == "questions"]
    assert event["questions"][0]["label"] == "Shift" and event["questions"][0]["choices"] == ["Day", "Night"]


def test_questions_from_the_cli(runner, booth):
    added = runner.invoke(args=["booth", "question", "add", "A1", "Shift", "--kind", "choice",
                                "--choice", "Day", "--choice", "Night"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["booth", "question", "list", "A1"])
    assert "Shift" in listed.output and "Day / Night" in listed.output
    (question,) = services.questions_of_booth(booth.id)
    refused = runner.invoke(args=["booth", "question", "add", "A1", "Shift", "--kind", "choice", "--choice", "Day"])
    assert refused.exit_code == 1 and "2 to" in refused.output
    assert runner.invoke(args=["booth", "question", "add", "ZZ", "x"]).exit_code == 1
    removed = runner.invoke(args=["booth", "question", "remove", "A1", str(question.id)])
    assert removed.exit_code == 0 and services.questions_of_booth(booth.id) == []


# --- every message in the page's language ---------------------------------------------------

@pytest.mark.parametrize("lang, not_image, too_large, missing", [
    ("th", "ไฟล์นี้ไม่ใช่รูปภาพ", "รูปภาพใหญ่เกิน 1 MB", "ส่งรูปเป็นฟิลด์ multipart ชื่อ 'image'"),
    ("en", "The file is not an image.", "The image is larger than 1 MB.",
     "Send the photo as a multipart field named 'image'."),
])
def test_photo_errors_answer_in_the_requests_language(app, client, booth_device, lang, not_image, too_large, missing):
    app.config["DECODE_MAX_BYTES"] = 1024 * 1024
    headers = {**booth_device.headers, "Accept-Language": lang}

    def send(data: bytes | None):
        form = {"image": (io.BytesIO(data), "card.jpg")} if data is not None else {}
        return client.post("/api/v1/decode", headers=headers, data=form, content_type="multipart/form-data")
    answer = send(b"not a picture")
    assert (answer.status_code, answer.get_json()["message"]) == (400, not_image)
    answer = send(b"x" * (1024 * 1024 + 10))
    assert (answer.status_code, answer.get_json()["message"]) == (413, too_large)
    answer = send(None)
    assert (answer.status_code, answer.get_json()["message"]) == (400, missing)


def test_a_thai_page_shows_provinces_in_thai_in_reasons_and_facts(client, fair, booth, booth_device):
    factories.make_job(booth.employer, ref="J1", province="Chon Buri")
    person = factories.make_attendee(fair, ref="A-CB", province="Chon Buri")
    scan = client.post("/api/v1/booths/A1/scans", json={"code": factories.token_of(person), "nonce": "n1"},
                       headers={**booth_device.headers, "Accept-Language": "th"}).get_json()
    reasons = " ".join(scan["matches"][0]["reasons"])
    assert "ชลบุรี" in reasons and "Chon Buri" not in reasons
    page = client.get("/booth", headers={**booth_device.headers, "Accept-Language": "th"}).data.decode()
    assert '"Chon Buri": "\\u0e0a\\u0e25\\u0e1a\\u0e38\\u0e23\\u0e35"' in page or '"Chon Buri": "ชลบุรี"' in page


# --- the lead list pages and the organiser's questions page ---------------------------------

def test_a_lead_is_deleted_from_the_booths_list_page_behind_a_confirmation(client, booth, booth_device,
                                                                           attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    page = client.get("/booth/leads", headers=booth_device.headers).data.decode()
    assert f'action="/booth/leads/{lead_id}/delete"' in page and "<details class=\"confirm-details\">" in page
    answer = client.post(f"/booth/leads/{lead_id}/delete", headers=booth_device.headers)
    assert answer.status_code == 302 and db.session.get(Lead, lead_id) is None
    assert client.post(f"/booth/leads/{lead_id}/delete", headers=booth_device.headers).status_code == 302
    assert _count(AuditEvent) >= 1


def test_the_organiser_deletes_from_the_lead_list_and_sets_questions_on_the_booth_page(
        organiser_client, booth, booth_device, attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    assert organiser_client.post(f"/organiser/leads/{lead_id}/delete?booth=A1").status_code == 302
    assert db.session.get(Lead, lead_id) is None
    assert organiser_client.post("/organiser/leads/999/delete").status_code == 404

    assert organiser_client.get("/organiser/booths/questions").headers["Location"].endswith(
        "/organiser/booths/A1/questions")
    organiser_client.post("/organiser/booths/A1/questions",
                          data={"label": "Shift", "kind": "choice", "choices": "Day, Night"})
    refused = organiser_client.post("/organiser/booths/A1/questions", data={"label": "Pay", "kind": "choice",
                                                                             "choices": "only one"},
                                    follow_redirects=True, headers={"Accept-Language": "en"})
    assert "A choice question needs 2 to" in refused.data.decode()
    (question,) = services.questions_of_booth(booth.id)
    assert question.choices == ["Day", "Night"]
    page = organiser_client.get("/organiser/booths/A1/questions").data.decode()
    assert "Shift" in page and "Day / Night" in page
    organiser_client.post(f"/organiser/booths/A1/questions/{question.id}/remove")
    assert services.questions_of_booth(booth.id) == []
    assert organiser_client.get("/organiser/booths/ZZ/questions").status_code == 404


def test_a_booth_phone_cannot_use_the_organisers_pages(client, booth_device):
    assert client.get("/organiser/booths/A1/questions", headers=booth_device.headers).status_code in (302, 401, 403)
    assert client.post("/organiser/leads/1/delete", headers=booth_device.headers).status_code in (302, 401, 403)


def test_a_refused_edit_explains_itself_in_thai_on_a_thai_phone(client, booth, booth_device, other_booth_device,
                                                                attendee_token):
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1").lead_id
    thai = {"Accept-Language": "th"}
    answer = client.patch(f"/api/v1/booths/A1/leads/{lead_id}", json={"nonce": "e1", "job_ref": "NOPE"},
                          headers={**booth_device.headers, **thai})
    assert answer.status_code == 400 and answer.get_json()["message"] == "งาน NOPE ไม่ใช่งานของบูธนี้"
    answer = client.get("/api/v1/booths/A1/leads", headers={**other_booth_device.headers, **thai})
    assert answer.status_code == 403 and answer.get_json()["message"] == "เครื่องนี้เป็นของบูธอื่น"


def test_the_attendees_card_page_drops_the_visit_of_a_deleted_lead(booth, booth_device, attendee, attendee_token,
                                                                   live_client):
    from fair.checkin import services as checkin_services
    card = live_client(card=checkin_services.card_link(attendee))
    lead_id = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1",
                                    notes="private to the booth").lead_id
    live.flush()
    card.get_received(live.NAMESPACE)
    services.delete_lead(booth, lead_id, actor="test")
    live.flush()
    (event,) = [e for e in _events(card) if e["type"] == "visit_removed"]
    assert set(event) == {"type", "id", "at", "booth"} and event["booth"] == "A1"
