"""Socket.IO side of booths: a booth phone's `scan` (dispatched from fair.web.socket)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from fair.core import cached
from fair.booths import services
from fair.booths.routes import LEAD_SCAN_BODY
from fair.checkin.services import RateLimited
from fair.web.errors import InvalidInput
from fair.web.validation import parse_body


def handle_scan(device: cached.DeviceFacts, data: Any, lang: str = "th") -> dict:
    """A booth phone sends a scan over its socket; same rules and answer as the HTTP route."""
    try:
        body = parse_body(data, LEAD_SCAN_BODY)
        booth = services.booth_facts(device.booth_id)
        return services.capture_lead(device, booth, **body, lang=lang).as_json()
    except InvalidInput as exc:
        return {"error": "invalid_input", "message": exc.message}
    except RateLimited:
        return {"error": "rate_limited", "message": _("Too many typed codes from this device; wait a minute.")}
