"""Personal data under Thailand's PDPA: an attendee's own copy, erasure, and retention.

Erasure removes everything that identifies or describes the person (names,
contact, national-ID hash, profile, free text written about them) and keeps
the rows that anonymous counts are made of: check-ins (when, which gate),
leads (which booth, when, next step, job) and the attendee row itself, so the
fair's totals do not change when someone leaves. The card is revoked and the
card-page link stops working. Every erasure and every export is audited.

It reaches, at once: a running server (fair.core.changes: the server drops them
from its pool of people inside within about a second), the database file
(secure_delete zeroes the old bytes; a WAL checkpoint copies them out of the
write-ahead log) and the audit log (their past rows name them "attendee:#<id>").
It cannot reach copies made before: backups (listed, with their paths, from the
audit log) and exported files.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from fair.core import changes
from fair.booths.models import Booth, Lead, LeadScan
from fair.booths.receipts import replayed
from fair.checkin.models import Attendee, Card, CheckIn
from fair.extensions import db
from fair.matching.models import Invitation
from fair.organiser import backup
from fair.core.models import AuditEvent, Device
from fair.core.timeutil import iso, utcnow

ERASED_REF_PREFIX = "erased-"
# Fields cleared on erasure, with the value they get (None, or the column's empty value).
PERSONAL_FIELDS: dict[str, Any] = {
    "first_name": "", "last_name": "", "phone": None, "email": None,
    "national_id_hash": None, "national_id_last3": None, "education": None, "experience_years": None,
    "skills": [], "desired_positions": [], "province": None, "salary_expected": None, "languages": [],
    "needs_disability_friendly": False, "willing_to_relocate": False, "consent_share_profile": False,
    "national_id_claim_hash": None,
    # Derived from the desired positions: the occupation and the title embedding go too.
    "isco08": None, "isco08_minor": None, "isco08_sub_major": None, "isco08_confidence": None,
    "isco08_units": None, "title_embedding": None,
}
DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class ErasureReport:
    attendee_id: int
    already_erased: bool
    cards_revoked: int
    leads_scrubbed: int
    checkins_kept: int
    audit_rows_scrubbed: int = 0
    # What erasure cannot reach: backups made before it (fair.organiser.backup.BackupOnRecord), exports on record.
    backups_before: list = field(default_factory=list)
    exports_before: int = 0
    # The write-ahead log was emptied into the (secure_delete) database file; None: not SQLite.
    wal_emptied: bool | None = None


def audit_subject(attendee: Attendee) -> str:
    """How the audit log names an attendee: by row id, which means nothing outside this database."""
    return f"attendee:#{attendee.id}"


SUBSTRING_MIN = 5  # shorter values (a ref like "A1") are blanked only where they are the whole text


def _without(value: Any, needles: list[str]) -> Any:
    """`value` (audit details: JSON) with the person's values blanked."""
    if isinstance(value, str):
        if value in needles:
            return "[erased]"
        for needle in needles:
            if len(needle) >= SUBSTRING_MIN:
                value = value.replace(needle, "[erased]")
        return value
    if isinstance(value, list):
        return [_without(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, needles) for key, item in value.items()}
    return value


def _scrub_audit_log(attendee: Attendee, old_values: dict[str, Any]) -> int:
    """Their past audit rows: subject by id, no ref, name or contact in the details. Returns rows changed."""
    needles = [v for v in (old_values["ref"], old_values["full_name"], old_values["phone"], old_values["email"],
                           old_values["first_name"], old_values["last_name"]) if v and len(v) >= 2]
    needles.sort(key=len, reverse=True)  # the full name before its parts
    old_subject = f"attendee:{old_values['ref']}"
    text = db.cast(AuditEvent.details, db.Text)
    # JSON is stored with non-ASCII escaped (\u0e2a...): look for both spellings.
    spellings = {form for v in needles for form in (v, json.dumps(v)[1:-1])}
    mentions = db.or_(AuditEvent.subject == old_subject,
                      *[text.contains(form, autoescape=True) for form in spellings])
    changed = 0
    for row in db.session.scalars(db.select(AuditEvent).where(AuditEvent.fair_id == attendee.fair_id, mentions)):
        subject = audit_subject(attendee) if row.subject == old_subject else row.subject
        details = _without(row.details or {}, needles)
        if subject != row.subject or details != row.details:
            row.subject, row.details = subject, details
            changed += 1
    return changed


def checkpoint_database() -> bool | None:
    """Copy the write-ahead log into the database file and empty it; True when it could.

    With secure_delete on, an erased value's bytes are zeroed in the database
    pages, but earlier versions of those pages stay in the WAL until a
    checkpoint overwrites or truncates it. None for databases other than SQLite.
    """
    if db.engine.dialect.name != "sqlite":
        return None
    with db.engine.connect() as connection:
        busy, _frames, _copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return busy == 0


def _scrubbed_receipt(receipt: LeadScan) -> dict:
    """A lead receipt's stored answer without the candidate: a replayed nonce still gets a valid reply."""
    return replayed(receipt.response, receipt.status, receipt.lead_id).scrubbed().to_receipt()


def erase_attendee(attendee: Attendee, actor: str, reason: str = "request",
                   checkpoint: bool = True) -> ErasureReport:
    """Remove the attendee's personal data, keep anonymous counts, revoke the card; audited. Idempotent.

    The running server hears of it through fair.core.changes; `checkpoint` empties the
    WAL afterwards (purge_personal_data does that once, after all of them).
    """
    if attendee.erased_at is not None:  # again: only finish emptying the WAL, if it was busy the first time
        return ErasureReport(attendee.id, True, 0, 0, 0, wal_emptied=checkpoint_database() if checkpoint else None)
    now = utcnow()
    fair_id = attendee.fair_id
    old_values = {"ref": attendee.ref, "full_name": attendee.full_name, "first_name": attendee.first_name,
                  "last_name": attendee.last_name, "phone": attendee.phone, "email": attendee.email}
    for name, value in PERSONAL_FIELDS.items():
        setattr(attendee, name, value)
    attendee.ref = f"{ERASED_REF_PREFIX}{attendee.id}"  # the ref links to the person in other systems
    attendee.link_version += 1                          # the card-page link stops working
    attendee.erased_at = now
    attendee.inside = False                             # not in the hall for booths, counters or the pool
    revoked = 0
    for card in db.session.scalars(db.select(Card).filter_by(attendee_id=attendee.id, status="active")):
        card.status, card.revoked_at = "revoked", now
        revoked += 1
    leads = list(db.session.scalars(db.select(Lead).filter_by(attendee_id=attendee.id)))
    for lead in leads:
        lead.notes, lead.tags = None, []
    if leads:
        for receipt in db.session.scalars(db.select(LeadScan).where(LeadScan.lead_id.in_([l.id for l in leads]))):
            receipt.response = _scrubbed_receipt(receipt)
    for invitation in db.session.scalars(db.select(Invitation).filter_by(attendee_id=attendee.id)):
        invitation.message = None
    checkins = list(db.session.scalars(db.select(CheckIn).filter_by(attendee_id=attendee.id)))
    for row in checkins:
        row.notes = None
    scrubbed = _scrub_audit_log(attendee, old_values)
    db.session.add(AuditEvent(fair_id=fair_id, actor=actor, action="attendee.erase",
                              subject=audit_subject(attendee),
                              details={"reason": reason, "cards_revoked": revoked, "leads": len(leads),
                                       "checkins": len(checkins)}))
    changes.bump(fair_id)  # a server running elsewhere drops them from its caches within a second
    db.session.commit()
    changes.changed_here(current_app._get_current_object(), fair_id)  # and this process's caches now
    backups = backup.backups_made_before(fair_id, now)
    exports = db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.fair_id == fair_id, AuditEvent.action.like("export.%"), AuditEvent.action != "export.my_data",
        AuditEvent.at <= now))
    return ErasureReport(attendee.id, False, revoked, len(leads), len(checkins), scrubbed, backups, exports or 0,
                         checkpoint_database() if checkpoint else None)


def attendee_by_ref(fair_id: int, ref: str) -> Attendee | None:
    return db.session.scalar(db.select(Attendee).filter_by(fair_id=fair_id, ref=ref.strip()))


def export_my_data(attendee: Attendee, actor: str = "attendee") -> dict[str, Any]:
    """Everything the fair holds about this attendee, as JSON-ready data (PDPA right of access); audited.

    The national ID itself is never stored, so only whether one is on file and its last digits appear.
    """
    cards = db.session.scalars(db.select(Card).filter_by(attendee_id=attendee.id).order_by(Card.serial))
    checkins = db.session.execute(
        db.select(CheckIn, Device.name).join(Device, CheckIn.device_id == Device.id)
        .where(CheckIn.attendee_id == attendee.id).order_by(CheckIn.scanned_at, CheckIn.id)).all()
    leads = db.session.scalars(db.select(Lead).filter_by(attendee_id=attendee.id).order_by(Lead.first_scanned_at))
    invitations = db.session.scalars(db.select(Invitation).filter_by(attendee_id=attendee.id)
                                     .order_by(Invitation.created_at))
    data = {
        "exported_at": iso(utcnow()),
        "fair": attendee.fair.name,
        "profile": {
            "ref": attendee.ref, "first_name": attendee.first_name, "last_name": attendee.last_name,
            "phone": attendee.phone, "email": attendee.email, "education": attendee.education,
            "experience_years": attendee.experience_years, "skills": list(attendee.skills or []),
            "desired_positions": list(attendee.desired_positions or []), "province": attendee.province,
            "salary_expected": attendee.salary_expected, "languages": list(attendee.languages or []),
            "needs_disability_friendly": attendee.needs_disability_friendly,
            "willing_to_relocate": attendee.willing_to_relocate,
            "isco08": attendee.isco08, "isco08_confidence": attendee.isco08_confidence,
            "isco08_likely_units": attendee.isco08_units,
            "national_id_on_file": attendee.national_id_hash is not None,
            "national_id_last3": attendee.national_id_last3,
            "registered_at": iso(attendee.created_at), "source": attendee.source,
            "erased_at": iso(attendee.erased_at),
        },
        "consent": {
            "participate": attendee.consent_participate, "share_profile": attendee.consent_share_profile,
            "given_at": iso(attendee.consent_at), "wording": attendee.consent_wording,
        },
        "cards": [{"serial": c.serial, "manual_code": c.manual_code, "status": c.status,
                   "issued_at": iso(c.issued_at), "revoked_at": iso(c.revoked_at)} for c in cards],
        "checkins": [{"at": iso(row.scanned_at), "type": row.type, "status": row.status, "gate": gate}
                     for row, gate in checkins],
        "booth_visits": [{"booth": lead.booth.code, "employer": lead.booth.employer.name,
                          "first_scanned_at": iso(lead.first_scanned_at),
                          "last_scanned_at": iso(lead.last_scanned_at), "rating": lead.rating,
                          "tags": list(lead.tags or []), "notes": lead.notes, "next_step": lead.next_step,
                          "job": {"ref": lead.job.ref, "title": lead.job.title} if lead.job else None}
                         for lead in leads],
        "invitations": [{"booth": inv.booth.code, "status": inv.status, "message": inv.message,
                         "sent_at": iso(inv.created_at), "answered_at": iso(inv.answered_at)}
                        for inv in invitations],
    }
    db.session.add(AuditEvent(fair_id=attendee.fair_id, actor=actor, action="export.my_data",
                              subject=audit_subject(attendee), details={}))
    db.session.commit()
    return data


def _last_activity(fair_id: int) -> dict[int, datetime]:
    """Each attendee's latest sign of life: registration, a gate scan, a booth scan."""
    latest: dict[int, datetime] = {}

    def note(attendee_id, moment) -> None:
        if moment is not None and (attendee_id not in latest or moment > latest[attendee_id]):
            latest[attendee_id] = moment
    for attendee_id, created, moved in db.session.execute(
            db.select(Attendee.id, Attendee.created_at, Attendee.last_moved_at).filter_by(fair_id=fair_id)):
        note(attendee_id, created)
        note(attendee_id, moved)
    for attendee_id, moment in db.session.execute(
            db.select(Lead.attendee_id, db.func.max(Lead.last_scanned_at)).join(Booth, Lead.booth_id == Booth.id)
            .where(Booth.fair_id == fair_id).group_by(Lead.attendee_id)):
        note(attendee_id, moment)
    return latest


def due_for_purge(fair_id: int, older_than_days: int, now: datetime | None = None) -> list[Attendee]:
    """Attendees not yet erased whose last activity is older than the given number of days."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    latest = _last_activity(fair_id)
    due = [attendee_id for attendee_id, moment in latest.items() if moment <= cutoff]
    if not due:
        return []
    return list(db.session.scalars(db.select(Attendee).where(Attendee.id.in_(due), Attendee.erased_at.is_(None))
                                   .order_by(Attendee.id)))


def purge_personal_data(fair_id: int, older_than_days: int, actor: str, now: datetime | None = None) -> int:
    """Retention: erase (the same path as a request) everyone inactive for that many days; returns how many."""
    attendees = due_for_purge(fair_id, older_than_days, now)
    for attendee in attendees:
        erase_attendee(attendee, actor, reason=f"retention:{older_than_days}d", checkpoint=False)
    db.session.add(AuditEvent(fair_id=fair_id, actor=actor, action="retention.purge",
                              subject=None, details={"older_than_days": older_than_days, "erased": len(attendees)}))
    db.session.commit()
    if attendees:
        checkpoint_database()
    return len(attendees)
