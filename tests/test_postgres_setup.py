"""PostgreSQL settings: the connection pool, and psycopg yielding to eventlet's other green threads."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fair import config as fair_config
from fair.extensions import db
from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


def test_postgresql_gets_a_tuned_pool_and_given_options_win():
    settings = {**fair_config.DEFAULTS, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db",
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3}, "DATABASE_MAX_OVERFLOW": "7"}
    options = fair_config.engine_options(settings)
    assert options == {"pool_size": 3, "max_overflow": 7, "pool_timeout": 10.0, "pool_recycle": 1800,
                       "pool_pre_ping": True, "json_serializer": fair_config.compact_json}
    sqlite = fair_config.engine_options({**fair_config.DEFAULTS, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})
    assert sqlite == {"json_serializer": fair_config.compact_json}


@pytest.mark.postgres_only("the app's engine on PostgreSQL")
def test_the_apps_postgresql_engine_uses_the_pool_settings(app):
    assert db.engine.pool.size() == app.config["DATABASE_POOL_SIZE"]
    assert db.engine.pool._pre_ping is True


GREEN_CHECK = """
import eventlet
eventlet.monkey_patch()
import sys
import psycopg
from fair.ops.serving import make_psycopg_green
assert make_psycopg_green()
url = sys.argv[1]
slow, quick = psycopg.connect(url, autocommit=True), psycopg.connect(url, autocommit=True)
finished = []
def run(connection, seconds, name):
    connection.execute("SELECT pg_sleep(%s)", (seconds,))
    finished.append(name)
pool = eventlet.GreenPool()
pool.spawn(run, slow, 1.0, "slow")
eventlet.sleep(0.1)  # the slow query is on its way
pool.spawn(run, quick, 0.0, "quick")
pool.waitall()
print(",".join(finished))
"""


@pytest.mark.postgres_only("a query on PostgreSQL under eventlet")
def test_a_slow_query_under_eventlet_lets_another_green_thread_finish_first():
    from sqlalchemy.engine import make_url
    conninfo = make_url(TEST_DATABASE_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PSYCOPG_WAIT_FUNC", None)
    done = subprocess.run([sys.executable, "-c", GREEN_CHECK, conninfo], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "quick,slow"  # with psycopg's own wait_c: slow,quick


def test_json_columns_are_written_as_utf8_without_spaces():
    written = fair_config.compact_json({"name": "สมชาย", "tags": ["a", "b"]})
    assert written == '{"name":"สมชาย","tags":["a","b"]}'
