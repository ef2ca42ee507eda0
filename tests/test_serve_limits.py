"""`fair serve` under abuse: socket floods, revoked devices, idle and surplus connections.

One served process for the module (the limits are made short and small by
configuration); each test leaves no connection behind.
"""
from __future__ import annotations

import json
import socket
import subprocess
import threading
import time

import pytest
import requests
import socketio
import websocket

from tests.served_process import FAIR, served_demo
TIMEOUT = 1.5          # FAIR_SOCKET_TIMEOUT and FAIR_KEEPALIVE_TIMEOUT of the served process
CAP = 12               # FAIR_MAX_CONNECTIONS


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with served_demo(tmp_path_factory.mktemp("limits"), booths=2, SOCKET_TIMEOUT=str(TIMEOUT),
                     KEEPALIVE_TIMEOUT=str(TIMEOUT), MAX_CONNECTIONS=str(CAP)) as served_fair:
        yield served_fair


def _pair_gate(env, name: str) -> tuple[int, str]:
    token = json.loads(subprocess.run([FAIR, "device", "pair", "--gate", name, "--json"], env=env, check=True,
                                      capture_output=True, text=True).stdout)["token"]
    listing = subprocess.run([FAIR, "device", "list"], env=env, check=True, capture_output=True, text=True).stdout
    device_id = next(int(line.split()[0]) for line in listing.splitlines() if line.rstrip().endswith(name))
    return device_id, token


def _card_tokens(env) -> list[str]:
    cards = subprocess.run([FAIR, "cards", "list", "--csv"], env=env, check=True, capture_output=True, text=True)
    return [line.split(",")[-1] for line in cards.stdout.splitlines()[1:]]


def _raw_live_socket(port: int):
    """A bare Engine.IO websocket joined to /live with no credentials, as any laptop on the Wi-Fi can."""
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket", timeout=15)
    assert ws.recv().startswith("0")
    ws.send("40/live,")
    assert ws.recv().startswith("40/live,")
    return ws


def _closed_within(ws, seconds: float) -> bool:
    """True when the server ends the connection within `seconds` (pings and acks are read past)."""
    deadline = time.monotonic() + seconds
    ws.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            frame = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except (websocket.WebSocketConnectionClosedException, OSError):
            return True
        if frame == "" or frame is None:
            return True
    return False


def test_an_anonymous_socket_that_sends_a_scan_is_refused_and_cut_off(served):
    _, _, port = served
    ws = _raw_live_socket(port)
    try:
        ws.send('42/live,1["scan",{"code":"x","nonce":"n1","type":"entry"}]')
        answer = ws.recv()
        assert answer.startswith("43/live,1") and '"forbidden"' in answer
        try:
            ws.send('42/live,2["scan",{"code":"x","nonce":"n2","type":"entry"}]')
        except OSError:
            pass
        assert _closed_within(ws, 5)
    finally:
        ws.close()


def test_a_flooding_socket_is_cut_off_and_a_gate_keeps_scanning(served):
    _, env, port = served
    _, token = _pair_gate(env, "Flood gate")
    cards = _card_tokens(env)
    phone = socketio.Client()
    phone.connect(f"http://127.0.0.1:{port}", namespaces=["/live"], transports=["websocket"], auth={"token": token})
    ws = _raw_live_socket(port)
    cut = threading.Event()
    flood_done = threading.Event()

    def flood() -> None:
        # A counter page's connection, sending what it never should, until the server
        # ends it. Not a fixed count: the kernel's loopback buffers can take a megabyte
        # of frames before the server has read the first, so only a send that fails
        # says the connection was cut.
        deadline = time.monotonic() + 20
        try:
            while time.monotonic() < deadline:
                ws.send('42/live,["stats_please",{}]')
        except (OSError, websocket.WebSocketConnectionClosedException):
            cut.set()
        except websocket.WebSocketTimeoutException:
            pass          # the server stopped reading but kept the connection: not cut
        finally:
            flood_done.set()

    flooder = threading.Thread(target=flood, daemon=True)
    try:
        flooder.start()
        # A busy gate meanwhile: forty scans back to back stay within its allowance.
        for i, card in enumerate((cards * 3)[:40]):
            ack = phone.call("scan", {"code": card, "nonce": f"flood-{i}", "type": "entry" if i < 20 else "exit"},
                             namespace="/live", timeout=10)
            assert "status" in ack, ack
        assert flood_done.wait(25) and cut.is_set(), "the flooding socket was never cut off"
        assert _closed_within(ws, 5)
        assert phone.connected
    finally:
        ws.close()
        phone.disconnect()


def test_a_device_revoked_from_the_command_line_loses_its_socket_within_two_seconds(served):
    base, env, _ = served
    device_id, token = _pair_gate(env, "Revoked gate")
    gone = threading.Event()
    phone = socketio.Client(reconnection=False)
    phone.on("disconnect", lambda *_: gone.set(), namespace="/live")
    phone.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token})
    try:
        subprocess.run([FAIR, "device", "revoke", str(device_id)], env=env, check=True, capture_output=True)
        revoked_at = time.monotonic()
        assert gone.wait(5), "the revoked gate's socket stayed connected"
        assert time.monotonic() - revoked_at < 2.5
        again = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            again.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token},
                          wait_timeout=5)
    finally:
        phone.disconnect()


def test_an_idle_half_open_connection_is_closed_after_the_timeout(served):
    _, _, port = served
    with socket.create_connection(("127.0.0.1", port)) as idle:
        idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")   # headers begun, never finished
        idle.settimeout(TIMEOUT * 4)
        started = time.monotonic()
        try:
            assert idle.recv(1024) == b""
        except ConnectionResetError:
            pass
        assert time.monotonic() - started < TIMEOUT * 3


def test_a_connection_over_the_cap_is_answered_503_at_once(served):
    base, _, port = served
    time.sleep(TIMEOUT * 1.5)   # what earlier tests left open has timed out
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(CAP)]
    try:
        for s in held:
            s.sendall(b"GET / HTTP/1.1\r\n")   # each holds a connection slot until its timeout
        time.sleep(0.2)
        started = time.monotonic()
        response = requests.get(base + "/api/v1/stats", timeout=5)
        assert response.status_code == 503 and response.json()["error"] == "server_busy"
        assert time.monotonic() - started < TIMEOUT
    finally:
        for s in held:
            s.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:   # slots free again once those are closed
        if requests.get(base + "/").status_code == 200:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the server stayed busy after the connections closed")
