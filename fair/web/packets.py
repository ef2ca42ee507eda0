"""Socket.IO packets encoded with one JSON pass.

python-socketio's Packet walks the whole payload in Python (data_is_binary) to
find bytes before it encodes it, for every ack and every room emit. A booth
scan's ack (candidate, matches, lead: ~3.5 KB) took 58 µs to walk and 27 µs to
encode; at 500 booth scans a second the walk alone was 3 % of a core, plus the
same for every batch to a booth's room. Nothing this server sends holds bytes,
so the packet is encoded first: json.dumps fails on bytes (TypeError) and only
then does the library's own walk run and split the attachments out, as before.
"""
from __future__ import annotations

from socketio import packet

_SEPARATORS = (",", ":")


class JsonFirstPacket(packet.Packet):
    """A Socket.IO packet whose JSON text is made once, in __init__, when it has no bytes."""

    def __init__(self, packet_type=packet.EVENT, data=None, namespace=None, id=None,
                 binary=None, encoded_packet=None):
        self._text = None
        if binary is None and encoded_packet is None and data is not None:
            try:
                self._text = self.json.dumps(data, separators=_SEPARATORS)
                binary = False
            except TypeError:      # bytes (or something JSON cannot hold): the library decides
                self._text = None
        super().__init__(packet_type, data, namespace, id, binary, encoded_packet)

    def encode(self):
        if self._text is None or self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
            return super().encode()
        encoded = str(self.packet_type)
        if self.namespace is not None and self.namespace != "/":
            encoded += self.namespace + ","
        if self.id is not None:
            encoded += str(self.id)
        return encoded + self._text


def _xor_mask(data, mask, length=None, offset=0):
    """RFC 6455 masking in two big-integer XORs; eventlet's own builds one bytes object per byte."""
    if length is None:
        length = len(data)
    if length <= 0:
        return b""
    mask, shift = bytes(mask[:4]), offset % 4
    rotated = mask[shift:] + mask[:shift]
    key = (rotated * (length // 4 + 1))[:length]
    return (int.from_bytes(data[:length], "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")


def faster_websocket_unmask() -> None:
    """Every frame a phone sends is masked (RFC 6455), and eventlet unmasks it byte by byte in
    Python: ~0.3 µs a byte, 2-3 % of the server at 500 scans/s. Same bytes out, from int XORs.
    Only under eventlet (its websocket class); a no-op when eventlet is not installed."""
    try:
        from eventlet import websocket
    except ImportError:
        return
    websocket.RFC6455WebSocket._apply_mask = staticmethod(_xor_mask)
