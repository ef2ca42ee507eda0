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
