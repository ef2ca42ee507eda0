"""Recommendations for attendees, candidates in the hall for booths, and invitations.

The scoring lives in the pure modules (text, scoring, ranking); this module
feeds them rows and keeps the precomputed parts fresh: a job index per fair
(rebuilt when the fair's revision moves: fair.core.changes, which an import
in this or another process bumps, --update edits included), a pool of the
attendees inside (updated on every entry and exit), and the booths' queue
lengths (recomputed at most every few seconds).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any, Sequence

from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError

from fair.core import changes, disclosure
from fair.web import live
from fair.booths import signals as booth_signals
from fair.booths.models import Booth, Job, Lead
from fair.booths.services import booth_pseudonym, candidate_view, job_of_booth, require_own_booth
from fair.checkin import signals as checkin_signals
from fair.checkin.models import Attendee
from fair.web.blocking import let_others_run
from fair.web.errors import InvalidInput
from fair.extensions import db
from fair.matching import embeddings, occupations, ranking, scoring
from fair.matching.models import Invitation
from fair.core.models import Device
from fair.core.timeutil import iso, utcnow

# A booth's queue: people it scanned in the last QUEUE_WINDOW plus open invitations.
QUEUE_WINDOW = timedelta(minutes=15)
QUEUE_REFRESH_SECONDS = 5.0
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
    isco08: str | None = None   # the title's stored ISCO-08 unit


@dataclass
class FairMatching:
    """Everything precomputed for one fair in one app."""
    index: ranking.JobIndex
    jobs: dict[int, JobOnFloor]
    facts: dict[int, scoring.JobFacts]
    booth_of_job: dict[int, int | None]
    pool: ranking.CandidatePool | None = None
    queue: dict[int, float] = field(default_factory=dict)
    queue_at: float = 0.0
    stale: bool = False   # the fair changed (invalidate): rebuilt on next use, keeping the pool
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


def job_facts(job: Job) -> scoring.JobFacts:
    return scoring.job_from_fields(
        job_id=job.id, title=job.title, skills_required=job.skills_required or [],
        skills_optional=job.skills_optional or [], description=job.description or "",
        education_min=job.education_min, experience_min_years=job.experience_min_years,
        province=job.province, salary_min=job.salary_min, salary_max=job.salary_max,
        disability_friendly=job.disability_friendly, codes=stored_codes(job))


def stored_codes(row: Job | Attendee) -> scoring.OccupationCodes:
    """The occupation stored on a job or attendee (store_occupations), for matching."""
    return scoring.OccupationCodes(row.isco08, row.isco08_minor, row.isco08_sub_major,
                                   embeddings.from_bytes(row.title_embedding), row.isco08_confidence or 0.0,
                                   units_from_text(row.isco08_units))


def units_to_text(units: Sequence[tuple[str, float]]) -> str | None:
    """Likely units as stored: "7212:0.612 7214:0.12" (None when there are none)."""
    return " ".join(f"{code}:{probability:g}" for code, probability in units) or None


@lru_cache(maxsize=65536)
def units_from_text(text: str | None) -> tuple[tuple[str, float], ...]:
    """The stored likely units back (a malformed entry is skipped, not an error)."""
    units = []
    for item in (text or "").split():
        code, _, probability = item.partition(":")
        try:
            value = float(probability)
        except ValueError:
            continue
        if len(code) == 4 and code.isdigit() and 0.0 < value <= 1.0:
            units.append((code, value))
    return tuple(units)


def invalidate(fair_id: int, app=None) -> None:
    """Jobs or booths changed: rebuild the index on next use (fair_changed calls this)."""
    cache = (app or current_app).extensions.get("matching_cache")
    cached = cache["fairs"].get(fair_id) if cache is not None else None
    if cached is not None:
        cached.stale = True


def fair_matching(fair_id: int) -> FairMatching:
    fairs = _cache()["fairs"]
    cached = fairs.get(fair_id)
    if cached is not None and not cached.stale:
        return cached  # the hot path: nothing queried; fair_changed marks it stale
    with _cache()["lock"]:
        # populate_existing: rows this session loaded before another process's change are read afresh.
        rows = db.session.scalars(db.select(Job).where(Job.fair_id == fair_id)
                                  .options(db.joinedload(Job.employer))
                                  .execution_options(populate_existing=True)).unique()
        booth_rows = db.session.scalars(db.select(Booth).where(Booth.fair_id == fair_id)
                                        .execution_options(populate_existing=True))
        booth_by_employer = {b.employer_id: b for b in booth_rows}
        jobs: dict[int, JobOnFloor] = {}
        facts: dict[int, scoring.JobFacts] = {}
        for job in rows:
            booth = booth_by_employer.get(job.employer_id)
            jobs[job.id] = JobOnFloor(job.id, job.ref, job.title, job.employer_id, job.employer.name,
                                      booth.id if booth else None, booth.code if booth else None,
                                      booth.plan_x if booth else 0, booth.plan_y if booth else 0, job.isco08)
            facts[job.id] = job_facts(job)
        built = FairMatching(ranking.JobIndex(list(facts.values())), jobs, facts,
                             {job_id: job.booth_id for job_id, job in jobs.items()},
                             pool=cached.pool if cached else None)
        fairs[fair_id] = built
        return built


def attendee_profile(attendee: Attendee) -> scoring.Profile:
    """The attendee's matching profile, cached until their fields change."""
    key = (tuple(attendee.skills or []), tuple(attendee.desired_positions or []), attendee.education,
           attendee.experience_years, attendee.province, attendee.salary_expected,
           tuple(attendee.languages or []), attendee.needs_disability_friendly, attendee.willing_to_relocate,
           attendee.isco08, attendee.isco08_minor, attendee.isco08_sub_major, attendee.isco08_confidence,
           attendee.isco08_units, attendee.title_embedding)
    profiles = _cache()["profiles"]
    cached = profiles.get(attendee.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    profile = scoring.profile_from_fields(
        skills=attendee.skills or [], desired_positions=attendee.desired_positions or [],
        education=attendee.education, experience_years=attendee.experience_years,
        province=attendee.province, salary_expected=attendee.salary_expected,
        languages=attendee.languages or [], needs_disability_friendly=attendee.needs_disability_friendly,
        willing_to_relocate=attendee.willing_to_relocate, occupation=stored_codes(attendee))
    profiles[attendee.id] = (key, profile)
    return profile


def booth_profile(view: dict[str, Any], person: Any = None) -> scoring.Profile:
    """A matching profile built only from what a booth may see of the person
    (disclosure.matching_fields), so its score and reasons use nothing withheld.

    ``person`` (a row or checkin CardHolder with the stored columns) adds the ISCO-08 codes
    and title embedding stored from the desired positions, when the view shows those
    positions (consent and a scan): read as stored, never computed on the scan's path."""
    fields = disclosure.matching_fields(view)
    codes = stored_codes(person) if person is not None and fields["desired_positions"] else None
    stored = (None if codes is None else
              (codes.isco08, codes.minor, codes.sub_major, codes.confidence, codes.units, person.title_embedding))
    key = ("booth-view", tuple(fields["skills"]), tuple(fields["desired_positions"]), fields["education"],
           fields["experience_years"], fields["province"], tuple(fields["languages"]), stored)
    profiles = _cache()["profiles"]
    cached = profiles.get(key)
    if cached is not None:
        return cached
    profile = scoring.profile_from_fields(
        skills=fields["skills"], desired_positions=fields["desired_positions"], education=fields["education"],
        experience_years=fields["experience_years"], province=fields["province"], salary_expected=None,
        languages=fields["languages"], occupation=codes)
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
def _forget_fair(app, fair_id: int, **_kwargs) -> None:
    """fair.core.changes: jobs, booths or people changed, in this or another process.

    The job index and the pool of people inside are rebuilt from the database on
    next use, and the cached profiles of erased attendees are dropped (all hold
    what they were)."""
    cache = app.extensions.get("matching_cache")
    if cache is None:
        return
    built = cache["fairs"].get(fair_id)
    if built is not None:
        built.stale = True
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
def _on_presence_changed(app, holder, **_kwargs) -> None:
    """fair.checkin.signals: the gate let someone in or out (other workers hear of it: fair.core.changes)."""
    presence_changed(holder)
    changes.moved_here(app, holder.fair_id, [holder.id])


@changes.people_moved.connect
def _moved_elsewhere(app, fair_id: int, attendee_ids: list[int], here: bool = False, **_kwargs) -> None:
    """fair.core.changes: another worker let these people in or out; the pool reads them afresh."""
    cache = app.extensions.get("matching_cache")
    built = cache["fairs"].get(fair_id) if cache is not None else None
    if here or built is None or built.pool is None or not attendee_ids:
        return
    # Plain rows, not ORM objects: each worker reads every other worker's entrants (measured cost).
    for row in db.session.execute(db.select(Attendee.id, Attendee.fair_id, Attendee.inside, Attendee.erased_at,
                                            Attendee.skills, Attendee.education)
                                  .where(Attendee.fair_id == fair_id, Attendee.id.in_(attendee_ids))):
        presence_changed(row)


# --- recommendations ---------------------------------------------------------------------

def _reasons(score: scoring.Score, lang: str) -> list[str]:
    """The score's reasons as sentences, provinces (lists, "several", "abroad") in the page's
    language by scoring's own rendering. Each (reason, language) is rendered once per app:
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
            lines.extend(scoring.render_reasons((reason,), lang))
            continue
        if text is None:
            text = tuple(scoring.render_reasons((reason,), lang))   # () for a code without a sentence
            if len(rendered) < 100_000:  # bounded: reasons are drawn from a fair's jobs and skills
                rendered[key] = text
        lines.extend(text)
    return lines


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
                      "title": job.title, "isco08": job.isco08, "score": round(score.value, 1),
                      "reasons": _reasons(score, lang),
                      "plan_x": job.plan_x, "plan_y": job.plan_y})
    return found


def card_recommendations(attendee: Attendee, top: int = 3, lang: str = "th") -> list[dict[str, Any]]:
    """recommend_booths for the attendee's card page: none when the ranking fails, because
    the card itself must always show."""
    try:
        return recommend_booths(attendee, top=top, lang=lang)
    except Exception:  # a broken ranking must not hide the card itself
        current_app.logger.exception("recommendations failed for attendee %s", attendee.id)
        db.session.rollback()
        return []


@checkin_signals.recommendations_wanted.connect
def _recommend_at_gate(_app, holder, top: int, lang: str, **_kwargs) -> list[dict[str, Any]]:
    """fair.checkin.signals: a gate wants booth suggestions with its check-in answer."""
    return recommend_booths(holder, top=top, lang=lang)


def match_booth_jobs(booth: Booth, candidate: dict[str, Any], lang: str = "th",
                     person: Any = None) -> list[dict[str, Any]]:
    """How a scanned candidate fits each of the booth's jobs, best first, judged on the
    booth's view of them (booths.services.candidate_view) and, where that view shows the
    desired positions, the occupation stored from them on ``person`` (booth_profile)."""
    built = fair_matching(booth.fair_id)
    profile = booth_profile(candidate, person)
    matches = []
    for job_id in built.jobs_of_employer.get(booth.employer_id, ()):
        job = built.jobs[job_id]
        score = scoring.score(profile, built.facts[job_id])
        matches.append({"job_ref": job.ref, "title": job.title, "isco08": job.isco08,
                        "score": round(score.value, 1), "reasons": _reasons(score, lang)})
    return sorted(matches, key=lambda m: -m["score"])


@booth_signals.matches_wanted.connect
def _match_at_booth(_app, booth, candidate: dict[str, Any], lang: str, person: Any = None,
                    **_kwargs) -> list[dict[str, Any]]:
    """fair.booths.signals: a booth scanned a card and shows how the person fits its jobs."""
    return match_booth_jobs(booth, candidate, lang=lang, person=person)


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
                        "isco08": built.jobs[job_id].isco08,
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
    require_own_booth(device, booth)
    job = job_of_booth(booth, job_ref)
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
    try:
        db.session.commit()
    except IntegrityError:
        # Another phone of the booth invited this person a moment ago (uq_invitation_open):
        # theirs is the open invitation, as if this one had come second.
        db.session.rollback()
        existing = db.session.scalar(db.select(Invitation).filter_by(booth_id=booth.id, attendee_id=attendee.id,
                                                                     status="sent"))
        if existing is None:
            raise
        return existing
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


# --- occupations: ISCO-08 codes and title embeddings, stored once -------------------------

def occupation_texts(row: Job | Attendee) -> list[str]:
    """What says a row's occupation: a job's title, an attendee's desired positions."""
    if isinstance(row, Job):
        return [row.title] if row.title else []
    return [p for p in (row.desired_positions or []) if p and p.strip()]


def store_occupations(rows: Sequence[Job | Attendee], *, progress: bool = False) -> None:
    """Classify (ISCO-08) and embed jobs or attendees and write the result on the rows.

    Called where a job or a profile is written (import, demo, registration, reclassify),
    never on a scan: the scan paths read what is stored. Texts are embedded once each
    and in batches; the caller commits."""
    from tqdm import tqdm
    if not rows:
        return
    texts = [occupation_texts(row) for row in rows]
    joined = ["; ".join(t) for t in texts]
    # Every distinct text embedded once, in batches: what is stored (a row's phrases joined)
    # and each phrase the classifier reads (mostly the same text: one desired position).
    encoded: dict[str, Any] = {}
    if embeddings.available():
        unique = sorted({j for j in joined if j} | {p for phrases in texts for p in phrases})
        bar = tqdm(total=len(unique), desc="title embeddings", unit="title", leave=False,
                   disable=not progress or len(unique) < 200)
        for start in range(0, len(unique), embeddings.BATCH_SIZE):
            chunk = unique[start:start + embeddings.BATCH_SIZE]
            encoded.update(zip(chunk, embeddings.encode(chunk)))
            bar.update(len(chunk))
        bar.close()
    # Classified in one pass over all the rows' phrases (cached by text), reusing the vectors.
    occupations.classify_titles([p for phrases in texts for p in phrases], encoded)
    now = utcnow()
    for row, phrases, text in zip(rows, texts, joined):
        found = occupations.classify_many(phrases)
        groups = occupation_groups(found)
        row.isco08, row.isco08_minor, row.isco08_sub_major = groups
        row.isco08_confidence = round(found.confidence, 4) if any(groups) else None
        row.isco08_units = units_to_text(found.units)
        row.title_embedding = embeddings.to_bytes(encoded.get(text))
        row.occupation_classified_at = now


@checkin_signals.profile_written.connect
def _on_profile_written(_app, attendees: Sequence[Attendee], **_kwargs) -> None:
    """fair.checkin.signals: a registration wrote a profile; its occupation is stored now."""
    store_occupations(attendees)


def occupation_groups(found: occupations.Classification) -> tuple[str | None, str | None, str | None]:
    """(unit, 3-digit, 2-digit) of a classification; the groups also when only they are sure."""
    code = found.isco08 or found.group
    if not code:
        return None, None, None
    return found.isco08, code[:3] if len(code) >= 3 else None, code[:2]


def reclassify(fair_id: int, *, everything: bool = False, progress: bool = False) -> dict[str, int]:
    """Fill the occupation of jobs and attendees never classified (or of all of them)."""
    counts = {}
    for model in (Job, Attendee):
        select = db.select(model).where(model.fair_id == fair_id)
        if model is Attendee:
            select = select.where(Attendee.erased_at.is_(None))
        if not everything:
            select = select.where(model.occupation_classified_at.is_(None))
        rows = list(db.session.scalars(select))
        store_occupations(rows, progress=progress)
        counts[model.__tablename__] = len(rows)
    db.session.commit()
    invalidate(fair_id)
    _cache()["profiles"].clear()
    return counts


def warm_occupations() -> None:
    """Build the title classifier and load the embedding model (fair serve's warm-up)."""
    occupations.classifier()
    occupations.load_taxonomy()
    embeddings.encode(["warm up"])


MAX_TITLES_PER_REQUEST = 500
MAX_TITLE_LENGTH = 200


def check_titles(titles: Any) -> list[str]:
    """The titles of a classify request: a list of 1..500 non-empty texts of at most
    200 characters, or InvalidInput saying what is wrong."""
    if not isinstance(titles, list) or not titles:
        raise InvalidInput("'titles' must be a list of 1 to 500 job titles.", field="titles")
    if len(titles) > MAX_TITLES_PER_REQUEST:
        raise InvalidInput(f"At most {MAX_TITLES_PER_REQUEST} titles per request; split the list.", field="titles")
    checked = []
    for n, title in enumerate(titles):
        if not isinstance(title, str) or not title.strip():
            raise InvalidInput(f"Title {n + 1} must be non-empty text.", field="titles")
        if len(title) > MAX_TITLE_LENGTH or "\x00" in title:
            raise InvalidInput(f"Title {n + 1} is longer than {MAX_TITLE_LENGTH} characters or has a NUL "
                               "character.", field="titles")
        checked.append(title)
    return checked


def classify_titles(titles: Sequence[str]) -> list[dict[str, Any]]:
    """The classification interface (POST /api/v1/occupations/classify, the CLI): per title
    {"title", "isco08", "label_en", "label_th", "confidence", "group", "group_confidence"};
    ``isco08`` None when the classifier abstains (``group`` may still name a 3- or 2-digit group)."""
    from fair.web.blocking import let_others_run
    taxonomy = occupations.load_taxonomy()
    results = []
    stripped = [t.strip() for t in titles]
    for start in range(0, len(stripped), CLASSIFY_CHUNK):
        if start:
            let_others_run()  # a chunk is a few ms: 500 titles at once would hold every phone's answer
        # The new titles of a chunk are embedded in one call (occupations.classify_titles).
        results += [r.as_json(taxonomy) for r in occupations.classify_titles(stripped[start:start + CLASSIFY_CHUNK])]
    return results


# Titles classified (and embedded) per call by classify_titles and classify_csv.
CLASSIFY_CHUNK = 20


CLASSIFICATION_COLUMNS = ("isco08", "label_en", "label_th", "confidence")


class ClassifyFileError(ValueError):
    """A CSV file that cannot be classified (not UTF-8, no such column)."""


def classify_csv(data: bytes, column: str = "title", *,
                 progress: bool = False) -> tuple[list[str], list[list[str]], int]:
    """`fair occupations classify FILE`: the CSV's rows with isco08,label_en,label_th,confidence
    columns set (added, or replaced where they exist) for the title in ``column``.

    Returns (header, rows, rows given a unit); the caller writes the file (fair.ops, with
    organiser.exports.write_csv: matching sits below the organiser's exports). The other
    cells are left as they were."""
    import csv
    import io

    from tqdm import tqdm

    from fair.loading.importing import decode_csv_bytes
    text, problem = decode_csv_bytes(data)
    if problem is not None:
        raise ClassifyFileError(problem.message)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ClassifyFileError("The file is empty: a header row is needed.")
    header = [h.strip() for h in rows[0]]
    wanted = column.strip().casefold()
    matches = [i for i, name in enumerate(header) if name.casefold() == wanted]
    if not matches:
        raise ClassifyFileError(f"No column {column!r}; the header has: {', '.join(header)}.")
    at = matches[0]
    keep = [i for i, name in enumerate(header) if name.casefold() not in CLASSIFICATION_COLUMNS]
    out_header = [header[i] for i in keep] + list(CLASSIFICATION_COLUMNS)
    body = rows[1:]
    taxonomy = occupations.load_taxonomy()
    out_rows, found = [], 0
    titles = [(row[at] if at < len(row) else "").strip()[:MAX_TITLE_LENGTH] for row in body]
    classified: dict[str, occupations.Classification] = {}
    bar = tqdm(total=len(body), desc="classify", unit="row", leave=False, disable=not progress or len(body) < 200)
    for start in range(0, len(titles), 256):   # embedded in batches, a bar step per batch
        chunk = [t for t in titles[start:start + 256] if t]
        classified.update(zip(chunk, occupations.classify_titles(chunk)))
        bar.update(min(256, len(titles) - start))
    bar.close()
    for row, title in zip(body, titles):
        result = classified.get(title) if title else None
        cells = [row[i] if i < len(row) else "" for i in keep]
        if result is None or result.isco08 is None:
            cells += ["", "", "", f"{result.confidence:.3f}" if result else ""]
        else:
            found += 1
            cells += [result.isco08, taxonomy.label(result.isco08, "en") or "",
                      taxonomy.label(result.isco08, "th") or "", f"{result.confidence:.3f}"]
        out_rows.append(cells)
    return out_header, out_rows, found
