"""CSV import checks: every bad row reported by line and reason, clean rows typed."""
from __future__ import annotations

from pathlib import Path

import pytest

from fair.loading.importing import COLUMNS, RowError, national_id_check_digit, parse_csv, validate_rows

DATA = Path(__file__).parents[1] / "data"
EMPLOYER_REFS = {"EMP001", "EMP002", "EMP003", "EMP004"}


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def errors_by_line(parsed) -> dict[int, list[RowError]]:
    found: dict[int, list[RowError]] = {}
    for error in parsed.errors:
        found.setdefault(error.line, []).append(error)
    return found


def header(kind: str) -> str:
    return ",".join(COLUMNS[kind]) + "\n"


# -- good files ------------------------------------------------------------

def test_thai_attendees_file_gives_typed_rows_with_thai_text_intact():
    parsed = parse_csv("attendees", read("attendees_th.csv"))
    assert parsed.errors == []
    assert [r["attendee_ref"] for r in parsed.rows] == ["A0001", "A0002", "A0003", "A0004"]
    first, second, third, fourth = parsed.rows
    assert (first["first_name"], first["last_name"]) == ("สมชาย", "ใจดี")
    assert first["phone"] == "0812345678"
    assert first["national_id"] == "1101700203450"
    assert first["education"] == "upper_secondary"
    assert first["experience_years"] == 3
    assert first["skills"] == ["ขับรถโฟล์คลิฟท์", "คลังสินค้า"]
    assert first["province"] == "Chon Buri"
    assert first["salary_expected"] == 15000
    assert first["languages"] == ["th"]
    assert first["consent_share_profile"] is True
    assert second["phone"] == "0898765432"
    assert second["experience_years"] == 5  # Thai digits
    assert second["salary_expected"] == 18000
    assert second["skills"] == ["บัญชี", "Excel"]
    assert second["languages"] == ["th", "en"]
    assert second["province"] == "Bangkok"
    assert second["consent_share_profile"] is False
    assert second["email"] is None and second["national_id"] is None
    assert third["province"] == "Nonthaburi"
    assert third["languages"] == ["th"]  # empty cell: Thai
    assert third["salary_expected"] is None
    # The blank line above A0004 still counts as a line of the file.
    assert fourth["_line"] == 6
    assert fourth["last_name"] == ""
    assert fourth["consent_share_profile"] is False


def test_english_attendees_file():
    parsed = parse_csv("attendees", read("attendees_en.csv"))
    assert parsed.errors == []
    john, aung, sokha = parsed.rows
    assert john["education"] == "bachelor"
    assert john["phone"] == "021234567"  # a Bangkok landline has 9 digits
    assert john["languages"] == ["en", "th"]
    assert aung["languages"] == ["my", "th"]
    assert aung["consent_share_profile"] is True
    assert sokha["province"] == "Chon Buri"
    assert sokha["education"] == "upper_secondary"


def test_employers_file_normalises_booths_and_provinces():
    parsed = parse_csv("employers", read("employers.csv"))
    assert parsed.errors == []
    booths = [r["booth"] for r in parsed.rows]
    assert booths == ["A1", "A2", "B7", "C12"]
    assert parsed.rows[0]["name"] == "บริษัท สยามแพ็คกิ้ง จำกัด"
    assert parsed.rows[1]["name"] == "Chao Phraya Logistics Co., Ltd."
    assert parsed.rows[2]["province"] == "Bangkok"
    assert parsed.rows[3]["contact_email"] is None
    assert parsed.rows[3]["_line"] == 6


def test_jobs_file_with_thai_numbers_and_defaults():
    parsed = parse_csv("jobs", read("jobs.csv"), known_employer_refs=EMPLOYER_REFS)
    assert parsed.errors == []
    j1, j2, j3, j4 = parsed.rows
    assert j1["title"] == "พนักงานฝ่ายผลิต"
    assert (j1["salary_min"], j1["salary_max"]) == (12000, 15000)
    assert j1["education_min"] == "lower_secondary"
    assert j1["positions"] == 20 and j1["disability_friendly"] is True
    assert j1["description"] == "กะเช้า/กะดึก, มีรถรับส่ง"
    assert j2["positions"] == 1 and j2["disability_friendly"] is False
    assert j2["education_min"] == "vocational"
    assert j3["skills_optional"] == ["Chinese", "Japanese"]
    assert (j4["salary_min"], j4["salary_max"], j4["experience_min_years"]) == (30000, 50000, 2)


def test_bom_is_accepted_and_not_part_of_the_first_column():
    parsed = parse_csv("attendees", b"\xef\xbb\xbf" + read("attendees_th.csv"))
    assert parsed.errors == []
    assert parsed.rows[0]["attendee_ref"] == "A0001"
    assert parse_csv("attendees", "\ufeff" + read("attendees_th.csv").decode()).ok


def test_text_input_and_crlf_line_endings():
    text = read("attendees_en.csv").decode().replace("\n", "\r\n")
    parsed = parse_csv("attendees", text)
    assert parsed.errors == [] and len(parsed.rows) == 3


def test_header_names_are_matched_ignoring_case_and_order_and_optional_columns_may_be_absent():
    parsed = parse_csv("attendees", "First_Name , ATTENDEE_REF\nนภา,X1\n")
    assert parsed.errors == []
    assert parsed.rows[0]["first_name"] == "นภา"
    assert parsed.rows[0]["skills"] == [] and parsed.rows[0]["languages"] == ["th"]


# -- bad files -------------------------------------------------------------

def test_every_bad_row_is_reported_with_its_line_and_reason():
    parsed = parse_csv("attendees", read("attendees_bad.csv"))
    by_line = errors_by_line(parsed)
    # Line 2 (B001) is fine; line 7 is blank; everything else is wrong.
    assert sorted(by_line) == [3, 4, 5, 6, 8, 9, 10]
    assert [(e.column, e.message) for e in by_line[3]] == [("first_name", "is required")]
    assert by_line[4][0].column == "phone" and "12345" in by_line[4][0].message
    assert by_line[5][0].column == "attendee_ref" and "line 2" in by_line[5][0].message
    assert by_line[6][0].column == "email"
    assert by_line[8][0].column == "national_id" and "check digit" in by_line[8][0].message
    assert {e.column for e in by_line[9]} == {
        "education", "experience_years", "province", "salary_expected", "consent_share_profile"}
    assert "negative" in next(e.message for e in by_line[9] if e.column == "experience_years")
    # A row with too many cells: an unquoted comma.
    assert by_line[10][0].column is None and "double quotes" in by_line[10][0].message
    assert [r["attendee_ref"] for r in parsed.rows] == ["B001"]
    assert str(by_line[3][0]) == "line 3, first_name: is required"


def test_non_utf8_thai_file_asks_to_save_as_utf8():
    data = read("attendees_th.csv").decode().encode("cp874")
    parsed = parse_csv("attendees", data)
    assert parsed.rows == []
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert error.line == 1 and "UTF-8" in error.message and "TIS-620" in error.message


def test_utf16_file_is_rejected_with_advice():
    parsed = parse_csv("attendees", read("attendees_en.csv").decode().encode("utf-16"))
    assert parsed.errors[0].line == 1 and "UTF-16" in parsed.errors[0].message


def test_binary_junk_is_not_utf8():
    parsed = parse_csv("employers", header("employers").encode() + b"E1,\x81\x8d\x8f,A1\n")
    assert parsed.errors[0].line == 1 and "line 2" in parsed.errors[0].message


def test_missing_required_column_is_reported_once_and_rows_are_not_checked():
    text = "attendee_ref,last_name\nA1,x\nA2,y\n"
    parsed = parse_csv("attendees", text)
    assert len(parsed.errors) == 1
    assert parsed.errors[0].line == 1 and "first_name" in parsed.errors[0].message
    assert parsed.rows == []


def test_unknown_column_is_reported_once_and_rows_are_still_checked():
    text = "attendee_ref,first_name,emial\nA1,สมชาย,a@example.com\nA2,,b@example.com\n"
    parsed = parse_csv("attendees", text)
    assert [(e.line, e.column) for e in parsed.errors] == [(1, None), (3, "first_name")]
    assert "emial" in parsed.errors[0].message


def test_semicolon_separated_file_gets_a_hint():
    parsed = parse_csv("employers", "employer_ref;name;booth\nE1;x;A1\n")
    assert len(parsed.errors) == 1 and "';'" in parsed.errors[0].message


def test_empty_file_needs_a_header():
    assert parse_csv("jobs", b"").errors[0].line == 1
    assert parse_csv("jobs", b"\n\n").errors[0].message.startswith("the file is empty")


def test_duplicate_refs_within_the_file():
    text = header("employers") + "E1,One,A1,,,\nE2,Two,A2,,,\nE1,Again,A3,,,\n"
    parsed = parse_csv("employers", text)
    assert [(e.line, e.column) for e in parsed.errors] == [(4, "employer_ref")]
    assert "line 2" in parsed.errors[0].message


def test_existing_refs_are_errors_or_updates_as_the_caller_says():
    text = header("employers") + "E1,One,A1,,,\nE9,Nine,A9,,,\n"
    refused = parse_csv("employers", text, existing_refs={"E9"})
    assert [(e.line, e.column) for e in refused.errors] == [(3, "employer_ref")]
    updated = parse_csv("employers", text, existing_refs={"E9"}, on_existing="update")
    assert updated.errors == []
    assert [r["_action"] for r in updated.rows] == ["create", "update"]


def test_booths_must_be_well_formed_and_free():
    text = header("employers") + "E1,One,a-01,,,\nE2,Two,A1,,,\nE3,Three,12A,,,\nE4,Four,B5,,,\n"
    parsed = parse_csv("employers", text, taken_booths={"b5"})
    by_line = errors_by_line(parsed)
    assert sorted(by_line) == [3, 4, 5]
    assert "line 2" in by_line[3][0].message  # A1 is the same stand as a-01
    assert "A12" in by_line[4][0].message  # the example of a good code
    assert "taken" in by_line[5][0].message


def test_unknown_employer_ref_in_jobs():
    text = header("jobs") + "J1,EMP001,Cook,,,,,,,,,,\nJ2,NOPE,Cook,,,,,,,,,,\n"
    parsed = parse_csv("jobs", text, known_employer_refs={"EMP001"})
    assert [(e.line, e.column) for e in parsed.errors] == [(3, "employer_ref")]
    assert "NOPE" in parsed.errors[0].message


def test_salary_min_above_salary_max():
    text = header("jobs") + "J1,E1,Cook,,,,,,20000,15000,,,\nJ2,E1,Cook,,,,,,15000,15000,,0,\n"
    parsed = parse_csv("jobs", text, known_employer_refs={"E1"})
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "salary_max"), (3, "positions")]
    assert "20000" in parsed.errors[0].message


def test_invalid_national_id_check_digit_and_shape():
    good = "1101700203450"
    bad = good[:-1] + "1"
    text = (header("attendees") + f"A1,a,,,,{good},,,,,,,,\nA2,b,,,,{bad},,,,,,,,\n"
            "A3,c,,,,12345,,,,,,,,\nA4,d,,,,1 1017 00203 45 0,,,,,,,,\n")
    parsed = parse_csv("attendees", text)
    by_line = errors_by_line(parsed)
    assert sorted(by_line) == [3, 4, 5]
    assert "check digit" in by_line[3][0].message
    assert "13 digits" in by_line[4][0].message
    assert "line 2" in by_line[5][0].message  # the same person twice


def test_national_id_rule_can_be_passed_in():
    text = header("attendees") + "A1,a,,,,1101700203451,,,,,,,,\n"
    assert parse_csv("attendees", text, national_id_valid=lambda digits: True).ok
    assert national_id_check_digit("110170020345") == 0


@pytest.mark.parametrize("phone, expected", [
    ("081-234-5678", "0812345678"),
    ("+66 81 234 5678", "0812345678"),
    ("+66 (0)81 234 5678", "0812345678"),
    ("66812345678", "0812345678"),
    ("๐๘๑๒๓๔๕๖๗๘", "0812345678"),
    ("02 123 4567", "021234567"),
])
def test_phone_formats(phone, expected):
    parsed = validate_rows("attendees", [{"attendee_ref": "A", "first_name": "a", "phone": phone}])
    assert parsed.errors == [] and parsed.rows[0]["phone"] == expected


@pytest.mark.parametrize("phone", ["12345", "0012345678", "+1 555 123 4567", "08123456789012"])
def test_bad_phones(phone):
    parsed = validate_rows("attendees", [{"attendee_ref": "A", "first_name": "a", "phone": phone}])
    assert [e.column for e in parsed.errors] == ["phone"]


@pytest.mark.parametrize("value, expected", [
    ("15000", 15000), ("15,000", 15000), ("๑๕,๐๐๐", 15000), ("฿15,000", 15000),
    ("15,000 บาท", 15000), ("15,000.-", 15000), ("15000.00", 15000), ("0", 0),
])
def test_numbers(value, expected):
    parsed = validate_rows("attendees", [
        {"attendee_ref": "A", "first_name": "a", "salary_expected": value}])
    assert parsed.errors == [] and parsed.rows[0]["salary_expected"] == expected


@pytest.mark.parametrize("value", ["-1", "1.5", "1,5", "15k", "สองหมื่น", "15000-20000"])
def test_bad_numbers(value):
    parsed = validate_rows("attendees", [
        {"attendee_ref": "A", "first_name": "a", "salary_expected": value}])
    assert [e.column for e in parsed.errors] == ["salary_expected"]


def test_validate_rows_numbers_lines_like_a_file_and_checks_all_rows():
    parsed = validate_rows("attendees", [
        {"attendee_ref": "A1", "first_name": ""},
        {"attendee_ref": "A2", "first_name": "b", "email": "b@"},
        {"attendee_ref": "A3", "first_name": "c", "_line": 40, "province": "Nowhere"},
    ])
    assert [(e.line, e.column) for e in parsed.errors] == [
        (2, "first_name"), (3, "email"), (40, "province")]


def test_rows_do_not_share_list_defaults():
    parsed = validate_rows("attendees", [
        {"attendee_ref": "A1", "first_name": "a"}, {"attendee_ref": "A2", "first_name": "b"}])
    parsed.rows[0]["skills"].append("x")
    parsed.rows[0]["languages"].append("en")
    assert parsed.rows[1]["skills"] == [] and parsed.rows[1]["languages"] == ["th"]


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_csv("booths", "x\n")


def test_existing_refs_can_be_skipped():
    text = header("employers") + "E9,Nine,A9,,,\n"
    parsed = parse_csv("employers", text, existing_refs={"E9"}, on_existing="skip")
    assert parsed.errors == [] and parsed.rows[0]["_action"] == "skip"


def test_an_employer_keeps_its_own_booth_when_booths_are_given_with_holders():
    text = header("employers") + "E1,One,A1,,,\nE2,Two,A2,,,\n"
    parsed = parse_csv("employers", text, existing_refs={"E1"}, on_existing="update",
                       taken_booths={"A1": "E1", "A2": "E7"})
    assert [(e.line, e.column) for e in parsed.errors] == [(3, "booth")]
