"""PDPA: consent on record, an attendee's own data, erasure that keeps anonymous counts, retention, backups."""
from __future__ import annotations

import pytest

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from fair.organiser import backup, privacy
from fair.booths import services as booth_services
from fair.booths.models import Lead, LeadScan
from fair.checkin import services as checkin_services
from fair.checkin.models import Attendee, Card, CheckIn
from fair.extensions import db
from fair.organiser import dashboard
from fair.core.models import AuditEvent
from fair.core.timeutil import utcnow
from tests import factories


def _visit(gate, booth_device, booth, attendee, notes="Great with forklifts, call 0812345678"):
    token = factories.token_of(attendee)
    checkin_services.check_in(gate.device, token, nonce=f"in-{attendee.id}")
    booth_services.capture_lead(booth_device.device, booth, token, nonce=f"lead-{attendee.id}", rating=4,
                                tags=["forklift"], notes=notes, next_step="shortlisted")


def test_registration_records_consent_time_and_wording(fair):
    attendee, _card = checkin_services.register_attendee(
        fair, {"first_name": "Somsri", "last_name": "Dee", "phone": "0812345678", "consent_share_profile": "yes"},
        consent_participate=True)
    assert attendee.consent_at is not None and utcnow() - attendee.consent_at < timedelta(minutes=1)
    assert attendee.consent_wording == f"register:{checkin_services.CONSENT_WORDING_VERSION}"
    audit = db.session.scalar(db.select(AuditEvent).filter_by(action="attendee.register"))
    assert audit.details["consent_wording"] == attendee.consent_wording


def test_erase_removes_personal_fields_revokes_card_and_keeps_counts(fair, gate, booth, booth_device):
    attendee = factories.make_attendee(fair, ref="P1", national_id="1101700207030")
    other = factories.make_attendee(fair, ref="P2")
    _visit(gate, booth_device, booth, attendee)
    _visit(gate, booth_device, booth, other)
    link = checkin_services.card_link(attendee)
    before = dashboard.stats(fair.id)

    report = privacy.erase_attendee(attendee, actor="cli")

    db.session.expire_all()
    erased = db.session.get(Attendee, attendee.id)
    assert erased.erased_at is not None and erased.ref.startswith(privacy.ERASED_REF_PREFIX)
    assert (erased.first_name, erased.last_name, erased.phone, erased.email) == ("", "", None, None)
    assert erased.national_id_hash is None and erased.skills == [] and erased.province is None
    assert report.cards_revoked == 1
    assert db.session.scalar(db.select(Card).filter_by(attendee_id=attendee.id, status="active")) is None
    assert checkin_services.attendee_for_link(link) is None
    lead = db.session.scalar(db.select(Lead).filter_by(attendee_id=attendee.id))
    assert lead.notes is None and lead.tags == [] and lead.next_step == "shortlisted"
    receipt = db.session.scalar(db.select(LeadScan).filter_by(lead_id=lead.id))
    assert "0812345678" not in json.dumps(receipt.response, ensure_ascii=False)
    assert db.session.scalar(db.select(db.func.count(CheckIn.id)).filter_by(attendee_id=attendee.id)) == 1
    after = dashboard.stats(fair.id)
    assert after["leads"] == before["leads"] and after["gate_scans"] == before["gate_scans"]
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="attendee.erase")) is not None


def test_a_replayed_lead_nonce_after_erasure_still_gets_an_answer(fair, gate, booth, booth_device):
    attendee = factories.make_attendee(fair, ref="P1")
    token = factories.token_of(attendee)
    first = booth_services.capture_lead(booth_device.device, booth, token, nonce="n1")
    privacy.erase_attendee(attendee, actor="cli")
    again = booth_services.capture_lead(booth_device.device, booth, token, nonce="n1")
    assert again.lead_id == first.lead_id and again.candidate is None


def test_an_erased_card_answers_unknown_at_the_gate(fair, gate):
    attendee = factories.make_attendee(fair, ref="P1")
    token = factories.token_of(attendee)
    privacy.erase_attendee(attendee, actor="cli")
    assert checkin_services.check_in(gate.device, token, nonce="after").status in ("unknown", "revoked")


def test_erasing_twice_changes_nothing_more(fair):
    attendee = factories.make_attendee(fair, ref="P1")
    privacy.erase_attendee(attendee, actor="cli")
    assert privacy.erase_attendee(attendee, actor="cli").already_erased
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(action="attendee.erase")) == 1


def test_export_my_data_has_profile_consent_visits_and_is_audited(fair, gate, booth, booth_device):
    attendee = factories.make_attendee(fair, ref="P1", national_id="1101700207030")
    _visit(gate, booth_device, booth, attendee)
    data = privacy.export_my_data(attendee)
    json.dumps(data)  # JSON-ready
    assert data["profile"]["first_name"] == "สมชาย" and data["profile"]["national_id_on_file"] is True
    assert "1101700207030" not in json.dumps(data)
    assert data["consent"]["share_profile"] is True
    assert data["checkins"][0]["status"] == "ok"
    assert data["booth_visits"][0]["booth"] == booth.code
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="export.my_data")) is not None


def test_retention_purge_erases_only_the_inactive(fair):
    old = factories.make_attendee(fair, ref="OLD")
    old.created_at = utcnow() - timedelta(days=40)
    recent = factories.make_attendee(fair, ref="NEW")
    db.session.commit()
    assert privacy.purge_personal_data(fair.id, 30, actor="cli") == 1
    assert db.session.get(Attendee, old.id).erased_at is not None
    assert db.session.get(Attendee, recent.id).erased_at is None


def test_cli_erase_and_purge(runner, fair):
    factories.make_attendee(fair, ref="P9")
    result = runner.invoke(args=["attendee", "erase", "P9", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased P9" in result.output
    assert runner.invoke(args=["attendee", "erase", "NOPE", "--yes"]).exit_code == 1
    result = runner.invoke(args=["retention", "purge", "--older-than-days", "0", "--dry-run"])
    assert result.exit_code == 0 and "would be erased" in result.output


def test_cli_purge_without_yes_asks_first_and_a_no_erases_nobody(runner, fair):
    """Issue 15: destructive actions ask for confirmation; `retention purge` as `attendee erase` does."""
    for ref in ("Q1", "Q2"):
        factories.make_attendee(fair, ref=ref).created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    refused = runner.invoke(args=["retention", "purge"], input="n\n")
    assert refused.exit_code == 1 and "Erase the personal data of 2 attendee(s)? This cannot be undone." in refused.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendee).where(Attendee.erased_at.isnot(None))) == 0
    agreed = runner.invoke(args=["retention", "purge"], input="y\n")
    assert agreed.exit_code == 0 and "Erased the personal data of 2 attendee(s)" in agreed.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendee).where(Attendee.erased_at.isnot(None))) == 2


@pytest.mark.sqlite_only("`fair backup` copies SQLite files; PostgreSQL is backed up with pg_dump")
def test_backup_is_a_consistent_copy_and_is_audited(fair, tmp_path, runner):
    factories.make_attendee(fair, ref="B1")
    assert backup.last_backup_at(fair.id) is None
    out = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(out) as copy:
        assert copy.execute("SELECT ref FROM attendee").fetchall() == [("B1",)]
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup.last_backup_at(fair.id) is not None


# --- erasure reaches the caches, the file and the audit log (Trust issue, item 9) -------------

def _inside_with_a_pool(fair, gate, booth, booth_device, ref="E1", **fields):
    from fair.matching import services as matching
    factories.make_job(booth.employer, skills_required=["forklift"])
    attendee = factories.make_attendee(fair, ref=ref, **fields)
    _visit(gate, booth_device, booth, attendee)
    pool = matching.pool_of(fair.id)
    assert attendee.id in pool
    return attendee


def test_erase_leaves_the_hall_pool_and_profile_cache_of_this_process(app, fair, gate, booth, booth_device):
    from fair.matching import services as matching
    attendee = _inside_with_a_pool(fair, gate, booth, booth_device)
    matching.recommend_booths(attendee)  # caches the attendee's own profile by id
    assert attendee.id in app.extensions["matching_cache"]["profiles"]
    privacy.erase_attendee(attendee, actor="cli")
    db.session.expire_all()
    assert db.session.get(Attendee, attendee.id).inside is False
    assert attendee.id not in matching.pool_of(fair.id)
    assert attendee.id not in app.extensions["matching_cache"]["profiles"]
    assert matching.candidates_in_hall(booth) == []
    assert dashboard.stats(fair.id)["inside"] == 0


def test_an_erasure_by_another_process_reaches_the_pool_at_the_next_revision_poll(app, fair, gate, booth,
                                                                                   booth_device):
    from fair.core.changes import RevisionWatcher
    from fair.matching import services as matching
    from fair.core.models import Fair
    attendee = _inside_with_a_pool(fair, gate, booth, booth_device)
    watcher = RevisionWatcher()
    watcher.poll(app)
    # What `fair attendee erase` commits from its own process: this one's caches hear nothing directly.
    db.session.execute(db.update(Attendee).where(Attendee.id == attendee.id)
                       .values(erased_at=utcnow(), inside=False, first_name=""))
    db.session.execute(db.update(Fair).where(Fair.id == fair.id).values(revision=Fair.revision + 1))
    db.session.commit()
    assert attendee.id in matching.pool_of(fair.id)  # stale until the server polls
    assert watcher.poll(app) == [fair.id]
    assert attendee.id not in matching.pool_of(fair.id)
    assert attendee.id not in app.extensions["matching_cache"]["profiles"]


def test_erase_bumps_the_fairs_revision(fair):
    attendee = factories.make_attendee(fair, ref="R1")
    before = fair.revision
    privacy.erase_attendee(attendee, actor="cli")
    db.session.refresh(fair)
    assert fair.revision == before + 1


def test_erase_takes_the_ref_and_personal_values_out_of_the_audit_log(fair):
    attendee, _card = checkin_services.register_attendee(
        fair, {"first_name": "Pimchanok", "last_name": "Srisuk", "phone": "0898765432",
               "consent_share_profile": "yes"}, consent_participate=True)
    ref = attendee.ref
    checkin_services.replace_card(attendee, actor="organiser:admin")
    db.session.add(AuditEvent(fair_id=fair.id, actor="organiser:admin", action="note",
                              details={"text": f"Pimchanok Srisuk ({ref}) lost her phone, 0898765432"}))
    db.session.add(AuditEvent(fair_id=fair.id, actor="cli", action="device.create", subject="device:9",
                              details={"name": "Gate 1"}))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(subject=f"attendee:{ref}")) == 2

    report = privacy.erase_attendee(attendee, actor="cli")

    rows = db.session.scalars(db.select(AuditEvent)).all()
    text = json.dumps([(r.subject, r.details) for r in rows], ensure_ascii=False)
    for value in (ref, "Pimchanok", "Srisuk", "0898765432"):
        assert value not in text
    subjects = [r.subject for r in rows if r.action in ("attendee.register", "card.replace", "attendee.erase")]
    assert subjects == [f"attendee:#{attendee.id}"] * 3
    assert report.audit_rows_scrubbed == 3
    assert {"name": "Gate 1"} in [r.details for r in rows]  # other rows untouched


@pytest.mark.sqlite_only("`fair backup` copies SQLite files; PostgreSQL is backed up with pg_dump")
def test_erase_lists_the_backups_made_before_with_their_paths(fair, tmp_path, runner):
    factories.make_attendee(fair, ref="K1")
    elsewhere = tmp_path / "usb" / "copy.db"
    assert runner.invoke(args=["backup", "--out", str(elsewhere)]).exit_code == 0
    assert runner.invoke(args=["backup"]).exit_code == 0
    default = next((tmp_path / "instance" / "backups").iterdir())
    elsewhere.unlink()  # gone since: still listed, marked
    result = runner.invoke(args=["attendee", "erase", "K1", "--yes"])
    assert result.exit_code == 0, result.output
    assert "NOT erased: 2 backup(s)" in result.output
    assert str(elsewhere) in result.output and str(default) in result.output
    assert "not found here" in result.output.split(str(elsewhere))[1].splitlines()[0]


def test_erase_with_no_backups_says_so(fair, runner):
    factories.make_attendee(fair, ref="K2")
    result = runner.invoke(args=["attendee", "erase", "K2", "--yes"])
    assert "No backups on record" in result.output


@pytest.mark.sqlite_only("SQLite's secure_delete PRAGMA")
def test_sqlite_connections_zero_deleted_content(app):
    from fair.app import _sqlite_pragmas
    # Some builds default to secure_delete=1 (Debian's), others do not (python.org's macOS, Windows).
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA secure_delete=0")
    _sqlite_pragmas(connection, None)
    assert connection.execute("PRAGMA secure_delete").fetchone()[0] == 1
    with db.engine.connect() as pooled:
        assert pooled.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


@pytest.mark.sqlite_only("reads the SQLite file and WAL byte by byte")
def test_after_erasure_the_database_file_and_wal_hold_no_trace_of_the_name(app, fair, gate, booth, booth_device,
                                                                           tmp_path):
    attendee = _inside_with_a_pool(fair, gate, booth, booth_device, ref="Z1", first_name="Wattanachai",
                                   last_name="Phromsorn", phone="0861234999", email="wattanachai@example.org")
    for n in range(3):  # the row is rewritten a few times, as exits and entries do
        checkin_services.check_in(gate.device, factories.token_of(attendee), nonce=f"out-{n}", kind="exit")
        checkin_services.check_in(gate.device, factories.token_of(attendee), nonce=f"in-{n}")
    database = tmp_path / "test.db"
    assert b"Wattanachai" in database.read_bytes() + Path(f"{database}-wal").read_bytes()

    report = privacy.erase_attendee(attendee, actor="cli")

    # Read while connections stay open (as a running server's do): the WAL is still there.
    for path in (database, Path(f"{database}-wal")):
        if path.exists():
            data = path.read_bytes()
            for value in ("Wattanachai", "Phromsorn", "0861234999", "wattanachai@example.org"):
                assert value.encode() not in data, (path.name, value)
    assert report.wal_emptied is True
