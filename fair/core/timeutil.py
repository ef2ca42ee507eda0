"""Time in one convention: naive UTC in the database, ISO 8601 with Z on the wire, the venue's
wall clock (Buddhist-Era years in Thai) for people."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def utcnow() -> datetime:
    """Now as naive UTC (what SQLite stores and PostgreSQL 'timestamp' returns)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """Naive-UTC datetime → '2026-11-26T04:14:51.123Z' (None stays None)."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds") + "Z"


def parse_iso(text: str) -> datetime:
    """ISO 8601 from a device (with Z or an offset; naive means UTC) → naive UTC.

    Raises ValueError for anything else.
    """
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


# --- the venue's wall clock ------------------------------------------------------------------
# People read times in the venue's time zone (Thailand: UTC+7, no daylight saving), and
# Thai readers count years in the Buddhist Era (2026 CE is 2569 BE): one place for both.

DEFAULT_UTC_OFFSET_HOURS = 7.0
BUDDHIST_ERA_OFFSET = 543
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "th": ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."),
}
FORMAT_STYLES = ("date", "datetime", "time", "short", "stamp")


# Pure: callers pass the app's UTC_OFFSET_HOURS (fair.web.dates reads it for pages).


def to_venue(moment: datetime | None, offset_hours: float = DEFAULT_UTC_OFFSET_HOURS) -> datetime | None:
    """Naive UTC → naive venue wall-clock time (None stays None)."""
    if moment is None:
        return None
    return moment + timedelta(hours=float(offset_hours))


def format_local(local: datetime | date, lang: str = "th", style: str = "datetime") -> str:
    """A venue-local moment as people read it: "3 Dec 2026 14:05", Thai "3 ธ.ค. 2569 14:05".

    Styles: date, datetime, time ("14:05"), short (no year: "3 Dec 14:05", for lists of
    today), stamp ("03/12/2569 14:05", numeric). Thai years are Buddhist Era.
    """
    if style not in FORMAT_STYLES:
        raise ValueError(f"unknown style {style!r}")
    year = local.year + (BUDDHIST_ERA_OFFSET if lang == "th" else 0)
    clock = f"{local.hour:02d}:{local.minute:02d}" if isinstance(local, datetime) else ""
    if style == "time":
        return clock
    if style == "stamp":
        return f"{local.day:02d}/{local.month:02d}/{year} {clock}".strip()
    day = f"{local.day} {MONTHS['th' if lang == 'th' else 'en'][local.month - 1]}"
    if style == "short":
        return f"{day} {clock}".strip()
    if style == "date":
        return f"{day} {year}"
    return f"{day} {year} {clock}".strip()


def format_venue(moment: datetime | None, lang: str = "th", style: str = "datetime",
                 offset_hours: float = DEFAULT_UTC_OFFSET_HOURS) -> str:
    """Naive UTC from the database → the venue's wall clock, formatted (format_local); None → ""."""
    if moment is None:
        return ""
    return format_local(moment + timedelta(hours=float(offset_hours)), lang, style)
