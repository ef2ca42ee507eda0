"""The factories write employers and jobs through fair.loading.store, as imports do: caches hear of it."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from fair.booths.models import Booth, Employer
from fair.extensions import db
from fair.loading import store
from fair.matching import services as matching
from tests import factories


def test_a_job_made_after_the_index_was_built_is_matched_at_once(app, fair, booth):
    matching.fair_matching(fair.id)  # the index exists and was just checked
    job = factories.make_job(booth.employer, ref="J-NEW", title="Welder", skills_required=("welding",))
    assert job.id in matching.fair_matching(fair.id).jobs
    assert job.employer_id == booth.employer_id and job.positions == 1 and job.disability_friendly is False


def test_saving_a_row_whose_ref_exists_updates_it_and_a_failed_save_writes_nothing(app, fair, employer):
    report = store.save_rows(fair, "employers", [{"employer_ref": employer.ref, "name": "Renamed Co.",
                                                  "booth": employer.booths[0].code}])
    assert (report.created, report.updated) == (0, 1)
    assert db.session.get(Employer, employer.id).name == "Renamed Co."
    with pytest.raises(IntegrityError):  # a name is required: the whole save is rolled back
        store.save_rows(fair, "employers", [{"employer_ref": "E-NEW", "name": None, "booth": "Q9"}])
    assert db.session.scalar(db.select(Booth).filter_by(code="Q9")) is None
