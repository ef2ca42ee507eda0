"""A worker killed under load (tests/failover_load.py): HAProxy and two workers on one Redis, gate
and booth phones scanning through the proxy, worker A killed with SIGKILL. The phones on A reconnect to B,
and nothing a phone was told is stored is lost or stored twice; what they queued is replayed.
On the database the suite runs on (a new SQLite file, or a new PostgreSQL schema)."""
from __future__ import annotations

import pytest

from tests.failover_load import run
from tests.served_workers import haproxy_available, redis_available

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (redis_available() and haproxy_available()),
                                 reason="needs redis-server and haproxy (Debian packages)")]


def test_a_worker_killed_under_load_loses_and_doubles_no_acknowledged_scan(tmp_path, empty_database_url):
    outcome = run(tmp_path, phones=8, rate=40, seconds=8, kill_at=3, attendees=200, database_url=empty_database_url)
    summary = outcome.summary()
    print(summary)
    # The load reached both workers, so the kill cut some phones off, and they came back.
    assert outcome.phones_cut >= 1, summary
    assert outcome.phones_back == outcome.phones_cut, summary
    assert outcome.latency_after, "no scan was made after the kill"
    # Every scan was answered, and stored once under its nonce with the id its answer gave.
    assert outcome.unanswered == [], summary
    assert outcome.lost == [] and outcome.wrong_id == [] and outcome.phantom == 0, summary
    assert outcome.stored_rows == outcome.scans, summary


def test_a_worker_that_hangs_then_dies_leaves_queued_scans_that_replay_to_the_other_once_each(tmp_path,
                                                                                              empty_database_url):
    # Stopped, A keeps its sockets open and answers nothing: the scans sent to it wait for acks
    # that never come and queue, and are replayed through the proxy to B with their own nonces.
    outcome = run(tmp_path, phones=8, rate=40, seconds=10, kill_at=3, freeze=2.5, attendees=200,
                  database_url=empty_database_url)
    summary = outcome.summary()
    print(summary)
    assert outcome.by_via.get("replay", 0) >= 1, summary
    assert outcome.phones_cut >= 1 and outcome.phones_back == outcome.phones_cut, summary
    assert outcome.unanswered == [], summary
    assert outcome.lost == [] and outcome.wrong_id == [] and outcome.phantom == 0, summary
    assert outcome.stored_rows == outcome.scans, summary
