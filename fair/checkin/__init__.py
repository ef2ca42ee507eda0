"""Attendees, cards, registration, entrance check-in and QR decoding."""
