"""Writes that race: many requests at the same moment, each in its own thread and database
connection, as several phones (or several server workers) send them.

On PostgreSQL (`make test-postgres`) these run truly at once; on SQLite the database
lets one writer in at a time and the others wait (busy_timeout), so the same tests
check that the answers stay right there too.
"""
from __future__ import annotations

import threading
from typing import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from fair.booths.models import Lead, LeadScan
from fair.checkin import services as checkin_services
from fair.checkin.models import Attendee, Card
from fair.checkin.services import check_in
from fair.core import counters
from fair.core.models import AuditEvent, FairCounter, PairingCode
from fair.extensions import db
from fair.matching.models import Invitation
from fair.organiser import devices
from fair.web import auth
from tests import factories


def at_once(app, count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(0..count-1) in `count` threads released together, each in its own app context
    (its own session and connection); the results, or the exception each raised, in order."""
    ready = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        with app.app_context():
            try:
                ready.wait(timeout=60)
                results[index] = work(index)
            except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    db.session.rollback()  # the test's own session: see what the threads committed
    return results


def _count(model, **where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**where))


def test_simultaneous_first_scans_of_one_card_by_two_phones_make_one_lead(app, fair, booth, booth_device,
                                                                          attendee_token):
    second = factories.make_device(fair, "booth", "Khun Malee's phone", booth)
    phones = [booth_device, second]

    def scan(index: int):
        client = app.test_client()
        return client.post("/api/v1/booths/A1/scans", headers=phones[index % 2].headers,
                           json={"code": attendee_token, "nonce": f"n{index}", "rating": 1 + index % 5,
                                 "tags": [f"t{index}"]})

    answers = at_once(app, 24, scan)
    assert [a.status_code for a in answers] == [200] * 24, [getattr(a, "data", a) for a in answers]
    statuses = sorted(a.json["status"] for a in answers)
    assert statuses == ["ok"] + ["updated"] * 23
    assert len({a.json["lead_id"] for a in answers}) == 1
    assert _count(Lead) == 1 and _count(LeadScan) == 24


def test_one_scan_retried_at_once_by_one_phone_counts_once(app, booth, booth_device, attendee_token):
    def scan(index: int):
        return app.test_client().post("/api/v1/booths/A1/scans", headers=booth_device.headers,
                                      json={"code": attendee_token, "nonce": "same"})

    answers = at_once(app, 8, scan)
    assert [a.status_code for a in answers] == [200] * 8
    assert {a.json["status"] for a in answers} == {"ok"}  # every retry gets the first answer
    assert _count(Lead) == 1 and _count(LeadScan) == 1


def test_phones_editing_one_lead_at_once_keep_every_answer(app, fair, booth, booth_device, attendee_token):
    from fair.booths import services as booth_services
    second = factories.make_device(fair, "booth", "Khun Malee's phone", booth)
    phones = [booth_device, second]
    questions = [booth_services.add_question(booth, f"Question {n}", "text", None, actor="test").id
                 for n in range(5)]
    lead_id = booth_services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="first").lead_id

    def edit(index: int):
        return app.test_client().patch(f"/api/v1/booths/A1/leads/{lead_id}", headers=phones[index % 2].headers,
                                       json={"nonce": f"edit{index}", "answers": {str(questions[index]): f"a{index}"}})

    answers = at_once(app, 5, edit)
    assert [a.status_code for a in answers] == [200] * 5, [getattr(a, "data", a) for a in answers]
    stored = db.session.scalar(db.select(Lead.answers).filter_by(id=lead_id))
    assert stored == {str(q): f"a{n}" for n, q in enumerate(questions)}


def test_simultaneous_registrations_get_distinct_refs_and_card_serials(app, fair):
    factories.make_attendee(fair, ref="W00003")  # an imported ref in the way: skipped
    fair_id = fair.id

    def register(index: int):
        fair_row = db.session.get(type(fair), fair_id)
        attendee, card = checkin_services.register_attendee(
            fair_row, {"first_name": f"คน{index}", "last_name": "มาเอง", "phone": f"08{index:08d}"},
            consent_participate=True)
        return attendee.ref, card.serial

    answers = at_once(app, 12, register)
    assert all(isinstance(a, tuple) for a in answers), answers
    refs = sorted(ref for ref, _ in answers)
    assert refs == sorted({f"W{n:05d}" for n in range(1, 14)} - {"W00003"})
    serials = sorted(serial for _, serial in answers)
    assert serials == list(range(2, 14))  # the imported attendee's card has serial 1
    assert _count(Card) == 13


def test_card_serials_are_never_given_twice_even_after_the_last_card_is_deleted(fair):
    first = factories.make_attendee(fair, ref="A")
    second = factories.make_attendee(fair, ref="B")
    last = factories.card_of(second).serial
    db.session.delete(factories.card_of(second))
    db.session.commit()
    third = factories.make_attendee(fair, ref="C")
    assert factories.card_of(third).serial == last + 1 > factories.card_of(first).serial
    assert db.session.get(FairCounter, (fair.id, counters.CARD_SERIAL)).value == last + 1


def test_a_pairing_link_opened_by_two_phones_at_once_pairs_one(app, fair):
    paired = devices.pair("gate", "Gate 9")
    path = paired.url.split("fair.test:5000", 1)[1]

    def open_link(index: int):
        response = app.test_client().get(path)
        return response.status_code

    codes = at_once(app, 8, open_link)
    assert sorted(codes) == [302] + [404] * 7
    assert _count(AuditEvent, action="device.paired") == 1
    assert db.session.scalar(db.select(PairingCode.used_at).filter_by(device_id=paired.id)) is not None


def test_a_used_pairing_code_is_refused(app, fair):
    paired = devices.pair("gate", "Gate 8")
    code = paired.url.rsplit("/", 1)[1]
    assert auth.redeem_pairing_code(code).id == paired.id
    assert auth.redeem_pairing_code(code) is None


def test_two_phones_inviting_one_person_at_once_send_one_invitation(app, fair, booth, booth_device, gate):
    second = factories.make_device(fair, "booth", "Khun Malee's phone", booth)
    phones = [booth_device, second]
    seeker = factories.make_attendee(fair, ref="S1", skills=["forklift"])
    check_in(gate.device, factories.token_of(seeker), "in")
    pseudonym = factories.pseudonym_at(booth, seeker)

    def invite(index: int):
        return app.test_client().post("/api/v1/booths/A1/invitations", headers=phones[index % 2].headers,
                                      json={"candidate": pseudonym})

    answers = at_once(app, 20, invite)
    assert all(a.status_code in (200, 201) for a in answers), [getattr(a, "data", a) for a in answers]
    assert len({a.json["invitation"]["id"] for a in answers}) == 1
    assert _count(Invitation, status="sent") == 1


def test_the_database_refuses_a_second_open_invitation(fair, booth, booth_device):
    seeker = factories.make_attendee(fair, ref="S2")
    db.session.add(Invitation(booth=booth, attendee=seeker, device_id=booth_device.device.id))
    db.session.commit()
    db.session.add(Invitation(booth=booth, attendee=seeker, device_id=booth_device.device.id, status="declined"))
    db.session.commit()  # answered ones may be many
    db.session.add(Invitation(booth=booth, attendee=seeker, device_id=booth_device.device.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert _count(Attendee) == 1
