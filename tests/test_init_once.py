"""`fair init` run by two processes at the same moment (two workers or machines starting
together): one sets the database up, the other waits and finds it done."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_two_inits_at_once_set_the_database_up_once(tmp_path, empty_database_url):
    url = empty_database_url
    runs = []
    for worker in ("a", "b"):
        env = {**os.environ, "FAIR_INSTANCE": str(tmp_path / f"instance-{worker}"), "FAIR_DATABASE_URL": url,
               "FAIR_SECRET_KEY": "shared-secret", "FAIR_NATIONAL_ID_KEY": "5e" * 32, "PYTHONPATH": str(ROOT)}
        env.pop("FAIR_TEST_DATABASE_URL", None)
        runs.append(subprocess.Popen([sys.executable, "-m", "fair.entry", "init"], env=env, cwd=tmp_path,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("(created, new signing keys)" in out for out in outputs) == 1, outputs
    assert sum("Organiser login (shown once" in out for out in outputs) == 1, outputs
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM fair")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM organiser")).scalar() == 1
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1
