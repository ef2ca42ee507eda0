"""Models shared by all areas: the fair, organisers, devices, pairing codes, the audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fair.extensions import db
from fair.core.timeutil import utcnow

DEVICE_KINDS = ("gate", "booth", "dashboard", "api")


class Fair(db.Model):
    """One job fair. A laptop usually runs one; every row hangs off it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_th: Mapped[str | None] = mapped_column(String(200))
    venue: Mapped[str | None] = mapped_column(String(300))
    starts_on: Mapped[str | None] = mapped_column(String(10))  # ISO date, local to the venue
    ends_on: Mapped[str | None] = mapped_column(String(10))
    # Naive UTC. When set, the gate answers fair_closed outside [opens_at, closes_at].
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    # Ed25519 key pair that signs the cards; the public half goes to every gate.
    signing_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped (fair.core.changes.bump) in the transaction of a write that other processes'
    # caches must notice: an erasure, a revocation, an import. Servers poll it.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    def is_open(self, moment: datetime) -> bool:
        if self.opens_at is not None and moment < self.opens_at:
            return False
        if self.closes_at is not None and moment > self.closes_at:
            return False
        return True

    def display_name(self, lang: str) -> str:
        return (self.name_th if lang == "th" and self.name_th else self.name)


class FairCounter(db.Model):
    """A number the fair hands out in order (card serials, self-registration refs): the next
    one is taken by one atomic UPDATE ... RETURNING (fair.core.counters), so two
    registrations at once never get the same one, on SQLite or PostgreSQL."""

    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)  # the last number handed out


class Organiser(db.Model):
    """A person who runs the fair from the laptop; logs in with a password."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # A session names the version it was made under; logout and a new password bump it.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Device(db.Model):
    """A paired phone, tablet, screen or integration key, scoped to one kind."""

    # Two active gates cannot both be "Gate 1" (nor two phones of one booth "A12 phone"):
    # names are what the organiser's lists, the dashboards and the exports show. Partial
    # indexes (SQLite and PostgreSQL): a revoked device gives its name to its replacement.
    # fair.organiser.devices.name_taken says so first, ignoring case and spaces.
    __table_args__ = (
        UniqueConstraint("token_hash"),
        Index("uq_device_name_per_kind", "fair_id", "kind", "name", unique=True,
              sqlite_where=text("revoked_at IS NULL AND booth_id IS NULL"),
              postgresql_where=text("revoked_at IS NULL AND booth_id IS NULL")),
        Index("uq_device_name_per_booth", "booth_id", "name", unique=True,
              sqlite_where=text("revoked_at IS NULL AND booth_id IS NOT NULL"),
              postgresql_where=text("revoked_at IS NULL AND booth_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of DEVICE_KINDS
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booth.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the bearer token: a stolen database does not yield usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    fair: Mapped[Fair] = relationship()
    booth: Mapped[Any] = relationship("Booth")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PairingCode(db.Model):
    """A single-use, expiring code that turns a browser into a device.

    Printed or shown as a QR; the long-lived token never appears in a URL.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    device: Mapped[Device] = relationship()


class AuditEvent(db.Model):
    """Who did what to personal data or to access: exports, erasures, pairings, revocations."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int | None] = mapped_column(ForeignKey("fair.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))  # "organiser:admin", "device:12", "cli"
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
