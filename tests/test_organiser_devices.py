"""Organiser tools (issue 15): distinct device names, confirm steps, the CLI's pairing and listing."""
from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from fair import create_app
from fair.checkin.models import Attendee, Card
from fair.core.models import Device
from fair.extensions import db
from fair.organiser import devices
from fair.web import auth
from tests import factories

EN = {"Accept-Language": "en"}


# --- device names: one "Gate 1" per fair, one "A1 phone" per booth -------------------------

def test_a_second_active_gate_cannot_take_a_gate_name_whatever_its_case(fair):
    devices.pair("gate", "Gate 1")
    for same in ("Gate 1", "gate 1", "  GATE   1 "):
        with pytest.raises(devices.DeviceNameTaken):
            devices.pair("gate", same)
    assert devices.pair("dashboard", "Gate 1").kind == "dashboard"   # another kind may
    assert db.session.scalar(db.select(db.func.count(Device.id)).filter_by(kind="gate")) == 1


def test_a_revoked_device_gives_its_name_to_its_replacement(fair):
    old = devices.pair("gate", "Gate 1")
    devices.revoke(old.id, actor="test")
    assert devices.pair("gate", "Gate 1").id != old.id


def test_the_database_refuses_two_active_gates_of_one_name(fair):
    auth.create_device(fair, "gate", "North")
    db.session.commit()
    with pytest.raises(IntegrityError):
        auth.create_device(fair, "gate", "North")
    db.session.rollback()


def test_booth_phones_are_numbered_and_named_per_booth(fair, booth):
    other = factories.make_employer(fair, ref="E2", booth_code="B2").booths[0]
    first = devices.pair("booth", devices.default_booth_name(booth), booth)
    second = devices.pair("booth", devices.default_booth_name(booth), booth)
    assert (first.name, second.name) == ("A1 phone", "A1 phone 2")
    assert devices.has_default_name(db.session.get(Device, second.id))
    devices.rename(db.session.get(Device, first.id), "iPhone", actor="test")
    with pytest.raises(devices.DeviceNameTaken):
        devices.rename(db.session.get(Device, second.id), "iphone", actor="test")
    # Another employer's phone may be an "iPhone" too: booth phones are named per booth.
    third = devices.pair("booth", devices.default_booth_name(other), other)
    devices.rename(db.session.get(Device, third.id), "iPhone", actor="test")
    devices.rename(db.session.get(Device, first.id), "iPhone", actor="test")   # its own name again: fine


def test_devices_page_refuses_a_taken_gate_name_in_the_page_language(organiser_client, gate):
    answer = organiser_client.post("/organiser/devices", data={"kind": "gate", "name": "gate 1"}, headers=EN)
    assert answer.status_code == 409
    assert "is taken" in answer.get_data(as_text=True)
    thai = organiser_client.post("/organiser/devices", data={"kind": "gate", "name": "Gate 1"},
                                 headers={"Accept-Language": "th"})
    assert thai.status_code == 409 and "ซ้ำ" in thai.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Device.id)).filter_by(kind="gate")) == 1


def test_booth_phone_rename_to_a_taken_name_is_refused_on_its_page(app, booth):
    first = devices.pair("booth", devices.default_booth_name(booth), booth)
    devices.rename(db.session.get(Device, first.id), "Somchai", actor="test")
    second = devices.pair("booth", devices.default_booth_name(booth), booth)
    phone = app.test_client()
    phone.get(second.url.split("5000", 1)[1])
    page = phone.post("/booth/name", data={"name": "somchai"}, headers=EN, follow_redirects=True)
    assert "already called" in page.get_data(as_text=True)
    assert db.session.get(Device, second.id).name == second.name


def test_migration_0007_makes_clashing_names_distinct(tmp_path):
    from flask_migrate import upgrade
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url,
                      "ASYNC_MODE": "threading"})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0006")
        with db.engine.begin() as conn:
            conn.execute(db.text("INSERT INTO fair (id, name, signing_key, public_key, created_at, revision) "
                                 "VALUES (1, 'F', x'00', x'00', '2026-01-01', 0)"))
            for n, name in enumerate(("Gate 1", "Gate 1", "Gate 1", "Gate 2"), start=1):
                conn.execute(db.text("INSERT INTO device (id, fair_id, kind, name, token_hash, created_at) "
                                     "VALUES (:id, 1, 'gate', :name, :hash, '2026-01-01')"),
                             {"id": n, "name": name, "hash": f"h{n}"})
        upgrade(directory=directory)
        names = [d.name for d in db.session.scalars(db.select(Device).order_by(Device.id))]
        assert names == ["Gate 1", "Gate 1 (2)", "Gate 1 (3)", "Gate 2"]
        db.engine.dispose()


# --- confirm steps ---------------------------------------------------------------------------

def test_replace_card_asks_first_and_changes_nothing_until_confirmed(organiser_client, attendee):
    before = factories.card_of(attendee).id
    ask = organiser_client.post("/organiser/attendees/A1/replace-card", headers=EN)
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and 'name="confirm" value="yes"' in html and "Cancel" in html
    assert "<script" not in html.split("<main", 1)[1]   # a plain form: works under the CSP, without JS
    assert [c.id for c in db.session.scalars(db.select(Card).filter_by(attendee_id=attendee.id,
                                                                      status="active"))] == [before]
    done = organiser_client.post("/organiser/attendees/A1/replace-card", data={"confirm": "yes"})
    assert done.status_code == 303
    assert factories.card_of(attendee).id != before


def test_revoke_asks_first_in_thai_too(organiser_client, gate):
    ask = organiser_client.post(f"/organiser/devices/{gate.device.id}/revoke", headers={"Accept-Language": "th"})
    assert ask.status_code == 200 and "ยกเลิก" in ask.get_data(as_text=True)
    assert db.session.get(Device, gate.device.id).active
    organiser_client.post(f"/organiser/devices/{gate.device.id}/revoke", data={"confirm": "yes"})
    assert not db.session.get(Device, gate.device.id).active


def test_cli_erase_without_yes_asks_and_a_no_keeps_the_data(runner, fair):
    factories.make_attendee(fair, ref="P1")
    result = runner.invoke(args=["attendee", "erase", "P1"], input="n\n")
    assert result.exit_code == 1 and "cannot be undone" in result.output
    assert db.session.scalar(db.select(Attendee).filter_by(ref="P1")).erased_at is None


# --- the CLI: pairing links, booth codes, token files, the device list -----------------------

@pytest.fixture
def plain_cli(tmp_path):
    """The CLI of a laptop with no BASE_URL: links are built from the LAN address and a port."""
    os.environ.pop("FAIR_BASE_URL", None)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}"})
    runner = app.test_cli_runner()

    def invoke(*args, ok=True):
        result = runner.invoke(args=list(args))
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        return result
    invoke("init")
    invoke("demo", "--attendees", "5", "--booths", "3")
    invoke.app = app
    yield invoke
    with app.app_context():
        db.engine.dispose()


def _url(result) -> str:
    return json.loads(result.output)["url"]


def test_pair_links_use_the_port_given_then_the_one_serve_recorded(plain_cli):
    assert ":6123/pair/" in _url(plain_cli("device", "pair", "--gate", "A", "--port", "6123", "--json"))
    from fair.ops import serving
    serving.record_served(plain_cli.app.instance_path, "0.0.0.0", 6789, False)   # this process "serves"
    assert ":6789/pair/" in _url(plain_cli("device", "pair", "--gate", "B", "--json"))
    recorded = serving.served_address(plain_cli.app.instance_path)
    assert recorded["port"] == 6789 and recorded["running"]


def test_pair_without_any_serve_says_the_port_is_a_guess(plain_cli):
    result = plain_cli("device", "pair", "--gate", "C")
    assert ":5000/pair/" in result.output and "--port" in result.output


def test_a_wrong_booth_code_lists_the_real_ones(plain_cli):
    result = plain_cli("device", "pair", "--booth", "Q7", ok=False)
    assert result.exit_code == 1
    assert "No booth 'Q7'" in result.output and "B2, C5, F6" in result.output


def test_a_taken_gate_name_is_one_clear_line_from_the_cli(plain_cli):
    plain_cli("device", "pair", "--gate", "North")
    result = plain_cli("device", "pair", "--gate", "north", ok=False)
    assert result.exit_code == 1 and "already called 'north'" in result.output and "Traceback" not in result.output


def test_pair_booth_all_writes_the_tokens_to_a_private_file_not_the_terminal(plain_cli, tmp_path):
    out = tmp_path / "phones.csv"
    result = plain_cli("device", "pair", "--booth", "all", "--out", str(out))
    assert str(out) in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["booth"] for r in rows] == ["B2", "C5", "F6"]
    assert all(r["token"] and r["token"] not in result.output for r in rows)
    assert all("/pair/" in r["link"] and r["link"] not in result.output for r in rows)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    default = plain_cli("device", "pair", "--booth", "all")
    written = Path(default.output.split(" are in ", 1)[1].split(" (", 1)[0])
    assert written.parent == Path(plain_cli.app.instance_path) and stat.S_IMODE(written.stat().st_mode) == 0o600
    names = [r["name"] for r in csv.DictReader(io.StringIO(written.read_text()))]
    assert names == ["B2 phone 2", "C5 phone 2", "F6 phone 2"]   # a second round: distinct names


def test_device_list_has_a_header_and_last_seen_in_venue_time(plain_cli):
    from datetime import datetime
    plain_cli("device", "pair", "--gate", "North door")
    plain_cli("device", "pair", "--api", "Smart Job")
    with plain_cli.app.app_context():
        device = db.session.scalar(db.select(Device).filter_by(name="North door"))
        device.last_seen_at = datetime(2026, 12, 3, 2, 5)     # 09:05 in Bangkok
        db.session.commit()
    lines = plain_cli("device", "list").output.splitlines()
    assert lines[0].split() == ["id", "kind", "booth", "state", "last", "seen", "name"]
    north = next(line for line in lines if "North door" in line)
    assert "3 Dec 2026 09:05" in north and "gate" in north and "active" in north
    assert "never" in next(line for line in lines if "Smart Job" in line)


def test_serve_banner_prints_the_next_steps_with_real_addresses(app, capsys, monkeypatch):
    from fair.ops import serving
    monkeypatch.setattr(serving, "lan_addresses", lambda: ["192.168.1.23"])
    monkeypatch.setattr("sys.stdout.isatty", lambda: False, raising=False)
    serving.print_banner(app, "0.0.0.0", 6100, False)
    out = capsys.readouterr().out
    assert "phones on this network: http://192.168.1.23:6100/" in out
    assert "Sign in on this laptop: http://localhost:6100/login" in out
    assert "Pair devices: http://localhost:6100/organiser/devices" in out
    assert "phones register at http://192.168.1.23:6100/register" in out


# --- the big screen ----------------------------------------------------------------------------

def test_a_dashboard_device_gets_the_screen_layout_without_names(app, organiser_client, fair, gate):
    attendee = factories.make_attendee(fair, ref="S1", first_name="Anong")
    from fair.checkin import services as checkin_services
    checkin_services.check_in(gate.device, factories.token_of(attendee), "s1")
    paired = devices.pair("dashboard", "Hall screen")
    screen = app.test_client()
    screen.get(paired.url.split("5000", 1)[1])
    html = screen.get("/dashboard").get_data(as_text=True)
    assert 'class="screen-page"' in html and "css/screen.css" in html
    assert "Anong" not in html and '"show_names": false' in html and "/organiser/" not in html
    assert screen.get("/dashboard/screen").status_code == 200
    mine = organiser_client.get("/dashboard/screen").get_data(as_text=True)
    assert 'class="screen-page"' in mine and "Anong" not in mine
    assert 'href="/dashboard/screen"' in organiser_client.get("/dashboard").get_data(as_text=True)
    assert app.test_client().get("/dashboard/screen").status_code == 302   # strangers sign in first
