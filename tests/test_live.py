"""Socket.IO /live: who may connect, and published events reaching the right rooms in batches."""
from __future__ import annotations

import pytest

from fair.core import disclosure


from fair.web import live
def _events(client) -> list[dict]:
    received = client.get_received(live.NAMESPACE)
    return [event for message in received if message["name"] == "events" for event in message["args"][0]]


def test_dashboard_receives_what_a_service_publishes(live_client, dashboard_device, fair):
    screen = live_client(dashboard_device.token)
    assert screen.is_connected(live.NAMESPACE)
    live.publish("checkin", {"id": 7, "status": "ok"}, fair=fair.id)
    live.publish("checkin", {"id": 8, "status": "ok"}, fair=fair.id)
    assert _events(screen) == []  # nothing leaves before the broadcaster's tick
    assert live.flush() >= 1
    received = screen.get_received(live.NAMESPACE)
    batches = [m for m in received if m["name"] == "events"]
    assert len(batches) == 1  # two events, one message
    assert [e["id"] for e in batches[0]["args"][0]] == [7, 8]
    assert any(m["name"] == "stats" for m in received)


def test_booth_room_events_stay_in_the_booth(live_client, fair, booth, booth_device):
    from tests import factories
    other_employer = factories.make_employer(fair, ref="E2", booth_code="B2")
    other_device = factories.make_device(fair, "booth", "Other booth", other_employer.booths[0])
    mine, theirs = live_client(booth_device.token), live_client(other_device.token)
    live.publish("lead", {"id": 1}, fair=fair.id, booth=booth.id)
    live.flush()
    assert [e["id"] for e in _events(mine)] == [1]
    assert _events(theirs) == []


def test_anonymous_counter_gets_stats_but_no_events(live_client, fair):
    counter = live_client()
    assert counter.is_connected(live.NAMESPACE)
    live.publish("checkin", {"id": 1, "attendee": {"name": "สมชาย"}}, fair=fair.id)
    live.flush()
    received = counter.get_received(live.NAMESPACE)
    assert [m["name"] for m in received] == ["stats"]
    assert "สมชาย" not in str(received)


def test_a_forged_token_is_refused(live_client, fair):
    with pytest.raises(Exception):
        client = live_client("not-a-real-token")
        assert not client.is_connected(live.NAMESPACE)
        raise ConnectionRefusedError


def test_batches_are_per_room_not_per_event(live_client, dashboard_device, fair):
    screen = live_client(dashboard_device.token)
    for i in range(100):
        live.publish("checkin", {"id": i}, fair=fair.id)
    live.flush()
    batches = [m for m in screen.get_received(live.NAMESPACE) if m["name"] == "events"]
    assert len(batches) == 1 and len(batches[0]["args"][0]) == 100


def test_big_screens_get_events_without_names_and_organisers_with(live_client, dashboard_device, fair,
                                                                   organiser_client):
    screen = live_client(dashboard_device.token)
    organiser = live_client(flask_client=organiser_client)
    live.publish("checkin", {"id": 3, "gate": "Gate 1", "attendee": {"ref": "A9", "name": "สมหญิง"}}, fair=fair.id)
    live.publish("lead", {"id": 4, "booth": "A1", "lead": {"candidate": {"name": "สมหญิง"}, "rating": 5}}, fair=fair.id)
    live.flush()
    on_screen = screen.get_received(live.NAMESPACE)
    assert "สมหญิง" not in str(on_screen) and "A9" not in str(on_screen)
    assert [e["id"] for e in _events_of(on_screen)] == [3, 4]
    assert "สมหญิง" in str(organiser.get_received(live.NAMESPACE))


def test_each_dashboard_gets_one_stats_message_per_tick(live_client, dashboard_device, fair, organiser_client):
    screen = live_client(dashboard_device.token)
    organiser = live_client(flask_client=organiser_client)
    counter = live_client()
    live.publish("checkin", {"id": 1}, fair=fair.id)
    live.flush()
    for client in (screen, organiser, counter):
        assert [m["name"] for m in client.get_received(live.NAMESPACE)].count("stats") == 1
    assert set(_stats_of(counter)) <= set(disclosure.PUBLIC_COUNTS)


def _events_of(received) -> list[dict]:
    return [e for m in received if m["name"] == "events" for e in m["args"][0]]


def _stats_of(client) -> dict:
    live.publish("checkin", {"id": 99}, fair=1)
    live.flush()
    return next(m["args"][0] for m in client.get_received(live.NAMESPACE) if m["name"] == "stats")


def test_stats_are_sent_at_most_once_per_interval_and_never_dropped(live_client, dashboard_device, fair):
    import time
    screen = live_client(dashboard_device.token)
    live.broadcaster().reset(stats_interval=0.3)
    live.publish("checkin", {"id": 1}, fair=fair.id)
    live.flush()
    live.publish("checkin", {"id": 2}, fair=fair.id)
    live.flush()  # too soon: events go, stats wait
    names = [m["name"] for m in screen.get_received(live.NAMESPACE)]
    assert names.count("stats") == 1 and names.count("events") == 2
    time.sleep(0.35)
    live.flush()  # nothing new published, but the withheld stats go now
    assert [m["name"] for m in screen.get_received(live.NAMESPACE)] == ["stats"]


def test_a_connected_phone_revoked_is_cut_off_and_cannot_scan(live_client, fair, gate):
    """Revocation disconnects the socket (fair.web.socket) and drops the cached device at once (fair.core.cached)."""
    from fair.core import cached
    from fair.web.auth import revoke_device
    from tests import factories
    phone = live_client(token=gate.token)
    first = factories.make_attendee(fair, ref="R1")
    ack = phone.emit("scan", {"code": factories.token_of(first), "nonce": "r1"}, namespace=live.NAMESPACE,
                     callback=True)
    assert ack["status"] == "ok"
    revoke_device(gate.device, actor="organiser:1")
    assert not phone.is_connected(live.NAMESPACE)
    assert cached.device(gate.device.id).active is False
