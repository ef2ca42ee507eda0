"""fair/checkin/pages.py is thin: its queries, the registration retry and the card drawing
live in services (checkin, booths, matching) and in the pure cards module, where every
caller (the page, the API, the CLI, tests) gets the same behaviour."""
from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError

from fair.booths import services as booths
from fair.checkin import cards, services
from fair.checkin.decode import decode_image
from fair.checkin.models import Attendee, Card
from fair.extensions import db
from fair.matching import services as matching
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"first_name": "มานี", "last_name": "มีนา", "phone": "0812345678"}


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_the_page_module_runs_no_query_and_draws_nothing():
    tree = ast.parse((ROOT / "fair/checkin/pages.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {m for m in imported if m and (m.startswith(("sqlalchemy", "PIL")) or m == "fair.extensions")}


def test_registration_retries_when_another_phone_took_the_same_w_number(fair, monkeypatch):
    """Two phones at the same instant: the first draws W00001 and commits; the second drew it too."""
    real = services._next_self_registration_ref
    factories.make_attendee(fair, ref="W00001")
    drawn = []

    def racing(fair_):
        drawn.append(None)
        return "W00001" if len(drawn) == 1 else real(fair_)   # the race is lost once
    monkeypatch.setattr(services, "_next_self_registration_ref", racing)
    attendee, card = services.register_attendee(fair, FIELDS, consent_participate=True)
    assert len(drawn) == 2 and attendee.ref == "W00002"
    assert card.status == "active" and services.active_card(attendee).id == card.id
    assert _count(Attendee) == 2 and _count(Card) == 2


def test_registration_gives_up_after_its_attempts_and_stores_nothing(fair, monkeypatch):
    factories.make_attendee(fair, ref="W00001")
    monkeypatch.setattr(services, "_next_self_registration_ref", lambda fair_: "W00001")
    with pytest.raises(IntegrityError):
        services.register_attendee(fair, FIELDS, consent_participate=True)
    assert _count(Attendee) == 1 and _count(Card) == 1


def test_the_registration_page_gets_the_retry_from_the_service(client, fair, monkeypatch):
    real = services._next_self_registration_ref
    factories.make_attendee(fair, ref="W00001")
    drawn = []

    def racing(fair_):
        drawn.append(None)
        return "W00001" if len(drawn) == 1 else real(fair_)
    monkeypatch.setattr(services, "_next_self_registration_ref", racing)
    answer = client.post("/register", data={**FIELDS, "consent_participate": "yes"})
    assert answer.status_code == 303 and "/me/" in answer.headers["Location"]
    assert db.session.scalar(db.select(Attendee).filter_by(source="register")).ref == "W00002"


def test_attendee_by_ref_hides_the_erased(fair, attendee):
    assert services.attendee_by_ref(fair.id, attendee.ref).id == attendee.id
    assert services.attendee_by_ref(fair.id, "NOPE") is None
    attendee.erased_at = attendee.created_at
    db.session.commit()
    assert services.attendee_by_ref(fair.id, attendee.ref) is None


def test_the_card_sheet_pages_the_active_cards_by_reference(fair):
    people = [factories.make_attendee(fair, ref=f"R{n}", first_name=f"P{n}") for n in (3, 1, 2)]
    services.replace_card(people[0], actor="test")           # the old card is no longer printed
    erased = factories.make_attendee(fair, ref="R0")
    erased.erased_at = erased.created_at
    db.session.commit()
    first = services.card_sheet(fair, page=1, per_page=2)
    second = services.card_sheet(fair, page=2, per_page=2)
    assert first.total == second.total == 3 and first.pages == 2
    assert [row[1] for row in first.cards + second.cards] == ["R1", "R2", "R3"]
    name, ref, code, token = second.cards[0]
    assert (name, code) == ("P3 ใจดี", services.active_card(people[0]).manual_code)
    assert cards.read_token(token, fair.public_key) == services.active_card(people[0]).serial


def test_visits_and_the_floor_plan_come_from_the_booth_services(fair, booth, booth_device, attendee, attendee_token):
    other = factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods").booths[0]
    assert booths.visits_of(attendee.id) == []
    booths.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    assert booths.visits_of(attendee.id) == [{"booth": "A1", "employer": booth.employer.name}]
    assert booths.floor_plan(fair.id, []) is None
    plan = booths.floor_plan(fair.id, [{"booth": "B2"}])
    assert plan["width"] == max(booth.plan_x, other.plan_x) and plan["height"] == max(booth.plan_y, other.plan_y)
    assert {b["code"]: b["rank"] for b in plan["booths"]} == {"A1": None, "B2": 1}


def test_card_recommendations_are_empty_when_the_ranking_fails(fair, attendee, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("index gone")
    monkeypatch.setattr(matching, "recommend_booths", broken)
    assert matching.card_recommendations(attendee) == []


def test_the_card_picture_carries_the_token_and_the_icon_its_size():
    private, public = cards.generate_signing_key()
    token = cards.make_token(private, 7)
    png = cards.compose_card_png("สมชาย ใจดี", token, "ABCD-EFGHJ", "Job Fair 2569", "Manual code")
    image = Image.open(io.BytesIO(png))
    assert image.size == cards.CARD_PX and image.mode == "L"
    assert decode_image(png) == [token]
    for size in cards.ICON_SIZES:
        assert Image.open(io.BytesIO(cards.icon_png(size))).size == (size, size)
