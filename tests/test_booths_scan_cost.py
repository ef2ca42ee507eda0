"""The booth scan's cheaper paths (issue 14) give the same answers as the plain ones."""
from __future__ import annotations

from fair.booths import services
from fair.matching import scoring
from fair.matching import services as matching
from tests import factories


def test_matches_score_only_the_booth_s_jobs_and_read_as_freshly_rendered(fair, booth, booth_device, attendee_token):
    mine = [factories.make_job(booth.employer, ref="J1"),
            factories.make_job(booth.employer, ref="J2", title="Warehouse clerk", skills_required=("ms_excel",),
                               education_min="bachelor", province="Chiang Mai")]
    other = factories.make_employer(fair, ref="E2", booth_code="B2", name="Chao Phraya Foods")
    factories.make_job(other, ref="J9")
    first = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n1")
    assert sorted(m["job_ref"] for m in first.matches) == ["J1", "J2"]
    built = matching.fair_matching(fair.id)
    profile = matching.booth_profile(first.candidate)
    for lang in ("th", "en"):
        for match in matching.match_booth_jobs(booth, first.candidate, lang=lang):
            job_id = next(j.id for j in mine if j.ref == match["job_ref"])
            score = scoring.score(profile, built.facts[job_id])
            fresh = scoring.render_reasons(score.reasons, lang, province_names=lambda key: match_province(key, lang))
            assert match["reasons"] == fresh and match["reasons"]
    again = services.capture_lead(booth_device.device, booth, code=attendee_token, nonce="n2")
    assert again.matches == first.matches   # from the rendered-reasons cache this time


def match_province(key: str, lang: str) -> str:
    from fair.core.reference import parse_province, province_name
    if parse_province(key) is None:
        return key.title() if key.isascii() else key
    return province_name(key, lang)


def test_a_new_job_of_the_booth_is_matched_at_the_next_scan(fair, booth, booth_device, attendee_token):
    factories.make_job(booth.employer, ref="J1")
    assert [m["job_ref"] for m in services.capture_lead(booth_device.device, booth, code=attendee_token,
                                                        nonce="n1").matches] == ["J1"]
    factories.make_job(booth.employer, ref="J2", title="Forklift lead")
    refs = [m["job_ref"] for m in services.capture_lead(booth_device.device, booth, code=attendee_token,
                                                       nonce="n2").matches]
    assert sorted(refs) == ["J1", "J2"]
