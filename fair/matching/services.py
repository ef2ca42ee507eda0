"""Recommendations for attendees, candidates in the hall for booths, and invitations.

The scoring lives in the pure modules (text, scoring, ranking); this module
feeds them rows and keeps the precomputed parts fresh: a job index per fair
(rebuilt when the jobs change, even by an import from another process), a
pool of the attendees inside (updated on every entry and exit), and the
booths' queue lengths (recomputed at most every few seconds).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app, has_app_context

from fair.core import changes, disclosure
from fair.web import live
from fair.booths import signals as booth_signals
from fair.booths.models import Booth, Job, Lead
from fair.booths.services import booth_pseudonym, candidate_view
from fair.checkin import signals as checkin_signals
from fair.checkin.models import Attendee
from fair.web.blocking import let_others_run
from fair.web.errors import InvalidInput
from fair.extensions import db
from fair.matching import ranking, scoring
from fair.matching.models import Invitation
from fair.core.models import Device
from fair.core.timeutil import iso, utcnow

# A booth's queue: people it scanned in the last QUEUE_WINDOW plus open invitations.
QUEUE_WINDOW = timedelta(minutes=15)
QUEUE_REFRESH_SECONDS = 5.0
# How often the job index checks whether the jobs changed (an import in another
# process); within this process, imports call invalidate() at once.
SIGNATURE_CHECK_SECONDS = 2.0
# Below this score a job has "no matching candidate in the hall".
GOOD_MATCH = 50.0
MAX_OPEN_INVITATIONS_PER_BOOTH = 30


@dataclass(frozen=True)
class JobOnFloor:
    """Plain facts of a job and its booth. The cache outlives database sessions,
    so it holds values, never ORM rows (those would be detached on next use)."""
    id: int
    ref: str
    title: str
    employer_id: int
    employer: str
    booth_id: int | None
    booth: str | None
    plan_x: int = 0
    plan_y: int = 0


@dataclass
class FairMatching:
    """Everything precomputed for one fair in one app."""
    signature: tuple
    checked_at: float
    index: ranking.JobIndex
    jobs: dict[int, JobOnFloor]
    facts: dict[int, scoring.JobFacts]
    booth_of_job: dict[int, int | None]
    pool: ranking.CandidatePool | None = None
    queue: dict[int, float] = field(default_factory=dict)
    queue_at: float = 0.0
    # employer id -> its job ids: a booth scan scores the booth's few jobs without walking all of them.
    jobs_of_employer: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.jobs_of_employer:
            for job_id, job in self.jobs.items():
                self.jobs_of_employer.setdefault(job.employer_id, []).append(job_id)


def _cache() -> dict[str, Any]:
    """Per-app caches and the lock that builds them (two apps, e.g. two tests, never share an index)."""
    cache = current_app.extensions.get("matching_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "matching_cache", {"fairs": {}, "profiles": {}, "lock": threading.RLock()})
    return cache


def _signature(fair_id: int) -> tuple:
    """Cheap fingerprint of the fair's jobs and booths: a new import changes it."""
    jobs = db.session.execute(db.select(db.func.count(Job.id), db.func.max(Job.id)).where(Job.fair_id == fair_id)).one()
    booths = db.session.execute(db.select(db.func.count(Booth.id), db.func.max(Booth.id)).where(Booth.fair_id == fair_id)).one()
    return tuple(jobs) + tuple(booths)


def job_facts(job: Job) -> scoring.JobFacts:
    return scoring.job_from_fields(
        job_id=job.id, title=job.title, skills_required=job.skills_required or [],
        skills_optional=job.skills_optional or [], description=job.description or "",
        education_min=job.education_min, experience_min_years=job.experience_min_years,
        province=job.province, salary_min=job.salary_min, salary_max=job.salary_max,
        disability_friendly=job.disability_friendly)


def invalidate(fair_id: int) -> None:
    """Jobs or booths changed in this process: rebuild the index on next use."""
    cached = _cache()["fairs"].get(fair_id)
    if cached is not None:
        cached.checked_at = 0.0
        cached.signature = ()


def fair_matching(fair_id: int) -> FairMatching:
    fairs = _cache()["fairs"]
    cached = fairs.get(fair_id)
    now = time.monotonic()
    if cached is not None and now - cached.checked_at < SIGNATURE_CHECK_SECONDS:
        return cached  # the hot path: a scan does not query for job changes
    signature = _signature(fair_id)
    if cached is not None and cached.signature == signature:
        cached.checked_at = now
        return cached
    with _cache()["lock"]:
        rows = db.session.scalars(db.select(Job).where(Job.fair_id == fair_id)
                                  .options(db.joinedload(Job.employer))).unique()
        booth_rows = db.session.scalars(db.select(Booth).where(Booth.fair_id == fair_id))
        booth_by_employer = {b.employer_id: b for b in booth_rows}
        jobs: dict[int, JobOnFloor] = {}
        facts: dict[int, scoring.JobFacts] = {}
        for job in rows:
            booth = booth_by_employer.get(job.employer_id)
            jobs[job.id] = JobOnFloor(job.id, job.ref, job.title, job.employer_id, job.employer.name,
                                      booth.id if booth else None, booth.code if booth else None,
                                      booth.plan_x if booth else 0, booth.plan_y if booth else 0)
            facts[job.id] = job_facts(job)
        built = FairMatching(signature, now, ranking.JobIndex(list(facts.values())), jobs, facts,
                             {job_id: job.booth_id for job_id, job in jobs.items()},
                             pool=cached.pool if cached else None)
        fairs[fair_id] = built
        return built


def attendee_profile(attendee: Attendee) -> scoring.Profile:
    """The attendee's matching profile, cached until their fields change."""
    key = (tuple(attendee.skills or []), tuple(attendee.desired_positions or []), attendee.education,
           attendee.experience_years, attendee.province, attendee.salary_expected,
           tuple(attendee.languages or []), attendee.needs_disability_friendly, attendee.willing_to_relocate)
    profiles = _cache()["profiles"]
    cached = profiles.get(attendee.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    profile = scoring.profile_from_fields(
        skills=attendee.skills or [], desired_positions=attendee.desired_positions or [],
        education=attendee.education, experience_years=attendee.experience_years,
        province=attendee.province, salary_expected=attendee.salary_expected,
        languages=attendee.languages or [], needs_disability_friendly=attendee.needs_disability_friendly,
        willing_to_relocate=attendee.willing_to_relocate)
    profiles[attendee.id] = (key, profile)
    return profile


def booth_profile(view: dict[str, Any]) -> scoring.Profile:
    """A matching profile built only from what a booth may see of the person
    (disclosure.matching_fields), so its score and reasons use nothing withheld."""
    fields = disclosure.matching_fields(view)
    key = ("booth-view", tuple(fields["skills"]), tuple(fields["desired_positions"]), fields["education"],
           fields["experience_years"], fields["province"], tuple(fields["languages"]))
    profiles = _cache()["profiles"]
    cached = profiles.get(key)
    if cached is not None:
        return cached
    profile = scoring.profile_from_fields(
        skills=fields["skills"], desired_positions=fields["desired_positions"], education=fields["education"],
        experience_years=fields["experience_years"], province=fields["province"], salary_expected=None,
        languages=fields["languages"])
    if len(profiles) < 200_000:  # bounded: one entry per distinct view
        profiles[key] = profile
    return profile


def hall_profile(attendee) -> scoring.Profile:
    """The profile the hall list ranks by: what every booth sees of anyone (education and
    skills; disclosure.BOOTH_ALWAYS), whether or not a booth scanned them."""
    return booth_profile({"skills": list(attendee.skills or []), "education": attendee.education})


# --- the crowd -------------------------------------------------------------------------

def booth_queues(fair_id: int) -> dict[int, float]:
    """People queueing per booth (recent scans + open invitations), refreshed every few seconds."""
    built = fair_matching(fair_id)
    now = time.monotonic()
    if now - built.queue_at < QUEUE_REFRESH_SECONDS:
        return built.queue
    since = utcnow() - QUEUE_WINDOW
    queue: dict[int, float] = {}
    for booth_id, count in db.session.execute(
            db.select(Lead.booth_id, db.func.count(Lead.id)).join(Booth)
            .where(Booth.fair_id == fair_id, Lead.last_scanned_at >= since).group_by(Lead.booth_id)):
        queue[booth_id] = float(count)
    for booth_id, count in db.session.execute(
            db.select(Invitation.booth_id, db.func.count(Invitation.id)).join(Booth)
            .where(Booth.fair_id == fair_id, Invitation.status == "sent").group_by(Invitation.booth_id)):
        queue[booth_id] = queue.get(booth_id, 0.0) + float(count)
    built.queue, built.queue_at = queue, now
    return queue


def pool_of(fair_id: int) -> ranking.CandidatePool:
    """The attendees inside the hall now, built once, then kept up to date by presence_changed()."""
    built = fair_matching(fair_id)
    if built.pool is None:
        with _cache()["lock"]:
            if built.pool is None:
                inside = db.session.scalars(db.select(Attendee).where(
                    Attendee.fair_id == fair_id, Attendee.inside.is_(True), Attendee.erased_at.is_(None)))
                built.pool = ranking.CandidatePool({a.id: hall_profile(a) for a in inside})
    return built.pool


@changes.fair_changed.connect
def _forget_people(app, fair_id: int, **_kwargs) -> None:
    """fair.core.changes: someone may have been erased (or changed) by this or another process.

    The pool of people inside is rebuilt from the database on next use, and the
    cached profiles of erased attendees are dropped (both hold what they were)."""
    cache = app.extensions.get("matching_cache")
    if cache is None:
        return
    built = cache["fairs"].get(fair_id)
    if built is not None:
        built.pool = None
    profiles = cache["profiles"]
    if profiles and has_app_context():
        for attendee_id in db.session.scalars(db.select(Attendee.id).where(
                Attendee.fair_id == fair_id, Attendee.erased_at.is_not(None))):
            profiles.pop(attendee_id, None)


def presence_changed(attendee: Attendee) -> None:
    """After an entry or exit at the gate: keep the pool of people inside exact.

    `attendee` is a row or the gate's CardHolder (plain values, presence as just written)."""
    built = _cache()["fairs"].get(attendee.fair_id)
    if built is None or built.pool is None:
        return  # built from the database on first use
    if attendee.inside and attendee.erased_at is None:
        built.pool.add(attendee.id, hall_profile(attendee))
    else:
        built.pool.remove(attendee.id)



@checkin_signals.presence_changed.connect
def _on_presence_changed(_app, holder, **_kwargs) -> None:
    """fair.checkin.signals: the gate let someone in or out."""
    presence_changed(holder)


# --- recommendations ---------------------------------------------------------------------

def _reasons(score: scoring.Score, lang: str) -> list[str]:
    """The score's reasons as sentences. Each (reason, language) is rendered once per app:
    a booth scan renders every job's reasons, and most repeat from one candidate to the next
    ("education meets the minimum (bachelor)"), at 10-20 µs each."""
    rendered = _cache().setdefault("reasons", {})
    lines: list[str] = []
    for reason in score.reasons:
        key = (lang, reason.code, tuple((name, tuple(value) if isinstance(value, list) else value)
                                        for name, value in reason.params.items()))
        try:
            text = rendered.get(key)
        except TypeError:    # a parameter that cannot be a key (none today): render it every time
            lines.extend(_render_reasons((reason,), lang))
            continue
        if text is None:
            text = tuple(_render_reasons((reason,), lang))   # () for a code without a sentence
            if len(rendered) < 100_000:  # bounded: reasons are drawn from a fair's jobs and skills
                rendered[key] = text
        lines.extend(text)
    return lines


def _render_reasons(reasons, lang: str) -> list[str]:
    # Provinces in the page's language too: "(Bangkok)" on a Thai page read as untranslated.
    from fair.core.reference import parse_province, province_name

    def province(key: str) -> str:
        if parse_province(key) is None:
            return key.title() if key.isascii() else key
        return province_name(key, lang)
    return scoring.render_reasons(reasons, lang, province_names=province)


def recommend_booths(attendee: Attendee, top: int = 5, lang: str = "th") -> list[dict[str, Any]]:
    """The booths this attendee should visit first (best job at each), busy booths damped."""
    built = fair_matching(attendee.fair_id)
    if not built.jobs:
        return []
    ranked = built.index.recommend(attendee_profile(attendee), top=top,
                                   queue_load=booth_queues(attendee.fair_id),
                                   job_booth=built.booth_of_job, distinct_booths=True)
    found = []
    for job_id, score in ranked:
        job = built.jobs[job_id]
        if job.booth is None:
            continue
        found.append({"booth": job.booth, "employer": job.employer, "job_ref": job.ref,
                      "title": job.title, "score": round(score.value, 1), "reasons": _reasons(score, lang),
                      "plan_x": job.plan_x, "plan_y": job.plan_y})
    return found


@checkin_signals.recommendations_wanted.connect
def _recommend_at_gate(_app, holder, top: int, lang: str, **_kwargs) -> list[dict[str, Any]]:
    """fair.checkin.signals: a gate wants booth suggestions with its check-in answer."""
    return recommend_booths(holder, top=top, lang=lang)


def match_booth_jobs(booth: Booth, candidate: dict[str, Any], lang: str = "th") -> list[dict[str, Any]]:
    """How a scanned candidate fits each of the booth's jobs, best first, judged on the
    booth's view of them (booths.services.candidate_view) and nothing more."""
    built = fair_matching(booth.fair_id)
    profile = booth_profile(candidate)
    matches = []
    for job_id in built.jobs_of_employer.get(booth.employer_id, ()):
        job = built.jobs[job_id]
        score = scoring.score(profile, built.facts[job_id])
        matches.append({"job_ref": job.ref, "title": job.title, "score": round(score.value, 1),
                        "reasons": _reasons(score, lang)})
    return sorted(matches, key=lambda m: -m["score"])


@booth_signals.matches_wanted.connect
def _match_at_booth(_app, booth, candidate: dict[str, Any], lang: str, **_kwargs) -> list[dict[str, Any]]:
    """fair.booths.signals: a booth scanned a card and shows how the person fits its jobs."""
    return match_booth_jobs(booth, candidate, lang=lang)


def booth_jobs(booth: Booth) -> list[scoring.JobFacts]:
    built = fair_matching(booth.fair_id)
    return [built.facts[job_id] for job_id, booth_id in built.booth_of_job.items() if booth_id == booth.id]


def _known_to_booth(booth_id: int, attendee_ids: list[int]) -> set[int]:
    """Of these people, those whose card this booth scanned or who accepted its invitation:
    the only ones whose shared profile it may see."""
    if not attendee_ids:
        return set()
    scanned = db.session.scalars(db.select(Lead.attendee_id).where(
        Lead.booth_id == booth_id, Lead.attendee_id.in_(attendee_ids)))
    accepted = db.session.scalars(db.select(Invitation.attendee_id).where(
        Invitation.booth_id == booth_id, Invitation.status == "accepted", Invitation.attendee_id.in_(attendee_ids)))
    return set(scanned) | set(accepted)


def candidates_in_hall(booth: Booth, top: int = 20, lang: str = "th",
                       for_organiser: bool = False) -> list[dict[str, Any]]:
    """The best attendees inside right now for this booth's jobs, as the booth may see them.

    Ranked on education and skills alone (hall_profile): what the booth may see of
    anyone; contact details only for people it scanned who agreed to share. The
    organiser (for_organiser) also gets each person's reference."""
    jobs = booth_jobs(booth)
    ranked = pool_of(booth.fair_id).rank(jobs, top=top) if jobs else []
    if not ranked:
        return []
    attendees = {a.id: a for a in db.session.scalars(db.select(Attendee).where(
        Attendee.id.in_([attendee_id for attendee_id, _, _ in ranked])))}
    invited = {row.attendee_id: row for row in db.session.scalars(db.select(Invitation).where(
        Invitation.booth_id == booth.id, Invitation.attendee_id.in_(list(attendees))))}
    known = _known_to_booth(booth.id, list(attendees))
    built = fair_matching(booth.fair_id)
    results = []
    for attendee_id, job_id, score in ranked:
        attendee = attendees.get(attendee_id)
        if attendee is None or not attendee.inside or attendee.erased_at is not None:
            continue
        invitation = invited.get(attendee_id)
        results.append({"candidate": candidate_view(attendee, booth.id, scanned=attendee_id in known),
                        "job_ref": built.jobs[job_id].ref, "title": built.jobs[job_id].title,
                        "score": round(score.value, 1), "reasons": _reasons(score, lang),
                        "invitation": invitation_view(invitation) if invitation else None})
        if for_organiser:
            results[-1]["attendee_ref"] = attendee.ref
    return results


def jobs_without_candidates(fair_id: int, threshold: float = GOOD_MATCH) -> list[dict[str, Any]]:
    """Jobs on the floor that nobody inside matches well (for the organiser to act on)."""
    built = fair_matching(fair_id)
    pool = pool_of(fair_id)
    lonely = []
    for n, (job_id, facts) in enumerate(list(built.facts.items())):
        if n % 5 == 4:
            let_others_run()  # ~1 ms per job, 130-190 ms in all: scans go in between
        best = pool.rank([facts], top=1)
        if not best or best[0][2].value < threshold:
            job = built.jobs[job_id]
            lonely.append({"job_ref": job.ref, "title": job.title, "booth": job.booth,
                           "employer": job.employer})
    return sorted(lonely, key=lambda j: (j["booth"] or "", j["job_ref"]))


# --- invitations -------------------------------------------------------------------------

def invitation_view(invitation: Invitation) -> dict[str, Any]:
    return {"id": invitation.id, "booth": invitation.booth.code, "employer": invitation.booth.employer.name,
            "job_ref": invitation.job.ref if invitation.job else None,
            "title": invitation.job.title if invitation.job else None, "status": invitation.status,
            "message": invitation.message, "created_at": iso(invitation.created_at),
            "answered_at": iso(invitation.answered_at)}


CANNOT_INVITE = "This person cannot be invited now."


def _inside_by_pseudonym(booth: Booth, candidate: str) -> Attendee | None:
    """The person inside whom this booth calls `candidate` (its own pseudonym for them)."""
    for attendee_id in pool_of(booth.fair_id):
        if booth_pseudonym(booth.id, attendee_id) == candidate:
            attendee = db.session.get(Attendee, attendee_id)
            if attendee is not None and attendee.inside and attendee.erased_at is None:
                return attendee
    return None


def invite(device: Device, booth: Booth, candidate: str, job_ref: str | None = None,
           message: str | None = None) -> Invitation:
    """A booth invites a candidate in the hall, named by its pseudonym for them; inviting
    the same person again returns the open invitation.

    Anyone the booth cannot invite (unknown, gone home, erased) gets the same 404, so
    the endpoint tells nothing about who is inside beyond the booth's own hall list."""
    if device.kind != "booth" or device.booth_id != booth.id:
        raise InvalidInput("This device belongs to another booth.", status=403)
    job = None
    if job_ref:
        job = db.session.scalar(db.select(Job).filter_by(fair_id=booth.fair_id, ref=job_ref))
        if job is None or job.employer_id != booth.employer_id:
            raise InvalidInput(f"Job {job_ref!r} is not one of this booth's jobs.", field="job_ref")
    if message is not None and len(message) > 500:
        raise InvalidInput("The message is limited to 500 characters.", field="message")
    attendee = _inside_by_pseudonym(booth, candidate)
    if attendee is None:
        raise InvalidInput(CANNOT_INVITE, status=404)
    existing = db.session.scalar(db.select(Invitation).filter_by(booth_id=booth.id, attendee_id=attendee.id,
                                                                 status="sent"))
    if existing is not None:
        return existing
    open_count = db.session.scalar(db.select(db.func.count(Invitation.id)).filter_by(booth_id=booth.id, status="sent"))
    if open_count >= MAX_OPEN_INVITATIONS_PER_BOOTH:
        raise InvalidInput("This booth has too many unanswered invitations.", status=429)
    invitation = Invitation(booth=booth, attendee=attendee, job=job, device_id=device.id, message=message)
    db.session.add(invitation)
    db.session.commit()
    _publish_invitation(invitation)
    return invitation


def answer_invitation(attendee: Attendee, invitation_id: int, accept: bool) -> Invitation:
    """The attendee accepts or declines on their card page; the booth sees the answer live."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.attendee_id != attendee.id:
        raise InvalidInput("No such invitation.", status=404)
    if invitation.status != "sent":
        return invitation  # answered already: a double tap changes nothing
    invitation.status = "accepted" if accept else "declined"
    invitation.answered_at = utcnow()
    db.session.commit()
    _publish_invitation(invitation)
    return invitation


def invitations_of(attendee: Attendee) -> list[Invitation]:
    return list(db.session.scalars(db.select(Invitation).filter_by(attendee_id=attendee.id)
                                   .order_by(Invitation.created_at.desc())))


def _publish_invitation(invitation: Invitation) -> None:
    view = invitation_view(invitation)
    payload = {"id": invitation.id, "at": view["answered_at"] or view["created_at"], "invitation": view,
               "booth": view["booth"], "attendee_id": invitation.attendee_id,
               "candidate": booth_pseudonym(invitation.booth_id, invitation.attendee_id)}
    live.publish("invitation", payload, fair=invitation.booth.fair_id, booth=invitation.booth_id,
                 attendee=invitation.attendee_id)
