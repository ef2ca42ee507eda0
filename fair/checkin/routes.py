"""HTTP side of the entrance and cards: thin adapters over checkin.services."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from fair.web.auth import Principal, require
from fair.web.blocking import Busy, Slots, release_memory, run_blocking
from fair.checkin import bp, decode, services
from fair.web.errors import InvalidInput
from fair.web.ratelimit import limiter
from fair.web.validation import CHECKIN_BODY, json_body, parse_body


@bp.post("/api/v1/checkins")
@require("gate")
def api_check_in(principal: Principal):
    """Gate devices and their offline replays post scans here."""
    body = parse_body(json_body(request), CHECKIN_BODY)
    try:
        result = services.check_in(principal.device, body["code"], body["nonce"], body["type"],
                                   body["scanned_at"],
                                   with_recommendations=body["recommendations"])
    except services.RateLimited:
        return jsonify(error="rate_limited", message=_("Too many typed codes from this device; wait a minute.")), 429
    return jsonify(result.as_json())


@bp.post("/api/v1/decode")
@require("gate", "booth", "organiser")
def api_decode(principal: Principal):
    """Phones without a camera stream (plain HTTP) send a photo; the server reads the QR."""
    config = current_app.config
    if not limiter.allow(f"decode:{principal.actor}", int(config["DECODE_PER_MINUTE"])):
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
