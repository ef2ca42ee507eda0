"""`fair serve` for real: eventlet, websockets, and writes from another process reaching the counter."""
from __future__ import annotations

import subprocess
import time

import pytest
import requests
import socketio

from tests.served_process import FAIR, served_demo


@pytest.fixture
def served(tmp_path):
    with served_demo(tmp_path) as served_fair:
        yield served_fair


def test_serve_answers_pages_and_json_errors(served):
    base, _, _ = served
    assert requests.get(base + "/").status_code == 200
    response = requests.get(base + "/api/v1/nope")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_a_second_serve_on_the_same_port_exits_with_one_clear_line(served):
    _, env, port = served
    result = subprocess.run([FAIR, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "Cannot listen on" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_gate_scan_over_a_real_websocket_and_the_counter_sees_another_process(served):
    base, env, _ = served
    gate = subprocess.run([FAIR, "device", "pair", "--gate", "Door", "--json"], env=env, check=True,
                          capture_output=True, text=True)
    import json
    token = json.loads(gate.stdout)["token"]
    cards = subprocess.run([FAIR, "cards", "list", "--csv"], env=env, check=True, capture_output=True, text=True)
    card_token = cards.stdout.splitlines()[1].split(",")[-1]

    counter_stats: list[dict] = []
    counter = socketio.Client()
    counter.on("stats", lambda data: counter_stats.append(data), namespace="/live")
    counter.connect(base, namespaces=["/live"], transports=["websocket"])
    phone = socketio.Client()
    phone.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token})
    try:
        ack = phone.call("scan", {"code": card_token, "nonce": "n-1", "type": "entry"}, namespace="/live", timeout=10)
        assert ack["status"] == "ok" and ack["attendee"]["ref"]
        again = phone.call("scan", {"code": card_token, "nonce": "n-1", "type": "entry"}, namespace="/live", timeout=10)
        assert again["checkin_id"] == ack["checkin_id"]

        deadline = time.monotonic() + 5
        while not any(s.get("inside") == 1 for s in counter_stats) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any(s.get("inside") == 1 for s in counter_stats)

        # Another process adds attendees: the server notices the write and the counter updates.
        counter_stats.clear()
        subprocess.run([FAIR, "demo", "--attendees", "25", "--booths", "3"], env=env, check=True, capture_output=True)
        deadline = time.monotonic() + 5
        while not counter_stats and time.monotonic() < deadline:
            time.sleep(0.1)
        assert counter_stats, "no stats after a write from another process"
    finally:
        phone.disconnect()
        counter.disconnect()


def _pair_gate_and_a_card(env) -> tuple[str, str]:
    import json
    gate = subprocess.run([FAIR, "device", "pair", "--gate", "Door", "--json"], env=env, check=True,
                          capture_output=True, text=True)
    cards = subprocess.run([FAIR, "cards", "list", "--csv"], env=env, check=True, capture_output=True, text=True)
    return json.loads(gate.stdout)["token"], cards.stdout.splitlines()[1].split(",")[-1]


def test_serve_under_gevent_answers_pages_and_acks_a_scan_over_a_websocket(tmp_path):
    pytest.importorskip("gevent")
    with served_demo(tmp_path, ASYNC_MODE="gevent") as (base, env, _):
        assert requests.get(base + "/").status_code == 200
        token, card_token = _pair_gate_and_a_card(env)
        phone = socketio.Client()
        phone.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token})
        try:
            assert phone.transport() == "websocket"
            ack = phone.call("scan", {"code": card_token, "nonce": "g-1", "type": "entry"}, namespace="/live",
                             timeout=10)
            assert ack["status"] == "ok" and ack["attendee"]["ref"]
        finally:
            phone.disconnect()


GEVENT_BLOCKING = """
from gevent import monkey
monkey.patch_all()
import gevent
from fair.web.blocking import let_others_run, run_blocking
real_ident = monkey.get_original("threading", "get_ident")
ran = []
gevent.spawn(ran.append, "other")
let_others_run()   # the other greenlet runs here
print(run_blocking(real_ident) != real_ident(), ran == ["other"])
"""


def test_under_gevent_blocking_work_runs_on_another_real_thread_and_greenlets_get_turns():
    pytest.importorskip("gevent")
    import os
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", GEVENT_BLOCKING], env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
