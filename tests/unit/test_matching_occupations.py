"""The ISCO-08 title classifier (fair/matching/occupations.py)."""
from __future__ import annotations

from fair.matching import occupations as occ


def test_taxonomy_has_the_whole_isco08_hierarchy():
    taxonomy = occ.load_taxonomy()
    lengths = [len(code) for code in taxonomy.en]
    assert (lengths.count(1), lengths.count(2), lengths.count(3), lengths.count(4)) == (10, 43, 130, 436)
    assert taxonomy.label("52", "th") == "ผู้ปฏิบัติงานด้านการขาย"
    assert taxonomy.label("9999", "en") is None


def test_engineer_titles_do_not_all_become_production_engineers():
    for title in ("Site Reliability Engineer", "Data Engineer", "software engineer"):
        result = occ.classify(title)
        assert result.group is not None and result.group.startswith("2"), (title, result)
        assert result.isco08 != "2141", (title, result)


def test_thai_job_board_titles_get_a_unit():
    assert occ.classify("พนักงานขับรถยก (โฟล์คลิฟท์) ด่วน").isco08 == "8344"
    assert occ.classify("IT Support (ประจำสาขา)").isco08 == "3512"


def test_empty_or_meaningless_title_abstains():
    assert occ.classify("").isco08 is None
    assert occ.classify("zzqx").isco08 is None


def test_held_out_split_is_stable_and_about_a_fifth():
    items = occ.esco_occupations()
    share = sum(occ.held_out(o.uri) for o in items) / len(items)
    assert 0.15 < share < 0.25
    assert occ.held_out(items[0].uri) == occ.held_out(items[0].uri)


def test_classification_json_has_the_stable_fields():
    data = occ.classify("forklift driver").as_json()
    assert {"title", "isco08", "label_en", "label_th", "confidence"} <= set(data)
