"""Exports HR staff can use (issue 15): venue time, real XLSX dates, words in the chosen language,
the job title on each lead, one file-name rule for the CLI and the web."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from fair.booths import services as booth_services
from fair.checkin import services as checkin_services
from fair.organiser import exports
from tests import factories

SCANNED = datetime(2026, 12, 3, 2, 5, 30)     # 09:05 in Bangkok


@pytest.fixture
def lead(fair, booth, booth_device):
    factories.make_job(booth.employer, ref="J1", title="Forklift driver")
    person = factories.make_attendee(fair, ref="P1", education="bachelor")
    booth_services.capture_lead(booth_device.device, booth, factories.token_of(person), "l1",
                                scanned_at=SCANNED, next_step="shortlisted", job_ref="J1")
    return person


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_lead_csv_has_venue_time_the_job_title_and_words_in_english(lead):
    data, _ = exports.export_bytes("leads", "csv", None, actor="test", lang="en")
    row = _csv(data)[0]
    assert row["first_scanned_at"] == "2026-12-03 09:05"          # not 2026-12-03T02:05:30.000Z
    assert (row["job_ref"], row["job_title"]) == ("J1", "Forklift driver")
    assert row["next_step"] == "Shortlisted" and row["education"] == "Bachelor's degree"


def test_lead_csv_in_thai_translates_the_codes(lead):
    row = _csv(exports.export_bytes("leads", "csv", None, actor="test", lang="th")[0])[0]
    assert row["next_step"] == "คัดเลือกไว้พิจารณา" and row["education"] == "ปริญญาตรี"


def test_xlsx_times_are_real_date_cells_with_a_number_format(lead, fair, gate):
    checkin_services.check_in(gate.device, factories.token_of(lead), "c1", scanned_at=SCANNED)
    for what, column in (("leads", "first_scanned_at"), ("checkins", "scanned_at")):
        data, _ = exports.export_bytes(what, "xlsx", None, actor="test", lang="en")
        sheet = load_workbook(io.BytesIO(data)).active
        header = [c.value for c in sheet[1]]
        cell = sheet.cell(row=2, column=header.index(column) + 1)
        assert cell.is_date and cell.value == datetime(2026, 12, 3, 9, 5, 30)
        assert cell.number_format == exports.XLSX_TIME_FORMAT
    row = [c.value for c in sheet[2]]
    assert row[header.index("type")] == "Entry" and row[header.index("status")] == "Checked in"


def test_attendee_export_says_yes_and_no_in_the_language(fair):
    factories.make_attendee(fair, ref="P2", consent_share_profile=True)
    th = _csv(exports.export_bytes("attendees", "csv", None, actor="test", lang="th")[0])[0]
    en = _csv(exports.export_bytes("attendees", "csv", None, actor="test", lang="en")[0])[0]
    assert (en["consent_share_profile"], en["inside"]) == ("yes", "no")
    assert th["consent_share_profile"] != "yes" and th["inside"] != "no"


def test_one_file_name_rule(app, fair):
    fair.name = "Bangkok Job Fair 2026"
    name = exports.export_filename("leads", "xlsx", "A1", now=SCANNED)
    assert name == "bangkok-job-fair-2026-leads-a1-20261203-0905.xlsx"
    assert exports.export_filename("hires", "csv", now=SCANNED) == "bangkok-job-fair-2026-hires-20261203-0905.csv"
    assert exports.slug("มหกรรมนัดพบแรงงาน") == "fair"      # nothing ASCII: a plain fallback


NAME = re.compile(r'filename="test-fair-(\w+)(-a1)?-\d{8}-\d{4}\.(csv|xlsx)"')


def test_web_exports_follow_the_rule_and_take_a_language(organiser_client, lead, booth):
    answer = organiser_client.get("/organiser/export/leads.csv?lang=en")
    assert NAME.search(answer.headers["Content-Disposition"]).group(1) == "leads"
    assert _csv(answer.get_data())[0]["next_step"] == "Shortlisted"
    thai = organiser_client.get("/organiser/export/leads.csv", headers={"Accept-Language": "th"})
    assert _csv(thai.get_data())[0]["next_step"] == "คัดเลือกไว้พิจารณา"
    booth_file = organiser_client.get("/booths/A1/leads/export.xlsx?lang=en")
    assert NAME.search(booth_file.headers["Content-Disposition"]).group(2) == "-a1"
    page = organiser_client.get("/dashboard?export_lang=en").get_data(as_text=True)
    assert "/organiser/export/leads.xlsx?lang=en" in page


def test_cli_export_names_the_file_by_the_rule_and_takes_lang(runner, lead, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    result = runner.invoke(args=["export", "leads", "--out", str(folder), "--format", "csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    written = list(folder.iterdir())
    assert len(written) == 1 and re.fullmatch(r"test-fair-leads-\d{8}-\d{4}\.csv", written[0].name)
    assert _csv(written[0].read_bytes())[0]["next_step"] == "Shortlisted"
    hires = runner.invoke(args=["export", "hires", "--out", str(tmp_path / "h.xlsx")])
    assert hires.exit_code == 0 and (tmp_path / "h.xlsx").exists()
    bad = runner.invoke(args=["export", "leads", "--out", str(tmp_path / "x.csv"), "--format", "xlsx"])
    assert bad.exit_code == 2
