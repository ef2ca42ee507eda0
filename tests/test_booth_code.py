"""One booth-code rule (fair.core.reference.parse_booth_code): a code written " a1 ", "A-1" or
"A01" is booth A1 in an import, a URL, a form, an export and on the command line alike."""
from __future__ import annotations

import pytest

from fair.booths import services
from fair.core.models import Device
from fair.core.reference import parse_booth_code, split_booth_code
from fair.loading import importing
from fair.loading.demo import booth_position
from fair.organiser import devices, exports
from tests import factories

WRITTEN = [" a1 ", "a1", "A-1", "A 1", "A01", "A001", "A๑", "\u0041\uff11"]  # last: a full-width 1


@pytest.mark.parametrize("text", WRITTEN)
def test_every_way_of_writing_a1_is_a1(text):
    assert parse_booth_code(text) == "A1"
    assert split_booth_code(text) == ("A", 1)


@pytest.mark.parametrize("text", ["", "   ", "12", "A", "ABC1", "A1234", "1A", "A1B", "ก1", None])
def test_what_is_no_booth_code_is_none(text):
    assert parse_booth_code(text) is None


def test_the_import_and_the_floor_plan_read_codes_by_the_same_rule():
    rows = [{"employer_ref": "E1", "name": "Siam", "booth": " a1 "},
            {"employer_ref": "E2", "name": "Chao", "booth": "ab-012"}]
    parsed = importing.validate_rows("employers", rows)
    assert not parsed.errors
    assert [row["booth"] for row in parsed.rows] == ["A1", "AB12"]
    bad = importing.validate_rows("employers", [{"employer_ref": "E3", "name": "X", "booth": "1A"}])
    assert bad.errors and bad.errors[0].column == "booth"
    assert booth_position(" a1 ") == booth_position("A1") == (1, 1)
    assert booth_position("C-07") == (7, 3) and booth_position("AA2") == (2, 27)
    with pytest.raises(ValueError):
        booth_position("no booth")


def test_a_code_written_differently_finds_the_same_booth_everywhere(app, client, organiser_client, fair, booth,
                                                                   booth_device, attendee_token):
    assert booth.code == "A1"
    services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    for text in WRITTEN:
        assert services.booth_by_code(fair.id, text).id == booth.id, text
    assert services.booth_by_code(fair.id, "B7") is None and services.booth_by_code(fair.id, "?") is None
    # The booth API and pages take the code from the URL.
    leads = app.test_client().get("/api/v1/booths/%20a1%20/leads", headers=booth_device.headers)
    assert leads.status_code == 200 and len(leads.json["leads"]) == 1
    # An export names the booth the same way, and its file name carries the stored code.
    _columns, rows = exports.rows_for("leads", " a-1 ", lang="en")
    assert len(list(rows)) == 1
    assert "-a1-" in exports.export_filename("leads", "csv", " a1 ")
    assert exports.export_filename("leads", "csv", "A-1") == exports.export_filename("leads", "csv", "A1")
    with pytest.raises(exports.ExportError):
        exports.rows_for("leads", "B7")
    # Pairing from the command line.
    paired = devices.pair_from_cli("booth", " a1 ", "Second phone")
    assert [p.booth for p in paired] == ["A1"]
    # The organiser's pages: the questions chooser and the pairing sheets.
    picked = organiser_client.get("/organiser/booths/questions?booth=%20a-1%20")
    assert picked.status_code == 302 and picked.headers["Location"].endswith("/organiser/booths/A1/questions")
    assert organiser_client.get("/organiser/booths/%20a1%20/questions").status_code == 200
    sheets = organiser_client.post("/organiser/booths/pairing-sheets", data={"booth": " a1 "})
    assert sheets.status_code == 200 and "A1" in sheets.get_data(as_text=True)
    created = organiser_client.post("/organiser/devices", data={"kind": "booth", "booth": " a1 ", "name": "Third"})
    assert created.status_code in (200, 302)
    assert {d.booth.code for d in Device.query.filter_by(kind="booth")} == {"A1"}


def test_the_cli_takes_a_booth_code_written_differently(runner, fair, booth):
    done = runner.invoke(args=["booth", "question", "list", " a1 "])
    assert done.exit_code == 0, done.output
    assert "Booth A1" in done.output
