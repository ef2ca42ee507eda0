"""Lead capture at booths: the business rules, shared by HTTP, Socket.IO and tests."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from fair.core import cached, disclosure
from fair.web import live
from fair.booths import signals
from fair.booths.receipts import LeadResult, replayed
from fair.booths.models import (MAX_ANSWER_LENGTH, MAX_CHOICE_LENGTH, MAX_CHOICES, MAX_QUESTION_LABEL, MAX_QUESTIONS,
                                NEXT_STEPS, QUESTION_KINDS, Booth, BoothQuestion, Employer, Job, Lead, LeadScan)
from fair.checkin import services as checkin_services
from fair.checkin.models import Attendee
from fair.web.errors import InvalidInput
from fair.extensions import db, execute
from fair.core.models import AuditEvent, Device
from fair.core.reference import parse_booth_code
from fair.core.timeutil import iso, utcnow

MAX_NOTES = 2000
RATING_RANGE = (1, 5)


@dataclass(frozen=True)
class BoothFacts:
    """A booth and its employer's name as plain values, cached for the scan path (fair.core.cached)."""
    id: int
    fair_id: int
    code: str
    employer_id: int
    employer_name: str


def booth_facts(booth_id: int) -> BoothFacts | None:
    def load(key: int) -> BoothFacts | None:
        row = db.session.execute(db.select(Booth.id, Booth.fair_id, Booth.code, Booth.employer_id, Employer.name)
                                 .join(Employer, Employer.id == Booth.employer_id)
                                 .where(Booth.id == key)).one_or_none()
        return BoothFacts(*row) if row else None
    return cached.remember("booth", booth_id, load)


cached.forget_when_flushed(Booth, "booth")
cached.forget_when_flushed(Employer, "booth", whole_kind=True)  # its name is part of each booth's facts


def booth_by_code(fair_id: int, code: str | None) -> Booth | None:
    """The booth a URL, a form or the command line names, written any way the import
    accepts (" a12 ", "A-12", "A012" are booth A12: fair.core.reference.parse_booth_code)."""
    code = parse_booth_code(code)
    if code is None:
        return None
    return db.session.scalar(db.select(Booth).filter_by(fair_id=fair_id, code=code))


def booth_pseudonym(booth_id: int, attendee_id: int) -> str:
    """How this booth names a person (fair.core.disclosure.pseudonym, keyed with the instance secret)."""
    return disclosure.pseudonym(current_app.config["SECRET_KEY"].encode(), booth_id, attendee_id)


def candidate_view(attendee: Attendee, booth_id: int, scanned: bool) -> dict[str, Any]:
    """What one booth sees of a person (fair.core.disclosure.candidate): contact details and the
    rest of the profile only with consent *and* when this booth scanned their card."""
    return disclosure.candidate(attendee, pseudonym=booth_pseudonym(booth_id, attendee.id),
                                scanned_by_booth=scanned)


def lead_view(lead: Lead) -> dict[str, Any]:
    return _lead_view(_lead_fields(lead), lead.booth.code, lead.job.ref if lead.job else None,
                      candidate_view(lead.attendee, lead.booth_id, scanned=True))


_VIEW_COLUMNS = ("id", "rating", "tags", "notes", "next_step", "answers", "device_id", "last_device_id",
                "first_scanned_at", "last_scanned_at", "updated_at")


def _lead_fields(lead: Lead) -> dict[str, Any]:
    return {name: getattr(lead, name) for name in _VIEW_COLUMNS}


def device_name(device_id: int | None) -> str | None:
    """The name a phone was given (e.g. "Khun Malee's phone"): who scanned or edited a lead."""
    if device_id is None:
        return None
    facts = cached.device(device_id)
    return facts.name if facts is not None else None


def _lead_view(fields: dict[str, Any], booth_code: str, job_ref: str | None,
               candidate: dict[str, Any]) -> dict[str, Any]:
    """The one shape of a lead in answers, lists and live events (fields: _VIEW_COLUMNS' values)."""
    last_device = fields.get("last_device_id") or fields["device_id"]
    return {"id": fields["id"], "booth": booth_code, "rating": fields["rating"], "tags": list(fields["tags"] or []),
            "notes": fields["notes"], "next_step": fields["next_step"], "job_ref": job_ref,
            "answers": dict(fields.get("answers") or {}),
            "scanned_by": device_name(fields["device_id"]), "edited_by": device_name(last_device),
            "first_scanned_at": iso(fields["first_scanned_at"]), "last_scanned_at": iso(fields["last_scanned_at"]),
            "updated_at": iso(fields["updated_at"]), "candidate": candidate}


def is_own_booth(device, booth) -> bool:
    """The one ownership rule: a booth phone acts only for the booth it was paired with.

    `device` and `booth` are rows or their cached facts; any other kind of device
    (a gate, the organiser's desk) owns no booth."""
    return device is not None and device.kind == "booth" and device.booth_id == booth.id


def require_own_booth(device, booth) -> None:
    """is_own_booth, or a 403 for the service callers (scans, edits, invitations)."""
    if not is_own_booth(device, booth):
        raise InvalidInput(_("This device belongs to another booth."), status=403)


def lead_of_booth(booth: Booth, lead_id: int) -> Lead:
    """The lead if this booth holds it; any other (another booth's, none) is the same 404."""
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.booth_id != booth.id:
        raise InvalidInput(_("No such lead at this booth."), status=404)
    return lead


def job_of_booth(booth: Booth, job_ref: str | None) -> Job | None:
    """The job `job_ref` names if this booth recruits for it (its employer's), None for no
    ref; any other job is bad input (leads and invitations alike)."""
    if not job_ref:
        return None
    job = db.session.scalar(db.select(Job).filter_by(fair_id=booth.fair_id, ref=job_ref))
    if job is None or job.employer_id != booth.employer_id:
        raise InvalidInput(_("Job %(ref)s is not one of this booth's jobs.", ref=job_ref), field="job_ref")
    return job


def _check_fields(rating, next_step, notes) -> None:
    if rating is not None and not RATING_RANGE[0] <= rating <= RATING_RANGE[1]:
        raise InvalidInput(_("The rating must be from 1 to 5."), field="rating")
    if next_step is not None and next_step not in NEXT_STEPS:
        raise InvalidInput(_("next_step must be one of %(steps)s.", steps=", ".join(NEXT_STEPS)), field="next_step")
    if notes is not None and len(notes) > MAX_NOTES:
        raise InvalidInput(_("Notes are limited to %(n)d characters.", n=MAX_NOTES), field="notes")


def _apply(lead: Lead, device_id: int, rating, tags, notes, next_step, job: Job | None,
           answers: dict[str, Any] | None) -> None:
    if answers:
        lead.answers = _merged_answers(lead.answers, answers)
    lead.last_device_id = device_id
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


def capture_lead(device, booth, code: str, nonce: str, scanned_at: datetime | None = None,
                 rating: int | None = None, tags: list[str] | None = None, notes: str | None = None,
                 next_step: str | None = None, job_ref: str | None = None, answers: dict | None = None,
                 lang: str = "th") -> LeadResult:
    """A booth phone scanned a card. Same nonce again → the first answer; same card again → updated.

    `device` and `booth` are rows or their cached facts. Like the gate's scan,
    this is a few plain statements: every candidate at every booth passes here.
    """
    require_own_booth(device, booth)
    booth = booth_facts(booth.id)
    # No lookup of the nonce first: a retry runs into the receipt's unique
    # (device, nonce) at the end, is rolled back whole and gets the first answer.
    _check_fields(rating, next_step, notes)
    job = job_of_booth(booth, job_ref)
    answers = check_answers(booth.id, answers)
    now = utcnow()
    scanned_at = scanned_at or now
    try:
        holder = checkin_services.resolve_code(cached.fair(booth.fair_id), code, device)
    except checkin_services.CodeRejected as rejected:
        result = LeadResult(rejected.status, None, None, [])
        return _store_receipt(device.id, nonce, None, rejected.status, scanned_at, now, result)
    # The candidate and their job matches first, before any write: matching is CPU work
    # (the first time in a process, building the skill matcher, seconds), and a write
    # holds SQLite's only write lock (PostgreSQL: the lead's row) until the commit.
    candidate = candidate_view(holder, booth.id, scanned=True)
    matches = _matches(booth, candidate, lang, holder)
    statements = _statements(db.engine.dialect.name)
    values = {"rating": rating, "tags": tags, "notes": notes, "next_step": next_step,
              "job_id": job.id if job else None}
    values = {name: value for name, value in values.items() if value is not None}
    values.update(updated_at=now, last_device_id=device.id)
    fields = {"rating": None, "tags": [], "notes": None, "next_step": "none", "job_id": None,
              "first_scanned_at": scanned_at, "last_scanned_at": scanned_at, **values,
              "answers": _merged_answers({}, answers)}
    # Insert first (most scans at a booth are a person's first there): one statement, not
    # a select and then an insert. A lead this booth holds already, or one a second phone
    # inserts at the same moment, makes it do nothing (ON CONFLICT; on PostgreSQL it waits
    # for the other transaction's commit) and the lead is updated below instead.
    lead_id = execute(statements.insert_lead, dict(
        booth_id=booth.id, attendee_id=holder.id, device_id=device.id, **fields)).scalar()
    if lead_id is not None:
        status = "ok"
        fields.update(id=lead_id, device_id=device.id)
    else:
        # FOR UPDATE (PostgreSQL; SQLite holds the whole database on a write anyway): two
        # phones rescanning one person at once each add to the other's answers, none lost.
        current = execute(statements.lead_of, {"booth": booth.id, "attendee": holder.id}).first()
        status = "updated"
        values["last_scanned_at"] = max(current.last_scanned_at, scanned_at)
        if answers:
            values["answers"] = _merged_answers(current.answers, answers)
        execute(statements.update_lead, {"lead": current.id, **values})
        fields = {**current._mapping, **values}
        lead_id = current.id
    view = _lead_view(fields, booth.code, _job_ref(job, fields["job_id"]), candidate)
    result = LeadResult(status, lead_id, candidate, matches, view)
    answer = _store_receipt(device.id, nonce, lead_id, status, scanned_at, now, result)
    if answer is result:
        _publish_lead(booth, view, holder.id)
    return answer


@functools.cache
def _statements(dialect: str = "sqlite") -> SimpleNamespace:
    """The booth scan's statements, built once per process and database kind (as the entrance's are)."""
    leads, receipts = Lead.__table__, LeadScan.__table__
    upsert = (postgresql if dialect == "postgresql" else sqlite).insert
    return SimpleNamespace(
        receipt=db.select(receipts.c.response, receipts.c.status, receipts.c.lead_id).where(receipts.c.device_id == db.bindparam("device"),
                                                     receipts.c.nonce == db.bindparam("nonce")),
        insert_receipt=db.insert(receipts),
        lead_of=db.select(leads).where(leads.c.booth_id == db.bindparam("booth"),
                                       leads.c.attendee_id == db.bindparam("attendee")).with_for_update(),
        insert_lead=upsert(leads).on_conflict_do_nothing(index_elements=["booth_id", "attendee_id"])
                                 .returning(leads.c.id),
        update_lead=db.update(leads).where(leads.c.id == db.bindparam("lead")),
        job_ref=db.select(Job.__table__.c.ref).where(Job.__table__.c.id == db.bindparam("job")),
    )


def _receipt(device_id: int, nonce: str) -> LeadResult | None:
    """The answer first given to this (device, nonce), if any: a retry gets it again."""
    row = execute(_statements().receipt, {"device": device_id, "nonce": nonce}).first()
    return replayed(row.response, row.status, row.lead_id) if row is not None else None


def _store_receipt(device_id: int, nonce: str, lead_id: int | None, status: str, scanned_at: datetime,
                   received_at: datetime, result: LeadResult) -> LeadResult:
    """Write the receipt and commit the scan; if this (device, nonce) has one already, the
    whole attempt is rolled back and the first answer returned."""
    try:
        execute(_statements().insert_receipt, dict(
            device_id=device_id, nonce=nonce, lead_id=lead_id, status=status, scanned_at=scanned_at,
            received_at=received_at, response=result.to_receipt()))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = _receipt(device_id, nonce)
        if earlier is None:
            raise
        return earlier
    return result


def _job_ref(job: Job | None, job_id: int | None) -> str | None:
    """The ref of the lead's job: the row just chosen, else one small read by primary key."""
    if job_id is None:
        return None
    if job is not None and job.id == job_id:
        return job.ref
    return execute(_statements().job_ref, {"job": job_id}).scalar()


def update_lead(device: Device, booth: Booth, lead_id: int, nonce: str, rating: int | None = None,
                tags: list[str] | None = None, notes: str | None = None, next_step: str | None = None,
                job_ref: str | None = None, answers: dict | None = None) -> LeadResult:
    """An edit after the scan (rating, note, next step, answers) from any phone of the same booth."""
    require_own_booth(device, booth)
    earlier = _receipt(device.id, nonce)
    if earlier is not None:
        return earlier
    if db.session.get(Lead, lead_id) is None and was_deleted(booth, lead_id):
        # An edit queued on a phone (offline, or before it heard of the delete) of a lead
        # since deleted: a final answer the phone shows and drops, never one to retry.
        raise InvalidInput(_("This lead was deleted on another phone or by the organiser: "
                             "the change was not saved."), status=410, error="lead_deleted")
    _check_fields(rating, next_step, notes)
    job = job_of_booth(booth, job_ref)
    answers = check_answers(booth.id, answers)
    # Write first, then read: the UPDATE holds the lead's row (PostgreSQL) or the database's
    # write lock (SQLite, where FOR UPDATE does nothing) until the commit, so two phones
    # editing one lead at once each merge their answers into what the other wrote.
    touched = db.session.execute(
        db.update(Lead).where(Lead.id == lead_id, Lead.booth_id == booth.id).values(updated_at=utcnow())
        .execution_options(synchronize_session=False))
    lead = db.session.get(Lead, lead_id, populate_existing=True) if touched.rowcount == 1 else None
    if lead is None:
        raise InvalidInput(_("No such lead at this booth."), status=404)
    _apply(lead, device.id, rating, tags, notes, next_step, job, answers)
    db.session.flush()
    view = lead_view(lead)
    result = LeadResult("updated", lead.id, view["candidate"], [], view)
    now = utcnow()
    answer = _store_receipt(device.id, nonce, lead.id, "updated", now, now, result)
    if answer is result:
        _publish_lead(booth_facts(booth.id), view, lead.attendee_id)
    return answer


def _matches(booth: Booth, candidate: dict[str, Any], lang: str, person: Any = None) -> list[dict]:
    # fair.matching answers (fair.booths.signals), from the booth's view of the person:
    # reasons never mention a withheld field. `person` (the scanned CardHolder) carries the
    # occupation stored at registration or import, for the server only.
    try:
        answers = signals.matches_wanted.send(current_app._get_current_object(), booth=booth,
                                              candidate=candidate, lang=lang, person=person)
        return next((found for _receiver, found in answers if found is not None), [])
    except Exception:
        # The match is advice; a failure there must not refuse the lead itself.
        current_app.logger.exception("match_booth_jobs failed; the lead is kept without matches")
        return []


def _publish_lead(booth: BoothFacts, view: dict[str, Any], attendee_id: int) -> None:
    payload = {"id": view["id"], "at": view["updated_at"], "booth": booth.code, "employer": booth.employer_name,
               "lead": view, "next_step": view["next_step"]}
    live.publish("lead", payload, fair=booth.fair_id, booth=booth.id, attendee=attendee_id)


def leads_of_booth(booth: Booth) -> list[Lead]:
    return list(db.session.scalars(db.select(Lead).filter_by(booth_id=booth.id).order_by(Lead.updated_at.desc())))


def visits_of(attendee_id: int) -> list[dict[str, str]]:
    """The booths that scanned this person, first visit first: their own record of the fair (card page)."""
    rows = db.session.execute(
        db.select(Booth.code, Employer.name).select_from(Lead)
        .join(Booth, Lead.booth_id == Booth.id).join(Employer, Booth.employer_id == Employer.id)
        .where(Lead.attendee_id == attendee_id).order_by(Lead.first_scanned_at)).all()
    return [{"booth": code, "employer": name} for code, name in rows]


def floor_plan(fair_id: int, recommendations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The fair's booths on the plan's grid, the recommended ones numbered, for the card page's small map;
    None without booths or recommendations."""
    if not recommendations:
        return None
    booths = db.session.execute(db.select(Booth.code, Booth.plan_x, Booth.plan_y)
                                .where(Booth.fair_id == fair_id)).all()
    if not booths:
        return None
    rank = {rec["booth"]: n for n, rec in enumerate(recommendations, start=1)}
    return {"width": max(b.plan_x for b in booths), "height": max(b.plan_y for b in booths),
            "booths": [{"code": b.code, "x": b.plan_x, "y": b.plan_y, "rank": rank.get(b.code)}
                       for b in booths]}


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


# --- deleting a mistaken lead -------------------------------------------------------------

def delete_lead(booth: Booth, lead_id: int, actor: str, device_id: int | None = None) -> dict[str, Any]:
    """Remove a lead scanned by mistake (a phone of the booth, or the organiser); audited.

    The row goes, not a "deleted" mark: a mistaken scan is personal data the booth
    should not keep, and every count, list, export and the booth's "scanned" relation
    (which unlocks contact details) then follow without a filter in each. What stays
    is the audit row (who, when, which booth, the booth's pseudonym, no name) and the
    scan receipts, detached and emptied of the candidate, so a retried nonce gets an
    answer and never brings the lead back.
    """
    lead = lead_of_booth(booth, lead_id)
    details = {"booth": booth.code, "candidate": booth_pseudonym(booth.id, lead.attendee_id),
               "scanned_by": device_name(lead.device_id), "first_scanned_at": iso(lead.first_scanned_at),
               "deleted_by": device_name(device_id) if device_id else None}
    attendee_id = lead.attendee_id
    for receipt in db.session.scalars(db.select(LeadScan).where(LeadScan.lead_id == lead.id)):
        answered = replayed(receipt.response, receipt.status, receipt.lead_id)
        receipt.lead_id = None
        receipt.response = answered.scrubbed(keep_lead_id=False).to_receipt()
    db.session.delete(lead)
    db.session.add(AuditEvent(fair_id=booth.fair_id, actor=actor, action="lead.delete", subject=f"lead:{lead_id}",
                              details=details))
    db.session.commit()
    live.publish("lead_deleted", {"id": lead_id, "booth": booth.code}, fair=booth.fair_id, booth=booth.id,
                 attendee=attendee_id)
    return {"deleted": lead_id, "booth": booth.code}


def was_deleted(booth: Booth, lead_id: int) -> bool:
    """This booth's lead `lead_id` existed and was deleted (its audit row says so)."""
    rows = db.session.scalars(db.select(AuditEvent.details).where(
        AuditEvent.fair_id == booth.fair_id, AuditEvent.action == "lead.delete",
        AuditEvent.subject == f"lead:{lead_id}"))
    return any((details or {}).get("booth") == booth.code for details in rows)


# --- the booth's own questions ------------------------------------------------------------

def questions_of_booth(booth_id: int, include_removed: bool = False) -> list[BoothQuestion]:
    select = db.select(BoothQuestion).where(BoothQuestion.booth_id == booth_id)
    if not include_removed:
        select = select.where(BoothQuestion.removed_at.is_(None))
    return list(db.session.scalars(select.order_by(BoothQuestion.position, BoothQuestion.id)))


def question_view(question: BoothQuestion) -> dict[str, Any]:
    return {"id": question.id, "label": question.label, "kind": question.kind, "choices": list(question.choices or [])}


def _clean(text: Any) -> str:
    return " ".join(str(text or "").split())


def add_question(booth: Booth, label: str, kind: str, choices: list[str] | None, actor: str) -> BoothQuestion:
    """A new question for every candidate of this booth (organiser page, CLI or a booth phone); audited."""
    label = _clean(label)
    if not 1 <= len(label) <= MAX_QUESTION_LABEL:
        raise InvalidInput(_("A question is 1 to %(n)d characters.", n=MAX_QUESTION_LABEL), field="label")
    if kind not in QUESTION_KINDS:
        raise InvalidInput(_("The kind of answer is text, yes/no or a choice."), field="kind")
    cleaned: list[str] = []
    if kind == "choice":
        for choice in choices or []:
            choice = _clean(choice)
            if choice and choice.casefold() not in {c.casefold() for c in cleaned}:
                cleaned.append(choice)
        if not 2 <= len(cleaned) <= MAX_CHOICES or any(len(c) > MAX_CHOICE_LENGTH for c in cleaned):
            raise InvalidInput(_("A choice question needs 2 to %(n)d different choices of up to %(len)d characters.",
                                 n=MAX_CHOICES, len=MAX_CHOICE_LENGTH), field="choices")
    active = questions_of_booth(booth.id)
    if len(active) >= MAX_QUESTIONS:
        raise InvalidInput(_("A booth has at most %(n)d questions: remove one first.", n=MAX_QUESTIONS),
                           field="label", status=409)
    if any(q.label.casefold() == label.casefold() for q in active):
        raise InvalidInput(_("This booth already asks that question."), field="label", status=409)
    question = BoothQuestion(booth_id=booth.id, label=label, kind=kind, choices=cleaned,
                             position=max((q.position for q in active), default=0) + 1)
    db.session.add(question)
    db.session.flush()
    db.session.add(AuditEvent(fair_id=booth.fair_id, actor=actor, action="booth.question_add",
                              subject=f"booth:{booth.code}", details={"question": question.id, "label": label,
                                                                      "kind": kind}))
    db.session.commit()
    _publish_questions(booth)
    return question


def remove_question(booth: Booth, question_id: int, actor: str) -> None:
    """Stop asking a question; the answers already given stay in the leads and exports. Audited."""
    question = db.session.get(BoothQuestion, question_id)
    if question is None or question.booth_id != booth.id or question.removed_at is not None:
        raise InvalidInput(_("No such question at this booth."), status=404)
    question.removed_at = utcnow()
    db.session.add(AuditEvent(fair_id=booth.fair_id, actor=actor, action="booth.question_remove",
                              subject=f"booth:{booth.code}", details={"question": question.id,
                                                                      "label": question.label}))
    db.session.commit()
    _publish_questions(booth)


def _publish_questions(booth: Booth) -> None:
    """Every phone of the booth redraws its form with the new questions."""
    live.publish("questions", {"id": booth.id, "booth": booth.code,
                               "questions": [question_view(q) for q in questions_of_booth(booth.id)]},
                 fair=booth.fair_id, booth=booth.id)


def check_answers(booth_id: int, answers: dict | None) -> dict[str, Any] | None:
    """Answers to this booth's questions as stored ({"<id>": value}; None clears one), or InvalidInput.

    Text up to MAX_ANSWER_LENGTH characters, yes/no as true/false, a choice as one of
    the question's choices. A removed question takes no new answers.
    """
    if not answers:
        return None
    if not isinstance(answers, dict):
        raise InvalidInput(_("Answers are an object of question id to answer."), field="answers")
    questions = {str(q.id): q for q in questions_of_booth(booth_id)}
    checked: dict[str, Any] = {}
    for key, value in answers.items():
        question = questions.get(str(key))
        if question is None:
            raise InvalidInput(_("Question %(id)s is not one of this booth's questions.", id=key), field="answers")
        if value is None or value == "":
            checked[str(key)] = None
        elif question.kind == "yesno":
            if not isinstance(value, bool):
                raise InvalidInput(_("“%(q)s” takes yes or no.", q=question.label), field="answers")
            checked[str(key)] = value
        elif question.kind == "choice":
            if value not in question.choices:
                raise InvalidInput(_("“%(q)s” takes one of: %(choices)s.", q=question.label,
                                     choices=", ".join(question.choices)), field="answers")
            checked[str(key)] = value
        else:
            if not isinstance(value, str) or len(value.strip()) > MAX_ANSWER_LENGTH:
                raise InvalidInput(_("An answer is text of up to %(n)d characters.", n=MAX_ANSWER_LENGTH),
                                   field="answers")
            checked[str(key)] = value.strip() or None
    return checked


def _merged_answers(old: dict | None, new: dict[str, Any] | None) -> dict[str, Any]:
    merged = {**(old or {}), **(new or {})}
    return {key: value for key, value in merged.items() if value is not None}


def answers_text(lead_answers: dict | None, questions: dict[int, BoothQuestion], lang: str = "th") -> str:
    """A lead's answers in one cell: "Question: answer; ..." in the booth's question order."""
    yes_no = {True: "ใช่", False: "ไม่ใช่"} if lang == "th" else {True: "yes", False: "no"}
    parts = []
    for question in sorted(questions.values(), key=lambda q: (q.position, q.id)):
        value = (lead_answers or {}).get(str(question.id))
        if value is None:
            continue
        parts.append(f"{question.label}: {yes_no[value] if isinstance(value, bool) else value}")
    return "; ".join(parts)
