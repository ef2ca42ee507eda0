"""The CLI speaks English (issue 15: it is the organiser's tool on the laptop), whatever the
laptop's locale or the fair's default page language (BABEL_DEFAULT_LOCALE "th"): messages shared
with the pages (gettext in the services) must not come out in Thai in `fair ...` output."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fair import create_app
from fair.extensions import db

THAI = re.compile(r"[\u0e00-\u0e7f]")
THAI_ENV = {"LANG": "th_TH.UTF-8", "LC_ALL": "th_TH.UTF-8", "LANGUAGE": "th", "FAIR_BABEL_DEFAULT_LOCALE": "th"}
DATA = Path(__file__).parent / "data"


@pytest.fixture
def thai_cli(tmp_path):
    """The CLI of a fair whose pages default to Thai, run under a Thai locale."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}",
                      "BASE_URL": "http://fair.test:5000", "BABEL_DEFAULT_LOCALE": "th"})
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args), env=THAI_ENV)
    assert invoke("init").exit_code == 0
    assert invoke("import", "employers", str(DATA / "employers.csv")).exit_code == 0
    yield invoke
    with app.app_context():
        db.engine.dispose()


def _english(result) -> str:
    text = result.output
    assert not THAI.search(text), f"Thai in the CLI's output:\n{text}"
    return text


def test_refusals_shared_with_the_pages_come_out_in_english(thai_cli, tmp_path):
    code = "A1"
    # An export in Thai first: its words are Thai (force_locale), the CLI's messages after it are not.
    out = tmp_path / "leads.csv"
    assert "Wrote 0 leads" in _english(thai_cli("export", "leads", "--lang", "th", "--out", str(out)))
    refused = thai_cli("booth", "question", "add", code, "Shift", "--kind", "choice", "--choice", "Day")
    assert refused.exit_code == 1 and "A choice question needs 2 to" in _english(refused)
    thai_cli("booth", "question", "add", code, "ขับรถได้ไหม", "--kind", "yesno")   # a Thai label is data, fine
    twice = thai_cli("booth", "question", "add", code, "ขับรถได้ไหม", "--kind", "yesno")
    assert twice.exit_code == 1 and "already asks that question" in twice.output
    assert not THAI.search(twice.output.replace("ขับรถได้ไหม", ""))
    assert "No booth 'ZZ'" in _english(thai_cli("device", "pair", "--booth", "ZZ"))
    assert "No booth 'ZZ'" in _english(thai_cli("export", "leads", "--booth", "ZZ", "--lang", "th"))
    listed = _english(thai_cli("device", "list"))
    assert listed.startswith("No devices yet") or "last seen" in listed


def test_a_bad_import_file_is_explained_in_english(thai_cli):
    result = thai_cli("import", "attendees", str(DATA / "attendees_bad.csv"))
    assert result.exit_code == 1 and "nothing was imported" in result.output
    problems = [re.sub(r"^\s*(error|warning): ", "", line) for line in result.output.splitlines()
                if re.match(r"^\s*(error: |warning: )?line \d", line)]
    assert any(line.startswith("line ") for line in problems)
    for line in problems:
        # The cell a problem quotes may be Thai (the attendee typed it), and "(ใช่/ไม่)" or
        # "ตามตกลง" name Thai values the file may hold; the explanation itself is English.
        explanation = line.split(":", 1)[1].rsplit(":", 1)[0] if ":" in line else line
        for value_the_file_may_hold in ("(ใช่/ไม่)", "ตามตกลง"):
            explanation = explanation.replace(value_the_file_may_hold, "")
        assert not THAI.search(explanation), line


def test_the_real_command_under_a_thai_locale_answers_in_english(tmp_path):
    """`python -m fair.entry`, as `fair` runs on the laptop: a Thai locale and FAIR_BABEL_DEFAULT_LOCALE=th."""
    env = {**os.environ, **THAI_ENV, "FAIR_INSTANCE": str(tmp_path / "instance"), "FAIR_ASYNC_MODE": "threading"}
    env.pop("FAIR_DATABASE_URL", None)

    def fair(*args):
        return subprocess.run([sys.executable, "-m", "fair.entry", *args], env=env, capture_output=True,
                              text=True, timeout=120, check=False)
    init = fair("init")
    assert init.returncode == 0, init.stderr
    assert "Database ready" in init.stdout and not THAI.search(init.stdout + init.stderr)
    for args, expected in ((("device", "pair", "--booth", "A1"), "there are no booths yet"),
                           (("booth", "question", "add", "ZZ", "Shift"), "No booth 'ZZ'"),
                           (("attendee", "erase", "NOPE", "--yes"), "No attendee 'NOPE'")):
        done = fair(*args)
        assert done.returncode == 1 and expected in done.stderr, (args, done.stdout, done.stderr)
        assert not THAI.search(done.stdout + done.stderr), (args, done.stdout, done.stderr)
    assert fair("import", "employers", str(DATA / "employers.csv")).returncode == 0
    # A refusal worded once for the pages and the CLI (gettext in booths.services).
    for args, expected in ((("booth", "question", "add", "A1", "Shift", "--kind", "choice", "--choice", "Day"),
                            "A choice question needs 2 to"),):
        done = fair(*args)
        assert done.returncode == 1 and expected in done.stderr, (args, done.stdout, done.stderr)
        assert not THAI.search(done.stdout + done.stderr), (args, done.stdout, done.stderr)
