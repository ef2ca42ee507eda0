"""ISCO-08 groups and similar titles as matching signals beside the vocabulary (pure, no app)."""
from __future__ import annotations

import dataclasses
import random

import numpy as np

from fair.matching.ranking import CandidatePool, JobIndex, brute_force_recommend
from fair.matching.scoring import JobFacts, Profile, render_reasons, score, score_value


def person(isco=None, confidence=0.8, embedding=None, **changes) -> Profile:
    base = Profile(
        skills=frozenset(), free_tokens=frozenset(), desired_occupations=(), desired_tokens=frozenset({"zz"}),
        education=None, experience_years=None, province=None, willing_to_relocate=False, salary_expected=None,
        languages=frozenset(), needs_disability_friendly=False,
        isco08=isco if isco and len(isco) == 4 else None, isco08_minor=isco[:3] if isco and len(isco) >= 3 else None,
        isco08_sub_major=isco[:2] if isco else None, isco08_confidence=confidence, embedding=embedding)
    return dataclasses.replace(base, **changes)


def job(isco=None, confidence=0.8, embedding=None, job_id=1, **changes) -> JobFacts:
    base = JobFacts(
        job_id=job_id, occupation=None, title_tokens=frozenset({"yy"}), skills_required=frozenset(),
        skills_optional=frozenset(), free_tokens=frozenset(), education_min=None, experience_min_years=None,
        province=None, salary_min=None, salary_max=None, languages=frozenset(), disability_friendly=False,
        isco08=isco if isco and len(isco) == 4 else None, isco08_minor=isco[:3] if isco and len(isco) >= 3 else None,
        isco08_sub_major=isco[:2] if isco else None, isco08_confidence=confidence, embedding=embedding)
    return dataclasses.replace(base, **changes)


def unit(vector) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_same_unit_beats_same_minor_group_beats_same_sub_major_beats_other():
    seeker = person("5223")
    values = [score_value(seeker, job(code)) for code in ("5223", "5222", "5244", "8344")]
    assert values == sorted(values, reverse=True) and len(set(values)) == 4


def test_a_unit_match_counts_less_than_the_vocabulary_naming_the_same_occupation():
    named = score_value(person(desired_occupations=("forklift_driver",)), job(occupation="forklift_driver"))
    assert score_value(person("8344"), job("8344")) < named


def test_an_unsure_code_counts_less_than_a_sure_one():
    assert score_value(person("5223", confidence=0.15), job("5223")) < score_value(person("5223"), job("5223"))


def test_group_reason_names_the_group_in_the_viewers_language():
    reasons = score(person("5223"), job("5244")).reasons
    assert "same occupation group: sales workers" in render_reasons(reasons, "en")
    assert "กลุ่มอาชีพเดียวกัน: ผู้ปฏิบัติงานด้านการขาย" in render_reasons(reasons, "th")
    assert "same occupation: shop sales assistants" in render_reasons(score(person("5223"), job("5223")).reasons, "en")


def test_similar_title_counts_and_says_so():
    near, far = unit([1, 0.1, 0]), unit([0, 1, 0])
    seeker = person(embedding=unit([1, 0, 0]))
    assert score_value(seeker, job(embedding=near)) > score_value(seeker, job(embedding=far))
    reasons = score(seeker, job(embedding=near)).reasons
    assert "similar title" in render_reasons(reasons, "en")
    assert "ชื่อตำแหน่งใกล้เคียงกัน" in render_reasons(reasons, "th")


def test_without_embeddings_or_codes_the_position_is_what_the_vocabulary_says():
    plain = person(desired_occupations=("forklift_driver",))
    assert score_value(plain, job(occupation="forklift_driver")) > score_value(plain, job(occupation="cook"))


def test_a_vocabulary_match_against_both_classifications_counts_less():
    # "Data Engineer" names production_engineer (ISCO 2141) in the vocabulary, but both titles
    # were classified among ICT professionals (25): a false friend.
    wanted = dict(desired_occupations=("production_engineer",))
    agreeing = score_value(person("2141", **wanted), job("2141", occupation="production_engineer"))
    disagreeing = score_value(person("2512", **wanted), job("2512", occupation="production_engineer"))
    assert disagreeing < agreeing


def test_likely_units_count_by_the_chance_that_both_titles_share_one():
    # Neither title's unit is sure (no code stored), yet both lean to shop sales (5223).
    seeker = person(isco08_units={"5223": 0.45, "5244": 0.3, "9333": 0.1})
    values = [score_value(seeker, job(isco08_units=units)) for units in (
        {"5223": 0.5, "5222": 0.3},          # 0.225 of sharing 5223
        {"5244": 0.4, "5223": 0.1},          # 0.12 + 0.045
        {"9333": 0.2, "8344": 0.7},          # 0.02
        {"8344": 0.9})]                      # nothing shared
    assert values == sorted(values, reverse=True) and len(set(values)) == 4
    # A likely shared unit is said as likely, a sure one as the same occupation.
    reasons = score(seeker, job(isco08_units={"5223": 0.5, "5222": 0.3})).reasons
    assert "probably the same occupation: shop sales assistants" in render_reasons(reasons, "en")
    assert any(r.startswith("น่าจะเป็นอาชีพเดียวกัน") for r in render_reasons(reasons, "th"))
    sure = score(person(isco08_units={"5223": 0.9}), job(isco08_units={"5223": 0.8})).reasons
    assert "same occupation: shop sales assistants" in render_reasons(sure, "en")


def test_without_likely_units_on_one_side_the_stored_codes_decide():
    with_units = person("5223", isco08_units={"8344": 0.9})
    assert score_value(with_units, job("5223")) == score_value(person("5223"), job("5223"))
    assert score_value(with_units, job("5223", isco08_units={"8344": 0.9})) > score_value(
        with_units, job("5223", isco08_units={"5223": 0.9}))


def _random_fair(rng: random.Random, n_jobs: int, with_vectors: bool, n_people: int = 40):
    codes = ["5223", "5222", "5244", "8344", "8332", "9333", "2512", "2514", "3512", None]
    basis = [unit([rng.random() for _ in range(8)]) for _ in range(6)]

    def vector():
        if not with_vectors or rng.random() < 0.2:
            return None
        return unit(basis[rng.randrange(6)] + 0.4 * np.array([rng.random() for _ in range(8)]))
    def likely():
        # Most rows carry likely units (as the classifier stores them), some only codes.
        if rng.random() < 0.3:
            return {}
        chosen = rng.sample([c for c in codes if c], k=rng.randint(1, 4))
        weights = [rng.random() for _ in chosen]
        return {c: w / sum(weights) for c, w in zip(chosen, weights)}
    jobs = [job(rng.choice(codes), confidence=rng.random(), embedding=vector(), job_id=i, isco08_units=likely(),
                skills_required=frozenset(rng.sample(["forklift", "loading", "cooking", "excel"], k=rng.randint(1, 2))))
            for i in range(n_jobs)]
    people = [person(rng.choice(codes), confidence=rng.random(), embedding=vector(), isco08_units=likely(),
                     skills=frozenset(rng.sample(["forklift", "loading", "cooking", "excel"], k=rng.randint(0, 2))),
                     desired_tokens=frozenset() if rng.random() < 0.5 else frozenset({"zz"}))
              for _ in range(n_people)]
    return jobs, people


def test_indexed_recommendations_with_codes_and_embeddings_equal_scoring_every_job():
    rng = random.Random(3)
    for with_vectors in (True, False):
        jobs, people = _random_fair(rng, 400, with_vectors)
        index = JobIndex(jobs)
        for seeker in people:
            fast = [round(s.value, 6) for _, s in index.recommend(seeker, top=5)]
            slow = [round(v, 6) for _, v in brute_force_recommend(seeker, jobs, top=5)]
            assert fast == slow


def test_one_job_per_booth_with_codes_and_embeddings_equals_scoring_every_job():
    """The booths to visit (distinct booths, as GET /recommendations asks): the pruned
    search gives each booth's best job exactly as scoring every job does."""
    rng = random.Random(5)
    for with_vectors in (True, False):
        jobs, people = _random_fair(rng, 400, with_vectors)
        booth_of = {j.job_id: j.job_id % 37 for j in jobs}
        index = JobIndex(jobs)
        for seeker in people:
            fast = [round(s.value, 6) for _, s in index.recommend(seeker, top=5, job_booth=booth_of,
                                                                  distinct_booths=True)]
            best: dict[int, float] = {}
            for j in jobs:
                best[booth_of[j.job_id]] = max(best.get(booth_of[j.job_id], -1.0), score_value(seeker, j))
            assert fast == [round(v, 6) for v in sorted(best.values(), reverse=True)[:5]]


def test_candidate_pool_with_codes_and_embeddings_equals_scoring_everyone():
    rng = random.Random(4)
    jobs, people = _random_fair(rng, 30, True, n_people=400)
    pool = CandidatePool(dict(enumerate(people)))
    pool.remove(0)
    for booth_jobs in (jobs[0:3], jobs[3:4], jobs[10:14]):
        ranked = [round(s.value, 6) for _, _, s in pool.rank(booth_jobs, top=300)]
        everyone = sorted((max(score_value(p, j) for j in booth_jobs) for p in people[1:]), reverse=True)[:300]
        assert ranked == [round(v, 6) for v in everyone]
