"""Socket.IO side of the entrance: the gate's `scan` (dispatched from fair.web.socket)."""
from __future__ import annotations

from typing import Any

from fair.core import cached
from fair.checkin import services
from fair.web.errors import InvalidInput
from fair.web.validation import parse_checkin_body


def handle_scan(device: cached.DeviceFacts, data: Any) -> dict:
    """A gate phone sends a scan over its socket; same rules and answer as POST /api/v1/checkins."""
    try:
        body = parse_checkin_body(data)
        result = services.check_in(device, body["code"], body["nonce"], body["type"], body["scanned_at"],
                                   with_recommendations=body["recommendations"], attendee_ref=body["attendee"])
    except InvalidInput as exc:
        return {"error": "invalid_input", "message": exc.message}
    except services.RateLimited:
        return {"error": "rate_limited", "message": "Too many typed codes from this device; wait a minute."}
    return result.as_json()
