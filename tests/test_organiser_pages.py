"""Organiser pages that tie the areas together: home links, the registration poster, backup status."""
from __future__ import annotations

from fair.core.models import AuditEvent
from fair.extensions import db


def test_registration_poster_is_the_organisers_and_points_at_registration(client, organiser_client, gate, fair):
    assert client.application.test_client().get("/organiser/poster").status_code == 302  # anonymous: sign in
    assert client.application.test_client().get("/organiser/poster", headers=gate.headers).status_code == 403
    page = organiser_client.get("/organiser/poster").get_data(as_text=True)
    assert "http://fair.test:5000/register" in page
    assert "<svg" in page and "สแกนเพื่อลงทะเบียน" in page


def test_home_page_gives_the_organiser_every_tool(organiser_client, fair):
    page = organiser_client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for path in ("/dashboard", "/organiser/devices", "/organiser/attendees", "/organiser/poster", "/organiser/leads"):
        assert f'href="{path}' in page


def test_dashboard_says_when_the_last_backup_was_made(organiser_client, fair):
    page = organiser_client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No backup yet" in page
    from fair.organiser.backup import ACTION
    from datetime import datetime
    db.session.add(AuditEvent(fair_id=fair.id, actor="cli", action=ACTION, at=datetime(2026, 5, 23, 3, 0)))
    db.session.commit()
    page = organiser_client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Last backup of the database: 23 May 2026 10:00." in page  # shown in venue time (UTC+7)
    thai = organiser_client.get("/dashboard", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert "23 พ.ค. 2569 10:00" in thai  # Buddhist-Era year on the Thai page (fair.web.dates)
