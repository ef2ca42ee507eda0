"""Invitations a booth sends to a candidate in the hall."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fair.booths.models import Booth, Job
from fair.checkin.models import Attendee
from fair.extensions import db
from fair.core.timeutil import utcnow

# Sent by a booth (matching.services.invite), then answered by the attendee (answer_invitation).
INVITATION_STATUSES = ("sent", "accepted", "declined")


OPEN = "status = 'sent'"


class Invitation(db.Model):
    """A booth asks a candidate to come by; one open ("sent") invitation per (booth, person)."""

    __table_args__ = (
        # Two phones of a booth inviting one person at once: the second insert fails
        # here and gets the first invitation (matching.services.invite).
        Index("uq_invitation_open", "booth_id", "attendee_id", unique=True,
              sqlite_where=text(OPEN), postgresql_where=text(OPEN)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    status: Mapped[str] = mapped_column(String(10), default="sent", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    booth: Mapped[Booth] = relationship()
    attendee: Mapped[Attendee] = relationship()
    job: Mapped[Job | None] = relationship()
