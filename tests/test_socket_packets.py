"""fair.web.packets: the server's Socket.IO packets encode exactly as python-socketio's own."""
from __future__ import annotations

import pytest
from socketio import packet

from fair.extensions import socketio
from fair.web.packets import JsonFirstPacket

CASES = [
    dict(packet_type=packet.EVENT, namespace="/live",
         data=["events", [{"type": "lead", "name": "เพ็ญศรี", "n": [1, 2.5, None, True], "x": {}}]]),
    dict(packet_type=packet.ACK, namespace="/live", id=12, data=[{"status": "ok", "matches": []}]),
    dict(packet_type=packet.EVENT, namespace="/", data=["photo", {"raw": b"\x00\x01", "n": 1}]),
    dict(packet_type=packet.ACK, namespace="/live", id=3, data=[b"\xff"]),
    dict(packet_type=packet.EVENT, namespace="/live", data=None),
    dict(packet_type=packet.CONNECT, namespace="/live", data={"sid": "abc"}),
    dict(packet_type=packet.CONNECT_ERROR, namespace="/live", data={"message": "invalid token"}),
    dict(packet_type=packet.DISCONNECT, namespace="/live"),
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: f"{packet.packet_names[a['packet_type']]}")
def test_same_text_and_attachments_as_the_library(args):
    ours, theirs = JsonFirstPacket(**args), packet.Packet(**args)
    assert ours.packet_type == theirs.packet_type
    assert ours.encode() == theirs.encode()


def test_a_payload_with_bytes_still_becomes_a_binary_packet():
    pkt = JsonFirstPacket(packet.EVENT, namespace="/live", data=["x", {"b": b"ab"}])
    assert pkt.packet_type == packet.BINARY_EVENT
    head, attachment = pkt.encode()
    assert head.startswith("51-/live,") and attachment == b"ab"


def test_decoding_is_the_library_s():
    pkt = JsonFirstPacket(encoded_packet='2/live,["scan",{"code":"SJW1.X","nonce":"n1"}]')
    assert pkt.namespace == "/live" and pkt.data == ["scan", {"code": "SJW1.X", "nonce": "n1"}]


def test_the_app_s_socket_server_uses_it(app):
    assert socketio.server.packet_class is JsonFirstPacket


def _reference_mask(data, mask, length=None, offset=0):
    """RFC 6455 section 5.3, byte by byte."""
    length = len(data) if length is None else length
    return bytes(data[i] ^ mask[(offset + i) % 4] for i in range(length))


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 125, 126, 127, 1000, 70000])
def test_websocket_unmasking_gives_the_rfc_s_bytes(size):
    import random
    from fair.web.packets import _xor_mask
    rng = random.Random(size)
    data = bytes(rng.getrandbits(8) for _ in range(size + 2))
    for offset in range(6):
        mask = bytes(rng.getrandbits(8) for _ in range(4))
        assert _xor_mask(data, mask, size, offset) == _reference_mask(data, mask, size, offset)
        assert _xor_mask(bytearray(data), list(mask), None, offset) == _reference_mask(data, mask, None, offset)


def test_eventlet_s_websocket_uses_it_when_installed():
    eventlet_websocket = pytest.importorskip("eventlet.websocket")
    from fair.web.packets import _xor_mask, faster_websocket_unmask
    faster_websocket_unmask()
    assert eventlet_websocket.RFC6455WebSocket._apply_mask is _xor_mask
    masked = _reference_mask(b"scan", b"\x01\x02\x03\x04")
    assert eventlet_websocket.RFC6455WebSocket._apply_mask(masked, b"\x01\x02\x03\x04") == b"scan"
