"""fair.core.disclosure on its own (pure): the allow-lists, without an app.

The rules applied to real service output are tested in tests/test_disclosure.py.
"""
from __future__ import annotations

from fair.core import disclosure


def test_an_unlisted_field_is_withheld_from_every_audience_but_the_organiser():
    event = {"type": "lead", "id": 1, "at": "t", "booth": "A1", "next_step": "none", "brand_new_field": "x",
             "lead": {"id": 1, "notes": "n", "candidate": {"pseudonym": "#P", "phone": "1", "national_id": "2"}}}
    for audience in disclosure.AUDIENCES:
        view = disclosure.event(audience, "lead", event)
        if audience == disclosure.ORGANISER:
            assert view == event
            continue
        assert view is None or "brand_new_field" not in str(view)
        assert view is None or "national_id" not in str(view)
    assert disclosure.event(disclosure.PUBLIC, "checkin", {"type": "checkin", "id": 1}) is None
