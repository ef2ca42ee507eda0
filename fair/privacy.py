"""Personal data under Thailand's PDPA: an attendee's own copy, erasure, and retention.

Erasure removes everything that identifies or describes the person (names,
contact, national-ID hash, profile, free text written about them) and keeps
the rows that anonymous counts are made of: check-ins (when, which gate),
leads (which booth, when, next step, job) and the attendee row itself, so the
fair's totals do not change when someone leaves. The card is revoked and the
card-page link stops working. Every erasure and every export is audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fair.booths.models import Booth, Lead, LeadScan
from fair.checkin.models import Attendee, Card, CheckIn
from fair.extensions import db
from fair.matching.models import Invitation
from fair.models import AuditEvent, Device
from fair.timeutil import iso, utcnow

ERASED_REF_PREFIX = "erased-"
# Fields cleared on erasure, with the value they get (None, or the column's empty value).
PERSONAL_FIELDS: dict[str, Any] = {
    "first_name": "", "last_name": "", "phone": None, "email": None,
    "national_id_hash": None, "national_id_last3": None, "education": None, "experience_years": None,
    "skills": [], "desired_positions": [], "province": None, "salary_expected": None, "languages": [],
    "needs_disability_friendly": False, "willing_to_relocate": False, "consent_share_profile": False,
}
DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class ErasureReport:
    attendee_id: int
    already_erased: bool
    cards_revoked: int
    leads_scrubbed: int
    checkins_kept: int


def _scrubbed_receipt(receipt: LeadScan) -> dict:
    """A lead receipt's stored answer without the candidate: a replayed nonce still gets a valid reply."""
    old = receipt.response or {}
    return {"status": old.get("status", receipt.status), "lead_id": old.get("lead_id", receipt.lead_id),
            "candidate": None, "matches": [], "lead": None}


def erase_attendee(attendee: Attendee, actor: str, reason: str = "request") -> ErasureReport:
    """Remove the attendee's personal data, keep anonymous counts, revoke the card; audited. Idempotent."""
    if attendee.erased_at is not None:
        return ErasureReport(attendee.id, True, 0, 0, 0)
    now = utcnow()
    for name, value in PERSONAL_FIELDS.items():
        setattr(attendee, name, value)
    attendee.ref = f"{ERASED_REF_PREFIX}{attendee.id}"  # the ref links to the person in other systems
    attendee.link_version += 1                          # the card-page link stops working
    attendee.erased_at = now
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
    db.session.add(AuditEvent(fair_id=attendee.fair_id, actor=actor, action="attendee.erase",
                              subject=f"attendee:{attendee.id}",
                              details={"reason": reason, "cards_revoked": revoked, "leads": len(leads),
                                       "checkins": len(checkins)}))
    db.session.commit()
    try:  # the pool of people inside must forget them at once
        from fair.matching import services as matching
        matching.presence_changed(attendee)
    except Exception:  # noqa: BLE001 - no engine loaded (CLI) is fine: the pool is rebuilt from the database
        pass
    return ErasureReport(attendee.id, False, revoked, len(leads), len(checkins))


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
                              subject=f"attendee:{attendee.id}", details={}))
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
        erase_attendee(attendee, actor, reason=f"retention:{older_than_days}d")
    db.session.add(AuditEvent(fair_id=fair_id, actor=actor, action="retention.purge",
                              subject=None, details={"older_than_days": older_than_days, "erased": len(attendees)}))
    db.session.commit()
    return len(attendees)
