"""HTTP side of the entrance and cards: thin adapters over checkin.services."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fair.web.auth import Principal, require
from fair.web.blocking import Busy, Slots, release_memory, run_blocking
from fair.checkin import decode, services
from fair.web.errors import InvalidInput
from fair.web.limits import limiter
from fair.web.validation import json_body, parse_checkin_body

# The area's blueprint lives here, not in its __init__: importing a pure module of the
# area (fair.checkin.cards) must not load Flask. pages.py attaches to it too.
bp = Blueprint("checkin", "fair.checkin")


@bp.post("/api/v1/checkins")
@require("gate")
def api_check_in(principal: Principal):
    """Gate devices and their offline replays post scans here."""
    body = parse_checkin_body(json_body(request))
    try:
        result = services.check_in(principal.device, body["code"], body["nonce"], body["type"],
                                   body["scanned_at"],
                                   with_recommendations=body["recommendations"], attendee_ref=body["attendee"])
    except services.RateLimited:
        return jsonify(error="rate_limited", message=_("Too many typed codes from this device; wait a minute.")), 429
    return jsonify(result.as_json())


@bp.post("/api/v1/decode")
@require("gate", "booth", "organiser")
def api_decode(principal: Principal):
    """Phones without a camera stream (plain HTTP) send a photo; the server reads the QR."""
    config = current_app.config
    if not limiter().allow(f"decode:{principal.actor}", int(config["DECODE_PER_MINUTE"])):
        return jsonify(error="rate_limited", message=_("Too many photos from this device; wait a minute.")), 429
    upload = request.files.get("image")
    if upload is None:
        raise InvalidInput(_("Send the photo as a multipart field named 'image'."), field="image")
    limit = int(config["DECODE_MAX_BYTES"])
    data = upload.stream.read(limit + 1)
    try:
        # A decode holds up to DECODE_MAX_DECODED_BYTES and a core: a few at once, the rest wait.
        with _decode_slots().taken(float(config["DECODE_WAIT_SECONDS"])):
            codes = run_blocking(_decode_and_release, data, max_bytes=limit,
                                 max_decoded_bytes=int(config["DECODE_MAX_DECODED_BYTES"]))
    except Busy:
        return jsonify(error="busy", message=_("The server is reading other photos; try again in a moment.")), 503
    except decode.ImageRejected as exc:
        error = "too_large" if exc.status == 413 else "not_an_image"
        # In the request's language: a Thai page's photo error is Thai too.
        return jsonify(error=error, message=_(exc.message, **exc.params)), exc.status
    return jsonify(codes=codes)


def _decode_slots() -> Slots:
    slots = current_app.extensions.get("decode_slots")
    if slots is None:   # made on first use: after eventlet's patching, so its semaphore is green
        slots = current_app.extensions["decode_slots"] = Slots(int(current_app.config["DECODE_CONCURRENCY"]))
    return slots


def _decode_and_release(data: bytes, **limits) -> list[str]:
    """In the worker thread: decode, then give the picture's memory back to the system."""
    try:
        return decode.decode_image(data, **limits)
    finally:
        release_memory()


@bp.post("/api/v1/checkins/<int:checkin_id>/undo")
@require("gate", "organiser", "api")
def api_undo_check_in(principal: Principal, checkin_id: int):
    """A gate undoes one of its own recent scans (its recent list); the organiser any scan."""
    from fair.core.fairs import current_fair
    device = principal.device if principal.role == "gate" else None
    fair_id = principal.device.fair_id if principal.device is not None else current_fair().id
    try:
        result = services.undo_checkin(fair_id, checkin_id, actor=principal.actor, device=device)
    except services.UndoRefused as refused:
        return jsonify(error=refused.reason, message=str(UNDO_REFUSALS[refused.reason])), refused.http
    return jsonify(result.as_json())


UNDO_REFUSALS = {
    "not_found": _l("There is no such scan."),
    "not_yours": _l("A gate can undo only its own scans; ask the organiser."),
    "too_old": _l("This scan is too old to undo at the gate; ask the organiser."),
    "not_undoable": _l("Only an accepted entry or exit can be undone."),
}



@bp.get("/api/v1/gate/search")
@require("gate")
def api_gate_search(principal: Principal):
    """A gate finds a person with no card at hand by name or phone, then checks them in by reference."""
    q = request.args.get("q", "")
    if len(q) > 60:
        raise InvalidInput("'q' is longer than 60 characters.", field="q")
    try:
        results = services.gate_search(principal.device, q)
    except services.RateLimited:
        return jsonify(error="rate_limited", message=_("Too many searches from this device; wait a minute.")), 429
    return jsonify(results=results)



@bp.get("/api/v1/gate/roster")
@require("gate")
def api_gate_roster(principal: Principal):
    """A gate page fetches it on load and every few minutes: names for offline scans (kept in memory)."""
    response = jsonify(services.gate_roster(principal.device.fair_id))
    response.headers["Cache-Control"] = "no-store"
    return response
