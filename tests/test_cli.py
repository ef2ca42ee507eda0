"""The `fair` command line: init, demo, import, device pairing, cards, export."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from fair import create_app
from fair.extensions import db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cli_app(tmp_path):
    """An app over an empty database: the CLI creates it through the migrations."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}",
                      "BASE_URL": "http://fair.test:5000"})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def cli(cli_app):
    runner = cli_app.test_cli_runner()

    def invoke(*args, ok=True):
        result = runner.invoke(args=list(args))
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        return result
    invoke("init")
    return invoke


def test_init_twice_is_harmless_and_prints_the_password_once(cli_app):
    runner = cli_app.test_cli_runner()
    first = runner.invoke(args=["init"])
    second = runner.invoke(args=["init"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "password:" in first.output
    assert "password:" not in second.output
    with cli_app.app_context():
        from fair.core.models import Fair, Organiser
        assert db.session.query(Fair).count() == 1
        assert db.session.query(Organiser).count() == 1


def test_import_employers_then_jobs_then_attendees(cli, cli_app):
    assert "imported" in cli("import", "employers", str(DATA / "employers.csv")).output
    cli("import", "jobs", str(DATA / "jobs.csv"))
    cli("import", "attendees", str(DATA / "attendees_th.csv"))
    with cli_app.app_context():
        from fair.checkin.models import Attendee, Card
        attendees = db.session.query(Attendee).all()
        assert attendees and all(a.first_name for a in attendees)
        # every attendee has exactly one active card from the moment they are imported
        assert db.session.query(Card).filter_by(status="active").count() == len(attendees)


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_line(cli, cli_app):
    result = cli("import", "attendees", str(DATA / "attendees_bad.csv"), ok=False)
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    lines = [line for line in result.output.splitlines() if line.strip().startswith("error: line ")]
    assert len(lines) >= 2
    # Unknown optional values are listed too, as warnings: the organiser fixes everything at once.
    assert any(line.strip().startswith("warning: line 4 [phone]") for line in result.output.splitlines())
    with cli_app.app_context():
        from fair.checkin.models import Attendee
        assert db.session.query(Attendee).count() == 0


def test_real_job_postings_import_with_warnings_for_what_is_not_understood(cli, cli_app, tmp_path):
    cli("import", "employers", str(DATA / "employers.csv"))
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(
        "job_ref,employer_ref,title,salary_min,salary_max,province,positions,experience_min_years\n"
        "R1,EMP001,พนักงานขาย,ตามตกลง,,หลายจังหวัด,หลายอัตรา,ไม่ต้องมีประสบการณ์\n"
        "R2,EMP001,แรงงานเกษตร,\"18,000 - 23,000 บาท\",,ต่างประเทศ,2 อัตรา,\n"
        "R3,EMP002,Sales,20k-25k,,\"กรุงเทพฯ, นนทบุรี\",10+,2 ปีขึ้นไป\n"
        "R4,EMP002,Driver,15000+,,Atlantis,ตามความเหมาะสม,\n", encoding="utf-8")
    result = cli("import", "jobs", str(jobs))
    assert "imported 4 new and 0 updated jobs in " in result.output
    assert " s (2 warning(s) above: those values were left empty)." in result.output
    warnings = [line.strip() for line in result.output.splitlines() if line.strip().startswith("warning:")]
    assert warnings[0].startswith("warning: line 5 [province]: unknown province: Atlantis")
    assert warnings[1].startswith("warning: line 5 [positions]")
    with cli_app.app_context():
        from fair.booths.models import Job
        got = {j.ref: (j.province, j.salary_min, j.salary_max, j.positions, j.experience_min_years)
               for j in db.session.query(Job)}
    assert got == {"R1": ("several", None, None, 2, 0), "R2": ("abroad", 18000, 23000, 2, 0),
                   "R3": ("Bangkok;Nonthaburi", 20000, 25000, 10, 2), "R4": (None, 15000, None, 1, 0)}


def test_dry_run_checks_but_writes_nothing(cli, cli_app):
    result = cli("import", "employers", str(DATA / "employers.csv"), "--dry-run")
    assert "would import" in result.output
    with cli_app.app_context():
        from fair.booths.models import Employer
        assert db.session.query(Employer).count() == 0


def test_demo_is_deterministic_and_idempotent(cli, cli_app, tmp_path):
    cli("demo", "--attendees", "120", "--booths", "8")
    first = cli("cards", "list", "--csv").output
    again = cli("demo", "--attendees", "120", "--booths", "8")
    assert "(0 rows added now)" in again.output
    assert cli("cards", "list", "--csv").output == first
    rows = list(csv.DictReader(io.StringIO(first)))
    assert len(rows) == 120
    assert set(rows[0]) == {"attendee_ref", "name", "manual_code", "token"}
    assert all(r["token"].startswith("SJW1.") for r in rows)

    other = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"), "ASYNC_MODE": "threading",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}"})
    runner = other.test_cli_runner()
    runner.invoke(args=["init"])
    runner.invoke(args=["demo", "--attendees", "120", "--booths", "8"])
    refs_names = [(r["attendee_ref"], r["name"]) for r in rows]
    other_rows = list(csv.DictReader(io.StringIO(runner.invoke(args=["cards", "list", "--csv"]).output)))
    assert [(r["attendee_ref"], r["name"]) for r in other_rows] == refs_names
    with other.app_context():
        db.engine.dispose()


def test_device_pair_json_shapes(cli):
    cli("demo", "--attendees", "10", "--booths", "3")
    gate = json.loads(cli("device", "pair", "--gate", "North entrance", "--json").output)
    assert set(gate) == {"kind", "booth", "name", "token", "url"}
    assert gate["kind"] == "gate" and gate["booth"] is None and gate["url"].startswith("http://fair.test:5000/pair/")
    api = json.loads(cli("device", "pair", "--api", "Smart Job", "--json").output)
    assert api["kind"] == "api" and api["url"] is None and len(api["token"]) >= 40
    booths = json.loads(cli("device", "pair", "--booth", "all", "--json").output)
    assert isinstance(booths, list) and len(booths) == 3
    assert all(b["kind"] == "booth" and b["booth"] for b in booths)
    assert gate["token"] not in gate["url"]  # the long-lived token never travels in a URL


def test_device_pair_needs_exactly_one_kind_and_a_real_booth(cli):
    assert cli("device", "pair", ok=False).exit_code == 2
    result = cli("device", "pair", "--booth", "Z99", ok=False)
    assert result.exit_code == 1 and "No booth" in result.output


def test_export_writes_csv_and_xlsx(cli, tmp_path):
    cli("demo", "--attendees", "15", "--booths", "3")
    out_csv, out_xlsx = tmp_path / "a.csv", tmp_path / "a.xlsx"
    cli("export", "attendees", "--out", str(out_csv))
    cli("export", "checkins", "--out", str(out_xlsx))
    text = out_csv.read_text(encoding="utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 15
    from openpyxl import load_workbook
    assert load_workbook(out_xlsx).active.max_row == 1  # header only: nobody checked in yet
    assert cli("export", "leads", "--out", str(tmp_path / "x.txt"), ok=False).exit_code == 2
