"""Attendees, cards, registration, entrance check-in and QR decoding."""
from flask import Blueprint

bp = Blueprint("checkin", __name__)

from fair.checkin import pages, routes  # noqa: E402,F401  (they attach themselves to bp)
