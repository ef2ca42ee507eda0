"""Attendees, their cards and the scans at the entrance."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fair.extensions import db
from fair.core.models import Device, Fair
from fair.core.timeutil import utcnow

CARD_STATUSES = ("active", "revoked")
CHECKIN_TYPES = ("entry", "exit")
# Every answer the gate can give; the HTTP API and the pages share this list.
CHECKIN_STATUSES = (
    "ok", "already_inside", "exit_recorded", "not_inside", "unknown",
    "invalid_signature", "revoked", "wrong_fair", "fair_closed",
    # A typed code with a typo (cards.code_typo): the answer says which ("problem").
    "mistyped",
)


class Years(TypeDecorator):
    """Years of experience: "2.5" is a real answer, so a float column; whole years read back
    as int, so a 3 stays 3 (not 3.0) in the API, the exports and the booth page."""

    impl = Float
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        value = float(value)
        return int(value) if value.is_integer() else value


class Attendee(db.Model):
    """A job seeker: profile for matching, consent flags, never the national ID in clear."""

    __table_args__ = (
        UniqueConstraint("fair_id", "ref"),
        UniqueConstraint("fair_id", "national_id_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    # HMAC-SHA256 keyed with an instance secret: lets the gate find a person by ID.
    national_id_hash: Mapped[str | None] = mapped_column(String(64))
    national_id_last3: Mapped[str | None] = mapped_column(String(3))
    # A registration that typed an ID someone else holds: kept here (keyed hash) for
    # the organiser to resolve, and never told to the person registering.
    national_id_claim_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    education: Mapped[str | None] = mapped_column(String(20))
    experience_years: Mapped[float | None] = mapped_column(Years())
    skills: Mapped[list] = mapped_column(JSON, default=list)
    desired_positions: Mapped[list] = mapped_column(JSON, default=list)
    province: Mapped[str | None] = mapped_column(String(60))
    salary_expected: Mapped[int | None]
    languages: Mapped[list] = mapped_column(JSON, default=list)
    needs_disability_friendly: Mapped[bool] = mapped_column(default=False)
    willing_to_relocate: Mapped[bool] = mapped_column(default=False)
    # The ISCO-08 occupation and embedding of the desired positions, computed once
    # when the profile is written (fair.matching.services.store_occupations).
    isco08: Mapped[str | None] = mapped_column(String(4))            # unit group, None when unsure
    isco08_minor: Mapped[str | None] = mapped_column(String(3))      # 3-digit group
    isco08_sub_major: Mapped[str | None] = mapped_column(String(2))  # 2-digit group
    isco08_confidence: Mapped[float | None] = mapped_column(Float)
    # The likely units and their probabilities, "7212:0.612 7214:0.12" (matching compares
    # two titles' distributions; fair.matching.services.units_to_text).
    isco08_units: Mapped[str | None] = mapped_column(String(120))
    title_embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float16, fair.matching.embeddings
    occupation_classified_at: Mapped[datetime | None]  # None: never classified (`fair occupations reclassify`)
    consent_participate: Mapped[bool] = mapped_column(default=True)
    consent_share_profile: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None]
    consent_wording: Mapped[str | None] = mapped_column(String(40))  # version of the text agreed to
    # Denormalised presence, written in the same transaction as each accepted
    # scan, so the gate's answer and the dashboard's "inside now" are O(1).
    inside: Mapped[bool] = mapped_column(default=False, index=True)
    first_entry_at: Mapped[datetime | None]
    last_moved_at: Mapped[datetime | None]
    # Bumped to invalidate the attendee's secret card-page link.
    link_version: Mapped[int] = mapped_column(default=1)
    source: Mapped[str] = mapped_column(String(20), default="import")  # import, register, demo
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    fair: Mapped[Fair] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Card(db.Model):
    """A Smart Job Wallet card: a signed serial and a short manual code."""

    __table_args__ = (
        UniqueConstraint("fair_id", "serial"),
        UniqueConstraint("fair_id", "manual_code"),
        # Exactly one active card per attendee: revoking issues a new one.
        Index(
            "uq_card_one_active", "attendee_id", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    serial: Mapped[int]
    manual_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="active")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    attendee: Mapped[Attendee] = relationship(backref="cards")


class CheckIn(db.Model):
    """One scan at a gate, accepted or not; (device, nonce) makes retries idempotent."""

    __table_args__ = (
        UniqueConstraint("device_id", "nonce"),
        Index("ix_checkin_attendee_scanned", "attendee_id", "scanned_at"),
        # The dashboard's counts of today read this index alone (migration 0010); its
        # first column serves every query by fair, so fair_id has no index of its own.
        Index("ix_check_in_fair_scanned", "fair_id", "scanned_at", "type", "status", "device_id", "attendee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"))
    # No index of its own: the unique (device_id, nonce) index serves lookups by device,
    # and every index is one more page to write per scan.
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id", ondelete="SET NULL"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(5))  # entry | exit
    status: Mapped[str] = mapped_column(String(20), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    notes: Mapped[str | None] = mapped_column(Text)

    device: Mapped[Device] = relationship()
    attendee: Mapped[Attendee | None] = relationship()


class CheckInCorrection(db.Model):
    """A wrong entry or exit undone: a row of its own that names the scan it corrects.

    The scan itself is never changed or deleted; counts leave out corrected scans
    and the person's presence is worked out again from the scans that stand
    (checkin.services.undo_checkin). One correction per scan, so an undo sent
    twice (a retry, two staff at once) corrects it once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("check_in.id", ondelete="CASCADE"), unique=True)
    # The gate that undid it (its own recent scan), or none: the organiser's laptop.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    actor: Mapped[str] = mapped_column(String(120))   # "device:3", "organiser:1"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    checkin: Mapped[CheckIn] = relationship()
