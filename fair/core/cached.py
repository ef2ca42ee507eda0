"""Plain, cached facts about fairs, devices and booths for the scan path.

Every scan needs its device, the device's fair (signing key, opening hours)
and, at a booth, the booth and its employer. Loading those as ORM rows cost
more than the scan's own writes, so they are kept here as frozen values:

- changes made in this process through the ORM (a revoked device, a fair's
  new hours, an import of booths) drop the affected entries at flush time;
- changes made by another process (`fair device revoke` or `fair import` while
  serving) bump the fair's revision, and the fair.core.changes.fair_changed
  signal the server sends within a second drops every entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from fair.core import changes
from fair.core.models import Device, Fair
from fair.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class FairFacts:
    id: int
    public_key: bytes
    opens_at: datetime | None
    closes_at: datetime | None

    def is_open(self, moment: datetime) -> bool:
        return Fair.is_open(self, moment)  # one rule for the row and its cached facts


@dataclass(frozen=True)
class DeviceFacts:
    id: int
    fair_id: int
    kind: str
    name: str
    booth_id: int | None
    active: bool


def _entries() -> dict[tuple[str, int], Any]:
    return current_app.extensions.setdefault("scan_facts", {})


def remember(kind: str, key: int, load: Callable[[int], T | None]) -> T | None:
    """The cached facts of (kind, key), else load(key)'s (kept unless None)."""
    entries = _entries()
    hit = entries.get((kind, key))
    if hit is not None:
        return hit
    value = load(key)
    if value is not None:
        entries[(kind, key)] = value
    return value


def fair(fair_id: int) -> FairFacts | None:
    def load(key: int) -> FairFacts | None:
        row = db.session.execute(db.select(Fair.id, Fair.public_key, Fair.opens_at, Fair.closes_at)
                                 .where(Fair.id == key)).one_or_none()
        return FairFacts(*row) if row else None
    return remember("fair", fair_id, load)


def device(device_id: int) -> DeviceFacts | None:
    def load(key: int) -> DeviceFacts | None:
        row = db.session.execute(db.select(Device.id, Device.fair_id, Device.kind, Device.name, Device.booth_id,
                                           Device.revoked_at).where(Device.id == key)).one_or_none()
        return DeviceFacts(*row[:5], active=row.revoked_at is None) if row else None
    return remember("device", device_id, load)


@event.listens_for(Session, "after_flush")
def _forget_changed(session: Session, _flush_context) -> None:
    """A flush that touched a fair, device, booth or employer drops what the cache holds of it."""
    if not has_app_context():
        return
    entries = _entries()
    if not entries:
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        kind = _ROW_KINDS.get(type(instance))
        if kind is not None:
            entries.pop((kind, instance.id), None)
            continue
        kind = _WHOLE_KINDS.get(type(instance))
        if kind is not None:
            for key in [key for key in entries if key[0] == kind]:
                entries.pop(key, None)


# Which flushed rows drop which entries; the areas above add theirs (forget_when_flushed).
_ROW_KINDS: dict[type, str] = {Fair: "fair", Device: "device"}
_WHOLE_KINDS: dict[type, str] = {}


@changes.fair_changed.connect
def _forget_everything(app, **_kwargs) -> None:
    """fair.core.changes: another process (or this one) changed the fair; read it all afresh."""
    entries = app.extensions.get("scan_facts")
    if entries:
        entries.clear()


def forget_when_flushed(model: type, kind: str, *, whole_kind: bool = False) -> None:
    """A flushed `model` row drops the entry (kind, its id), or with whole_kind every entry of kind
    (e.g. an employer's name is part of each of its booths' facts)."""
    (_WHOLE_KINDS if whole_kind else _ROW_KINDS)[model] = kind
