"""Reference lists and the parsers that read people's spellings of them."""
from __future__ import annotations

import pytest

from fair.core.reference import (
    EDUCATION_LEVELS,
    EDUCATION_NAMES_EN,
    EDUCATION_NAMES_TH,
    PROVINCES,
    PROVINCES_BY_NAME,
    REGIONS,
    education_rank,
    nearby_provinces,
    parse_bool,
    parse_education,
    parse_language,
    parse_province,
    province_distance_km,
    split_list,
    text_key,
    to_ascii_digits,
)


def test_there_are_77_provinces_with_unique_names_and_known_regions():
    assert len(PROVINCES) == 77
    assert len({p.en for p in PROVINCES}) == 77
    assert len({p.th for p in PROVINCES}) == 77
    assert {p.region for p in PROVINCES} == set(REGIONS)
    assert len([p for p in PROVINCES if p.region == "northeast"]) == 20


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.en)
def test_every_province_resolves_from_thai_english_and_aliases(province):
    assert parse_province(province.en) == province.en
    assert parse_province(province.th) == province.en
    assert parse_province(province.en.upper()) == province.en
    assert parse_province(province.en.replace(" ", "")) == province.en
    assert parse_province(f"  {province.en.lower()}  ") == province.en
    assert parse_province("จังหวัด" + province.th) == province.en
    assert parse_province("จ." + province.th) == province.en
    for alias in province.aliases:
        assert parse_province(alias) == province.en


@pytest.mark.parametrize("text, expected", [
    ("Bangkok", "Bangkok"),
    ("กรุงเทพมหานคร", "Bangkok"),
    ("กรุงเทพฯ", "Bangkok"),
    ("กทม.", "Bangkok"),
    ("กทม", "Bangkok"),
    ("Krung Thep", "Bangkok"),
    ("Chon Buri", "Chon Buri"),
    ("Chonburi", "Chon Buri"),
    ("ชลบุรี", "Chon Buri"),
    ("Ayutthaya", "Phra Nakhon Si Ayutthaya"),
    ("Phra Nakhon Si Ayutthaya", "Phra Nakhon Si Ayutthaya"),
    ("อยุธยา", "Phra Nakhon Si Ayutthaya"),
    ("Korat", "Nakhon Ratchasima"),
    ("โคราช", "Nakhon Ratchasima"),
    ("Rayong Province", "Rayong"),
])
def test_common_spellings(text, expected):
    assert parse_province(text) == expected


@pytest.mark.parametrize("text", ["", None, "Mars", "ดาวอังคาร", "Chiang"])
def test_unknown_province_is_none(text):
    assert parse_province(text) is None


def test_province_coordinates_are_inside_thailand():
    for p in PROVINCES:
        assert 5.5 < p.lat < 20.5 and 97.3 < p.lon < 105.7, p.en


def test_neighbouring_provinces_are_near_and_far_ones_are_not():
    assert province_distance_km("Bangkok", "Bangkok") == pytest.approx(0)
    assert province_distance_km("Bangkok", "Nonthaburi") < 20
    assert 550 < province_distance_km("Bangkok", "Chiang Mai") < 620
    assert province_distance_km("Bangkok", "Atlantis") is None
    near = nearby_provinces("Bangkok", within_km=40)
    assert near[0] == "Nonthaburi"
    assert "Samut Prakan" in near and "Chiang Mai" not in near


@pytest.mark.parametrize("code", EDUCATION_LEVELS)
def test_education_codes_and_names_resolve(code):
    assert parse_education(code) == code
    assert parse_education(code.upper()) == code
    assert parse_education(EDUCATION_NAMES_TH[code]) == code
    assert parse_education(EDUCATION_NAMES_EN[code]) == code


@pytest.mark.parametrize("text, expected", [
    ("ประถมศึกษา", "primary"),
    ("ป.6", "primary"),
    ("มัธยมศึกษาตอนต้น", "lower_secondary"),
    ("ม.3", "lower_secondary"),
    ("ม.ต้น", "lower_secondary"),
    ("มัธยมศึกษาตอนปลาย", "upper_secondary"),
    ("ม.6", "upper_secondary"),
    ("ม. ๖", "upper_secondary"),
    ("ม.ปลาย", "upper_secondary"),
    ("ปวช.", "vocational"),
    ("ปวช", "vocational"),
    ("ปวส.", "high_vocational"),
    ("ปวส", "high_vocational"),
    ("ปริญญาตรี", "bachelor"),
    ("ป.ตรี", "bachelor"),
    ("ระดับปริญญาตรี", "bachelor"),
    ("ปริญญาโท", "master"),
    ("ป.โท", "master"),
    ("ปริญญาเอก", "doctorate"),
    ("ป.เอก", "doctorate"),
    ("Bachelor", "bachelor"),
    ("bachelor's degree", "bachelor"),
    ("High School", "upper_secondary"),
    ("Ph.D.", "doctorate"),
    ("lower secondary", "lower_secondary"),
])
def test_education_short_forms(text, expected):
    assert parse_education(text) == expected


@pytest.mark.parametrize("text", ["", None, "ปริญญาจิ๋ว", "some college", "ม.9"])
def test_unknown_education_is_none(text):
    assert parse_education(text) is None


def test_education_rank_is_kept():
    assert education_rank("bachelor") > education_rank("high_vocational") > education_rank("none")
    assert education_rank(None) == -1 and education_rank("astronaut") == -1


@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("YES", True), ("y", True), ("True", True), ("1", True), ("ใช่", True),
    ("no", False), ("No", False), ("n", False), ("FALSE", False), ("0", False),
    ("ไม่", False), ("ไม่ใช่", False), (" ใช่ ", True),
])
def test_booleans_in_english_and_thai(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["", None, "maybe", "อาจจะ", "2"])
def test_unrecognised_boolean_is_none(text):
    assert parse_bool(text) is None


def test_split_list_strips_drops_empties_keeps_order_and_dedupes_ignoring_case():
    assert split_list(" Excel ; python;; excel;งานขาย ;Python ") == ["Excel", "python", "งานขาย"]
    assert split_list("") == [] and split_list(None) == [] and split_list(" ; ") == []


def test_thai_digits_and_keys():
    assert to_ascii_digits("๑๕,๐๐๐ บาท") == "15,000 บาท"
    # SARA AM typed precomposed or as NIKHAHIT + SARA AA is the same word.
    assert text_key("ลำปาง") == text_key("ล\u0e4d\u0e32ปาง")
    assert parse_province("ล\u0e4d\u0e32ปาง") == "Lampang"


def test_languages_by_code_and_name():
    assert parse_language("ไทย") == "th"
    assert parse_language("English") == "en"
    assert parse_language("พม่า") == "my"
    assert parse_language("Klingon") is None


def test_provinces_by_name_indexes_every_province():
    assert PROVINCES_BY_NAME["Chon Buri"].th == "ชลบุรี"
    assert PROVINCES_BY_NAME["Bangkok"].region == "central"
