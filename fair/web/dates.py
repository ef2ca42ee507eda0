"""Dates and times on pages: the venue's wall clock, Buddhist-Era years on Thai pages.

The venue's offset is read here only (offset_hours). One helper for every page: templates use the `venue` filter
(`{{ device.last_seen_at|venue("short") }}`), Python code that builds page text
calls venue_text(). Both use fair.core.timeutil.format_venue with the app's
UTC_OFFSET_HOURS and the page's language, so a Thai page never says 2026 under
a title that says 2569.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask, current_app
from flask_babel import get_locale

from fair.core.timeutil import DEFAULT_UTC_OFFSET_HOURS, format_local, format_venue, parse_iso


def offset_hours() -> float:
    """The venue's offset from UTC in hours (Thailand: +7, no daylight saving; UTC_OFFSET_HOURS
    overrides). The one reader of that setting: pages, exports, the dashboard and the CLI ask here,
    never the laptop's own time zone."""
    return float(current_app.config.get("UTC_OFFSET_HOURS", DEFAULT_UTC_OFFSET_HOURS))


def venue_offset() -> timedelta:
    """offset_hours() as a timedelta (the dashboard's day, the pages' clocks)."""
    return timedelta(hours=offset_hours())


def page_lang() -> str:
    return "en" if str(get_locale() or "th") == "en" else "th"


def venue_text(moment: datetime | date | str | None, style: str = "datetime") -> str:
    """Naive UTC (or an ISO string from the wire) → text in the page's language; None → ""."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = parse_iso(moment)
    if not isinstance(moment, datetime):   # a calendar date (the fair's days) has no time zone
        return format_local(moment, page_lang(), "date")
    return format_venue(moment, page_lang(), style, offset_hours())


def init_app(app: Flask) -> None:
    app.add_template_filter(venue_text, "venue")
