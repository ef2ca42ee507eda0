"""One date helper for pages (issue 15): the venue's wall clock, Buddhist-Era years on Thai pages."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from fair.core.timeutil import format_local, format_venue
from fair.extensions import db

LATE = datetime(2026, 12, 31, 18, 30)     # UTC: already 1 January 2027, 01:30, in Bangkok


def test_thai_years_are_buddhist_era_and_english_ones_common_era():
    moment = datetime(2026, 12, 3, 14, 5)
    assert format_local(moment, "th", "datetime") == "3 ธ.ค. 2569 14:05"
    assert format_local(moment, "en", "datetime") == "3 Dec 2026 14:05"
    assert format_local(moment, "th", "date") == "3 ธ.ค. 2569"
    assert format_local(moment, "th", "stamp") == "03/12/2569 14:05"
    assert format_local(moment, "en", "short") == "3 Dec 14:05" and format_local(moment, "en", "time") == "14:05"
    assert format_local(date(2026, 5, 23), "th", "date") == "23 พ.ค. 2569"
    with pytest.raises(ValueError):
        format_local(moment, "th", "fancy")


def test_venue_time_crosses_midnight_and_the_year():
    assert format_venue(LATE, "th", "datetime", 7) == "1 ม.ค. 2570 01:30"
    assert format_venue(LATE, "en", "date", 7) == "1 Jan 2027"
    assert format_venue(None, "th") == ""


def test_the_thai_report_says_2569_like_the_fair_title(organiser_client, fair):
    fair.name_th = "มหกรรมนัดพบแรงงาน 2569"
    db.session.commit()
    html = organiser_client.get("/organiser/report", headers={"Accept-Language": "th"}).get_data(as_text=True)
    from fair.core.timeutil import utcnow
    year_be = str((utcnow()).year + 543)
    assert year_be in html.split("<main", 1)[1]
    assert f"/{utcnow().year}" not in html and f" {utcnow().year} " not in html.split("<main", 1)[1]
    english = organiser_client.get("/organiser/report", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert str(utcnow().year) in english.split("<main", 1)[1]


def test_the_devices_page_shows_last_seen_through_the_same_helper(organiser_client, gate):
    gate.device.last_seen_at = datetime(2026, 12, 3, 2, 5)
    db.session.commit()
    th = organiser_client.get("/organiser/devices", headers={"Accept-Language": "th"}).get_data(as_text=True)
    en = organiser_client.get("/organiser/devices", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3 ธ.ค. 09:05" in th and "3 Dec 09:05" in en


def test_the_venue_filter_in_a_template(app):
    from flask import render_template_string
    with app.test_request_context(headers={"Accept-Language": "th"}):
        assert render_template_string("{{ t|venue('date') }}", t=datetime(2026, 6, 1, 20, 0)) == "2 มิ.ย. 2569"
        assert render_template_string("{{ t|venue }}", t="2026-06-01T20:00:00.000Z") == "2 มิ.ย. 2569 03:00"
        assert render_template_string("{{ t|venue }}", t=None) == ""


# --- every date a Thai organiser or booth page shows (issue 15: "the title says 2569, the dates 2026") ---

SCAN_AT = datetime(2026, 12, 3, 2, 5)     # UTC: 09:05 on 3 December 2026 (2569 BE) at the venue


def _visible_text(html: str) -> str:
    """What a person reads: no script blocks (JSON configs carry ISO times for the code), no tags or attributes."""
    import re
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_thai_page_with_dates_says_2569_and_never_2026(organiser_client, app, fair, gate, booth, booth_device,
                                                              attendee, attendee_token):
    """The attendee rows (last entry or exit), devices, leads, the report, the dashboard's last
    backup, the big screen and the pairing sheets: each date through fair.web.dates."""
    import re
    from fair.booths import services as booth_services
    from fair.checkin import services as checkin_services
    from fair.core.models import AuditEvent
    from fair.core.timeutil import utcnow
    from fair.organiser.backup import ACTION as BACKUP
    checkin_services.check_in(gate.device, attendee_token, nonce="d1", scanned_at=SCAN_AT)
    booth_services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="d2", scanned_at=SCAN_AT)
    booth_device.device.last_seen_at = gate.device.last_seen_at = SCAN_AT
    db.session.add(AuditEvent(fair_id=fair.id, actor="cli", action=BACKUP, subject="backup", details={}, at=SCAN_AT))
    db.session.commit()
    now = utcnow()
    common_era = {str(SCAN_AT.year), str(now.year)}
    thai = {"Accept-Language": "th"}
    pages = {
        "/organiser/attendees?q=A1": "3 ธ.ค. 09:05",           # the row's last scan: same short style as devices
        "/organiser/devices": "3 ธ.ค. 09:05",
        "/organiser/leads": "3 ธ.ค. 09:05",
        "/organiser/report": str(now.year + 543),
        "/dashboard": "3 ธ.ค. 2569 09:05",                     # the last backup
        "/dashboard/screen": str(now.year + 543),
    }
    for path, expected in pages.items():
        text = _visible_text(organiser_client.get(path, headers=thai).get_data(as_text=True))
        assert expected in text, f"{path}: {expected!r} not shown"
        leaked = [y for y in common_era if re.search(rf"(?<!\d){y}(?!\d)", text)]
        assert not leaked, f"{path} shows the Common-Era year {leaked} on a Thai page"
    sheets = _visible_text(organiser_client.post("/organiser/booths/pairing-sheets", data={"booth": "A1"},
                                                 headers=thai).get_data(as_text=True))
    assert str(now.year + 543) in sheets or str(now.year + 544) in sheets
    assert not re.search(rf"(?<!\d){now.year}(?!\d)", sheets)
    # The booth's own list (a booth phone's page) too.
    booth_page = app.test_client().get("/booth/leads", headers={**booth_device.headers, **thai})
    assert booth_page.status_code == 200 and "3 ธ.ค. 09:05" in _visible_text(booth_page.get_data(as_text=True))
    # And the English pages keep the Common Era.
    english = _visible_text(organiser_client.get("/organiser/attendees?q=A1", headers={"Accept-Language": "en"})
                            .get_data(as_text=True))
    assert "3 Dec 09:05" in english
