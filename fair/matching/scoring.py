"""Score one attendee against one job, with reasons a person can read.

Pure module: no Flask, no database. Callers build a ``Profile`` from an
attendee's raw fields and a ``JobFacts`` from a job's raw fields once (that is
where the text analysis happens), then ``score`` is cheap enough to call for
thousands of jobs per scan (see ``ranking.py`` for the indexed paths).

The factors follow what public employment services match on: skills first,
then the position the person asks for, then the job's conditions (education,
experience, place, pay, languages, accessibility). Each factor gives a value
in 0..1; the score is their weighted mean on a 0..100 scale. Unknown facts get
a neutral value rather than zero, so an attendee who left a field empty is
not ranked below one who gave a wrong answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from fair.matching import text as text_analysis
from fair.matching.vocabulary import LANGUAGE_SKILLS, load_vocabulary
from fair.core.reference import EDUCATION_LEVELS, EDUCATION_NAMES_EN, EDUCATION_NAMES_TH, education_rank
from fair.core import reference

# --- weights: the one place that says what matters how much -----------------
#
# skills      Can the person do the work? The strongest signal employers and
#             employment offices use; most of the score.
# position    Does the person want this work? A match on a job nobody wants
#             wastes a booth visit; asked-for positions beat skill overlap alone.
# education   Minimum qualifications are often hard filters for employers.
# location    Daily travel decides whether a Thai worker takes a job; someone
#             willing to relocate loses little.
# experience  Matters, but employers at fairs bend it more than education.
# salary      Only a mismatch the person stated; ranges are negotiable.
# languages   Only when the job asks for a language.
# disability  Only for attendees who said they need an accessible job; then it
#             weighs about as much as education.
WEIGHTS: Mapping[str, float] = {
    "skills": 45.0,
    "position": 25.0,
    "education": 8.0,
    "location": 8.0,
    "experience": 6.0,
    "salary": 4.0,
    "languages": 4.0,
}
DISABILITY_WEIGHT = 10.0

# Inside the skills factor: required coverage dominates, so one missing
# required skill (of one) costs ~29 points while one missing optional skill
# (of three) costs ~3. "precision" rewards jobs that use what the person
# listed, which separates neighbours such as cook and kitchen helper.
SKILL_REQUIRED_SHARE = 0.65
SKILL_OPTIONAL_SHARE = 0.20
SKILL_PRECISION_SHARE = 0.15
# Having this many of a job's optional skills earns the whole optional share:
# long optional lists should not dilute a good candidate.
OPTIONAL_SKILLS_FOR_FULL_CREDIT = 3

# Position: a related occupation (shared skills) earns part of a direct match;
# shared words between the desired position and the job title earn a bit less.
RELATED_POSITION_FACTOR = 0.8
TITLE_WORDS_FACTOR = 0.7
POSITION_UNKNOWN = 0.4   # no desired position given: neither a match nor a miss

# Position from the stored ISCO-08 codes (fair.matching.occupations): the same
# unit group counts nearly as a named occupation, a shared 3- or 2-digit group
# less, each damped below ISCO_FULL_CONFIDENCE. When both titles have an
# embedding, the position is blended with their similarity: a cosine from
# SIMILAR_TITLE_FROM (nothing) to SIMILAR_TITLE_FULL (everything), with
# SIMILAR_TITLE_SHARE of the say. When both sides carry the classifier's likely
# units, the codes' value is instead the chance that the two titles share a unit
# (the sum over units of both probabilities), full from ISCO_FULL_CONFIDENCE: two
# titles of unseen occupations are often each unsure and yet likely the same unit.
# Set on ESCO buckets 1 and 2 (scripts/bench_matching.py --e2e --bucket 1), never
# on the test bucket 0.
ISCO_UNIT_FACTOR = 0.9
ISCO_MINOR_FACTOR = 0.65
ISCO_SUB_MAJOR_FACTOR = 0.4
ISCO_FULL_CONFIDENCE = 0.5
SIMILAR_TITLE_FROM = 0.3
SIMILAR_TITLE_FULL = 1.0
SIMILAR_TITLE_SHARE = 0.5
NAMED_OCCUPATION_KEEPS = 0.8
# A vocabulary occupation outside the ISCO-08 group (first VOCABULARY_AGREEMENT_DIGITS
# digits) a title was classified in is probably a false friend ("Data Engineer" is
# no production engineer, a "video technician" no maintenance technician): its
# match counts this much.
VOCABULARY_DISAGREES_FACTOR = 0.5
VOCABULARY_AGREEMENT_DIGITS = 2
VOCABULARY_AGREEMENT_SHARE = 0.1

EDUCATION_BELOW_BY_ONE = 0.5
EDUCATION_BELOW_BY_TWO = 0.2
EDUCATION_UNKNOWN = 0.6
EXPERIENCE_UNKNOWN = 0.5
LOCATION_UNKNOWN = 0.6
LOCATION_RELOCATE = 0.8
LOCATION_OTHER = 0.3
# A job "in several provinces" (a chain hiring for its branches) can usually be
# done near home: almost a same-province match for anyone living in Thailand.
LOCATION_SEVERAL = 0.9
# Work abroad suits only people who said they would go ("ต่างประเทศ" among
# their places); being willing to move within Thailand is not that.
LOCATION_ABROAD = 0.0
LOCATION_ABROAD_RELOCATE = 0.3
SALARY_TOLERANCE = 1.2   # expecting up to 20% above the range: a negotiation
SALARY_NEAR = 0.5
SALARY_FAR = 0.1

_EDUCATION_INDEX = {code: i for i, code in enumerate(EDUCATION_LEVELS)}


@dataclass(frozen=True)
class Profile:
    skills: frozenset[str]
    free_tokens: frozenset[str]
    desired_occupations: tuple[str, ...]
    desired_tokens: frozenset[str]
    education: str | None
    experience_years: int | None
    province: str | None
    willing_to_relocate: bool
    salary_expected: int | None
    languages: frozenset[str]
    needs_disability_friendly: bool
    # The desired positions' ISCO-08 codes (unit, 3- and 2-digit groups) and title
    # embedding, as stored at import or registration; None when unknown.
    isco08: str | None = None
    isco08_minor: str | None = None
    isco08_sub_major: str | None = None
    isco08_confidence: float = 1.0
    embedding: Any = field(default=None, compare=False, hash=False, repr=False)
    # The classifier's likely units -> probability (empty when not stored).
    isco08_units: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class JobFacts:
    job_id: int | str
    occupation: str | None
    title_tokens: frozenset[str]
    skills_required: frozenset[str]
    skills_optional: frozenset[str]
    free_tokens: frozenset[str]
    education_min: str | None
    experience_min_years: int | None
    province: str | None
    salary_min: int | None
    salary_max: int | None
    languages: frozenset[str]
    disability_friendly: bool
    # The title's ISCO-08 codes and embedding, as stored when the job was written.
    isco08: str | None = None
    isco08_minor: str | None = None
    isco08_sub_major: str | None = None
    isco08_confidence: float = 1.0
    embedding: Any = field(default=None, compare=False, hash=False, repr=False)
    # The classifier's likely units -> probability (empty when not stored).
    isco08_units: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Reason:
    """One readable reason. ``weight``: points this factor moved the score
    away from a neutral half mark (positive helped, negative hurt)."""
    code: str
    params: dict = field(hash=False, compare=True)
    weight: float = 0.0


@dataclass(frozen=True)
class Score:
    value: float                  # 0..100
    reasons: tuple[Reason, ...]


# --- parsing raw fields ---------------------------------------------------------

def education_code(value: str | None) -> str | None:
    """An education code from a code, a Thai or English name, or a common abbreviation
    (fair.core.reference.parse_education: the import and the registration form read them so too)."""
    return reference.parse_education(value)


SEVERAL_KEY = reference.SEVERAL_PROVINCES
ABROAD_KEY = reference.ABROAD


@lru_cache(maxsize=4096)
def province_key(value: str | None) -> str | None:
    """A comparison key for a province value; a stored list ("Bangkok;Nonthaburi")
    keeps its ";" between the keys of its places.

    The places are read by fair.core.reference.parse_places (the import's rule: "กทม.",
    "จ.ชลบุรี", "Chonburi", "หลายจังหวัด"); text it does not know is its own key,
    normalised, so two identical unknown names still agree."""
    if not value:
        return None
    if reference.PLACE_SEPARATOR in value:
        keys = [k for part in value.split(reference.PLACE_SEPARATOR) if (k := province_key(part))]
        return reference.PLACE_SEPARATOR.join(dict.fromkeys(keys)) or None
    places = reference.parse_places(value)
    if places.codes and not places.unknown:
        return reference.PLACE_SEPARATOR.join(dict.fromkeys(text_analysis.normalize(c) for c in places.codes))
    return text_analysis.normalize(value) or None


@lru_cache(maxsize=4096)
def place_keys(key: str | None) -> frozenset[str]:
    """The places in a province key: one province, a list, "several", "abroad"."""
    if not key:
        return frozenset()
    return frozenset(key.split(reference.PLACE_SEPARATOR))


def _int_or_none(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(str(value).replace(",", "").strip()))
    except ValueError:
        return None


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class OccupationCodes:
    """What was stored of a title's occupation: ISCO-08 unit and groups (any may be
    None), the title's unit embedding (float32 array, or None) and the classifier's
    confidence in the codes."""
    isco08: str | None = None
    minor: str | None = None
    sub_major: str | None = None
    embedding: Any = field(default=None, compare=False, hash=False, repr=False)
    confidence: float = 1.0
    units: tuple[tuple[str, float], ...] = ()


def _occupation_fields(codes: OccupationCodes | None) -> dict[str, Any]:
    if codes is None:
        return {}
    return {"isco08": codes.isco08, "isco08_minor": codes.minor, "isco08_sub_major": codes.sub_major,
            "isco08_confidence": codes.confidence, "embedding": codes.embedding,
            "isco08_units": dict(codes.units)}


def profile_from_fields(
    skills: str | Iterable[str] | None,
    desired_positions: str | Iterable[str] | None,
    education: str | None,
    experience_years: int | str | None,
    province: str | None,
    salary_expected: int | str | None,
    languages: str | Iterable[str] | None = None,
    *,
    willing_to_relocate: bool = False,
    needs_disability_friendly: bool = False,
    occupation: OccupationCodes | None = None,
) -> Profile:
    """Build a Profile from an attendee's raw fields (Thai or English)."""
    skill_ids = text_analysis.extract_skills(skills)
    desired = text_analysis.extract_occupations(desired_positions)
    if not desired:
        # A trade written under skills ("ช่างไฟ", "รปภ.") is also the work the
        # person is after when they named no position.
        desired = text_analysis.extract_occupations(skills)
    spoken = (text_analysis.extract_skills(languages, via_occupations=False) | skill_ids) & LANGUAGE_SKILLS
    return Profile(
        skills=frozenset(skill_ids),
        free_tokens=frozenset(text_analysis.tokens(skills)),
        desired_occupations=tuple(desired),
        desired_tokens=frozenset(text_analysis.content_tokens(desired_positions)),
        education=education_code(education),
        experience_years=_int_or_none(experience_years),
        province=province_key(province),
        willing_to_relocate=bool(willing_to_relocate),
        salary_expected=_int_or_none(salary_expected),
        languages=frozenset(spoken),
        needs_disability_friendly=bool(needs_disability_friendly),
        **_occupation_fields(occupation),
    )


def infer_occupation(skills_required: Iterable[str], skills_optional: Iterable[str] = ()) -> str | None:
    """The vocabulary occupation a set of job skills describes best, if clear."""
    required, optional = set(skills_required), set(skills_optional)
    if not required:
        return None
    best, best_value = None, 0.0
    for occupation in load_vocabulary().occupations.values():
        needs = set(occupation.skills_required)
        if not needs:
            continue
        value = len(needs & required) / len(needs | required) + 0.1 * len(
            set(occupation.skills_optional) & (required | optional)) / max(1, len(occupation.skills_optional))
        if value > best_value:
            best, best_value = occupation.id, value
    return best if best_value >= 0.5 else None


def job_from_fields(
    job_id: int | str,
    title: str | None,
    skills_required: str | Iterable[str] | None,
    skills_optional: str | Iterable[str] | None,
    description: str | None,
    education_min: str | None,
    experience_min_years: int | str | None,
    province: str | None,
    salary_min: int | str | None,
    salary_max: int | str | None,
    disability_friendly: bool = False,
    languages: str | Iterable[str] | None = None,
    *,
    occupation: str | None = None,
    codes: OccupationCodes | None = None,
) -> JobFacts:
    """Build JobFacts from a job's raw fields. The occupation is taken from the
    title, else inferred from the skills; a job that lists no skills gets its
    occupation's skills from the vocabulary."""
    vocabulary = load_vocabulary()
    required = text_analysis.extract_skills(skills_required)
    optional = text_analysis.extract_skills(skills_optional) - required
    if occupation is None or occupation not in vocabulary.occupations:
        named = text_analysis.extract_occupations(title)
        occupation = named[0] if named else infer_occupation(required, optional)
    if not required and not optional and occupation:
        required = set(vocabulary.occupations[occupation].skills_required)
        optional = set(vocabulary.occupations[occupation].skills_optional)
    if description:
        optional |= text_analysis.extract_skills(description, via_occupations=False) - required
    spoken = (text_analysis.extract_skills(languages, via_occupations=False) | required) & LANGUAGE_SKILLS
    return JobFacts(
        job_id=job_id,
        occupation=occupation,
        title_tokens=frozenset(text_analysis.content_tokens(title)),
        skills_required=frozenset(required),
        skills_optional=frozenset(optional),
        free_tokens=frozenset(text_analysis.tokens([*_as_list(skills_required), *_as_list(skills_optional),
                                                    *_as_list(description)])),
        education_min=education_code(education_min),
        experience_min_years=_int_or_none(experience_min_years),
        province=province_key(province),
        salary_min=_int_or_none(salary_min),
        salary_max=_int_or_none(salary_max),
        languages=frozenset(spoken),
        disability_friendly=bool(disability_friendly),
        **_occupation_fields(codes),
    )


# --- scoring ------------------------------------------------------------------------

_BASE_TOTAL = sum(WEIGHTS.values())


def score(profile: Profile, job: JobFacts) -> Score:
    """Score one attendee for one job (0..100), with the reasons a person reads."""
    value, reasons = _evaluate(profile, job, True)
    return Score(value, tuple(sorted(reasons, key=lambda r: -abs(r.weight))))


def score_value(profile: Profile, job: JobFacts) -> float:
    """Same number as ``score(...).value`` without building reasons (hot loops)."""
    return _evaluate(profile, job, False)[0]


def skills_value(profile_skills: frozenset[str], required: frozenset[str], optional: frozenset[str],
                 have_required: int, have_optional: int) -> float:
    """The skills factor from match counts (shared with ranking's upper bounds)."""
    n_required, n_optional = len(required), len(optional)
    matched = have_required + have_optional
    precision = matched / len(profile_skills) if profile_skills else 0.0
    optional_cover = (min(1.0, have_optional / min(n_optional, OPTIONAL_SKILLS_FOR_FULL_CREDIT))
                      if n_optional else 0.0)
    if n_required:
        return (SKILL_REQUIRED_SHARE * have_required / n_required
                + SKILL_OPTIONAL_SHARE * optional_cover + SKILL_PRECISION_SHARE * precision)
    if n_optional:
        return (SKILL_REQUIRED_SHARE + SKILL_OPTIONAL_SHARE) * optional_cover + SKILL_PRECISION_SHARE * precision
    return 0.0


def wants_position(profile: Profile) -> bool:
    """Whether the person said what work they want (the position factor then counts)."""
    return bool(profile.desired_occupations or profile.desired_tokens or profile.isco08_sub_major
                or profile.embedding is not None)


def shared_unit_chance(profile: Profile, job: JobFacts) -> tuple[float, str | None]:
    """The chance that both titles are of one ISCO-08 unit, from their likely units,
    and the unit that gives most of it."""
    mine, theirs = profile.isco08_units, job.isco08_units
    if len(theirs) < len(mine):
        mine, theirs = theirs, mine
    chance, best, best_part = 0.0, None, 0.0
    for unit, probability in mine.items():
        other = theirs.get(unit)
        if other is not None:
            part = probability * other
            chance += part
            if part > best_part:
                best, best_part = unit, part
    return chance, best


def occupation_group_match(profile: Profile, job: JobFacts) -> tuple[float, str, dict]:
    """Position value from the ISCO-08 codes both sides share: with both sides' likely
    units, the chance they share one; else the unit, 3- or 2-digit group the stored
    codes share, damped when either code is unsure (the classifier's confidence is
    calibrated: at 0.5 and above its units are right about nine times in ten)."""
    if profile.isco08_units and job.isco08_units:
        chance, unit = shared_unit_chance(profile, job)
        if unit is None:
            return 0.0, "position_other", {}
        code = "position_isco_unit" if chance >= ISCO_FULL_CONFIDENCE else "position_isco_likely"
        return ISCO_UNIT_FACTOR * min(1.0, chance / ISCO_FULL_CONFIDENCE), code, {"isco": unit}
    sure = min(1.0, min(profile.isco08_confidence, job.isco08_confidence) / ISCO_FULL_CONFIDENCE)
    if profile.isco08 and profile.isco08 == job.isco08:
        return ISCO_UNIT_FACTOR * sure, "position_isco_unit", {"isco": job.isco08}
    if profile.isco08_minor and profile.isco08_minor == job.isco08_minor:
        return ISCO_MINOR_FACTOR * sure, "position_isco_group", {"isco": job.isco08_minor}
    if profile.isco08_sub_major and profile.isco08_sub_major == job.isco08_sub_major:
        return ISCO_SUB_MAJOR_FACTOR * sure, "position_isco_group", {"isco": job.isco08_sub_major}
    return 0.0, "position_other", {}


def similar_title_value(cosine: float) -> float:
    """0..1 for a title-embedding cosine: 0 up to SIMILAR_TITLE_FROM, 1 from SIMILAR_TITLE_FULL."""
    if cosine <= SIMILAR_TITLE_FROM:
        return 0.0
    return min(1.0, (cosine - SIMILAR_TITLE_FROM) / (SIMILAR_TITLE_FULL - SIMILAR_TITLE_FROM))


def title_similarity_value(profile: Profile, job: JobFacts) -> float:
    """0..1 from the cosine of the two stored title embeddings (0 when either is missing)."""
    if profile.embedding is None or job.embedding is None:
        return 0.0
    return similar_title_value(float(np.dot(profile.embedding, job.embedding)))


def vocabulary_confirmed(occupation: str, profile: Profile, job: JobFacts) -> bool:
    """Whether both titles were classified in the vocabulary occupation's 3-digit group."""
    isco = load_vocabulary().occupations[occupation].isco
    return all(code and isco.startswith(code) for code in (profile.isco08_minor, job.isco08_minor))


def vocabulary_agrees(occupation: str, profile: Profile, job: JobFacts) -> bool:
    """Whether a vocabulary occupation found in both titles fits each title's ISCO-08
    classification: its 2-digit group holds some of the title's likely units, or (for a
    row stored before the likely units) is the group of its code. A title with neither
    does not object."""
    isco = load_vocabulary().occupations[occupation].isco
    group = isco[:VOCABULARY_AGREEMENT_DIGITS]
    for side in (profile, job):
        if side.isco08_units:
            # The likely units say more than a code that is often absent: the
            # occupation's group must hold some of the title's probability.
            if sum(p for unit, p in side.isco08_units.items() if unit.startswith(group)) < VOCABULARY_AGREEMENT_SHARE:
                return False
        elif side.isco08_sub_major and not isco.startswith(side.isco08_sub_major[:VOCABULARY_AGREEMENT_DIGITS]):
            return False
    return True


def _evaluate(profile: Profile, job: JobFacts, explain: bool) -> tuple[float, list[Reason]]:
    # One code path for the number and for the reasons, so they never disagree;
    # ``explain`` only skips building Reason objects in the hot loops.
    total = _BASE_TOTAL + (DISABILITY_WEIGHT if profile.needs_disability_friendly else 0.0)
    scale = 100.0 / total
    reasons: list[Reason] = []
    points = 0.0

    def add(factor_weight: float, factor_value: float, code: str | None = None, params: dict | None = None):
        nonlocal points
        points += factor_weight * factor_value
        if explain and code is not None:
            reasons.append(Reason(code, params or {}, round(factor_weight * (factor_value - 0.5) * scale, 1)))

    # Skills.
    required, optional, have = job.skills_required, job.skills_optional, profile.skills
    have_required = required & have
    have_optional = optional & have
    if required or optional:
        value = skills_value(have, required, optional, len(have_required), len(have_optional))
    else:
        # A job with no skills at all: fall back on shared plain words.
        shared = profile.free_tokens & (job.free_tokens | job.title_tokens)
        value = min(1.0, 0.25 * len(shared))
    points += WEIGHTS["skills"] * value
    if explain:
        skill_weight = WEIGHTS["skills"] * (value - 0.5) * scale
        if required:
            missing = sorted(required - have)
            reasons.append(Reason("skills_required", {"have": len(have_required), "of": len(required),
                                                      "missing": missing}, round(skill_weight, 1)))
        if have_optional:
            reasons.append(Reason("skills_optional", {"have": len(have_optional), "of": len(optional),
                                                      "matched": sorted(have_optional)},
                                  round(skill_weight if not required else abs(skill_weight) * 0.2, 1)))

    # Position.
    w = WEIGHTS["position"]
    if wants_position(profile):
        value, code, params = 0.0, "position_other", {"desired": list(profile.desired_occupations)}
        if job.occupation is not None and profile.desired_occupations:
            related = load_vocabulary().related.get(job.occupation, {})
            for desired in profile.desired_occupations:
                if desired == job.occupation:
                    value, code, params = 1.0, "position_match", {"occupation": desired}
                    break
                similarity = related.get(desired, 0.0) * RELATED_POSITION_FACTOR
                if similarity > value:
                    value, code, params = similarity, "position_related", {"occupation": job.occupation,
                                                                            "desired": desired}
            if value > 0 and not vocabulary_agrees(job.occupation, profile, job):
                value *= VOCABULARY_DISAGREES_FACTOR
        if value < ISCO_UNIT_FACTOR:
            isco_value, isco_code, isco_params = occupation_group_match(profile, job)
            if isco_value > value:
                value, code, params = isco_value, isco_code, isco_params
        if value < 1.0 and profile.desired_tokens:
            shared_words = profile.desired_tokens & job.title_tokens
            if shared_words:
                words_value = TITLE_WORDS_FACTOR * min(1.0, 2 * len(shared_words) / len(profile.desired_tokens))
                if words_value > value:
                    value, code, params = words_value, "position_title", {"words": sorted(shared_words)}
        # A similar title adds to what the codes and words say (either alone counts,
        # both count more), so it also orders jobs the codes rank alike.
        if profile.embedding is not None and job.embedding is not None:
            # With both embeddings the similar title has the larger say: on held-out
            # titles it ranks better than the codes of a classifier that is often unsure.
            # A vocabulary occupation named in both titles keeps most of its value: a short
            # or slangy title ("เลขา") can embed far from the job's, and the vocabulary knows it.
            similar = title_similarity_value(profile, job)
            if similar * SIMILAR_TITLE_SHARE > value * (1.0 - SIMILAR_TITLE_SHARE):
                code, params = "similar_title", {}
            floor = (NAMED_OCCUPATION_KEEPS * value
                     if code == "position_match" and vocabulary_confirmed(job.occupation, profile, job) else 0.0)
            value = max(floor, (1.0 - SIMILAR_TITLE_SHARE) * value + SIMILAR_TITLE_SHARE * similar)
        add(w, value, code, params)
    else:
        add(w, POSITION_UNKNOWN)

    # Education.
    w = WEIGHTS["education"]
    need = _EDUCATION_INDEX.get(job.education_min, -1) if job.education_min else -1
    if need <= 0:
        add(w, 1.0)
    else:
        has = _EDUCATION_INDEX.get(profile.education, -1) if profile.education else -1
        if has < 0:
            add(w, EDUCATION_UNKNOWN)
        elif has >= need:
            add(w, 1.0, "education_ok", {"have": profile.education, "need": job.education_min})
        else:
            gap = need - has
            add(w, EDUCATION_BELOW_BY_ONE if gap == 1 else EDUCATION_BELOW_BY_TWO if gap == 2 else 0.0,
                "education_below", {"have": profile.education, "need": job.education_min})

    # Experience.
    w = WEIGHTS["experience"]
    need_years = job.experience_min_years or 0
    if need_years <= 0:
        add(w, 1.0)
    elif profile.experience_years is None:
        add(w, EXPERIENCE_UNKNOWN)
    elif profile.experience_years >= need_years:
        add(w, 1.0, "experience_ok", {"have": profile.experience_years, "need": need_years})
    else:
        add(w, 0.3 + 0.5 * profile.experience_years / need_years, "experience_below",
            {"have": profile.experience_years, "need": need_years})

    # Location.
    w = WEIGHTS["location"]
    if job.province is None:
        add(w, 1.0)
    elif profile.province == job.province and job.province not in (SEVERAL_KEY, ABROAD_KEY):
        add(w, 1.0, "same_province", {"province": job.province})
    else:
        add(w, *_location(profile, job))

    # Salary.
    w = WEIGHTS["salary"]
    expected, ceiling = profile.salary_expected, job.salary_max
    if expected is None or ceiling is None:
        add(w, 1.0)
    elif expected <= ceiling:
        add(w, 1.0, "salary_ok", {"expected": expected, "max": ceiling})
    else:
        add(w, SALARY_NEAR if expected <= ceiling * SALARY_TOLERANCE else SALARY_FAR,
            "salary_below_expectation", {"expected": expected, "max": ceiling})

    # Languages.
    w = WEIGHTS["languages"]
    if not job.languages:
        add(w, 1.0)
    else:
        spoken = job.languages & profile.languages
        missing = job.languages - spoken
        if missing:
            add(w, len(spoken) / len(job.languages), "languages_missing", {"missing": sorted(missing)})
        else:
            add(w, 1.0, "languages_ok", {"languages": sorted(spoken)})

    # Accessibility, only for those who asked for it.
    if profile.needs_disability_friendly:
        if job.disability_friendly:
            add(DISABILITY_WEIGHT, 1.0, "disability_friendly", {})
        else:
            add(DISABILITY_WEIGHT, 0.0, "not_disability_friendly", {})

    return round(points * scale, 2), reasons


def _location(profile: Profile, job: JobFacts) -> tuple[float, str | None, dict | None]:
    """The location factor when the places are not one and the same province.

    A job's places may be a list ("Bangkok;Nonthaburi": either is a match),
    "several" provinces not named (nearly a match for anyone in Thailand), or
    "abroad" (a match only for someone whose places include abroad).
    """
    offered, wanted = place_keys(job.province), place_keys(profile.province)
    shared = (offered & wanted) - {SEVERAL_KEY}
    if shared:
        place = sorted(shared)[0]
        return 1.0, ("abroad_ok" if place == ABROAD_KEY else "same_province"), {"province": place}
    in_thailand = offered - {ABROAD_KEY}
    if not in_thailand:
        return (LOCATION_ABROAD_RELOCATE if profile.willing_to_relocate else LOCATION_ABROAD,
                "abroad", {})
    if not wanted:
        return LOCATION_UNKNOWN, None, None
    if wanted == {ABROAD_KEY}:
        return LOCATION_OTHER, "other_province", {"province": job.province}
    if SEVERAL_KEY in in_thailand:
        return LOCATION_SEVERAL, "several_provinces", {}
    if profile.willing_to_relocate or SEVERAL_KEY in wanted:
        return LOCATION_RELOCATE, "relocate", {"province": job.province}
    return LOCATION_OTHER, "other_province", {"province": job.province}


# --- rendering ----------------------------------------------------------------------

NameLookup = Mapping[str, str] | Callable[[str], str] | None

_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "skills_required": "{have} of {of} required skills",
        "skills_required_missing": "; missing: {missing}",
        "skills_optional": "also has {matched}",
        "position_match": "the position asked for: {occupation}",
        "position_related": "close to the position asked for ({desired})",
        "position_title": "job title matches the position asked for",
        "position_other": "not the position asked for",
        "position_isco_unit": "same occupation: {isco}",
        "position_isco_likely": "probably the same occupation: {isco}",
        "position_isco_group": "same occupation group: {isco}",
        "similar_title": "similar title",
        "education_ok": "education meets the minimum ({need})",
        "education_below": "education below the minimum ({need})",
        "experience_ok": "{have} years of experience (needs {need})",
        "experience_below": "{have} years of experience; needs {need}",
        "same_province": "job in the same province ({province})",
        "relocate": "job in {province}; willing to relocate",
        "other_province": "job in another province ({province})",
        "several_provinces": "job in several provinces",
        "abroad": "job abroad",
        "abroad_ok": "job abroad, as wished",
        "salary_ok": "pay fits the expectation (up to {max} THB)",
        "salary_below_expectation": "pays up to {max} THB; expects {expected} THB",
        "languages_ok": "speaks {languages}",
        "languages_missing": "needs {missing}",
        "disability_friendly": "suitable for people with disabilities",
        "not_disability_friendly": "not marked suitable for people with disabilities",
        "busy_booth": "busy booth: {queue} waiting",
    },
    "th": {
        "skills_required": "มีทักษะที่ต้องการ {have} จาก {of}",
        "skills_required_missing": "; ขาด: {missing}",
        "skills_optional": "มีทักษะเสริม: {matched}",
        "position_match": "ตรงกับตำแหน่งที่ต้องการ: {occupation}",
        "position_related": "ใกล้เคียงกับตำแหน่งที่ต้องการ ({desired})",
        "position_title": "ชื่อตำแหน่งตรงกับที่ต้องการ",
        "position_other": "ไม่ใช่ตำแหน่งที่ต้องการ",
        "position_isco_unit": "อาชีพเดียวกัน: {isco}",
        "position_isco_likely": "น่าจะเป็นอาชีพเดียวกัน: {isco}",
        "position_isco_group": "กลุ่มอาชีพเดียวกัน: {isco}",
        "similar_title": "ชื่อตำแหน่งใกล้เคียงกัน",
        "education_ok": "วุฒิการศึกษาถึงเกณฑ์ ({need})",
        "education_below": "วุฒิการศึกษาต่ำกว่าที่กำหนด ({need})",
        "experience_ok": "ประสบการณ์ {have} ปี (ต้องการ {need} ปี)",
        "experience_below": "ประสบการณ์ {have} ปี น้อยกว่าที่ต้องการ {need} ปี",
        "same_province": "งานอยู่ในจังหวัดเดียวกัน ({province})",
        "relocate": "งานอยู่ที่ {province}; ย้ายที่ทำงานได้",
        "other_province": "งานอยู่ต่างจังหวัด ({province})",
        "several_provinces": "งานมีหลายจังหวัด",
        "abroad": "งานอยู่ต่างประเทศ",
        "abroad_ok": "งานอยู่ต่างประเทศ ตามที่ต้องการ",
        "salary_ok": "เงินเดือนตรงตามที่คาดหวัง (สูงสุด {max} บาท)",
        "salary_below_expectation": "เงินเดือนสูงสุด {max} บาท ต่ำกว่าที่คาดหวัง {expected} บาท",
        "languages_ok": "ใช้ภาษา{languages}ได้",
        "languages_missing": "ต้องใช้{missing}",
        "disability_friendly": "เหมาะสำหรับผู้พิการ",
        "not_disability_friendly": "ไม่ได้ระบุว่าเหมาะสำหรับผู้พิการ",
        "busy_booth": "บูธนี้คิวยาว: รอ {queue} คน",
    },
}


_PROVINCE_BY_KEY = {province_key(p.en): p.en for p in reference.PROVINCES}


def _place_display(key: str, lang: str) -> str:
    """A province key as the viewer reads it: "chon buri;rayong" -> "ชลบุรี, ระยอง"."""
    names = []
    for part in key.split(reference.PLACE_SEPARATOR):
        code = _PROVINCE_BY_KEY.get(part, part)
        if code in reference.PROVINCES_BY_NAME or code in reference.PLACE_NAMES:
            names.append(reference.place_name(code, lang))
        else:
            names.append(part.title() if part.isascii() else part)
    return ", ".join(names)


def _lookup(names: NameLookup, default: Callable[[str], str]) -> Callable[[str], str]:
    if names is None:
        return default
    if callable(names):
        return names
    return lambda key: names.get(key, default(key))


def render_reasons(
    reasons: Iterable[Reason],
    lang: str = "th",
    skill_names: NameLookup = None,
    occupation_names: NameLookup = None,
    province_names: NameLookup = None,
) -> list[str]:
    """Short human sentences for reasons, in Thai ("th") or English ("en").

    Names default to the vocabulary's (skills, occupations) and reference
    education names; pass lookups to override (e.g. a province's display name).
    Unknown reason codes are skipped, so new codes never break old pages.
    """
    lang = "th" if lang == "th" else "en"
    templates = _TEMPLATES[lang]
    vocabulary = load_vocabulary()
    skill = _lookup(skill_names, lambda s: vocabulary.skill_name(s, lang))
    occupation = _lookup(occupation_names, lambda o: vocabulary.occupation_name(o, lang))
    province = _lookup(province_names, lambda key: _place_display(key, lang))
    education_names = EDUCATION_NAMES_TH if lang == "th" else EDUCATION_NAMES_EN
    separator = ", "

    lines: list[str] = []
    for reason in reasons:
        template = templates.get(reason.code)
        if template is None:
            continue
        p = dict(reason.params)
        for key in ("missing", "matched", "languages"):
            if key in p and isinstance(p[key], (list, tuple)):
                p[key] = separator.join(skill(s) for s in p[key])
        for key in ("occupation", "desired"):
            if isinstance(p.get(key), str):
                p[key] = occupation(p[key])
        for key in ("have", "need"):
            if reason.code.startswith("education") and p.get(key):
                p[key] = education_names.get(p[key], p[key])
        if "province" in p:
            p["province"] = province(p["province"])
        if isinstance(p.get("isco"), str):
            p["isco"] = _isco_label(p["isco"], lang)
        for key in ("max", "expected"):
            if isinstance(p.get(key), int):
                p[key] = f"{p[key]:,}"
        if "queue" in p:
            p["queue"] = f"{p['queue']:g}" if isinstance(p["queue"], float) else p["queue"]
        line = template.format(**p)
        if reason.code == "skills_required" and reason.params.get("missing"):
            line += templates["skills_required_missing"].format(missing=p["missing"])
        lines.append(line)
    return lines


def _isco_label(code: str, lang: str) -> str:
    """An ISCO-08 group's name for a reason: Thai, or English in lower case as in a sentence."""
    from fair.matching.occupations import load_taxonomy
    label = load_taxonomy().label(code, lang) or code
    return label if lang == "th" or label[:2].isupper() else label[:1].lower() + label[1:]
