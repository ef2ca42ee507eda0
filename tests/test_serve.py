"""`fair serve` for real: eventlet, websockets, and writes from another process reaching the counter."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import socketio

FAIR = str(Path(sys.executable).parent / "fair")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    env = {**os.environ, "FAIR_INSTANCE": str(tmp_path / "instance"), "FAIR_LIVE_BATCH_INTERVAL": "0.25"}
    env.pop("FAIR_ASYNC_MODE", None)
    subprocess.run([FAIR, "init"], env=env, check=True, capture_output=True)
    subprocess.run([FAIR, "demo", "--attendees", "20", "--booths", "3"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([FAIR, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("fair serve did not start: " + server.communicate()[0])
    yield base, env, port
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


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
