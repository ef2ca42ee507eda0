"""The /live namespace: who may connect, which rooms they join, and the shared `scan` event."""
from __future__ import annotations

import socket
from dataclasses import dataclass, field

from flask import current_app, request
from flask_babel import get_locale
from flask_socketio import ConnectionRefusedError, join_room

from fair.booths.events import handle_scan as booth_scan
from fair.checkin.events import handle_scan as gate_scan
from fair.checkin.services import attendee_for_link
from fair.core import cached, changes
from fair.core.fairs import current_fair
from fair.core.models import Device
from fair.web import live
from fair.web.auth import Principal, principal_from
from fair.extensions import db, socketio
from fair.web.ratelimit import TokenBuckets

SCANNER_KINDS = ("gate", "booth")


@dataclass
class Connections:
    """Who is connected to one app's /live (app.extensions["fair.socket"]): two apps in one
    process (tests, a script) share none of it."""
    # sid → (device id, language of its page) for each connected device (gate, booth,
    # dashboard, api). The device is looked up per event (fair.core.cached), so a revocation
    # takes effect at the next scan even before its socket is cut.
    scanners: dict[str, tuple[int, str]] = field(default_factory=dict)
    # device id → its connected sids, to disconnect them all when it is revoked.
    device_sids: dict[int, set[str]] = field(default_factory=dict)
    # One message allowance per Engine.IO connection (keyed by its eio sid).
    allowances: TokenBuckets = field(default_factory=TokenBuckets)
    # Allowance classes → (messages per second, burst), from the app's config (install_message_limits).
    limits: dict[str, tuple[float, float]] = field(default_factory=lambda: {
        "scanner": (20.0, 300), "viewer": (1.0, 30), "anonymous": (0.2, 10)})


def connections(app=None) -> Connections:
    return (app or current_app).extensions["fair.socket"]


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
        state = connections()
        state.scanners[request.sid] = (principal.device.id, str(get_locale() or "th"))
        state.device_sids.setdefault(principal.device.id, set()).add(request.sid)
    _allow(request.sid, "scanner" if principal.role in SCANNER_KINDS else "viewer")
    for room in rooms_for(principal, fair.id):
        join_room(room)
    if principal.role == "gate":
        # A gate's screen shows its entries and the people inside from the room's `stats`:
        # one (re)connecting gets them at the next tick, not at the next scan somewhere.
        live.broadcaster().mark_all_dirty([fair.id])
    return True


@socketio.on("disconnect", namespace=live.NAMESPACE)
def on_disconnect(*_args):
    """Any client leaving."""
    state = connections()
    entry = state.scanners.pop(request.sid, None)
    if entry is not None:
        sids = state.device_sids.get(entry[0])
        if sids is not None:
            sids.discard(request.sid)
            if not sids:
                del state.device_sids[entry[0]]
    _allow(request.sid, "anonymous")


def _eio_sid(sid: str) -> str | None:
    return socketio.server.manager.eio_sid_from_sid(sid, live.NAMESPACE)


def _allow(sid: str, allowance: str) -> None:
    """Give the connection under this /live sid the message allowance of its kind."""
    eio_sid = _eio_sid(sid)
    if eio_sid is not None:
        state = connections()
        state.allowances.assign(eio_sid, *state.limits[allowance])


def disconnect_device(device_id: int, app=None) -> int:
    """Disconnect every socket of a device (revoked): out of its rooms, no more events. Returns how many."""
    sids = list(connections(app).device_sids.pop(device_id, ()))
    for sid in sids:
        socketio.server.disconnect(sid, namespace=live.NAMESPACE)
    return len(sids)


def disconnect_revoked(app, fair_id: int | None = None, **_extra) -> int:
    """On fair.core.changes.fair_changed: drop the sockets of connected devices whose row is now revoked.

    Sent at once after a revocation in this process, and within a second of one
    made by another process (the `fair device revoke` command while serving).
    """
    state = app.extensions.get("fair.socket")
    if state is None or not state.device_sids:
        return 0
    with app.app_context():  # a session of its own: the revoking request's may be mid-work
        revoked = db.session.scalars(db.select(Device.id).where(
            Device.id.in_(list(state.device_sids)), Device.revoked_at.is_not(None))).all()
        db.session.remove()
    return sum(disconnect_device(device_id, app) for device_id in revoked)


changes.fair_changed.connect(disconnect_revoked)


def install_scan_handler(app) -> None:
    """Register `scan` on the python-socketio server itself, with an app context only.

    Flask-SocketIO would build a request context per event (environ, cookie
    session, URL matching): 6 % of the server at 800 scans/s, for a handler
    that needs none of it. Called after each socketio.init_app (which makes a
    new server). Connect and disconnect keep Flask-SocketIO's request context:
    they read cookies and the token.
    """
    app.extensions["fair.socket"] = Connections()

    def scan(sid, data=None):
        with app.app_context():
            return on_scan(sid, data)
    socketio.server.on("scan", handler=scan, namespace=live.NAMESPACE)
    install_message_limits(app)


def install_message_limits(app) -> None:
    """Put a per-connection message allowance in front of python-socketio, at the Engine.IO level.

    Every Engine.IO message of a connection spends one token before python-socketio
    decodes it; a connection that runs dry is cut off (its TCP socket shut down),
    so one flooding client costs the others a few hundred cheap checks, not its
    56,000 frames' decoding and handling. Connections start with the anonymous
    allowance and get their kind's when /live accepts them (on_connect).
    """
    state = connections(app)
    for name in ("scanner", "viewer", "anonymous"):
        state.limits[name] = (float(app.config[f"SOCKET_{name.upper()}_RATE"]),
                              float(app.config[f"SOCKET_{name.upper()}_BURST"]))
    allowances, anonymous = state.allowances, state.limits["anonymous"]
    eio = socketio.server.eio
    decode_message = eio.handlers["message"]
    engine_disconnect = eio.handlers.get("disconnect")

    def message(eio_sid, data):
        if eio_sid not in eio.sockets:
            return None   # cut off already: frames still in flight are dropped undecoded
        if not allowances.take(eio_sid, anonymous):
            cut_off(eio_sid, state)
            return None
        return decode_message(eio_sid, data)

    def disconnect(eio_sid, *args):
        allowances.forget(eio_sid)
        if engine_disconnect is not None:
            return engine_disconnect(eio_sid, *args)
        return None

    eio.on("message", message)
    eio.on("disconnect", disconnect)


def cut_off(eio_sid: str, state: Connections) -> None:
    """End an Engine.IO connection now: no more of its frames are read or decoded."""
    eio = socketio.server.eio
    environ = socketio.server.environ.get(eio_sid) or {}
    connection = eio.sockets.pop(eio_sid, None)
    if connection is not None:
        # Not eio.disconnect(): that waits until the client has read what is queued
        # for it, and a flooder need never read.
        connection.close(wait=False, abort=True, reason=eio.reason.SERVER_DISCONNECT)
    raw = getattr(environ.get("eventlet.input"), "get_socket", None)
    if raw is not None:
        try:
            raw().shutdown(socket.SHUT_RDWR)   # the websocket's reader and writer both stop
        except OSError:
            pass
    state.allowances.forget(eio_sid)


def on_scan(sid: str, data) -> dict:
    """A gate or booth phone sends a scan; the ack carries the same JSON as the HTTP answer."""
    state = connections()
    device_id, lang = state.scanners.get(sid, (None, "th"))
    # Cached plain facts: a revocation in this process drops them at once,
    # one from another process (the CLI) is seen within five seconds (fair.core.cached).
    device = cached.device(device_id) if device_id is not None else None
    if device is None or not device.active or device.kind not in SCANNER_KINDS:
        # Counters, card pages, screens and revoked phones never scan: a scan from
        # one is abuse, and its connection is cut at its next message.
        eio_sid = _eio_sid(sid)
        if eio_sid is not None:
            state.allowances.empty(eio_sid)
        return {"error": "forbidden", "message": "Only paired gate and booth devices scan."}
    try:
        if device.kind == "gate":
            return gate_scan(device, data)
        return booth_scan(device, data, lang)
    except Exception:
        db.session.rollback()
        raise
