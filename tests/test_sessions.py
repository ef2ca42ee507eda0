"""Organiser sessions are revocable: logout and a new password end every copy of the cookie;
under `fair serve --https` the cookie is marked Secure."""
from __future__ import annotations

from fair.web import auth


def _signed_in(app):
    auth.create_organiser("admin", "correct horse")
    browser = app.test_client()
    assert browser.post("/login", data={"username": "admin", "password": "correct horse"}).status_code == 302
    assert browser.get("/organiser/devices").status_code == 200
    return browser


def _copy_of(app, browser):
    """Another browser holding the same cookie: what a thief who copied it would have."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_is_refused_after(app):
    browser = _signed_in(app)
    thief = _copy_of(app, browser)
    assert thief.get("/organiser/devices").status_code == 200
    browser.post("/logout")
    assert thief.get("/organiser/devices").status_code == 302  # to the login page
    assert thief.get("/api/v1/stats").status_code == 401


def test_signing_in_again_after_logout_works(app):
    browser = _signed_in(app)
    browser.post("/logout")
    browser.post("/login", data={"username": "admin", "password": "correct horse"})
    assert browser.get("/organiser/devices").status_code == 200


def test_a_session_made_before_fair_organiser_password_is_refused(app, runner):
    browser = _signed_in(app)
    result = runner.invoke(args=["organiser", "password", "--username", "admin"])
    assert result.exit_code == 0, result.output
    assert browser.get("/organiser/devices").status_code == 302
    assert browser.get("/api/v1/stats").status_code == 401


def test_serving_with_https_marks_the_session_cookie_secure(app, monkeypatch):
    from fair.web import live
    from fair.ops import serving
    from fair.extensions import socketio
    served = []
    monkeypatch.setattr(socketio, "start_background_task", lambda *a, **k: None)
    monkeypatch.setattr(live.broadcaster(app), "start", lambda *a, **k: None)
    monkeypatch.setattr(serving, "_run_eventlet", lambda *a, **k: served.append(a))
    monkeypatch.setattr(socketio, "run", lambda *a, **k: served.append(a))
    serving.run(app, "127.0.0.1", 5443, ("cert.pem", "key.pem"))
    assert served
    browser = _signed_in(app)
    assert browser.get_cookie("session").secure


def test_serving_plain_http_leaves_the_cookie_usable_over_http(app, monkeypatch):
    from fair.web import live
    from fair.ops import serving
    from fair.extensions import socketio
    monkeypatch.setattr(socketio, "start_background_task", lambda *a, **k: None)
    monkeypatch.setattr(live.broadcaster(app), "start", lambda *a, **k: None)
    monkeypatch.setattr(serving, "_run_eventlet", lambda *a, **k: None)
    monkeypatch.setattr(socketio, "run", lambda *a, **k: None)
    serving.run(app, "127.0.0.1", 5000, None)
    assert not _signed_in(app).get_cookie("session").secure
