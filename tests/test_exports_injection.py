"""Exports are opened in Excel: text typed by attendees and recruiters must never run there as a formula."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from fair.organiser import exports
from fair.booths import services as booth_services
from fair.checkin import services as checkin_services
from tests import factories

NAME = '=HYPERLINK("http://x","y")'
STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets take for a formula
FORMULA_LIKE = (NAME, "-2+3", "+1+1", "@SUM(A1)", "\t=1+1", "\r=1+1")


@pytest.fixture
def hostile(fair, gate, booth, booth_device):
    """An attendee whose name and a lead whose notes and tags look like formulas."""
    attendee = factories.make_attendee(fair, ref="X1", first_name=NAME, last_name="-2+3",
                                       consent_share_profile=True, experience_years=4, province="\t=1+1")
    token = factories.token_of(attendee)
    checkin_services.check_in(gate.device, token, nonce="in-x1")
    booth_services.capture_lead(booth_device.device, booth, token, nonce="lead-x1", rating=4,
                                tags=["@SUM(A1)"], notes="+1+1", next_step="hired")
    return attendee


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("what", ["attendees", "leads", "checkins", "attendance", "hires"])
def test_csv_exports_quote_every_cell_that_starts_like_a_formula(app, hostile, what):
    data, _count = exports.export_bytes(what, "csv", None, actor="test")
    cells = [cell for row in _csv_cells(data) for cell in row]
    assert not [c for c in cells if c.startswith(STARTS)], cells
    assert any(c.startswith("'" + NAME) for c in cells)  # the name is there, quoted


def test_lead_csv_keeps_the_text_readable_behind_the_quote(app, hostile):
    data, _ = exports.export_bytes("leads", "csv", None, actor="test")
    header, row = _csv_cells(data)[:2]
    lead = dict(zip(header, row))
    assert lead["notes"] == "'+1+1" and lead["tags"] == "'@SUM(A1)"
    assert lead["name"] == "'" + NAME + " -2+3"
    assert lead["rating"] == "4"  # numbers are not touched


@pytest.mark.parametrize("what", ["attendees", "leads", "checkins", "attendance"])
def test_xlsx_exports_have_no_formula_cells_and_text_is_string_cells(app, hostile, what):
    data, _ = exports.export_bytes(what, "xlsx", None, actor="test")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for cell in cells:
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            assert not cell.value.startswith(STARTS), cell.value
    if what == "attendees":
        header = [c.value for c in next(sheet.iter_rows())]
        row = dict(zip(header, [c for c in list(sheet.iter_rows())[1]]))
        assert row["first_name"].value == "'" + NAME and row["last_name"].value == "'-2+3"
        assert row["experience_years"].data_type == "n" and row["experience_years"].value == 4


def test_cards_list_csv_quotes_a_formula_like_name(runner, hostile):
    result = runner.invoke(args=["cards", "list", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[1][1] == "'" + NAME + " -2+3"


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_inert_quotes_formula_like_text_and_leaves_numbers(value):
    assert exports.inert(value) == "'" + value
    assert exports.inert(-2) == -2 and exports.inert(3.5) == 3.5 and exports.inert("Somchai") == "Somchai"
