"""Values written once and used where they apply (issue 13's dead code): the dashboard's day exports,
the retention default, the invitation statuses, the matching engine the organiser's views rely on."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from fair.checkin.models import Attendee
from fair.checkin.services import check_in
from fair.extensions import db
from fair.matching import services as matching
from fair.matching.models import INVITATION_STATUSES, Invitation
from fair.organiser import exports, privacy
from fair.core.timeutil import utcnow
from tests import factories


def test_the_dashboard_offers_exactly_the_day_exports_and_the_route_takes_no_other(organiser_client, fair):
    page = organiser_client.get("/dashboard").get_data(as_text=True)
    linked = re.findall(r'/organiser/export/([a-z]+)\.csv', page)
    assert linked == list(exports.DAY_EXPORTS)
    for what in exports.DAY_EXPORTS:
        answer = organiser_client.get(f"/organiser/export/{what}.csv")
        assert answer.status_code == 200, what
        header = next(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
        assert header == exports.rows_for(what)[0]
    # checkins and attendees are CLI exports (names and contact details of everyone): no dashboard route.
    assert organiser_client.get("/organiser/export/checkins.csv").status_code == 404
    assert organiser_client.get("/organiser/export/attendees.csv").status_code == 404


def test_retention_purge_defaults_to_the_one_retention_constant(runner, fair):
    days = privacy.DEFAULT_RETENTION_DAYS
    help_text = runner.invoke(args=["retention", "purge", "--help"]).output
    assert f"default: {days}" in help_text
    older = factories.make_attendee(fair, ref="OLDER")
    older.created_at = utcnow() - timedelta(days=days, hours=1)
    younger = factories.make_attendee(fair, ref="YOUNGER")
    younger.created_at = utcnow() - timedelta(days=days - 1)
    db.session.commit()
    result = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 attendee(s) would be erased" in result.output and f"{days} days" in result.output
    result = runner.invoke(args=["retention", "purge", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Attendee, older.id).erased_at is not None
    assert db.session.get(Attendee, younger.id).erased_at is None


def test_every_invitation_status_is_one_the_services_set(fair, gate):
    employer = factories.make_employer(fair, ref="WH", booth_code="A1")
    factories.make_job(employer, ref="J1")
    booth = employer.booths[0]
    phone = factories.make_device(fair, "booth", "phone", booth)
    reached = set()
    for ref, accept in (("P1", True), ("P2", False)):
        person = factories.make_attendee(fair, ref=ref)
        check_in(gate.device, factories.token_of(person), f"in-{ref}")
        invitation = matching.invite(phone.device, booth, factories.pseudonym_at(booth, person))
        reached.add(invitation.status)
        reached.add(matching.answer_invitation(person, invitation.id, accept=accept).status)
    assert reached == set(INVITATION_STATUSES)
    assert set(db.session.scalars(db.select(Invitation.status))) <= set(INVITATION_STATUSES)


def test_the_matches_export_comes_from_the_engine(fair, gate):
    employer = factories.make_employer(fair, ref="WH", booth_code="A1", name="Siam Logistics")
    factories.make_job(employer, ref="J-FORK", title="Forklift driver", skills_required=("forklift",))
    driver = factories.make_attendee(fair, ref="D1", skills=["forklift"])
    check_in(gate.device, factories.token_of(driver), "in-d1")
    columns, rows = exports.rows_for("matches", lang="en")
    rows = list(rows)
    assert rows and rows[0][columns.index("attendee_ref")] == "D1"
    assert rows[0][columns.index("job_ref")] == "J-FORK"
