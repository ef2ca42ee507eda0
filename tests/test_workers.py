"""Two real `fair serve` workers on one fair and one Redis (FAIR_MESSAGE_QUEUE): what happens on
one is seen on the other (fair.web.cluster)."""
from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
import requests
import socketio

from tests.served_process import free_port
from tests.served_workers import fair, fair_env, redis_available, redis_server, workers

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not redis_available(), reason="redis-server is not installed "
                                 "(scripts/install-system-deps installs it)")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Redis, a demo fair, and workers A and B; yields (env, base A, base B, tokens, cards)."""
    folder = tmp_path_factory.mktemp("workers")
    with redis_server(folder / "redis") as url:
        env = fair_env(folder, url)
        fair(env, "init")
        fair(env, "demo", "--attendees", "40", "--booths", "3")
        tokens = {kind: json.loads(fair(env, "device", "pair", f"--{kind}", name, "--json"))["token"]
                  for kind, name in (("gate", "Door"), ("dashboard", "Screen"), ("api", "Checks"))}
        tokens["gate2"] = json.loads(fair(env, "device", "pair", "--gate", "Door 2", "--json"))["token"]
        cards = [line.split(",")[-1] for line in fair(env, "cards", "list", "--csv").splitlines()[1:]]
        with workers(env, [free_port(), free_port()]) as (a, b):
            yield env, a, b, tokens, cards


def _client(base: str, token: str | None = None) -> tuple[socketio.Client, list, list]:
    events: list[dict] = []
    stats: list[dict] = []
    client = socketio.Client(reconnection=False)
    client.on("events", lambda batch: events.extend(batch), namespace="/live")
    client.on("stats", lambda data: stats.append(data), namespace="/live")
    client.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token} if token else None,
                   wait_timeout=10)
    return client, events, stats


def _wait(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_check_in_on_worker_a_reaches_a_dashboard_and_counter_on_worker_b(cluster):
    _, a, b, tokens, cards = cluster
    screen, events, stats = _client(b, tokens["dashboard"])
    counter, _, counter_stats = _client(b)
    phone, _, _ = _client(a, tokens["gate"])
    try:
        time.sleep(0.3)
        before = max((s.get("checked_in", 0) for s in counter_stats), default=0)
        acks = [phone.call("scan", {"code": card, "nonce": f"ab-{i}", "type": "entry"}, namespace="/live", timeout=10)
                for i, card in enumerate(cards[:10])]
        assert [ack["status"] for ack in acks] == ["ok"] * 10
        ids = {ack["checkin_id"] for ack in acks}
        assert _wait(lambda: ids <= {e.get("id") for e in events if e.get("type") == "checkin"}), \
            "the dashboard on B missed check-ins made on A"
        # Counts come from one stats leader, to every worker's rooms.
        assert _wait(lambda: any(s.get("checked_in", 0) >= before + 10 for s in counter_stats)), counter_stats[-3:]
        assert _wait(lambda: any(s.get("checked_in", 0) >= before + 10 for s in stats))
    finally:
        for client in (phone, screen, counter):
            client.disconnect()


def test_a_double_scan_of_one_card_on_both_workers_counts_once(cluster):
    _, a, b, tokens, cards = cluster
    card = cards[20]
    answers: list[dict] = []

    def scan(base: str, token: str, nonce: str) -> None:
        answers.append(requests.post(f"{base}/api/v1/checkins", json={"code": card, "nonce": nonce, "type": "entry"},
                                     headers={"Authorization": f"Bearer {token}"}, timeout=10).json())
    threads = [threading.Thread(target=scan, args=(a, tokens["gate"], "dbl-a")),
               threading.Thread(target=scan, args=(b, tokens["gate2"], "dbl-b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer["status"] for answer in answers) == ["already_inside", "ok"]


def _hall(base: str, token: str, booth: str) -> list[str]:
    response = requests.get(f"{base}/api/v1/booths/{booth}/candidates?top=100",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return [c["attendee_ref"] for c in response.json()["candidates"]]


def test_the_hall_list_is_the_same_on_both_workers_after_entries_and_exits_on_one(cluster):
    env, a, b, tokens, cards = cluster
    with sqlite3.connect(f"{env['FAIR_INSTANCE']}/fair.db") as con:
        booth = con.execute("SELECT code FROM booth ORDER BY id LIMIT 1").fetchone()[0]
    for base in (a, b):
        _hall(base, tokens["api"], booth)   # both pools built before the scans
    gate = {"Authorization": f"Bearer {tokens['gate']}"}
    for i, card in enumerate(cards[25:35]):
        assert requests.post(f"{a}/api/v1/checkins", json={"code": card, "nonce": f"hall-{i}", "type": "entry"},
                             headers=gate, timeout=10).json()["status"] == "ok"
    for i, card in enumerate(cards[25:28]):
        assert requests.post(f"{a}/api/v1/checkins", json={"code": card, "nonce": f"hall-out-{i}", "type": "exit"},
                             headers=gate, timeout=10).json()["status"] == "exit_recorded"
    on_a = _hall(a, tokens["api"], booth)
    assert on_a, "nobody inside on A"
    # Told at A's next broadcast tick (0.25 s); generous for a loaded machine, where each
    # candidates request may take a second.
    assert _wait(lambda: sorted(_hall(b, tokens["api"], booth)) == sorted(on_a), 10.0), \
        "B's pool of people inside differs from A's"


def test_a_device_revoked_elsewhere_is_refused_on_both_workers_within_a_second(cluster):
    env, a, b, _, cards = cluster
    token = json.loads(fair(env, "device", "pair", "--gate", "Soon revoked", "--json"))
    token["id"] = next(line.split()[0] for line in fair(env, "device", "list").splitlines()
                       if line.endswith("Soon revoked"))
    on_a, _, _ = _client(a, token["token"])
    on_b, _, _ = _client(b, token["token"])
    try:
        assert on_b.call("scan", {"code": cards[36], "nonce": "rv-1", "type": "entry"},
                         namespace="/live", timeout=10)["status"] == "ok"
        # Revoked through worker A's own API-free path: the CLI, which tells the workers through Redis.
        fair(env, "device", "revoke", str(token["id"]))
        revoked_at = time.monotonic()
        assert _wait(lambda: not on_b.connected and not on_a.connected, 1.0), "a revoked device's socket stayed open"
        print(f"both sockets cut {time.monotonic() - revoked_at:.2f} s after the CLI returned")
        answer = requests.post(f"{b}/api/v1/checkins", json={"code": cards[37], "nonce": "rv-2", "type": "entry"},
                               headers={"Authorization": f"Bearer {token['token']}"}, timeout=10)
        assert answer.status_code == 401
    finally:
        on_a.disconnect()
        on_b.disconnect()
