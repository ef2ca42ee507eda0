"""Employers, their booths and jobs, and the leads recruiters capture."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fair.checkin.models import Attendee
from fair.extensions import db
from fair.core.models import Device
from fair.core.timeutil import utcnow

NEXT_STEPS = ("none", "interview_now", "shortlisted", "hired", "not_suitable")
LEAD_SCAN_STATUSES = ("ok", "updated", "unknown", "invalid_signature", "revoked", "wrong_fair")
# A booth's own questions, answered per lead: free text, yes/no, or one of a few choices.
QUESTION_KINDS = ("text", "yesno", "choice")
MAX_QUESTIONS = 5
MAX_QUESTION_LABEL = 120
MAX_CHOICES = 8
MAX_CHOICE_LENGTH = 60
MAX_ANSWER_LENGTH = 200


class Employer(db.Model):
    __table_args__ = (UniqueConstraint("fair_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(80))
    province: Mapped[str | None] = mapped_column(String(60))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    booths: Mapped[list["Booth"]] = relationship(back_populates="employer")
    jobs: Mapped[list["Job"]] = relationship(back_populates="employer")


class Booth(db.Model):
    """A stand on the floor, with a code such as "A12" and a place on the plan."""

    __table_args__ = (UniqueConstraint("fair_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    plan_x: Mapped[int] = mapped_column(default=0)  # column on the floor-plan grid
    plan_y: Mapped[int] = mapped_column(default=0)  # row on the floor-plan grid

    employer: Mapped[Employer] = relationship(back_populates="booths")


class Job(db.Model):
    __table_args__ = (UniqueConstraint("fair_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fair.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    skills_required: Mapped[list] = mapped_column(JSON, default=list)
    skills_optional: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    education_min: Mapped[str | None] = mapped_column(String(20))
    experience_min_years: Mapped[int | None]
    salary_min: Mapped[int | None]
    salary_max: Mapped[int | None]
    province: Mapped[str | None] = mapped_column(String(60))
    positions: Mapped[int] = mapped_column(default=1)
    disability_friendly: Mapped[bool] = mapped_column(default=False)
    # The title's ISCO-08 occupation and embedding, computed once when the job is
    # written (fair.matching.services.store_occupations), read by matching.
    isco08: Mapped[str | None] = mapped_column(String(4))            # unit group, None when unsure
    isco08_minor: Mapped[str | None] = mapped_column(String(3))      # 3-digit group
    isco08_sub_major: Mapped[str | None] = mapped_column(String(2))  # 2-digit group
    isco08_confidence: Mapped[float | None] = mapped_column(Float)
    # The likely units and their probabilities, "7212:0.612 7214:0.12" (matching compares
    # two titles' distributions; fair.matching.services.units_to_text).
    isco08_units: Mapped[str | None] = mapped_column(String(120))
    title_embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float16, fair.matching.embeddings
    occupation_classified_at: Mapped[datetime | None]  # None: never classified (`fair occupations reclassify`)

    employer: Mapped[Employer] = relationship(back_populates="jobs")


class Lead(db.Model):
    """What a booth thinks of one candidate; one row per (booth, attendee), updated in place."""

    __table_args__ = (UniqueConstraint("booth_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id"))  # indexed by the unique (booth, attendee)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))  # the phone that first scanned
    # The phone that wrote last (a scan again or an edit); None only on rows older than 0005.
    last_device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    rating: Mapped[int | None]  # 1..5
    tags: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(String(20), default="none")
    # Answers to the booth's own questions: {"<question id>": text | true/false | a choice}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    first_scanned_at: Mapped[datetime]
    last_scanned_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    booth: Mapped[Booth] = relationship()
    attendee: Mapped[Attendee] = relationship()
    job: Mapped[Job | None] = relationship()


class BoothQuestion(db.Model):
    """One of a booth's own questions (at most MAX_QUESTIONS in use), asked of every candidate.

    Removing a question only hides it from the form (removed_at): the answers
    already given stay in the leads and in the exports.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(MAX_QUESTION_LABEL))
    kind: Mapped[str] = mapped_column(String(10))  # one of QUESTION_KINDS
    choices: Mapped[list] = mapped_column(JSON, default=list)  # for "choice" only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]


class LeadScan(db.Model):
    """Each scan or edit a booth phone sends: the (device, nonce) receipt of a lead write."""

    __table_args__ = (UniqueConstraint("device_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))  # indexed by the unique (device, nonce)
    nonce: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    scanned_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    response: Mapped[dict] = mapped_column(JSON, default=dict)  # the first answer, replayed on retry

    device: Mapped[Device] = relationship()
