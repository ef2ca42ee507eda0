"""State that lives for an app lives in app.extensions: two apps in one process share none of it."""
from __future__ import annotations

from fair import create_app
from fair.web import live, socket
from fair.web.limits import limiter


def _app(folder):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(folder), "ASYNC_MODE": "threading",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/t.db", "SECRET_KEY": "s",
                       "NATIONAL_ID_KEY": b"k"})


def test_two_apps_keep_their_own_live_events_rate_limits_and_connections(tmp_path):
    first, second = _app(tmp_path / "one"), _app(tmp_path / "two")
    with first.app_context():
        live.publish("checkin", {"id": 1}, fair=1)
        assert all(limiter().allow("login:10.0.0.1", 2) for _ in range(2))
        assert not limiter().allow("login:10.0.0.1", 2)
        socket.connections().scanners["sid-1"] = (7, "th")
    with second.app_context():
        assert live.broadcaster().take() == ({}, set())       # the first app's event is not here
        assert limiter().allow("login:10.0.0.1", 2)           # nor its count of attempts
        assert socket.connections().scanners == {}            # nor its connected phones
    pending, dirty = live.broadcaster(first).take()
    assert dirty == {1} and pending
    assert live.broadcaster(first).stats_provider is not live.broadcaster(second).stats_provider
