"""The /live namespace: who may connect, which rooms they join, and the shared `scan` event."""
from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_socketio import ConnectionRefusedError, join_room

from fair import live
from fair.auth import Principal, principal_from
from fair.extensions import socketio

# sid → (device id, language of its page) for each connected gate/booth phone. The
# device is looked up per event (fair.cached), so a revocation takes effect at the
# next scan, not the next reconnect.
_scanners: dict[str, tuple[int, str]] = {}


def rooms_for(principal: Principal, fair_id: int) -> list[str]:
    if principal.role in ("organiser", "api"):
        return [live.fair_room(fair_id)]
    if principal.role == "dashboard":
        return [live.screen_room(fair_id)]  # a big screen in the hall: no names ever reach it
    if principal.role == "gate":
        return [live.gate_room(fair_id)]
    if principal.role == "booth" and principal.booth_id is not None:
        return [live.booth_room(principal.booth_id)]
    return []


@socketio.on("connect", namespace=live.NAMESPACE)
def on_connect(auth=None):
    """Phones, screens and card pages connect with a device token, a session, or a card link."""
    from fair.checkin.services import attendee_for_link
    from fair.fairs import current_fair
    auth = auth if isinstance(auth, dict) else {}
    fair = current_fair()
    if fair is None:
        raise ConnectionRefusedError("no fair yet")
    token = auth.get("token") if isinstance(auth.get("token"), str) else None
    card = auth.get("card") if isinstance(auth.get("card"), str) else None
    if card:
        attendee = attendee_for_link(card)
        if attendee is None:
            raise ConnectionRefusedError("unknown card link")
        join_room(live.attendee_room(attendee.id))
        return True
    principal = principal_from(token)
    if principal.role == "anonymous":
        if token:
            raise ConnectionRefusedError("invalid or revoked token")
        join_room(live.public_room(fair.id))  # the public counter: aggregate numbers only
        return True
    if principal.device is not None:
        _scanners[request.sid] = (principal.device.id, str(get_locale() or "th"))
    for room in rooms_for(principal, fair.id):
        join_room(room)
    return True


@socketio.on("disconnect", namespace=live.NAMESPACE)
def on_disconnect(*_args):
    """Any client leaving."""
    _scanners.pop(request.sid, None)


def install_scan_handler(app) -> None:
    """Register `scan` on the python-socketio server itself, with an app context only.

    Flask-SocketIO would build a request context per event (environ, cookie
    session, URL matching): 6 % of the server at 800 scans/s, for a handler
    that needs none of it. Called after each socketio.init_app (which makes a
    new server). Connect and disconnect keep Flask-SocketIO's request context:
    they read cookies and the token.
    """
    def scan(sid, data=None):
        with app.app_context():
            return on_scan(sid, data)
    socketio.server.on("scan", handler=scan, namespace=live.NAMESPACE)


def on_scan(sid: str, data) -> dict:
    """A gate or booth phone sends a scan; the ack carries the same JSON as the HTTP answer."""
    from fair import cached
    from fair.extensions import db
    device_id, lang = _scanners.get(sid, (None, "th"))
    # Cached plain facts: a revocation in this process drops them at once,
    # one from another process (the CLI) is seen within five seconds (fair.cached).
    device = cached.device(device_id) if device_id is not None else None
    if device is None or not device.active:
        return {"error": "forbidden", "message": "Only paired gate and booth devices scan."}
    try:
        if device.kind == "gate":
            from fair.checkin.events import handle_scan
            return handle_scan(device, data)
        if device.kind == "booth":
            from fair.booths.events import handle_scan as booth_scan
            return booth_scan(device, data, lang)
        return {"error": "forbidden", "message": "This device does not scan."}
    except Exception:
        db.session.rollback()
        raise
