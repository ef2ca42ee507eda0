"""A revoked device loses its live socket at once: disconnected, out of every room."""
from __future__ import annotations

import pytest

from fair.web import live


@pytest.mark.parametrize("kind", ["gate", "booth", "dashboard", "api"])
def test_revoking_a_device_disconnects_its_sockets_and_empties_its_rooms(request, live_client, fair, kind):
    from fair.web.auth import revoke_device
    from fair.extensions import socketio
    device = request.getfixturevalue({"gate": "gate", "booth": "booth_device", "dashboard": "dashboard_device",
                                      "api": "api_device"}[kind])
    first, second = live_client(device.token), live_client(device.token)   # two tabs of one device
    bystander = live_client()
    assert first.is_connected(live.NAMESPACE) and second.is_connected(live.NAMESPACE)
    sids = {c.eio_sid for c in (first, second)}
    revoke_device(device.device, actor="organiser:1")
    assert not first.is_connected(live.NAMESPACE) and not second.is_connected(live.NAMESPACE)
    assert bystander.is_connected(live.NAMESPACE)
    rooms = socketio.server.manager.rooms.get(live.NAMESPACE, {})
    members = {eio for room, sids_in in rooms.items() if room is not None for eio in sids_in.values()}
    assert not members & sids


def test_revoking_one_device_leaves_the_others_connected(live_client, fair, gate):
    from fair.web.auth import revoke_device
    from tests import factories
    other = factories.make_device(fair, "gate", "Gate 2")
    mine, theirs = live_client(gate.token), live_client(other.token)
    revoke_device(gate.device, actor="organiser:1")
    assert not mine.is_connected(live.NAMESPACE)
    assert theirs.is_connected(live.NAMESPACE)


def test_a_revoked_device_is_refused_when_it_reconnects(live_client, fair, gate):
    from fair.web.auth import revoke_device
    live_client(gate.token)
    revoke_device(gate.device, actor="organiser:1")
    assert not live_client(gate.token).is_connected(live.NAMESPACE)
