"""Time in one convention: naive UTC in the database, ISO 8601 with Z on the wire."""
from __future__ import annotations

from datetime import datetime, timezone


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
