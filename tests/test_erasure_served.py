"""Erasure while `fair serve` runs: it reaches the server, the database file and the audit log,
and says what it cannot reach (backups made before)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

from tests.test_serve import FAIR, served  # noqa: F401  (the fixture: a real `fair serve`)

NAME = ("Quillon", "Zabrowski")
HEADER = ("attendee_ref,first_name,last_name,phone,email,national_id,education,experience_years,skills,"
          "desired_positions,province,salary_expected,languages,consent_share_profile")


def _fair(env, *args) -> str:
    return subprocess.run([FAIR, *args], env=env, check=True, capture_output=True, text=True, timeout=60).stdout


def _candidate_refs(base: str, token: str, booth: str, top: int = 100) -> set[str]:
    response = requests.get(f"{base}/api/v1/booths/{booth}/candidates?top={top}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return {c["attendee_ref"] for c in response.json()["candidates"]}  # the api key sees references


def test_cli_erasure_reaches_the_running_server_the_file_and_the_audit_log(served, tmp_path):  # noqa: F811
    base, env, _ = served
    instance = Path(env["FAIR_INSTANCE"])
    database = instance / "fair.db"
    with sqlite3.connect(database) as con:  # a booth with jobs, and a person made to fit them
        skills, booth = con.execute("SELECT j.skills_required, b.code FROM job j JOIN booth b "
                                    "ON b.employer_id = j.employer_id WHERE j.skills_required != '[]' "
                                    "LIMIT 1").fetchone()
    people = tmp_path / "people.csv"
    skills = json.loads(skills)
    people.write_text(HEADER + f"\nQZ-77,{NAME[0]},{NAME[1]},0899912345,quillon@example.com,,bachelor,5,"
                      f"{';'.join(skills)},,,,th,yes\n"
                      f"QZ-78,Other,Person,0811111111,,,none,0,{skills[0]},,,,th,yes\n", encoding="utf-8")
    _fair(env, "import", "attendees", str(people))
    old_backup = tmp_path / "before" / "copy.db"
    _fair(env, "backup", "--out", str(old_backup))
    _fair(env, "backup")
    gate = json.loads(_fair(env, "device", "pair", "--gate", "Door", "--json"))["token"]
    api = json.loads(_fair(env, "device", "pair", "--api", "Checks", "--json"))["token"]
    cards = {line.split(",")[0]: line.split(",")[-1] for line in _fair(env, "cards", "list", "--csv").splitlines()}
    for ref in ("QZ-77", "QZ-78"):
        scan = requests.post(f"{base}/api/v1/checkins", json={"code": cards[ref], "nonce": f"in-{ref[-2:]}",
                                                              "type": "entry"},
                             headers={"Authorization": f"Bearer {gate}"}, timeout=10).json()
        assert scan["status"] == "ok"
    with sqlite3.connect(database) as con:
        attendee_id, other_id = (con.execute("SELECT id FROM attendee WHERE ref = ?", (ref,)).fetchone()[0]
                                 for ref in ("QZ-77", "QZ-78"))
    assert _candidate_refs(base, api, booth, top=1) == {"QZ-77"}  # the server's pool ranks them first

    erased = subprocess.run([FAIR, "attendee", "erase", "QZ-77", "--yes"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert erased.returncode == 0, erased.stderr
    erased_at = time.monotonic()

    # The running server: the booth no longer sees them in the hall, and its pool of people
    # inside forgot them (it polls the fair's revision): the best one inside is the other person.
    while _candidate_refs(base, api, booth, top=1) != {"QZ-78"}:
        assert not {"QZ-77", f"erased-{attendee_id}"} & _candidate_refs(base, api, booth), \
            "the served process lists the erased person"
        assert time.monotonic() - erased_at < 3, "the served process's pool still holds the erased person"
        time.sleep(0.05)
    dropped = datetime.now(timezone.utc).replace(tzinfo=None)
    with sqlite3.connect(database) as con:
        committed = datetime.fromisoformat(con.execute(
            "SELECT at FROM audit_event WHERE action = 'attendee.erase'").fetchone()[0])
    print(f"dropped by the server's pool {time.monotonic() - erased_at:.2f} s after the CLI returned, "
          f"at most {(dropped - committed).total_seconds():.2f} s after the erasure")

    with sqlite3.connect(database) as con:
        inside, ref = con.execute("SELECT inside, ref FROM attendee WHERE id = ?", (attendee_id,)).fetchone()
        audit = con.execute("SELECT subject, details FROM audit_event").fetchall()
    assert inside == 0 and ref == f"erased-{attendee_id}"
    assert not [row for row in audit if "QZ-77" in (row[0] or "") + (row[1] or "")]
    assert (f"attendee:#{attendee_id}", ) in [(row[0],) for row in audit]

    # What it cannot reach, said plainly: both backups, with their paths.
    assert "NOT erased: 2 backup(s)" in erased.stdout
    assert str(old_backup.resolve()) in erased.stdout
    assert str(instance / "backups") in erased.stdout

    # The database file: secure_delete zeroed the old bytes, the checkpoint emptied the WAL.
    for path in (database, Path(f"{database}-wal")):
        if path.exists():
            data = path.read_bytes()
            for value in (*NAME, "0899912345", "quillon@example.com", "QZ-77"):
                assert value.encode() not in data, (path.name, value)
    assert NAME[0].encode() in old_backup.read_bytes()  # the copy made before still has it, as reported
