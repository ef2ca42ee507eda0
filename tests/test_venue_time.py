"""The venue's clock has one home (fair.web.dates.offset_hours, over fair.core.timeutil): export
names, the dashboard's day, the lookup page's scan time and the CLI's device list follow it,
never the laptop's own time zone."""
from __future__ import annotations

import ast
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fair.checkin.services import check_in
from fair.core.timeutil import utcnow
from fair.extensions import db
from fair.organiser import dashboard, exports
from fair.web import dates

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def laptop_elsewhere():
    """The organiser's laptop set to UTC-8 (a POSIX TZ string: no zoneinfo needed)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "PST+8"
    time.tzset()
    # The laptop's clock really is elsewhere now: 15 hours behind the venue.
    assert abs((datetime.now() - utcnow()) + timedelta(hours=8)) < timedelta(minutes=1)
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def _close(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(minutes=2)


def test_the_offset_is_the_settings_not_the_laptops(app, fair, laptop_elsewhere):
    assert dates.offset_hours() == 7.0 and dates.venue_offset() == timedelta(hours=7)
    app.config["UTC_OFFSET_HOURS"] = 5.5
    assert dates.venue_offset() == timedelta(hours=5, minutes=30)
    fixed = datetime(2026, 12, 31, 18, 30)
    assert exports.export_filename("checkins", "csv", now=fixed).endswith("-20270101-0000.csv")


def test_export_file_names_carry_the_venues_time(app, fair, laptop_elsewhere):
    stamp = exports.export_filename("leads", "csv").rsplit("-", 2)
    named = datetime.strptime(f"{stamp[1]}-{stamp[2].split('.')[0]}", "%Y%m%d-%H%M")
    assert _close(named, utcnow() + timedelta(hours=7))
    assert not _close(named, datetime.now())
    fixed = datetime(2026, 12, 31, 18, 30)   # UTC: 1 January 01:30 at the venue
    assert exports.export_filename("checkins", "xlsx", now=fixed).endswith("-checkins-20270101-0130.xlsx")


def test_the_dashboards_day_starts_at_the_venues_midnight(app, fair, laptop_elsewhere):
    now = utcnow()
    venue = now + timedelta(hours=7)
    midnight = venue.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(hours=7)
    assert dashboard.stats(fair.id)["day_start"] == midnight.isoformat(timespec="milliseconds") + "Z"


def test_the_lookup_page_shows_the_last_scan_in_venue_time(organiser_client, fair, gate, attendee, attendee_token,
                                                           laptop_elsewhere):
    check_in(gate.device, attendee_token, "n1")
    from fair.checkin.models import CheckIn
    scan = db.session.scalar(db.select(CheckIn))
    scan.scanned_at = datetime(2026, 12, 3, 2, 5)   # 09:05 at the venue, 18:05 the day before on the laptop
    db.session.commit()
    html = organiser_client.get(f"/organiser/attendees?q={attendee.ref}").get_data(as_text=True)
    assert "09:05" in html and "18:05" not in html


def test_the_cli_lists_devices_in_venue_time(app, runner, gate, laptop_elsewhere):
    gate.device.last_seen_at = datetime(2026, 12, 3, 2, 5)
    db.session.commit()
    listed = runner.invoke(args=["device", "list"])
    assert listed.exit_code == 0, listed.output
    assert "3 Dec 2026 09:05" in listed.output


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_no_module_reads_the_laptops_clock_or_the_offset_setting_itself():
    """datetime.now() without a zone is the laptop's time; UTC_OFFSET_HOURS is read by dates only."""
    found = []
    for path in sorted((ROOT / "fair").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        name = str(path.relative_to(ROOT))
        for call in _calls(ast.parse(source)):
            if call.func.attr in ("now", "today", "utcnow", "fromtimestamp") and \
                    isinstance(call.func.value, (ast.Name, ast.Attribute)) and \
                    getattr(call.func.value, "id", getattr(call.func.value, "attr", "")) in ("datetime", "date") \
                    and not call.args and not call.keywords:
                found.append(f"{name}:{call.lineno} {call.func.attr}()")
        reads_offset = any(isinstance(node, ast.Constant) and node.value == "UTC_OFFSET_HOURS"
                           for node in ast.walk(ast.parse(source)))
        if reads_offset and name not in ("fair/web/dates.py", "fair/config.py"):
            found.append(f"{name}: reads UTC_OFFSET_HOURS")
    assert found == []
