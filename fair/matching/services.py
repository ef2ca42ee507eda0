"""Recommendations for attendees and ranked candidates for booths, from the database.

The scoring itself lives in the pure modules (text, scoring, ranking); this
module feeds them rows and keeps the precomputed job index fresh.
"""
from __future__ import annotations

import threading

from flask import current_app
from dataclasses import dataclass
from typing import Any

from fair.booths.models import Booth, Employer, Job
from fair.checkin.models import Attendee
from fair.extensions import db


@dataclass
class _FairIndex:
    signature: tuple
    index: Any  # ranking.JobIndex
    jobs: dict[int, Job]
    facts: dict[int, Any]
    booth_of_job: dict[int, Booth]


_lock = threading.Lock()


def _cache() -> dict[str, dict]:
    """Per-app caches (so two apps, e.g. two tests, never share an index)."""
    return current_app.extensions.setdefault("matching_cache", {"indexes": {}, "profiles": {}})


def _signature(fair_id: int) -> tuple:
    """Cheap fingerprint of the fair's jobs: a new import (even from another process) changes it."""
    return tuple(db.session.execute(
        db.select(db.func.count(Job.id), db.func.max(Job.id)).where(Job.fair_id == fair_id)).one())


def job_facts(job: Job):
    from fair.matching import scoring
    return scoring.job_from_fields(
        job_id=job.id, title=job.title, skills_required=job.skills_required or [],
        skills_optional=job.skills_optional or [], description=job.description or "",
        education_min=job.education_min, experience_min_years=job.experience_min_years,
        province=job.province, salary_min=job.salary_min, salary_max=job.salary_max,
        disability_friendly=job.disability_friendly)


def fair_index(fair_id: int) -> _FairIndex:
    signature = _signature(fair_id)
    indexes = _cache()["indexes"]
    cached = indexes.get(fair_id)
    if cached is not None and cached.signature == signature:
        return cached
    from fair.matching import ranking
    with _lock:
        jobs = {job.id: job for job in db.session.scalars(db.select(Job).where(Job.fair_id == fair_id))}
        booths = {b.employer_id: b for b in db.session.scalars(db.select(Booth).where(Booth.fair_id == fair_id))}
        facts = {job_id: job_facts(job) for job_id, job in jobs.items()}
        built = _FairIndex(signature, ranking.JobIndex(list(facts.values())), jobs, facts,
                           {job_id: booths.get(job.employer_id) for job_id, job in jobs.items()})
        indexes[fair_id] = built
        return built


def attendee_profile(attendee: Attendee):
    """The attendee's matching profile, cached until their fields change."""
    key = (tuple(attendee.skills or []), tuple(attendee.desired_positions or []), attendee.education,
           attendee.experience_years, attendee.province, attendee.salary_expected,
           tuple(attendee.languages or []), attendee.needs_disability_friendly, attendee.willing_to_relocate)
    profiles = _cache()["profiles"]
    cached = profiles.get(attendee.id)
    if cached is not None and cached[0] == key:
        return cached[1]
    from fair.matching import scoring
    profile = scoring.profile_from_fields(
        skills=attendee.skills or [], desired_positions=attendee.desired_positions or [],
        education=attendee.education, experience_years=attendee.experience_years,
        province=attendee.province, salary_expected=attendee.salary_expected,
        languages=attendee.languages or [], needs_disability_friendly=attendee.needs_disability_friendly,
        willing_to_relocate=attendee.willing_to_relocate)
    profiles[attendee.id] = (key, profile)
    return profile


def recommend_booths(attendee: Attendee, top: int = 5, lang: str = "th") -> list[dict[str, Any]]:
    """The booths this attendee should visit first, best job per booth, with reasons."""
    from fair.matching import scoring
    built = fair_index(attendee.fair_id)
    if not built.jobs:
        return []
    ranked = built.index.recommend(attendee_profile(attendee), top=top * 4)
    seen: set[int] = set()
    found: list[dict[str, Any]] = []
    for job_id, score in ranked:
        booth = built.booth_of_job.get(job_id)
        if booth is None or booth.id in seen:
            continue
        seen.add(booth.id)
        job = built.jobs[job_id]
        found.append({"booth": booth.code, "employer": job.employer.name, "job_ref": job.ref,
                      "title": job.title, "score": round(score.value, 1),
                      "reasons": scoring.render_reasons(score.reasons, lang)})
        if len(found) >= top:
            break
    return found


def match_booth_jobs(booth: Booth, attendee: Attendee, lang: str = "th") -> list[dict[str, Any]]:
    """How a scanned candidate fits each of the booth's jobs, best first."""
    from fair.matching import scoring
    built = fair_index(booth.fair_id)
    profile = attendee_profile(attendee)
    matches = []
    for job_id, job in built.jobs.items():
        if job.employer_id != booth.employer_id:
            continue
        score = scoring.score(profile, built.facts[job_id])
        matches.append({"job_ref": job.ref, "title": job.title, "score": round(score.value, 1),
                        "reasons": scoring.render_reasons(score.reasons, lang)})
    return sorted(matches, key=lambda m: -m["score"])
