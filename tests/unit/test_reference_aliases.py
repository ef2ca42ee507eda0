"""Education levels and provinces are read by one rule (fair.core.reference.parse_education and
parse_province): matching agrees with the import and the registration form on every spelling."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fair.core.reference import PROVINCES, parse_education, parse_province
from fair.loading import importing
from fair.matching import scoring

ROOT = Path(__file__).resolve().parents[2]

EDUCATION_WRITTEN = {
    "ป.6": "primary", "ประถม": "primary", "ม.3": "lower_secondary", "ม3": "lower_secondary",
    "มัธยมต้น": "lower_secondary", "ม.6": "upper_secondary", "กศน.": "upper_secondary",
    "high school": "upper_secondary", "ปวช": "vocational", "ปวส.": "high_vocational", "diploma": "high_vocational",
    "ป.ตรี": "bachelor", "ปริญญาตรี": "bachelor", "Bachelor's degree": "bachelor", "degree": "bachelor",
    "จบ ป.โท": "master", "phd": "doctorate", "ไม่ได้เรียน": "none", "bachelor": "bachelor",
}
PROVINCE_WRITTEN = {
    "กทม.": "Bangkok", "กทม": "Bangkok", "กรุงเทพฯ": "Bangkok", "bkk": "Bangkok", "Krung Thep": "Bangkok",
    "จังหวัดชลบุรี": "Chon Buri", "จ.ชลบุรี": "Chon Buri", "Chonburi": "Chon Buri", "chon-buri": "Chon Buri",
    "Province of Chon Buri": "Chon Buri", "Chon Buri Province": "Chon Buri", "Korat": "Nakhon Ratchasima",
}


@pytest.mark.parametrize(("text", "code"), EDUCATION_WRITTEN.items())
def test_matching_and_the_import_read_an_education_level_alike(text, code):
    assert parse_education(text) == code
    assert scoring.education_code(text) == code
    row = {"attendee_ref": "A1", "first_name": "x", "education": text}
    assert importing.validate_rows("attendees", [row]).rows[0]["education"] == code


@pytest.mark.parametrize(("text", "name"), PROVINCE_WRITTEN.items())
def test_matching_and_the_import_read_a_province_alike(text, name):
    assert parse_province(text) == name
    assert scoring.province_key(text) == scoring.province_key(name) == name.casefold()
    row = {"attendee_ref": "A1", "first_name": "x", "province": text}
    assert importing.validate_rows("attendees", [row]).rows[0]["province"] == name


def test_a_job_in_chon_buri_is_in_the_province_of_someone_from_changwat_chon_buri():
    """Two spellings of one province used to be two keys for matching ("ชลบุรี", "chon buri")."""
    profile = scoring.profile_from_fields(["forklift"], None, "ม.6", 2, "จังหวัดชลบุรี", None)
    job = scoring.job_from_fields(1, "Forklift driver", ["forklift"], None, None, "ม.3", 1, "Chon Buri", None, None)
    assert profile.province == job.province == scoring.province_key("Chon Buri")
    assert profile.education == "upper_secondary" and job.education_min == "lower_secondary"
    assert "same_province" in {reason.code for reason in scoring.score(profile, job).reasons}


def test_an_unknown_province_still_matches_itself():
    assert scoring.province_key("Atlantis") == scoring.province_key("  ATLANTIS ") == "atlantis"
    assert scoring.province_key("") is None and scoring.province_key(None) is None


def test_every_province_name_in_either_language_is_known():
    for province in PROVINCES:
        assert scoring.province_key(province.th) == scoring.province_key(province.en)


def test_matching_keeps_no_alias_table_of_its_own():
    tree = ast.parse((ROOT / "fair/matching/scoring.py").read_text())
    names = {target.id for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
             for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(target, ast.Name)}
    assert not {name for name in names if "ALIAS" in name or "SYNONYM" in name}
