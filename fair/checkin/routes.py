"""HTTP side of the entrance and cards: thin adapters over checkin.services."""
from __future__ import annotations

from flask import current_app, jsonify, request

from fair.auth import Principal, require
from fair.blocking import run_blocking
from fair.checkin import bp, decode, services
from fair.errors import InvalidInput
from fair.validation import CHECKIN_BODY, json_body, parse_body


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
        return jsonify(error="rate_limited", message="Too many typed codes from this device; wait a minute."), 429
    return jsonify(result.as_json())


@bp.post("/api/v1/decode")
@require("gate", "booth", "organiser")
def api_decode(principal: Principal):
    """Phones without a camera stream (plain HTTP) send a photo; the server reads the QR."""
    upload = request.files.get("image")
    if upload is None:
        raise InvalidInput("Send the photo as a multipart field named 'image'.", field="image")
    limit = int(current_app.config["DECODE_MAX_BYTES"])
    data = upload.stream.read(limit + 1)
    try:
        codes = run_blocking(decode.decode_image, data, max_bytes=limit)
    except decode.ImageRejected as exc:
        error = "too_large" if exc.status == 413 else "not_an_image"
        return jsonify(error=error, message=exc.message), exc.status
    return jsonify(codes=codes)
