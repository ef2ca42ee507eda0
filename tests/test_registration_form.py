"""Self-registration (issue 15): every field error at once, plausible bounds, "2.5" years."""
from __future__ import annotations

import re

import pytest

from fair.checkin import services
from fair.checkin.models import Attendee
from fair.extensions import db
from fair.loading import importing

VALID = {"first_name": "มานี", "last_name": "มีนา", "phone": "081-234-5678", "consent_participate": "yes"}
EN = {"Accept-Language": "en"}


def _errors(page: str) -> set[str]:
    return set(re.findall(r'id="([a-z_]+)-error"', page))


def test_every_field_error_shows_at_once_with_a_summary(client, fair):
    data = {"first_name": "", "last_name": "", "phone": "12", "experience_years": "70",
            "salary_expected": "5,000,000", "email": "nope"}
    page = client.post("/register", data=data, headers=EN).get_data(as_text=True)
    assert _errors(page) == {"first_name", "last_name", "phone", "email", "experience_years",
                             "salary_expected", "consent_participate"}
    assert "Please correct these 7 fields:" in page
    summary = page.split('class="flash flash-error error-summary"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'href="#(\w+)"', summary)[:3] == ["first_name", "last_name", "phone"]
    assert "from 0 to 60" in page and "from 0 to 1,000,000" in page
    assert db.session.scalar(db.select(db.func.count(Attendee.id))) == 0


def test_a_too_long_field_does_not_hide_the_other_errors(client, fair):
    data = VALID | {"first_name": "ก" * 200, "phone": "12"}
    page = client.post("/register", data=data, headers=EN).get_data(as_text=True)
    assert _errors(page) == {"first_name", "phone"}
    assert "This is too long." in page


def test_thai_page_shows_the_bounds_in_thai(client, fair):
    page = client.post("/register", data=VALID | {"experience_years": "-1"},
                       headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert _errors(page) == {"experience_years"} and "0 ถึง 60" in page


@pytest.mark.parametrize("typed, stored", [("2.5", 2.5), ("2,5", 2.5), ("๓", 3), ("3 ปี", 3), ("1.25", 1.2),
                                           ("0", 0), ("60", 60)])
def test_years_with_a_fraction_or_a_decimal_comma_are_accepted(client, fair, typed, stored):
    response = client.post("/register", data=VALID | {"experience_years": typed})
    assert response.status_code == 303, _errors(response.get_data(as_text=True))
    attendee = db.session.scalar(db.select(Attendee))
    db.session.refresh(attendee)
    assert attendee.experience_years == stored and type(attendee.experience_years) is type(stored)


@pytest.mark.parametrize("field, value", [("experience_years", "61"), ("experience_years", "2.5.1"),
                                          ("experience_years", "lots"), ("salary_expected", "1,000,001"),
                                          ("salary_expected", "-100")])
def test_implausible_values_are_refused_and_nothing_is_registered(client, fair, field, value):
    response = client.post("/register", data=VALID | {field: value}, headers=EN)
    assert response.status_code == 400 and _errors(response.get_data(as_text=True)) == {field}
    assert db.session.scalar(db.select(db.func.count(Attendee.id))) == 0


def test_the_service_lists_every_problem_without_registering(fair):
    problems = services.registration_problems(fair, {"phone": "1", "experience_years": "99"},
                                              consent_participate=False)
    assert set(problems) == {"first_name", "last_name", "phone", "experience_years", "consent_participate"}
    assert db.session.scalar(db.select(db.func.count(Attendee.id))) == 0


def test_imports_share_the_bounds(app):
    rows = [{"attendee_ref": "X1", "first_name": "A", "experience_years": "2.5", "salary_expected": "20000"},
            {"attendee_ref": "X2", "first_name": "B", "experience_years": "75", "salary_expected": "2000000"}]
    parsed = importing.validate_rows("attendees", rows)
    assert [r["experience_years"] for r in parsed.rows] == [2.5]
    assert {(e.line, e.column) for e in parsed.errors} == {(3, "experience_years"), (3, "salary_expected")}


@pytest.mark.parametrize("extra, stored, relocate", [
    ({"province": "Chon Buri", "work_abroad": "yes"}, "Chon Buri;abroad", False),
    ({"province": "Rayong", "work_other_provinces": "yes", "work_abroad": "yes"}, "Rayong;abroad", True),
    ({"work_abroad": "yes"}, "abroad", False),
    ({"province": "Rayong", "work_other_provinces": "yes"}, "Rayong", True),
    ({"province": "Rayong"}, "Rayong", False),
])
def test_work_in_other_provinces_or_abroad_is_stored_as_an_import_would(client, fair, extra, stored, relocate):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="work_abroad"' in page and 'name="work_other_provinces"' in page and "ต่างประเทศ" in page
    response = client.post("/register", data=VALID | extra)
    assert response.status_code == 303, _errors(response.get_data(as_text=True))
    attendee = db.session.scalar(db.select(Attendee))
    assert (attendee.province, attendee.willing_to_relocate) == (stored, relocate)


def test_a_person_who_would_work_abroad_matches_a_job_abroad(client, fair):
    from tests import factories
    from fair.matching import services as matching
    employer = factories.make_employer(fair, booth_code="B1")
    factories.make_job(employer, ref="JX", title="Forklift driver", province="abroad")
    db.session.commit()
    client.post("/register", data=VALID | {"province": "Chon Buri", "work_abroad": "yes"})
    attendee = db.session.scalar(db.select(Attendee))
    [first] = matching.recommend_booths(attendee, top=1, lang="en")
    assert any("abroad" in r for r in first["reasons"])
