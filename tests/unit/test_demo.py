"""The demo fair: deterministic, believable, and valid by the import rules."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from fair.loading.demo import FAIR_INFO, booth_code, booth_position, generate_demo, load_vocabulary
from fair.loading.importing import COLUMNS, validate_rows
from fair.core.reference import parse_province

THAI = re.compile(r"[\u0e01-\u0e5b]")


@pytest.fixture(scope="module")
def demo():
    # Built once: generating 2,000 attendees takes about a second.
    return generate_demo()


def validate(data):
    employers = validate_rows("employers", data.employers)
    jobs = validate_rows("jobs", data.jobs,
                         known_employer_refs={e["employer_ref"] for e in data.employers})
    attendees = validate_rows("attendees", data.attendees)
    return employers, jobs, attendees


def test_same_seed_gives_identical_fair(demo):
    again = generate_demo()
    assert again == demo


def test_other_seed_gives_other_people():
    a = generate_demo(seed=1, attendees=50, booths=10)
    b = generate_demo(seed=2, attendees=50, booths=10)
    assert a.attendees != b.attendees


def test_counts(demo):
    assert len(demo.employers) == 60
    assert len({e["booth"] for e in demo.employers}) == 60
    assert 120 <= len(demo.jobs) <= 180
    assert len(demo.attendees) == 2000
    assert len({a["attendee_ref"] for a in demo.attendees}) == 2000
    assert {e["employer_ref"] for e in demo.employers} >= {j["employer_ref"] for j in demo.jobs}


def test_rows_are_strings_keyed_exactly_like_the_csv_columns(demo):
    for kind in ("employers", "jobs", "attendees"):
        for row in getattr(demo, kind):
            assert tuple(row) == COLUMNS[kind]
            assert all(isinstance(v, str) for v in row.values())


def test_every_row_passes_the_import_checks(demo):
    employers, jobs, attendees = validate(demo)
    assert employers.errors == [] and len(employers.rows) == 60
    assert jobs.errors == [] and len(jobs.rows) == len(demo.jobs)
    assert attendees.errors == [] and len(attendees.rows) == 2000


def test_small_and_large_halls_are_valid_too():
    for booths in (1, 5, 80):
        data = generate_demo(seed=7, attendees=30, booths=booths)
        assert len(data.employers) == booths
        assert all(not parsed.errors for parsed in validate(data))


def test_thai_names_and_some_foreign_names(demo):
    first_names = [a["first_name"] for a in demo.attendees]
    thai = sum(1 for n in first_names if THAI.search(n))
    assert 0.85 * len(first_names) < thai < len(first_names)
    assert len({(a["first_name"], a["last_name"]) for a in demo.attendees}) > 300
    assert any(THAI.search(e["name"]) for e in demo.employers)
    assert any(THAI.search(j["title"]) for j in demo.jobs)
    assert any(not THAI.search(j["title"]) for j in demo.jobs)


def test_realistic_mix(demo):
    _, _, attendees = validate(demo)
    rows = attendees.rows
    consent = sum(r["consent_share_profile"] for r in rows) / len(rows)
    assert 0.62 < consent < 0.78
    provinces = Counter(r["province"] for r in rows)
    assert provinces.most_common(1)[0][0] == "Bangkok"
    assert len(provinces) > 40
    education = Counter(r["education"] for r in rows)
    assert education["bachelor"] > education["master"] > 0
    assert education["upper_secondary"] > education["primary"]
    with_id = [r["national_id"] for r in rows if r["national_id"]]
    assert 0.25 * len(rows) < len(with_id) < 0.5 * len(rows)
    assert len(set(with_id)) == len(with_id)
    assert all(r["skills"] and r["desired_positions"] for r in rows)
    emails = [r["email"] for r in rows if r["email"]]
    assert all(e.endswith(("@example.com", "@example.co.th")) for e in emails)


def test_jobs_use_the_shared_vocabulary(demo):
    vocabulary = load_vocabulary()
    names = {o[k].casefold() for o in vocabulary["occupations"] for k in ("en", "th")}
    assert all(j["title"].casefold() in names for j in demo.jobs)
    skill_names = {n.casefold() for s in vocabulary["skills"]
                   for n in (s["en"], s["th"], *s.get("aliases", []))}
    for job in demo.jobs:
        for skill in job["skills_required"].split(";"):
            assert skill.casefold() in skill_names


def test_booths_fill_the_floor_plan_in_rows():
    assert [booth_code(i) for i in (0, 11, 12, 71)] == ["A1", "A12", "B1", "F12"]
    assert booth_position("C7") == (7, 3)
    assert booth_position("a12") == (12, 1)
    assert booth_position(booth_code(12 * 27)) == (1, 28)  # past Z: AB
    with pytest.raises(ValueError):
        booth_position("12")


def test_fair_info():
    data = generate_demo(attendees=0, booths=1)
    assert data.fair == FAIR_INFO
    assert data.fair["name"] == "Job Expo Thailand 2026"
    assert data.fair["name_th"] == "มหกรรมนัดพบแรงงาน 2569"
    assert parse_province(data.fair["venue"].rsplit(", ", 1)[-1]) == "Bangkok"


def test_booths_use_the_a_to_f_grid(demo):
    positions = [booth_position(e["booth"]) for e in demo.employers]
    assert all(1 <= column <= 12 and 1 <= row <= 6 for column, row in positions)
    assert {row for _, row in positions} == set(range(1, 7))
