"""Thai and English text to vocabulary ids (fair.matching.text)."""
from __future__ import annotations

import pytest

from fair.matching import text
from fair.matching.vocabulary import load_vocabulary


def test_thai_without_spaces_extracts_forklift_and_driving_licence():
    assert text.extract_skills("ขับรถโฟล์คลิฟท์ได้ มีใบขับขี่") == {"forklift", "driving_license_car"}


def test_thai_digits_become_ascii_and_match_heavy_vehicle_aliases():
    assert text.normalize("ขับ ๖ ล้อ ท.๒") == "ขับ 6 ล้อ ท.2"
    assert text.extract_skills("ขับ ๖ ล้อ; ใบขับขี่ ท.๒") == {"driving_truck", "driving_license_commercial"}


def test_zero_width_characters_and_case_are_ignored():
    assert text.extract_skills("Ex\u200bcel") == {"ms_excel"}
    assert text.normalize("  MS   Excel\ufeff ") == "ms excel"


def test_sara_am_typed_as_nikhahit_plus_sara_aa_is_canonical():
    assert text.normalize("ทํา") == "ทำ"
    assert text.normalize("น\u0e4d\u0e49\u0e32") == text.normalize("น้ำ")
    assert text.extract_skills("ทําความสะอาด") == {"cleaning"}


@pytest.mark.parametrize("written", ["excel", "Excel", "เอ็กเซล", "ไมโครซอฟท์เอ็กเซล", "ms excel", "MS-Excel"])
def test_excel_spellings_resolve_to_one_skill(written):
    assert text.extract_skills(written) == {"ms_excel"}


@pytest.mark.parametrize("written", ["forklift", "fork lift", "โฟล์คลิฟท์", "โฟร์คลิฟท์", "รถยก", "forklifts"])
def test_forklift_transliterations_resolve(written):
    assert text.extract_skills(written) == {"forklift"}


@pytest.mark.parametrize("written, occupation", [
    ("programmer", "programmer"), ("โปรแกรมเมอร์", "programmer"), ("นักพัฒนาซอฟต์แวร์", "programmer"),
    ("developer", "programmer"), ("เชฟ", "cook"), ("cook", "cook"), ("พ่อครัว", "cook"),
    ("รปภ.", "security_guard"), ("security guard", "security_guard"),
    ("พนักงานรักษาความปลอดภัย", "security_guard"),
])
def test_occupation_synonyms_and_transliterations_resolve(written, occupation):
    assert text.extract_occupations(written) == [occupation]


def test_lists_and_separators_split_into_phrases():
    assert text.extract_skills(["python, java", "sql/git;  ", "docker\nlinux"]) == {
        "python", "java", "sql", "git", "cloud", "linux"}


def test_longest_alias_wins_inside_a_phrase():
    # "ใบขับขี่ประเภท 2" is the heavy-vehicle licence, not the car licence "ใบขับขี่".
    assert text.extract_skills("มีใบขับขี่ประเภท 2") == {"driving_license_commercial"}


def test_one_letter_typo_still_matches_a_long_word():
    assert text.extract_skills("excell") == {"ms_excel"}


def test_a_trade_written_as_a_skill_counts_as_its_required_skills():
    assert text.extract_skills("ช่างไฟ") == {"electrical_wiring"}
    assert text.extract_skills("ช่างไฟ", via_occupations=False) == set()


def test_occupations_keep_order_of_appearance_without_repeats():
    assert text.extract_occupations("แคชเชียร์, programmer, cashier") == ["cashier", "programmer"]


def test_free_tokens_exclude_vocabulary_and_stop_words():
    words = text.tokens("excel และ solidworks ขั้นสูง, ทุเรียน")
    assert "excel" not in words and "และ" not in words
    assert "ทุเรียน" in words


def test_empty_input_gives_nothing():
    assert text.extract_skills(None) == set()
    assert text.extract_skills("") == set()
    assert text.extract_occupations([]) == []
    assert text.tokens("  ;; , ") == set()


def test_every_alias_of_every_skill_resolves_to_its_own_skill():
    vocabulary = load_vocabulary()
    wrong = [(alias, skill.id, text.extract_skills(alias, via_occupations=False))
             for skill in vocabulary.skills.values() for alias in skill.aliases
             if "/" not in alias and "," not in alias
             and skill.id not in text.extract_skills(alias, via_occupations=False)]
    assert wrong == []


def test_thai_tokenizer_works_offline_with_custom_dictionary():
    # The dictionary is PyThaiNLP's bundled word list plus the vocabulary's
    # Thai aliases: multiword skills come out as one token, nothing downloads.
    assert "ขับรถโฟล์คลิฟท์" in text.word_tokens("ขับรถโฟล์คลิฟท์ได้")
