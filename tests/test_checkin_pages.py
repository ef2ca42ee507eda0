"""The checkin pages: registration, the attendee's card, the gate, organiser card tools."""
from __future__ import annotations

import base64
import io
import json
import os
import re
from pathlib import Path

import pytest

from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode as zbar_decode

from fair import create_app
from fair.web import live
from fair.checkin import cards, natid, services
from fair.checkin.models import Attendee, Card
from fair.extensions import db
from tests import factories
from tests.schema import fresh_database

VALID = {
    "first_name": "มานี", "last_name": "มีนา", "phone": "081-234-5678", "education": "vocational",
    "experience_years": "2", "skills": "Excel, ขับรถยก; customer service", "desired_positions": "cashier, sales",
    "province": "Chon Buri", "salary_expected": "15,000", "languages": ["th", "en"],
    "consent_participate": "yes",
}


def attendees() -> int:
    return db.session.scalar(db.select(db.func.count(Attendee.id)))


def pair(client, device) -> None:
    with client.session_transaction() as session:
        session["device_id"] = device.device.id


# --- registration --------------------------------------------------------------------------

def test_registration_form_in_thai_lists_thai_names(client, fair):
    response = client.get("/register", headers={"Accept-Language": "th"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="th">' in page
    assert ">กรุงเทพมหานคร</option>" in page and ">ชลบุรี</option>" in page
    assert ">ปวช.</option>" in page
    assert 'name="csrf_token"' in page
    # Consent to share is offered, never pre-ticked; taking part is required.
    assert re.search(r'name="consent_share_profile" value="yes"(?! checked)', page)


def test_registration_form_in_english_lists_english_names(client, fair):
    page = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "whose booths scan my card" in page  # the consent wording is shown in full
    assert ">Bangkok</option>" in page and ">Bachelor&#39;s degree</option>" in page


def test_registration_creates_the_attendee_and_redirects_to_the_card(client, fair):
    response = client.post("/register", data=VALID, headers={"Accept-Language": "th"})
    assert response.status_code == 303
    person = db.session.scalar(db.select(Attendee))
    assert response.headers["Location"].endswith(f"/me/{services.card_link(person)}")
    assert person.phone == "0812345678"
    assert person.skills == ["Excel", "ขับรถยก", "customer service"]
    assert person.desired_positions == ["cashier", "sales"]
    assert person.province == "Chon Buri" and person.salary_expected == 15000
    assert person.languages == ["th", "en"]
    assert person.consent_participate and not person.consent_share_profile
    assert services.active_card(person) is not None
    assert client.get("/me").headers["Location"].endswith(f"/me/{services.card_link(person)}")


def test_registration_records_the_optional_choices(client, fair):
    data = VALID | {"consent_share_profile": "yes", "needs_disability_friendly": "yes"}
    assert client.post("/register", data=data).status_code == 303
    person = db.session.scalar(db.select(Attendee))
    assert person.consent_share_profile and person.needs_disability_friendly


def test_registration_shows_each_problem_next_to_its_field(client, fair):
    number = "110170020345"
    bad_id = number + str((natid.national_id_check_digit(number) + 1) % 10)
    data = VALID | {"last_name": "", "phone": "12", "email": "not-an-email", "national_id": bad_id}
    response = client.post("/register", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("last_name", "phone", "email", "national_id"):
        assert f'id="{field}-error"' in page
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page)
    assert 'id="first_name-error"' not in page
    assert 'value="มานี"' in page  # what was typed stays in the form
    assert attendees() == 0


def test_registration_requires_consent_to_take_part(client, fair):
    data = {k: v for k, v in VALID.items() if k != "consent_participate"}
    response = client.post("/register", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert 'id="consent_participate-error"' in response.get_data(as_text=True)
    assert attendees() == 0


def test_registration_never_tells_whether_a_national_id_is_registered(client, fair, runner):
    """A taken ID answers exactly like a free one (no oracle, no squatting a victim out);
    the second registration holds a claim the organiser resolves with the ID card in hand."""
    number = "110170020345"
    number += str(natid.national_id_check_digit(number))
    first = client.post("/register", data=VALID | {"national_id": number})
    second = client.post("/register", data=VALID | {"national_id": number, "phone": "0899999999"})
    assert first.status_code == second.status_code == 303
    assert "national_id-error" not in second.get_data(as_text=True)
    assert attendees() == 2
    holder, claimant = db.session.scalars(db.select(Attendee).order_by(Attendee.id)).all()
    assert claimant.national_id_hash is None and claimant.national_id_claim_hash == holder.national_id_hash
    listed = runner.invoke(args=["attendee", "id-claims"])
    assert claimant.ref in listed.output and holder.ref in listed.output
    given = runner.invoke(args=["attendee", "resolve-claim", claimant.ref, "--give"])
    assert given.exit_code == 0, given.output
    db.session.expire_all()
    assert claimant.national_id_hash is not None and holder.national_id_hash is None
    assert claimant.national_id_claim_hash is None
    assert "No national-ID claims" in runner.invoke(args=["attendee", "id-claims"]).output


def test_registration_is_rate_limited_per_address(client, fair):
    for _ in range(10):
        client.post("/register", data={"first_name": ""})
    assert client.post("/register", data=VALID).status_code == 429
    assert attendees() == 0


def test_registration_form_carries_a_working_csrf_token(tmp_path, schema_template):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": fresh_database(schema_template, tmp_path / "t.db"),
                      "SECRET_KEY": "s"})
    with app.app_context():
        from fair.core.fairs import ensure_fair
        ensure_fair("CSRF Fair")
        client = app.test_client()
        assert client.post("/register", data=VALID).status_code == 400
        page = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/register", data=VALID | {"csrf_token": token}).status_code == 303
        db.session.remove()
        db.engine.dispose()


# --- the card page --------------------------------------------------------------------------

def test_card_page_shows_the_qr_name_and_manual_code(client, attendee):
    link = services.card_link(attendee)
    response = client.get(f"/me/{link}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert cards.format_manual_code(factories.card_of(attendee).manual_code) in page
    assert "สมชาย ใจดี" in page and "<svg" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert f'/me/{link}/manifest.webmanifest' in page
    assert "card.pkpass" not in page  # no pass certificate configured


def test_card_page_is_404_for_a_tampered_or_foreign_link(client, attendee):
    link = services.card_link(attendee)
    forged = link[:-1] + ("0" if link[-1] != "0" else "1")
    for bad in (forged, "1", "abc.def", f"{attendee.id + 1}.{link.split('.')[1]}", "x" * 300):
        assert client.get(f"/me/{bad}").status_code == 404
        assert client.get(f"/me/{bad}/card.png").status_code == 404


def test_card_image_is_a_png_whose_qr_is_the_cards_token(client, attendee, attendee_token):
    response = client.get(f"/me/{services.card_link(attendee)}/card.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (1011, 638)
    found = [s.data.decode() for s in zbar_decode(image, symbols=[ZBarSymbol.QRCODE])]
    assert found == [attendee_token]


def test_a_replaced_card_cuts_off_the_lost_phone(client, attendee, live_client, gate):
    old_link = services.card_link(attendee)
    lost_phone = live_client(card=old_link)
    new = services.replace_card(attendee, actor="test")
    new_link = services.card_link(attendee)
    assert new_link != old_link
    assert client.get(f"/me/{old_link}").status_code == 404
    assert client.get(f"/me/{old_link}/card.png").status_code == 404
    assert cards.format_manual_code(new.manual_code) in client.get(f"/me/{new_link}").get_data(as_text=True)
    # The lost phone's open page hears nothing more, and cannot connect again.
    lost_phone.get_received(live.NAMESPACE)
    services.check_in(gate.device, factories.token_of(attendee), "after-loss")
    live.flush()
    assert not [m for m in lost_phone.get_received(live.NAMESPACE) if m["name"] == "events"]
    with pytest.raises(Exception):
        again = live_client(card=old_link)
        assert again.is_connected(live.NAMESPACE)
        raise ConnectionRefusedError


def test_print_view_is_id_card_sized(client, attendee):
    page = client.get(f"/me/{services.card_link(attendee)}/print").get_data(as_text=True)
    assert "css/card-print.css" in page and "card-plate" in page
    assert "85.6mm 54mm" in client.get("/static/css/card-print.css").get_data(as_text=True)


def test_card_page_hears_its_own_check_in(client, live_client, gate, attendee, attendee_token):
    other = factories.make_attendee(attendee.fair, ref="A2")
    mine = live_client(card=services.card_link(attendee))
    theirs = live_client(card=services.card_link(other))
    services.check_in(gate.device, attendee_token, "n1")
    live.flush()
    events = [e for m in mine.get_received(live.NAMESPACE) if m["name"] == "events" for e in m["args"][0]]
    assert [(e["type"], e["status"]) for e in events] == [("checkin", "ok")]
    assert not [m for m in theirs.get_received(live.NAMESPACE) if m["name"] == "events"]


def test_card_page_lists_recommended_booths_once_inside(client, monkeypatch, gate, attendee, attendee_token):
    from fair.matching import services as matching
    monkeypatch.setattr(matching, "recommend_booths", lambda attendee, top, lang: [
        {"booth": "A12", "employer": "Siam Packing", "job_ref": "J1", "title": "Forklift driver",
         "score": 90.0, "reasons": ["forklift"]}])
    services.check_in(gate.device, attendee_token, "n1")
    page = client.get(f"/me/{services.card_link(attendee)}").get_data(as_text=True)
    assert "A12" in page and "Forklift driver" in page
    assert re.search(r'id="greeting"[^>]*>', page).group(0).find("hidden") == -1


def test_card_page_survives_a_missing_matching_engine(client, monkeypatch, attendee):
    from fair.matching import services as matching

    def missing(*args, **kwargs):
        raise ImportError("fair.matching.ranking")
    monkeypatch.setattr(matching, "recommend_booths", missing)
    assert client.get(f"/me/{services.card_link(attendee)}").status_code == 200


def test_service_worker_is_scoped_to_the_card(client, attendee):
    link = services.card_link(attendee)
    response = client.get(f"/me/{link}/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == f"/me/{link}"
    body = response.get_data(as_text=True)
    for url in (f"/me/{link}", f"/me/{link}/card.png", "/static/css/fair.css"):
        assert json.dumps(url) in body
    # The card page runs boot.js -> pages/card.js: offline, every module of that graph must be cached.
    for module in _module_graph("boot.js", "pages/card.js"):
        assert json.dumps(f"/static/js/{module}") in body, f"{module} is not precached"


def _module_graph(*entries: str) -> set[str]:
    """The static imports of these modules under fair/static/js, followed to the end."""
    root = Path(__file__).resolve().parents[1] / "fair" / "static" / "js"
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = (root / name).read_text(encoding="utf-8")
        for target in re.findall(r'^import\s[^;]*?from\s+"(\.[^"]+)"', text, re.M):
            todo.append(os.path.normpath(os.path.join(os.path.dirname(name), target)))
    return seen


def test_manifest_makes_the_card_installable(client, attendee):
    link = services.card_link(attendee)
    response = client.get(f"/me/{link}/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["start_url"] == manifest["scope"] == f"/me/{link}"
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.mimetype == "image/png"
        assert Image.open(io.BytesIO(image.data)).size == tuple(map(int, icon["sizes"].split("x")))


# --- the gate ------------------------------------------------------------------------------

def test_gate_page_needs_a_paired_gate(client, fair, gate, booth_device):
    anonymous = client.get("/gate")
    assert anonymous.status_code == 401 and "pair" in anonymous.get_data(as_text=True)  # not the sign-in
    pair(client, booth_device)
    assert client.get("/gate").status_code == 403
    pair(client, gate)
    response = client.get("/gate")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert base64.b64encode(fair.public_key).decode() in page
    assert cards.key_tag(fair.public_key).hex() in page
    assert 'data-page="gate"' in page and 'capture="environment"' in page


def test_a_paired_gate_checks_in_with_its_session_cookie(client, gate, attendee_token):
    pair(client, gate)
    response = client.post("/api/v1/checkins", json={"code": attendee_token, "nonce": "c1"})
    assert response.status_code == 200 and response.json["status"] == "ok"


# --- organiser tools -------------------------------------------------------------------------

def test_print_sheet_is_for_organisers_only(client, gate):
    assert client.get("/organiser/cards/print").status_code == 302
    pair(client, gate)
    assert client.get("/organiser/cards/print").status_code == 403


def test_print_sheet_pages_eighty_cards_at_a_time(organiser_client, fair):
    people = [factories.make_attendee(fair, ref=f"P{i:03d}", first_name=f"Name{i}") for i in range(85)]
    first = organiser_client.get("/organiser/cards/print").get_data(as_text=True)
    assert first.count('class="card-plate"') == 80
    assert cards.format_manual_code(factories.card_of(people[0]).manual_code) in first
    second = organiser_client.get("/organiser/cards/print?page=2").get_data(as_text=True)
    assert second.count('class="card-plate"') == 5
    assert "Name84" in second and "Name84" not in first


def test_lookup_and_replace_a_lost_card(organiser_client, gate, attendee, attendee_token):
    page = organiser_client.get("/organiser/attendees?q=ใจดี").get_data(as_text=True)
    assert "A1" in page and "replace-card" in page
    response = organiser_client.post("/organiser/attendees/A1/replace-card", data={"confirm": "yes"})
    assert response.status_code == 303 and "q=A1" in response.headers["Location"]
    assert services.check_in(gate.device, attendee_token, "n1").status == "revoked"
    active = db.session.scalars(db.select(Card).filter_by(attendee_id=attendee.id, status="active")).all()
    assert len(active) == 1
    assert cards.format_manual_code(active[0].manual_code) in organiser_client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_replace_card_is_for_organisers_only(client, gate, attendee):
    pair(client, gate)
    assert client.post("/organiser/attendees/A1/replace-card", data={"confirm": "yes"}).status_code == 403
    assert client.get("/organiser/attendees?q=A1").status_code == 403
