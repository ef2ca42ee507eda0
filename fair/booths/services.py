"""Lead capture at booths: the business rules, shared by HTTP, Socket.IO and tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from fair import live
from fair.booths.models import NEXT_STEPS, Booth, Job, Lead, LeadScan
from fair.checkin import services as checkin_services
from fair.checkin.models import Attendee
from fair.errors import InvalidInput
from fair.exports import pseudonym
from fair.extensions import db
from fair.idempotency import commit_or_earlier
from fair.models import Device
from fair.timeutil import iso, utcnow

MAX_NOTES = 2000
RATING_RANGE = (1, 5)


@dataclass(frozen=True)
class LeadResult:
    status: str
    lead_id: int | None
    candidate: dict | None
    matches: list[dict]
    lead: dict | None = None

    def as_json(self) -> dict[str, Any]:
        body = {"status": self.status, "lead_id": self.lead_id, "candidate": self.candidate,
                "matches": self.matches}
        if self.lead is not None:
            body["lead"] = self.lead
        return body


def booth_by_code(fair_id: int, code: str) -> Booth | None:
    return db.session.scalar(db.select(Booth).filter_by(fair_id=fair_id, code=code.strip().upper()))


def candidate_view(attendee: Attendee) -> dict[str, Any]:
    """What a booth sees of a candidate: without consent, a pseudonym, education and skills only.

    Never the national ID, in any case.
    """
    view = {"pseudonym": pseudonym(attendee), "education": attendee.education,
            "skills": list(attendee.skills or []), "shared": False}
    if attendee.consent_share_profile and attendee.erased_at is None:
        view.update(shared=True, ref=attendee.ref, name=attendee.full_name, phone=attendee.phone,
                    email=attendee.email, experience_years=attendee.experience_years,
                    desired_positions=list(attendee.desired_positions or []),
                    province=attendee.province, languages=list(attendee.languages or []))
    return view


def lead_view(lead: Lead) -> dict[str, Any]:
    return {"id": lead.id, "booth": lead.booth.code, "rating": lead.rating, "tags": list(lead.tags or []),
            "notes": lead.notes, "next_step": lead.next_step, "job_ref": lead.job.ref if lead.job else None,
            "first_scanned_at": iso(lead.first_scanned_at), "last_scanned_at": iso(lead.last_scanned_at),
            "updated_at": iso(lead.updated_at), "candidate": candidate_view(lead.attendee)}


def _job_of_booth(booth: Booth, job_ref: str | None) -> Job | None:
    if not job_ref:
        return None
    job = db.session.scalar(db.select(Job).filter_by(fair_id=booth.fair_id, ref=job_ref))
    if job is None or job.employer_id != booth.employer_id:
        raise InvalidInput(f"Job {job_ref!r} is not one of this booth's jobs.", field="job_ref")
    return job


def _check_fields(rating, next_step, notes) -> None:
    if rating is not None and not RATING_RANGE[0] <= rating <= RATING_RANGE[1]:
        raise InvalidInput("The rating must be from 1 to 5.", field="rating")
    if next_step is not None and next_step not in NEXT_STEPS:
        raise InvalidInput(f"next_step must be one of {', '.join(NEXT_STEPS)}.", field="next_step")
    if notes is not None and len(notes) > MAX_NOTES:
        raise InvalidInput(f"Notes are limited to {MAX_NOTES} characters.", field="notes")


def _apply(lead: Lead, rating, tags, notes, next_step, job: Job | None) -> None:
    if rating is not None:
        lead.rating = rating
    if tags is not None:
        lead.tags = tags
    if notes is not None:
        lead.notes = notes
    if next_step is not None:
        lead.next_step = next_step
    if job is not None:
        lead.job = job
    lead.updated_at = utcnow()


def capture_lead(device: Device, booth: Booth, code: str, nonce: str, scanned_at: datetime | None = None,
                 rating: int | None = None, tags: list[str] | None = None, notes: str | None = None,
                 next_step: str | None = None, job_ref: str | None = None, lang: str = "th") -> LeadResult:
    """A booth phone scanned a card. Same nonce again → the first answer; same card again → updated."""
    if device.kind != "booth" or device.booth_id != booth.id:
        raise InvalidInput("This device belongs to another booth.", status=403)
    earlier = db.session.scalar(db.select(LeadScan).filter_by(device_id=device.id, nonce=nonce))
    if earlier is not None:
        return LeadResult(**earlier.response)
    _check_fields(rating, next_step, notes)
    job = _job_of_booth(booth, job_ref)
    now = utcnow()
    scanned_at = scanned_at or now
    try:
        card = checkin_services.resolve_code(device.fair, code, device)
    except checkin_services.CodeRejected as rejected:
        result = LeadResult(rejected.status, None, None, [])
        db.session.add(LeadScan(device_id=device.id, nonce=nonce, status=rejected.status,
                                scanned_at=scanned_at, received_at=now, response=result.__dict__))
        return _commit_receipt(device, nonce, result)
    attendee = card.attendee
    lead = db.session.scalar(db.select(Lead).filter_by(booth_id=booth.id, attendee_id=attendee.id))
    status = "updated" if lead is not None else "ok"
    if lead is None:
        lead = Lead(booth=booth, attendee=attendee, device_id=device.id,
                    first_scanned_at=scanned_at, last_scanned_at=scanned_at)
        db.session.add(lead)
    lead.last_scanned_at = max(lead.last_scanned_at, scanned_at)
    _apply(lead, rating, tags, notes, next_step, job)
    db.session.flush()
    result = LeadResult(status, lead.id, candidate_view(attendee), _matches(booth, attendee, lang), lead_view(lead))
    db.session.add(LeadScan(device_id=device.id, nonce=nonce, lead_id=lead.id, status=status,
                            scanned_at=scanned_at, received_at=now, response=result.__dict__))
    result = _commit_receipt(device, nonce, result)
    _publish_lead(booth, lead, "lead")
    return result


def update_lead(device: Device, booth: Booth, lead_id: int, nonce: str, rating: int | None = None,
                tags: list[str] | None = None, notes: str | None = None, next_step: str | None = None,
                job_ref: str | None = None) -> LeadResult:
    """An edit after the scan (rating, note, next step) from any phone of the same booth."""
    if device.kind != "booth" or device.booth_id != booth.id:
        raise InvalidInput("This device belongs to another booth.", status=403)
    earlier = db.session.scalar(db.select(LeadScan).filter_by(device_id=device.id, nonce=nonce))
    if earlier is not None:
        return LeadResult(**earlier.response)
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.booth_id != booth.id:
        raise InvalidInput("No such lead at this booth.", status=404)
    _check_fields(rating, next_step, notes)
    job = _job_of_booth(booth, job_ref)
    _apply(lead, rating, tags, notes, next_step, job)
    db.session.flush()
    result = LeadResult("updated", lead.id, candidate_view(lead.attendee), [], lead_view(lead))
    now = utcnow()
    db.session.add(LeadScan(device_id=device.id, nonce=nonce, lead_id=lead.id, status="updated",
                            scanned_at=now, received_at=now, response=result.__dict__))
    result = _commit_receipt(device, nonce, result)
    _publish_lead(booth, lead, "lead")
    return result


def _commit_receipt(device: Device, nonce: str, result: LeadResult) -> LeadResult:
    earlier = commit_or_earlier(lambda: db.session.scalar(
        db.select(LeadScan).filter_by(device_id=device.id, nonce=nonce)))
    return LeadResult(**earlier.response) if earlier is not None else result


def _matches(booth: Booth, attendee: Attendee, lang: str) -> list[dict]:
    from fair.matching import services as matching
    try:
        return matching.match_booth_jobs(booth, attendee, lang=lang)
    except Exception:
        # The match is advice; a failure there must not refuse the lead itself.
        current_app.logger.exception("match_booth_jobs failed; the lead is kept without matches")
        return []


def _publish_lead(booth: Booth, lead: Lead, type_: str) -> None:
    view = lead_view(lead)
    payload = {"id": lead.id, "at": view["updated_at"], "booth": booth.code, "lead": view,
               "next_step": lead.next_step}
    live.publish(booth.fair_id, type_, payload, [live.booth_room(booth.id)])
    # The attendee's own page: which booth, nothing of what the recruiter wrote.
    live.publish(booth.fair_id, "visit", {"id": lead.id, "booth": booth.code,
                                          "employer": booth.employer.name},
                 [live.attendee_room(lead.attendee_id)], dashboards=False)


def leads_of_booth(booth: Booth) -> list[Lead]:
    return list(db.session.scalars(db.select(Lead).filter_by(booth_id=booth.id).order_by(Lead.updated_at.desc())))


def jobs_of_booth(booth: Booth) -> list[Job]:
    """The jobs a booth recruits for (its employer's), for the "applied for" choice."""
    return list(db.session.scalars(db.select(Job).filter_by(fair_id=booth.fair_id, employer_id=booth.employer_id)
                                   .order_by(Job.title, Job.ref)))


LEAD_SORTS = ("time", "rating")


def _searchable(view: dict[str, Any]) -> str:
    # Built from the consent-filtered view: a booth cannot find an unconsenting
    # candidate by name, because the name is not in what it may see.
    candidate = view["candidate"]
    parts = [candidate.get("pseudonym"), candidate.get("name"), candidate.get("ref"),
             view.get("notes"), view.get("job_ref"), *candidate.get("skills", []), *view.get("tags", [])]
    return " ".join(p for p in parts if p).casefold()


def search_leads(fair_id: int, booth: Booth | None = None, query: str | None = None,
                 sort: str = "time") -> list[dict[str, Any]]:
    """Lead views of one booth (or all booths of the fair), filtered and sorted for the lead lists.

    Matches name, pseudonym, skills, tags and notes as the caller may see them;
    sort "rating" puts the best first (unrated last), "time" the latest scan first.
    """
    select = db.select(Lead).join(Booth).where(Booth.fair_id == fair_id)
    if booth is not None:
        select = select.where(Lead.booth_id == booth.id)
    views = [lead_view(lead) for lead in db.session.scalars(select)]
    words = (query or "").casefold().split()
    if words:
        views = [v for v in views if all(w in _searchable(v) for w in words)]
    views.sort(key=lambda v: v["last_scanned_at"] or "", reverse=True)
    if sort == "rating":
        views.sort(key=lambda v: -(v["rating"] or 0))  # stable: ties stay latest first
    return views
