"""Fast recommendation paths over precomputed indexes.

Pure module: no Flask, no database. Two questions are asked live, on every
scan, and must answer in milliseconds:

* which jobs on the floor suit this attendee (``JobIndex.recommend``), and
* who are the best candidates in the hall for this booth's jobs
  (``CandidatePool.rank``, kept up to date on check-in and exit).

Both build an inverted index once (skill -> items, occupation -> items),
collect the items that share something with the query, and score them in
the order of a cheap upper bound (the exact skills factor from shared-skill
counts, every other factor at its best). Scoring stops when the next bound
cannot beat the current top list, so the answer is exactly what scoring
everything would give (the benchmark checks this) for a fraction of the work.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np

from fair.matching.scoring import (
    DISABILITY_WEIGHT,
    POSITION_UNKNOWN,
    SIMILAR_TITLE_FROM,
    SIMILAR_TITLE_SHARE,
    WEIGHTS,
    JobFacts,
    Profile,
    Reason,
    Score,
    occupation_group_match,
    score,
    score_value,
    similar_title_value,
    skills_value,
    wants_position,
)
from fair.matching.vocabulary import load_vocabulary

# Spreading the crowd: a booth's score drops by up to BUSY_MAX_PENALTY points
# as its queue grows, half of that at BUSY_HALF_QUEUE people waiting. A great
# match still shows through a queue; a middling one gives way to an idle booth.
BUSY_MAX_PENALTY = 30.0
BUSY_HALF_QUEUE = 15.0
BUSY_REASON_MIN_POINTS = 1.0

# When the index finds fewer candidates than this many times ``top``, every
# item is scored: sparse profiles still deserve a full list.
MIN_CANDIDATES_PER_RESULT = 3

_BASE_TOTAL = sum(WEIGHTS.values())
_OTHER_WEIGHTS = _BASE_TOTAL - WEIGHTS["skills"]


# Float rounding between the index's matrix product and scoring's dot product.
_COSINE_SLACK = 1e-4


def _upper_bound(profile: Profile, job: JobFacts, have_required: int, have_optional: int,
                 position: float = 1.0) -> float:
    """Best score this pair could reach: exact skills factor, the position factor at
    most ``position`` (see JobIndex._position_bound), the rest perfect."""
    if job.skills_required or job.skills_optional:
        skill_part = skills_value(profile.skills, job.skills_required, job.skills_optional,
                                  have_required, have_optional)
    else:
        skill_part = 1.0   # scored on plain words: no cheap bound, assume the best
    points = WEIGHTS["skills"] * skill_part + _OTHER_WEIGHTS - WEIGHTS["position"] * (1.0 - position)
    if profile.needs_disability_friendly:
        return 100.0 * (points + DISABILITY_WEIGHT) / (_BASE_TOTAL + DISABILITY_WEIGHT)
    return 100.0 * points / _BASE_TOTAL


def _upper_bound_outside_index(wants_something: bool, needs_disability_friendly: bool) -> float:
    """Best score for a pair the index did not bring together: no shared skill,
    and no desired occupation (or related one, title word, ISCO-08 group or similar
    title) in common, so the position factor is 0 for someone who asked for a
    position, neutral otherwise."""
    position = 0.0 if wants_something else POSITION_UNKNOWN
    points = _OTHER_WEIGHTS - WEIGHTS["position"] * (1.0 - position)
    if needs_disability_friendly:
        return 100.0 * (points + DISABILITY_WEIGHT) / (_BASE_TOTAL + DISABILITY_WEIGHT)
    return 100.0 * points / _BASE_TOTAL


def isco_keys(facts: Profile | JobFacts) -> set[str]:
    """Index keys under which a job and a profile whose ISCO-08 codes can give a position
    value meet (scoring.occupation_group_match): the stored 2-digit group, and each
    likely unit."""
    keys = {f"u{unit}" for unit in facts.isco08_units}
    if facts.isco08_sub_major:
        keys.add(facts.isco08_sub_major)
    return keys


def busy_penalty(queue: float) -> float:
    """Points taken off a booth's matches for ``queue`` people waiting there."""
    if queue <= 0:
        return 0.0
    return BUSY_MAX_PENALTY * queue / (queue + BUSY_HALF_QUEUE)


class JobIndex:
    """The jobs on the floor, indexed for per-attendee recommendations."""

    def __init__(self, jobs: Iterable[JobFacts]) -> None:
        self.jobs: list[JobFacts] = list(jobs)
        self.by_id: dict[Hashable, JobFacts] = {job.job_id: job for job in self.jobs}
        self._by_required: dict[str, list[int]] = defaultdict(list)
        self._by_optional: dict[str, list[int]] = defaultdict(list)
        self._by_occupation: dict[str, list[int]] = defaultdict(list)
        self._by_title_word: dict[str, list[int]] = defaultdict(list)
        self._without_skills: list[int] = []
        self._by_isco_group: dict[str, list[int]] = defaultdict(list)
        for position, job in enumerate(self.jobs):
            for key in isco_keys(job):
                self._by_isco_group[key].append(position)
            for skill in job.skills_required:
                self._by_required[skill].append(position)
            for skill in job.skills_optional:
                self._by_optional[skill].append(position)
            if job.occupation:
                self._by_occupation[job.occupation].append(position)
            for word in job.title_tokens:
                self._by_title_word[word].append(position)
            if not job.skills_required and not job.skills_optional:
                self._without_skills.append(position)
        related = load_vocabulary().related
        # desired occupation -> job positions of it and of related occupations
        self._by_desired: dict[str, list[int]] = {}
        for occupation in load_vocabulary().occupations:
            positions = list(self._by_occupation.get(occupation, ()))
            for other in related.get(occupation, {}):
                positions += self._by_occupation.get(other, ())
            self._by_desired[occupation] = positions
        # Title embeddings as one matrix (zero rows for jobs without one): a profile's
        # "similar title" candidates are one matrix-vector product away.
        with_vectors = [p for p, job in enumerate(self.jobs) if job.embedding is not None]
        self._vector_positions = np.array(with_vectors, dtype=np.int64)
        self._vectors = (np.stack([self.jobs[p].embedding for p in with_vectors]).astype(np.float32)
                         if with_vectors else None)

    def __len__(self) -> int:
        return len(self.jobs)

    def _cosines(self, profile: Profile) -> dict[int, float] | None:
        """Job position -> title cosine, for the jobs similar enough to count; None when
        either side has no embedding (the similar-title signal is then absent)."""
        if self._vectors is None or profile.embedding is None:
            return None
        cosines = self._vectors @ profile.embedding
        similar = np.flatnonzero(cosines > SIMILAR_TITLE_FROM - _COSINE_SLACK)
        return dict(zip(self._vector_positions[similar].tolist(), cosines[similar].tolist()))

    def similar_titles(self, profile: Profile) -> list[int]:
        """Positions of the jobs whose title embedding is similar enough to count."""
        return sorted(self._cosines(profile) or ())

    def _named(self, profile: Profile) -> set[int]:
        """Jobs whose vocabulary occupation or title words meet the desired positions: only
        these can have a position factor above what the codes and the titles' cosine give."""
        named: set[int] = set()
        for occupation in profile.desired_occupations:
            named.update(self._by_desired.get(occupation, ()))
        for word in profile.desired_tokens:
            named.update(self._by_title_word.get(word, ()))
        return named

    def _position_bound(self, profile: Profile, job: JobFacts, position: int, named: set[int],
                        cosines: dict[int, float] | None) -> float:
        """The most the position factor can be for this pair (scoring._evaluate's position
        part). Outside ``named`` the vocabulary and the title words give nothing, so it is
        the ISCO-08 value, blended with the similar title when both have embeddings."""
        if not wants_position(profile):
            return POSITION_UNKNOWN
        if position in named:
            return 1.0
        value = occupation_group_match(profile, job)[0]
        if profile.embedding is not None and job.embedding is not None:
            cosine = cosines.get(position, 0.0) if cosines is not None else 0.0
            similar = similar_title_value(cosine + _COSINE_SLACK) if cosine else 0.0
            value = (1.0 - SIMILAR_TITLE_SHARE) * value + SIMILAR_TITLE_SHARE * similar
        return min(1.0, value + 1e-9)

    def _candidates(self, profile: Profile) -> tuple[dict[int, int], dict[int, int], set[int]]:
        have_required: dict[int, int] = defaultdict(int)
        have_optional: dict[int, int] = defaultdict(int)
        for skill in profile.skills:
            for position in self._by_required.get(skill, ()):
                have_required[position] += 1
            for position in self._by_optional.get(skill, ()):
                have_optional[position] += 1
        others: set[int] = set(self._without_skills)
        for occupation in profile.desired_occupations:
            others.update(self._by_desired.get(occupation, ()))
        for word in profile.desired_tokens:
            others.update(self._by_title_word.get(word, ()))
        for key in isco_keys(profile):
            others.update(self._by_isco_group.get(key, ()))
        others.update(self.similar_titles(profile))
        return have_required, have_optional, others

    def recommend(
        self,
        profile: Profile,
        top: int = 5,
        queue_load: Mapping[Hashable, float] | None = None,
        job_booth: Mapping[Hashable, Hashable] | None = None,
        *,
        distinct_booths: bool = False,
    ) -> list[tuple[Hashable, Score]]:
        """Best ``top`` jobs for one attendee, best first.

        ``queue_load`` maps a job id or a booth (through ``job_booth``) to the
        number of people waiting; busy booths are damped and carry a
        "busy_booth" reason. With ``distinct_booths`` at most one job per booth
        is returned (for "which booths should I visit").
        """
        if top <= 0 or not self.jobs:
            return []
        have_required, have_optional, others = self._candidates(profile)
        positions = set(have_required) | set(have_optional) | others
        if len(positions) < top * MIN_CANDIDATES_PER_RESULT:
            positions = range(len(self.jobs))

        def load_of(job: JobFacts) -> float:
            if not queue_load:
                return 0.0
            if job.job_id in queue_load:
                return float(queue_load[job.job_id])
            booth = job_booth.get(job.job_id) if job_booth else None
            return float(queue_load.get(booth, 0.0)) if booth is not None else 0.0

        named, cosines = self._named(profile), self._cosines(profile)
        ordered = sorted(
            ((_upper_bound(profile, self.jobs[p], have_required.get(p, 0), have_optional.get(p, 0),
                           self._position_bound(profile, self.jobs[p], p, named, cosines)), p)
             for p in positions),
            reverse=True,
        )
        # Min-heap of (damped value, -position) holding the current best.
        best: list[tuple[float, int]] = []
        best_per_booth: dict[Hashable, tuple[float, int]] = {}

        def threshold() -> float | None:
            """The value a new job must beat to enter the list; None while not full."""
            if distinct_booths:
                if len(best_per_booth) < top:
                    return None
                return heapq.nlargest(top, best_per_booth.values())[-1][0]
            return best[0][0] if len(best) >= top else None

        def consider(position: int) -> None:
            job = self.jobs[position]
            value = score_value(profile, job) - busy_penalty(load_of(job))
            if distinct_booths:
                booth = job_booth.get(job.job_id, job.job_id) if job_booth else job.job_id
                if booth not in best_per_booth or value > best_per_booth[booth][0]:
                    best_per_booth[booth] = (value, position)
            elif len(best) < top:
                heapq.heappush(best, (value, -position))
            elif value > best[0][0]:
                heapq.heapreplace(best, (value, -position))

        limit, since = None, 0
        for bound, position in ordered:
            if distinct_booths:
                # The top-th booth's best is the bar; recomputed every few jobs (it only rises).
                since += 1
                if limit is None or since >= 8:
                    limit, since = threshold(), 0
                if limit is not None and bound < limit:
                    break
            elif len(best) >= top and bound <= best[0][0]:
                break   # sorted by bound: nothing further can enter
            consider(position)
        # Jobs outside the candidates share no skill with the profile and can
        # reach at most this; scan them only while the list is still below it,
        # so the answer is exactly the brute-force one.
        rest_bound = _upper_bound_outside_index(wants_position(profile), profile.needs_disability_friendly)
        if not isinstance(positions, range):
            limit = threshold()
            if limit is None or limit < rest_bound:
                for position in range(len(self.jobs)):
                    if position not in positions:
                        consider(position)
        if distinct_booths:
            chosen = heapq.nlargest(top, best_per_booth.values())
        else:
            chosen = [(value, -negative) for value, negative in sorted(best, reverse=True)]

        results: list[tuple[Hashable, Score]] = []
        for _, position in chosen:
            job = self.jobs[position]
            results.append((job.job_id, _with_busy_reason(score(profile, job), load_of(job))))
        results.sort(key=lambda item: (-item[1].value, str(item[0])))
        return results


def _with_busy_reason(full: Score, load: float) -> Score:
    penalty = busy_penalty(load)
    if penalty <= 0:
        return full
    reasons = full.reasons
    if penalty >= BUSY_REASON_MIN_POINTS:
        queue = int(load) if float(load).is_integer() else load
        reasons = reasons + (Reason("busy_booth", {"queue": queue}, round(-penalty, 1)),)
    return Score(round(max(0.0, full.value - penalty), 2), reasons)


class CandidatePool:
    """Attendees inside the hall, indexed for "best candidates for this booth".

    The server adds a profile on check-in and removes it on exit; ``rank`` then
    answers for any set of jobs without touching the others.
    """

    def __init__(self, profiles: Mapping[Hashable, Profile] | None = None) -> None:
        self._profiles: dict[Hashable, Profile] = {}
        self._by_skill: dict[str, set[Hashable]] = defaultdict(set)
        self._by_desired: dict[str, set[Hashable]] = defaultdict(set)
        self._by_desired_word: dict[str, set[Hashable]] = defaultdict(set)
        self._by_isco_group: dict[str, set[Hashable]] = defaultdict(set)
        self._with_vectors: set[Hashable] = set()
        self._stacked: tuple[list[Hashable], np.ndarray] | None = None   # built on demand
        for attendee_id, profile in (profiles or {}).items():
            self.add(attendee_id, profile)

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, attendee_id: Hashable) -> bool:
        return attendee_id in self._profiles

    def __iter__(self):
        """The attendees in the pool (a copy: the pool may change while one iterates)."""
        return iter(list(self._profiles))

    def add(self, attendee_id: Hashable, profile: Profile) -> None:
        """Add or replace an attendee (a profile edited at the desk replaces the old one)."""
        if attendee_id in self._profiles:
            self.remove(attendee_id)
        self._profiles[attendee_id] = profile
        for skill in profile.skills:
            self._by_skill[skill].add(attendee_id)
        for occupation in profile.desired_occupations:
            self._by_desired[occupation].add(attendee_id)
        for word in profile.desired_tokens:
            self._by_desired_word[word].add(attendee_id)
        for key in isco_keys(profile):
            self._by_isco_group[key].add(attendee_id)
        if profile.embedding is not None:
            self._with_vectors.add(attendee_id)
            self._stacked = None

    def remove(self, attendee_id: Hashable) -> None:
        """Forget an attendee (exit scan); unknown ids are ignored."""
        profile = self._profiles.pop(attendee_id, None)
        if profile is None:
            return
        for skill in profile.skills:
            self._by_skill[skill].discard(attendee_id)
        for occupation in profile.desired_occupations:
            self._by_desired[occupation].discard(attendee_id)
        for word in profile.desired_tokens:
            self._by_desired_word[word].discard(attendee_id)
        for key in isco_keys(profile):
            self._by_isco_group[key].discard(attendee_id)
        if attendee_id in self._with_vectors:
            self._with_vectors.discard(attendee_id)
            self._stacked = None

    def _similar_titles(self, job: JobFacts) -> list[Hashable]:
        """Attendees whose desired-position embedding is similar enough to this job's title."""
        if job.embedding is None or not self._with_vectors:
            return []
        if self._stacked is None:
            ids = list(self._with_vectors)
            self._stacked = (ids, np.stack([self._profiles[i].embedding for i in ids]).astype(np.float32))
        ids, vectors = self._stacked
        return [ids[i] for i in np.flatnonzero(vectors @ job.embedding > SIMILAR_TITLE_FROM)]

    def rank(self, jobs: Sequence[JobFacts], top: int = 50) -> list[tuple[Hashable, Hashable, Score]]:
        """Best ``top`` attendees for any of ``jobs``: (attendee, their best job, score)."""
        if top <= 0 or not jobs or not self._profiles:
            return []
        related = load_vocabulary().related
        # attendee -> (best bound, [per-job shared counts])
        counts: dict[Hashable, list[int]] = {}
        width = 2 * len(jobs)
        for j, job in enumerate(jobs):
            for offset, skills in ((0, job.skills_required), (1, job.skills_optional)):
                for skill in skills:
                    for attendee_id in self._by_skill.get(skill, ()):
                        row = counts.get(attendee_id)
                        if row is None:
                            row = counts[attendee_id] = [0] * width
                        row[2 * j + offset] += 1
            wanted: set[Hashable] = set()
            if job.occupation:
                wanted |= self._by_desired.get(job.occupation, set())
                for other in related.get(job.occupation, {}):
                    wanted |= self._by_desired.get(other, set())
            for word in job.title_tokens:
                wanted |= self._by_desired_word.get(word, set())
            for key in isco_keys(job):
                wanted |= self._by_isco_group.get(key, set())
            wanted.update(self._similar_titles(job))
            for attendee_id in wanted:
                if attendee_id not in counts:
                    counts[attendee_id] = [0] * width
        if not all(job.skills_required or job.skills_optional for job in jobs):
            # A job scored on plain words has no cheap bound: everyone is a candidate.
            for attendee_id in self._profiles:
                counts.setdefault(attendee_id, [0] * width)

        ordered = []
        for attendee_id, row in counts.items():
            profile = self._profiles[attendee_id]
            bound = max(_upper_bound(profile, job, row[2 * j], row[2 * j + 1]) for j, job in enumerate(jobs))
            ordered.append((bound, attendee_id))
        ordered.sort(key=lambda item: item[0], reverse=True)

        best: list[tuple[float, int, Hashable, int]] = []   # (value, tiebreak, attendee, job position)
        sequence = 0

        def consider(attendee_id: Hashable) -> None:
            nonlocal sequence
            sequence += 1
            profile = self._profiles[attendee_id]
            value, position = max((score_value(profile, job), -j) for j, job in enumerate(jobs))
            entry = (value, -sequence, attendee_id, -position)
            if len(best) < top:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)

        for bound, attendee_id in ordered:
            if len(best) >= top and bound <= best[0][0]:
                break   # sorted by bound: nobody further can enter
            consider(attendee_id)
        # Attendees sharing nothing with these jobs can reach at most this (the
        # loosest of the per-attendee bounds, to stay safe); score them only
        # while the list is not full or still below it: exact, and rare.
        rest_bound = max(_upper_bound_outside_index(False, needs) for needs in (False, True))
        if len(counts) < len(self._profiles) and (len(best) < top or best[0][0] < rest_bound):
            for attendee_id in self._profiles:
                if attendee_id not in counts:
                    consider(attendee_id)

        results = []
        for value, _, attendee_id, position in sorted(best, reverse=True):
            job = jobs[position]
            results.append((attendee_id, job.job_id, score(self._profiles[attendee_id], job)))
        return results


def rank_candidates(jobs: Sequence[JobFacts], profiles: Mapping[Hashable, Profile],
                    top: int = 50) -> list[tuple[Hashable, Hashable, Score]]:
    """One-off "best candidates" over a dict of profiles (builds a pool each call;
    the server keeps a CandidatePool instead)."""
    return CandidatePool(profiles).rank(jobs, top)


def brute_force_recommend(profile: Profile, jobs: Sequence[JobFacts], top: int = 5) -> list[tuple[Hashable, float]]:
    """Score every job; the reference the indexed path must agree with (tests, bench)."""
    values = sorted(((score_value(profile, job), str(job.job_id), job.job_id) for job in jobs),
                    key=lambda item: (-item[0], item[1]))
    return [(job_id, value) for value, _, job_id in values[:top]]
