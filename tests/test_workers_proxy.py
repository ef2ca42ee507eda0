"""docs/haproxy.cfg for real: HAProxy before two `fair serve` workers on one Redis. Long-polling
sockets work (sticky sessions), and a phone's login attempts count once whichever worker answers."""
from __future__ import annotations

import json
import re
import time

import pytest
import requests
import socketio

from tests.served_process import free_port
from tests.served_workers import (fair, fair_env, haproxy_available, proxy, redis_available, redis_server,
                                  workers)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (redis_available() and haproxy_available()),
                                 reason="needs redis-server and haproxy (Debian packages)")]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    folder = tmp_path_factory.mktemp("proxied")
    with redis_server(folder / "redis") as url:
        env = fair_env(folder, url, TRUSTED_PROXIES="1")
        fair(env, "init")
        fair(env, "demo", "--attendees", "20", "--booths", "2")
        ports = [free_port(), free_port()]
        with workers(env, ports), proxy(folder / "proxy", free_port(), ports) as base:
            yield env, base


def test_long_polling_sockets_through_the_proxy_reach_each_other_across_workers(proxied):
    env, base = proxied
    gate = json.loads(fair(env, "device", "pair", "--gate", "Proxied door", "--json"))["token"]
    screen_token = json.loads(fair(env, "device", "pair", "--dashboard", "Proxied screen", "--json"))["token"]
    card = fair(env, "cards", "list", "--csv").splitlines()[1].split(",")[-1]
    screens, events = [], []
    try:
        for _ in range(4):   # leastconn spreads them over both workers
            screen = socketio.Client(reconnection=False)
            screen.on("events", lambda batch: events.extend(batch), namespace="/live")
            screen.connect(base, namespaces=["/live"], transports=["polling"], auth={"token": screen_token},
                           wait_timeout=20)
            screens.append(screen)
        phone = socketio.Client(reconnection=False)
        phone.connect(base, namespaces=["/live"], transports=["polling"], auth={"token": gate}, wait_timeout=20)
        screens.append(phone)
        ack = phone.call("scan", {"code": card, "nonce": "proxied-1", "type": "entry"}, namespace="/live", timeout=20)
        assert ack["status"] == "ok"
        deadline = time.monotonic() + 5
        while sum(e.get("id") == ack["checkin_id"] for e in events) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(e.get("id") == ack["checkin_id"] for e in events) == 4, "a screen missed the check-in"
        assert all(screen.connected for screen in screens)
    finally:
        for screen in screens:
            screen.disconnect()


def test_a_phones_login_attempts_count_once_across_workers_and_a_made_up_address_buys_none(proxied):
    _, base = proxied
    answers = []
    for attempt in range(12):
        session = requests.Session()   # no sticky cookie: any worker may answer
        page = session.get(f"{base}/login", timeout=10)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        answers.append(session.post(f"{base}/login", data={"csrf_token": token, "username": "admin",
                                                           "password": "wrong"},
                                    headers={"X-Forwarded-For": f"10.9.0.{attempt}"}, timeout=10).status_code)
    assert answers[:10] == [401] * 10
    assert answers[10:] == [429, 429]
