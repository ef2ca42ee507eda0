"""Attendees, cards, registration, entrance check-in and QR decoding."""
from flask import Blueprint

bp = Blueprint("checkin", __name__)

