"""checkin.services: every gate answer, entry/exit, nonces, lookups, registration and cards."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from fair.checkin import cards, natid, services
from fair.checkin.models import Attendee, Card, CheckIn
from fair.checkin.services import check_in
from fair.extensions import db
from fair.core.timeutil import utcnow
from tests import factories


def national_id(first_twelve: str = "110170020345") -> str:
    return first_twelve + str(natid.national_id_check_digit(first_twelve))


def checkins() -> int:
    return db.session.scalar(db.select(db.func.count(CheckIn.id)))


def tampered(token: str) -> str:
    # A character well inside the signature: the text stays well-formed base32.
    i = len(cards.TOKEN_PREFIX) + 60
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


# --- every status ------------------------------------------------------------------------

def test_two_gates_reading_the_same_card_at_once_let_it_in_once(fair, gate, attendee, attendee_token):
    """Both gates looked the card up before either wrote: the presence UPDATE is conditional,
    so the second finds the person inside (and in a real race it waits for the first's lock)."""
    seen_by_gate_a = services.resolve_code(fair, attendee_token)
    seen_by_gate_b = services.resolve_code(fair, attendee_token)
    assert not seen_by_gate_a.inside and not seen_by_gate_b.inside
    assert services._move(seen_by_gate_a, "entry", utcnow()) == "ok"
    assert services._move(seen_by_gate_b, "entry", utcnow()) == "already_inside"
    assert services._move(seen_by_gate_b, "exit", utcnow()) == "exit_recorded"
    assert services._move(seen_by_gate_a, "exit", utcnow()) == "not_inside"
    db.session.rollback()



def test_first_entry_is_ok_with_the_attendees_name(gate, attendee, attendee_token):
    result = check_in(gate.device, attendee_token, "n1")
    assert result.status == "ok"
    assert result.attendee == {"ref": "A1", "name": "สมชาย ใจดี"}
    assert result.checkin_id is not None
    assert db.session.get(Attendee, attendee.id).inside


def test_second_entry_is_already_inside_with_the_first_entry_time(gate, attendee, attendee_token):
    first = check_in(gate.device, attendee_token, "n1")
    again = check_in(gate.device, attendee_token, "n2")
    assert again.status == "already_inside"
    assert again.first_checkin_at is not None
    assert again.first_checkin_at == services.iso(db.session.get(Attendee, attendee.id).first_entry_at)
    assert first.checkin_id != again.checkin_id


def test_exit_after_entry_is_recorded(gate, attendee_token):
    check_in(gate.device, attendee_token, "n1")
    assert check_in(gate.device, attendee_token, "n2", "exit").status == "exit_recorded"


def test_exit_without_entry_is_not_inside(gate, attendee_token):
    assert check_in(gate.device, attendee_token, "n1", "exit").status == "not_inside"


def test_garbage_is_unknown(gate, attendee):
    assert check_in(gate.device, "hello world", "n1").status == "unknown"
    assert check_in(gate.device, "SJW1.TOOSHORT", "n2").status == "unknown"


def test_a_tampered_token_is_invalid_signature(gate, attendee_token):
    result = check_in(gate.device, tampered(attendee_token), "n1")
    assert result.status == "invalid_signature"
    assert result.attendee is None


def test_the_old_card_answers_revoked_after_replacement(gate, attendee, attendee_token):
    new_card = services.replace_card(attendee, actor="test")
    assert check_in(gate.device, attendee_token, "n1").status == "revoked"
    new_token = services.card_token(new_card, attendee.fair)
    assert check_in(gate.device, new_token, "n2").status == "ok"


def test_a_card_signed_by_another_fairs_key_is_wrong_fair(gate, attendee):
    other_private, _public = cards.generate_signing_key()
    assert check_in(gate.device, cards.make_token(other_private, 1), "n1").status == "wrong_fair"


def test_scans_outside_opening_hours_are_fair_closed(gate, fair, attendee_token):
    fair.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = check_in(gate.device, attendee_token, "n1")
    assert result.status == "fair_closed"
    assert checkins() == 1  # refused scans are recorded too


# --- sequences and retries -------------------------------------------------------------------

def test_entry_exit_and_re_entry(gate, attendee, attendee_token):
    statuses = [check_in(gate.device, attendee_token, f"n{i}", kind).status
                for i, kind in enumerate(["entry", "exit", "exit", "entry", "entry"])]
    assert statuses == ["ok", "exit_recorded", "not_inside", "ok", "already_inside"]
    assert db.session.get(Attendee, attendee.id).inside


def test_same_nonce_returns_the_first_answer_and_counts_once(gate, attendee_token):
    first = check_in(gate.device, attendee_token, "n1")
    again = check_in(gate.device, attendee_token, "n1")
    assert again == first
    assert again.status == "ok"  # not already_inside: it is the same scan
    assert checkins() == 1


def test_the_same_nonce_on_two_devices_is_two_scans(fair, gate, attendee_token):
    other = factories.make_device(fair, "gate", "Gate 2")
    check_in(gate.device, attendee_token, "n1")
    assert check_in(other.device, attendee_token, "n1").status == "already_inside"
    assert checkins() == 2


# --- manual code and national ID ------------------------------------------------------------

def test_manual_code_finds_the_card_in_any_typed_form(gate, attendee):
    code = factories.card_of(attendee).manual_code
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert check_in(gate.device, typed, "n1").status == "ok"


def test_national_id_finds_the_attendee(fair, gate):
    number = national_id()
    person = factories.make_attendee(fair, ref="N1", national_id=number)
    printed = f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}"
    result = check_in(gate.device, printed, "n1")
    assert result.status == "ok"
    assert result.attendee["ref"] == person.ref


def test_a_national_id_nobody_registered_is_unknown(gate, attendee):
    assert check_in(gate.device, national_id("310170020345"), "n1").status == "unknown"


def test_typed_lookups_are_rate_limited_per_device(app, fair, gate, attendee):
    app.config["RATE_LIMIT_LOOKUPS_PER_MINUTE"] = 3
    other = factories.make_device(fair, "gate", "Gate 2")
    unknown_code = "23456789" + cards.manual_check_char("23456789")
    for i in range(3):
        assert check_in(gate.device, unknown_code, f"n{i}").status == "unknown"
    with pytest.raises(services.RateLimited):
        check_in(gate.device, unknown_code, "n9")
    with pytest.raises(services.RateLimited):
        check_in(gate.device, national_id(), "n10")
    # Another device has its own budget, and signed tokens are never limited.
    assert check_in(other.device, factories.card_of(attendee).manual_code, "m1").status == "ok"
    assert check_in(gate.device, factories.token_of(attendee), "n11").status == "already_inside"


# --- registration and cards -----------------------------------------------------------------

def register(fair, **fields):
    values = {"first_name": "มานี", "last_name": "มีนา", "phone": "0812345678"} | fields
    return services.register_attendee(fair, values, consent_participate=True)


def test_registration_stores_only_the_keyed_hash_of_the_national_id(app, fair, tmp_path):
    number = national_id()
    attendee, _card = register(fair, national_id=number)
    row = db.session.execute(db.select(Attendee.__table__).where(Attendee.id == attendee.id)).one()
    assert number not in repr(tuple(row))
    assert attendee.national_id_hash == natid.hash_national_id(number, app.config["NATIONAL_ID_KEY"])
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return  # PostgreSQL: the row above is what it stores; its files are not ours to read
    db.session.remove()
    db.engine.dispose()  # checkpoint the WAL so the bytes on disk are everything written
    stored = b"".join(p.read_bytes() for p in Path(tmp_path).glob("test.db*"))
    assert stored, "the test database file should exist"
    assert number.encode() not in stored


def test_registration_rejects_a_national_id_with_a_bad_check_digit(fair):
    number = national_id()
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    with pytest.raises(services.RegistrationInvalid) as invalid:
        register(fair, national_id=wrong)
    assert "national_id" in invalid.value.problems
    assert db.session.scalar(db.select(db.func.count(Attendee.id))) == 0


def test_registration_reports_every_problem_at_once(fair):
    with pytest.raises(services.RegistrationInvalid) as invalid:
        services.register_attendee(fair, {"first_name": "", "phone": "12", "email": "nope"},
                                   consent_participate=False)
    assert set(invalid.value.problems) >= {"first_name", "last_name", "phone", "email", "consent_participate"}


def test_every_registered_attendee_has_exactly_one_active_card(fair):
    people = [register(fair, phone=f"08123456{i:02d}")[0] for i in range(3)]
    services.replace_card(people[0], actor="test")
    services.replace_card(people[0], actor="test")
    for person in people:
        active = db.session.scalars(db.select(Card).filter_by(attendee_id=person.id, status="active")).all()
        assert len(active) == 1
    assert len(people[0].cards) == 3
