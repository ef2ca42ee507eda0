"""Scoring factors, reasons and the indexed ranking paths (fair.matching)."""
from __future__ import annotations

import dataclasses

import pytest

from fair.matching.ranking import CandidatePool, JobIndex, brute_force_recommend, rank_candidates
from fair.matching.scoring import (
    JobFacts,
    Profile,
    job_from_fields,
    profile_from_fields,
    render_reasons,
    score,
)


def make_profile(**changes) -> Profile:
    base = Profile(
        skills=frozenset({"forklift", "loading"}), free_tokens=frozenset(), desired_occupations=(),
        desired_tokens=frozenset(), education="lower_secondary", experience_years=2, province="chonburi",
        willing_to_relocate=False, salary_expected=15000, languages=frozenset(), needs_disability_friendly=False,
    )
    return dataclasses.replace(base, **changes)


def make_job(**changes) -> JobFacts:
    base = JobFacts(
        job_id=1, occupation="forklift_driver", title_tokens=frozenset({"forklift", "driver"}),
        skills_required=frozenset({"forklift", "loading"}),
        skills_optional=frozenset({"hand_pallet", "inventory_control", "reach_truck"}),
        free_tokens=frozenset(), education_min="lower_secondary", experience_min_years=1, province="chonburi",
        salary_min=13000, salary_max=18000, languages=frozenset(), disability_friendly=False,
    )
    return dataclasses.replace(base, **changes)


def value(profile: Profile, job: JobFacts) -> float:
    return score(profile, job).value


def test_score_is_between_0_and_100():
    assert 0 <= value(make_profile(), make_job()) <= 100
    assert 0 <= value(make_profile(skills=frozenset(), education="none", experience_years=0,
                                   province="bangkok", salary_expected=90000), make_job()) <= 100


def test_more_required_skills_score_higher():
    assert value(make_profile(), make_job()) > value(make_profile(skills=frozenset({"forklift"})), make_job())


def test_missing_a_required_skill_costs_more_than_missing_an_optional_one():
    job = make_job()
    all_skills = {"forklift", "loading", "hand_pallet", "inventory_control", "reach_truck"}
    missing_required = make_profile(skills=frozenset(all_skills - {"loading"}))
    missing_optional = make_profile(skills=frozenset(all_skills - {"reach_truck"}))
    assert value(missing_optional, job) > value(missing_required, job)


def test_optional_skills_add_to_the_score():
    assert value(make_profile(skills=frozenset({"forklift", "loading", "hand_pallet"})), make_job()) > \
        value(make_profile(), make_job())


def test_desired_position_same_beats_related_beats_other():
    job = make_job()
    same = value(make_profile(desired_occupations=("forklift_driver",)), job)
    related = value(make_profile(desired_occupations=("warehouse_worker",)), job)
    other = value(make_profile(desired_occupations=("programmer",)), job)
    assert same > related > other


def test_education_below_minimum_lowers_the_score():
    job = make_job(education_min="upper_secondary")
    assert value(make_profile(education="bachelor"), job) > value(make_profile(education="primary"), job)


def test_experience_below_minimum_lowers_the_score():
    job = make_job(experience_min_years=5)
    assert value(make_profile(experience_years=6), job) > value(make_profile(experience_years=1), job)


def test_same_province_beats_relocation_beats_staying_elsewhere():
    job = make_job()
    same = value(make_profile(), job)
    relocate = value(make_profile(province="bangkok", willing_to_relocate=True), job)
    elsewhere = value(make_profile(province="bangkok"), job)
    assert same > relocate > elsewhere


def test_salary_expectation_above_range_lowers_the_score():
    job = make_job()
    assert value(make_profile(salary_expected=16000), job) > value(make_profile(salary_expected=30000), job)


def test_required_language_counts():
    job = make_job(languages=frozenset({"english"}))
    assert value(make_profile(languages=frozenset({"english"})), job) > value(make_profile(), job)


def test_disability_friendly_jobs_rank_higher_only_for_attendees_who_need_them():
    friendly, other = make_job(disability_friendly=True), make_job(disability_friendly=False)
    needs = make_profile(needs_disability_friendly=True)
    assert value(needs, friendly) > value(needs, other)
    assert value(make_profile(), friendly) == value(make_profile(), other)


def test_reasons_render_in_english():
    job = make_job()
    lines = render_reasons(score(make_profile(skills=frozenset({"forklift"})), job).reasons, "en")
    assert "1 of 2 required skills; missing: Loading and unloading" in lines


def test_reasons_render_in_thai():
    lines = render_reasons(score(make_profile(skills=frozenset({"forklift"})), make_job()).reasons, "th")
    assert "มีทักษะที่ต้องการ 1 จาก 2; ขาด: ขนถ่ายสินค้า" in lines


def test_reason_carries_counts_and_missing_ids():
    reasons = {r.code: r for r in score(make_profile(skills=frozenset({"forklift"})), make_job()).reasons}
    assert reasons["skills_required"].params == {"have": 1, "of": 2, "missing": ["loading"]}
    assert reasons["skills_required"].weight < 0 < reasons["same_province"].weight


def test_profile_from_thai_fields():
    profile = profile_from_fields("ขับรถโฟล์คลิฟท์ได้ มีใบขับขี่", "พนักงานขับรถโฟล์คลิฟท์", "ม.3", "๓",
                                  "จังหวัดชลบุรี", "15,000", "ภาษาอังกฤษ")
    assert profile.skills == {"forklift", "driving_license_car"}
    assert profile.desired_occupations == ("forklift_driver",)
    assert profile.education == "lower_secondary"
    assert profile.experience_years == 3
    assert profile.province == "chon buri"   # the key of the reference list's "Chon Buri", whatever the spelling
    assert profile.salary_expected == 15000
    assert profile.languages == {"english"}


def test_job_without_skills_gets_its_occupations_skills():
    job = job_from_fields(7, "Forklift driver", None, None, None, None, None, None, None, None)
    assert job.occupation == "forklift_driver"
    assert "forklift" in job.skills_required


def _jobs() -> list[JobFacts]:
    return [
        job_from_fields(1, "พนักงานขับรถโฟล์คลิฟท์", "forklift", "stock", None, "ม.3", 1, None, 13000, 18000),
        job_from_fields(2, "Warehouse worker", "loading; picking", "forklift", None, None, 0, None, 12000, 15000),
        job_from_fields(3, "Programmer", "programming", "python", None, "bachelor", 0, None, 25000, 40000),
        job_from_fields(4, "Cook", "cooking", "thai food", None, None, 1, None, 13000, 18000),
    ]


def test_recommend_puts_the_best_job_first_and_agrees_with_brute_force():
    jobs = _jobs()
    profile = profile_from_fields("forklift; loading", None, "ม.3", 2, None, None)
    recommended = JobIndex(jobs).recommend(profile, top=3)
    assert recommended[0][0] == 1
    assert [v for _, v in brute_force_recommend(profile, jobs, top=3)] == [s.value for _, s in recommended]


def test_recommend_damps_busy_booths_and_says_so():
    jobs = _jobs()
    index = JobIndex(jobs)
    profile = profile_from_fields("forklift; loading", None, "ม.3", 2, None, None)
    quiet = index.recommend(profile, top=2)
    assert quiet[0][0] == 1
    busy = index.recommend(profile, top=2, queue_load={"A1": 40}, job_booth={1: "A1", 2: "B2"})
    assert busy[0][0] == 2
    damped = dict(busy)[1]
    assert any(r.code == "busy_booth" and r.params["queue"] == 40 and r.weight < 0 for r in damped.reasons)
    assert "บูธนี้คิวยาว: รอ 40 คน" in render_reasons(damped.reasons, "th")
    assert "busy booth: 40 waiting" in render_reasons(damped.reasons, "en")


def test_candidate_pool_ranks_and_updates_incrementally():
    jobs = [_jobs()[0]]
    pool = CandidatePool()
    pool.add("a", profile_from_fields("forklift; stock", None, "ม.3", 2, None, None))
    pool.add("b", profile_from_fields("cooking", None, "ม.3", 2, None, None))
    pool.add("c", profile_from_fields("forklift", None, "ม.3", 2, None, None))
    ranked = pool.rank(jobs, top=2)
    assert [attendee for attendee, _, _ in ranked] == ["a", "c"]
    assert ranked[0][1] == 1
    pool.remove("a")
    assert [attendee for attendee, _, _ in pool.rank(jobs, top=2)] == ["c", "b"]
    assert "a" not in pool and len(pool) == 2


def test_rank_candidates_matches_scoring_everyone():
    jobs = _jobs()[:2]
    profiles = {i: profile_from_fields(s, None, "ม.3", 1, None, None)
                for i, s in enumerate(["forklift", "loading; picking", "python", "cooking", "stock", ""])}
    ranked = rank_candidates(jobs, profiles, top=3)
    expected = sorted((max(score(p, j).value for j in jobs) for p in profiles.values()), reverse=True)[:3]
    assert [s.value for _, _, s in ranked] == expected


# -- places: a list of provinces, several provinces, abroad ------------------------

def location_reason(profile: Profile, job: JobFacts):
    codes = {"same_province", "relocate", "other_province", "several_provinces", "abroad", "abroad_ok"}
    return next((r for r in score(profile, job).reasons if r.code in codes), None)


def test_a_job_in_a_list_of_provinces_matches_anyone_in_one_of_them():
    job = make_job(province="bangkok;nonthaburi")
    in_list = make_profile(province="nonthaburi")
    assert location_reason(in_list, job).code == "same_province"
    assert location_reason(in_list, job).params == {"province": "nonthaburi"}
    assert value(in_list, job) == value(make_profile(province="bangkok"), make_job(province="bangkok"))
    assert location_reason(make_profile(province="chonburi"), job).code == "other_province"


def test_a_job_in_several_provinces_suits_any_province_nearly_as_well_as_the_same_one():
    several = make_job(province="several")
    same = value(make_profile(), make_job())
    anywhere = value(make_profile(province="chiang mai"), several)
    elsewhere = value(make_profile(province="chiang mai"), make_job())
    assert same > anywhere > elsewhere
    assert location_reason(make_profile(province="chiang mai"), several).code == "several_provinces"


def test_a_job_abroad_suits_only_people_who_accept_abroad():
    abroad = make_job(province="abroad")
    accepts = make_profile(province="chonburi;abroad")
    stays = make_profile(province="chonburi")
    moves_within_thailand = make_profile(province="chonburi", willing_to_relocate=True)
    unknown = make_profile(province=None)
    assert location_reason(accepts, abroad).code == "abroad_ok"
    assert value(accepts, abroad) == value(make_profile(), make_job())
    assert value(accepts, abroad) > value(moves_within_thailand, abroad) > value(stays, abroad)
    assert value(unknown, abroad) == value(stays, abroad)
    assert location_reason(stays, abroad).code == "abroad"
    # Someone who only wants work abroad is not matched by place to a job in Thailand.
    assert location_reason(make_profile(province="abroad"), make_job()).code == "other_province"


def test_places_from_stored_values_and_their_reasons_in_both_languages():
    job = job_from_fields(1, "Forklift driver", None, None, None, None, None, "Chon Buri;Rayong",
                          None, None)
    person = profile_from_fields("forklift", None, None, None, "Rayong", None)
    reason = location_reason(person, job)
    assert reason.code == "same_province" and reason.params == {"province": "rayong"}
    assert "ระยอง" in render_reasons([reason], "th")[0]
    listed = location_reason(profile_from_fields("forklift", None, None, None, "Trat", None), job)
    assert render_reasons([listed], "th")[0].endswith("(ชลบุรี, ระยอง)")
    assert render_reasons([listed], "en")[0].endswith("(Chon Buri, Rayong)")
    several = job_from_fields(2, "Sales", None, None, None, None, None, "several", None, None)
    assert render_reasons([location_reason(person, several)], "th") == ["งานมีหลายจังหวัด"]
    assert job_from_fields(3, "Sales", None, None, None, None, None, "ต่างประเทศ", None, None).province == "abroad"
