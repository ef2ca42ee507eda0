"""One table of export formats and their media types (fair.organiser.exports.MIMETYPES), served
alike by the organiser's end-of-day downloads and a booth's lead export."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fair.organiser import exports

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",   # once: it used to come twice
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_the_formats_are_the_tables_keys():
    assert exports.FORMATS == tuple(exports.MIMETYPES) == ("csv", "xlsx")


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_organiser_and_booth_downloads_are_served_with_the_same_type(organiser_client, booth_device, fmt):
    organiser = organiser_client.get(f"/organiser/export/leads.{fmt}")
    booth = organiser_client.get(f"/booths/A1/leads/export.{fmt}")
    for answer in (organiser, booth):
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == CONTENT_TYPES[fmt]
        assert answer.headers["Content-Disposition"].endswith(f'.{fmt}"')
        assert answer.headers["Cache-Control"] == "no-store"
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(booth.data)).active.max_row >= 1
    else:
        assert booth.data.decode("utf-8-sig").splitlines()[0]


def test_a_format_outside_the_table_is_404(organiser_client, booth_device):
    assert organiser_client.get("/booths/A1/leads/export.pdf").status_code == 404
    assert organiser_client.get("/organiser/export/leads.pdf").status_code == 404
