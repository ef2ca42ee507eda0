"""One change signal (fair.core.changes): what another process writes reaches this one's caches
when the fair's revision moves, and only through it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fair.booths.services import booth_facts
from fair.core import cached
from fair.core.changes import RevisionWatcher
from fair.extensions import db
from fair.matching import services as matching
from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def _fair_command(app, *args: str) -> str:
    """Run the `fair` command in a process of its own, on this test's database."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAIR_INSTANCE": app.instance_path,
           "FAIR_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "FAIR_SECRET_KEY": "test-secret"}
    script = "import sys; from fair.entry import main; sys.argv[0] = 'fair'; main()"
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _tick(app, watcher: RevisionWatcher) -> list[int]:
    """One poll as the server's broadcast loop makes it (an app context and session of its own),
    then a fresh read snapshot here, as the next request would have."""
    with app.app_context():
        moved = watcher.poll(app)
    db.session.commit()
    return moved


def test_a_job_edited_by_an_import_in_another_process_is_seen_after_the_change_signal(app, fair, tmp_path):
    employer = factories.make_employer(fair, ref="E1", booth_code="A1", name="Siam Packing")
    job = factories.make_job(employer, ref="J1", title="Forklift driver")
    booth = employer.booths[0]
    watcher = RevisionWatcher()
    watcher.poll(app)  # the server learns where the revision stands
    assert matching.fair_matching(fair.id).jobs[job.id].title == "Forklift driver"
    assert booth_facts(booth.id).employer_name == "Siam Packing"

    jobs = tmp_path / "jobs.csv"
    jobs.write_text("job_ref,employer_ref,title\nJ1,E1,Warehouse supervisor\n", encoding="utf-8")
    employers = tmp_path / "employers.csv"
    employers.write_text("employer_ref,name,booth\nE1,Siam Packing Group,A1\n", encoding="utf-8")
    assert "1 updated" in _fair_command(app, "import", "jobs", "--update", str(jobs))
    assert "1 updated" in _fair_command(app, "import", "employers", "--update", str(employers))

    # Nothing is re-read before the signal: the hot paths query nothing to find changes.
    assert matching.fair_matching(fair.id).jobs[job.id].title == "Forklift driver"
    assert booth_facts(booth.id).employer_name == "Siam Packing"
    assert _tick(app, watcher) == [fair.id]   # what the server's broadcast loop does every second
    assert matching.fair_matching(fair.id).jobs[job.id].title == "Warehouse supervisor"
    assert booth_facts(booth.id).employer_name == "Siam Packing Group"
    assert _tick(app, watcher) == []


def test_an_import_bumps_the_revision_and_tells_this_process_at_once(app, fair):
    from fair.loading import store
    employer = factories.make_employer(fair, ref="E1", booth_code="A1")
    job = factories.make_job(employer, ref="J1", title="Forklift driver")
    before = fair.revision
    assert matching.fair_matching(fair.id).jobs[job.id].title == "Forklift driver"
    report = store.import_file("jobs", b"job_ref,employer_ref,title\nJ1,E1,Packer\n", on_existing="update")
    assert report.updated == 1
    assert fair.revision == before + 1
    assert matching.fair_matching(fair.id).jobs[job.id].title == "Packer"


def test_a_device_revoked_by_another_process_is_dropped_from_the_scan_facts_at_the_signal(app, fair, gate):
    watcher = RevisionWatcher()
    watcher.poll(app)
    assert cached.device(gate.device.id).active is True
    _fair_command(app, "device", "revoke", str(gate.device.id))
    assert cached.device(gate.device.id).active is True   # no age rule any more: the signal decides
    assert _tick(app, watcher) == [fair.id]
    assert cached.device(gate.device.id).active is False


def test_a_fair_created_after_the_first_poll_counts_as_changed(app):
    from fair.core.fairs import ensure_fair
    watcher = RevisionWatcher()
    assert watcher.poll(app) == []
    fair, _ = ensure_fair("Late Fair")
    assert watcher.poll(app) == [fair.id]
