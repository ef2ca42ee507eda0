"""Bounds on what one request may make the server read, checked before anything parses it.

Flask's MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS bound multipart forms only:
Werkzeug parses an urlencoded body in one go, whatever its size, so a 3 MB body
of 300,000 fields cost 0.9 s of the event loop (every phone waits) before CSRF
even looked at it. Here such a body is refused from its length and its count of
'&' before any field is split.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request

from fair.web.ratelimit import RateLimiter, SharedRateLimiter, limiter_for

URLENCODED = "application/x-www-form-urlencoded"
# Multipart framing around the photo itself (boundaries, headers, a field or two).
MULTIPART_OVERHEAD = 64 * 1024
# Endpoints that take a photo: their body may be as large as DECODE_MAX_BYTES.
PHOTO_ENDPOINTS = frozenset({"checkin.api_decode"})


def bound_request_body() -> None:
    """before_request, ahead of CSRF: refuse (413) a body the endpoint has no use for."""
    config = current_app.config
    if request.endpoint in PHOTO_ENDPOINTS:
        request.max_content_length = int(config["DECODE_MAX_BYTES"]) + MULTIPART_OVERHEAD
        return
    if request.mimetype != URLENCODED:
        return   # JSON and multipart: MAX_CONTENT_LENGTH, and Flask's form limits for multipart
    form_limit = int(config["MAX_FORM_MEMORY_SIZE"])
    if request.content_length is not None and request.content_length > form_limit:
        abort(413)
    request.max_content_length = min(form_limit, request.max_content_length or form_limit)
    body = request.get_data(cache=True)   # form parsing later reads this copy
    if body.count(b"&") >= int(config["MAX_FORM_PARTS"]):
        abort(413)


def init_app(app: Flask) -> None:
    app.before_request(bound_request_body)
    # Several workers (MESSAGE_QUEUE) count together in its Redis unless RATE_LIMIT_STORAGE says where.
    storage = app.config.get("RATE_LIMIT_STORAGE") or app.config.get("MESSAGE_QUEUE")
    app.extensions["fair.rate_limits"] = limiter_for(storage)


def limiter(app: Flask | None = None) -> RateLimiter | SharedRateLimiter:
    """This app's sliding-window limits (logins, pairing, typed codes, registrations, photos):
    each app has its own, so two apps in one process never count each other's attempts;
    with several workers, all of them count in one Redis (fair.web.ratelimit)."""
    return (app or current_app).extensions["fair.rate_limits"]
