"""A paired gate or booth page authenticates its writes with a page token, not the cookie's CSRF
secret (the Trust issue: offline replays refused with 400 "csrf" after a racing request rotated
the secret); the pairing response makes that secret at once; favicons and 404s leave the session
alone; the socket's heartbeat is short enough to notice a dead phone in seconds."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from fair.web import auth
from fair import create_app
from fair.organiser import devices
from fair.extensions import db, socketio
from fair.core.fairs import ensure_fair
from tests import factories
from tests.schema import fresh_database


@pytest.fixture
def csrf_app(tmp_path, schema_template):
    """The app as it runs at the fair: CSRF checked on every cookie-authenticated write."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": fresh_database(schema_template, tmp_path / "csrf.db"), "SECRET_KEY": "s",
                      "NATIONAL_ID_KEY": b"k", "BASE_URL": "http://fair.test:5000"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _pair_browser(client, kind: str = "gate", booth=None):
    paired = devices.pair(kind, f"{kind} {uuid.uuid4().hex[:6]}", booth)
    response = client.get(paired.url.split("5000", 1)[1])
    assert response.status_code == 302
    return paired, response


def _page_config(html: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert found, f"no #{element_id} in the page"
    return json.loads(found.group(1))


def _checkin(code: str) -> dict:
    return {"code": code, "nonce": str(uuid.uuid4()), "type": "entry"}


# --- the page token ---------------------------------------------------------------------------

def test_page_token_authenticates_its_device_until_revoked(app, client, gate, attendee_token):
    token = auth.page_token(gate.device)
    assert token.startswith("dp1.") and gate.token not in token
    assert auth.principal_from(token).device.id == gate.device.id
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/checkins", json=_checkin(attendee_token), headers=headers).json["status"] == "ok"

    auth.revoke_device(gate.device, actor="test")
    assert auth.principal_from(token).role == "anonymous"
    assert client.post("/api/v1/checkins", json=_checkin(attendee_token), headers=headers).status_code == 401


def test_page_token_stops_when_the_device_gets_a_new_token(app, gate):
    token = auth.page_token(gate.device)
    gate.device.token_hash = auth.hash_secret("a new device token")
    db.session.commit()
    assert auth.principal_from(token).role == "anonymous"
    assert auth.principal_from(auth.page_token(gate.device)).device.id == gate.device.id


@pytest.mark.parametrize("forge", [
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),       # a signature off by one character
    lambda t: "dp1.999." + t.split(".", 2)[2],                 # another device's id, this one's signature
    lambda t: "dp1.x." + t.split(".", 2)[2],
    lambda t: "dp1." + t.split(".", 2)[1],                     # no signature
    lambda t: "dp1.",
])
def test_forged_page_token_is_refused(app, client, gate, forge):
    forged = forge(auth.page_token(gate.device))
    assert auth.principal_from(forged).role == "anonymous"
    response = client.post("/api/v1/checkins", json=_checkin("X"), headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_gate_page_token_posts_a_replay_with_no_csrf_token_even_after_the_secret_changed(csrf_app):
    attendee_token = factories.token_of(factories.make_attendee(ensure_fair()[0], ref="A8"))
    client = csrf_app.test_client()
    _pair_browser(client, "gate")
    page = client.get("/gate")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = _page_config(page.get_data(as_text=True), "gate-config")["pageToken"]
    with client.session_transaction() as session:   # another tab, a racing request: a new secret
        session["csrf_token"] = "rotated"
    cookie_only = client.post("/api/v1/checkins", json=_checkin(attendee_token))
    assert cookie_only.status_code == 400 and cookie_only.json["error"] == "csrf"
    replay = client.post("/api/v1/checkins", json=_checkin(attendee_token),
                         headers={"Authorization": f"Bearer {token}"})
    assert replay.status_code == 200 and replay.json["status"] == "ok"


def test_booth_page_token_scans_and_edits_with_no_csrf_token(csrf_app):
    fair = ensure_fair()[0]
    employer = factories.make_employer(fair, ref="E9", booth_code="B9")
    attendee = factories.make_attendee(fair, ref="A9")
    client = csrf_app.test_client()
    _pair_browser(client, "booth", employer.booths[0])
    page = client.get("/booth")
    assert page.headers["Cache-Control"] == "no-store"
    data = _page_config(page.get_data(as_text=True), "booth-data")
    headers = {"Authorization": f"Bearer {data['page_token']}"}
    scan = client.post(data["scan_url"], headers=headers,
                       json={"code": factories.token_of(attendee), "nonce": str(uuid.uuid4())})
    assert scan.status_code == 200 and scan.json["status"] == "ok"
    edit = client.patch(data["lead_url"] + str(scan.json["lead_id"]), headers=headers,
                        json={"rating": 3, "nonce": str(uuid.uuid4())})
    assert edit.status_code == 200, edit.json


def test_socket_accepts_the_page_token_and_takes_scans(app, gate, attendee_token, live_client):
    sock = live_client(token=auth.page_token(gate.device))
    assert sock.is_connected("/live")
    answer = sock.emit("scan", _checkin(attendee_token), namespace="/live", callback=True)
    assert answer["status"] == "ok"


# --- the session's CSRF secret: made once, at pairing or sign-in --------------------------------

def test_pairing_response_already_holds_the_csrf_secret(csrf_app):
    ensure_fair()
    client = csrf_app.test_client()
    client.get("/")                                        # an anonymous session with its own secret
    with client.session_transaction() as session:
        before = session.get("csrf_token")
    assert before
    _pair_browser(client, "gate")
    with client.session_transaction() as session:
        secret = session.get("csrf_token")
    assert secret and secret != before, "a new identity gets a new secret, in the pairing response"
    for path in ("/gate", "/favicon.ico", "/no-such-page"):
        client.get(path)
        with client.session_transaction() as session:
            assert session.get("csrf_token") == secret, f"{path} changed the CSRF secret"


def test_sign_in_response_already_holds_the_csrf_secret(app, client):
    auth.create_organiser("admin", "correct horse")
    client.post("/login", data={"username": "admin", "password": "correct horse"})
    with client.session_transaction() as session:
        assert session.get("organiser_id") and session.get("csrf_token")


def test_favicon_is_an_icon_not_a_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon" and response.data[:4] == b"\x00\x00\x01\x00"
    assert "Set-Cookie" not in response.headers


def test_a_404_page_makes_no_csrf_secret_and_sets_no_cookie(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert b'name="csrf-token"' not in response.data
    assert "Set-Cookie" not in response.headers


# --- the heartbeat ------------------------------------------------------------------------------

def test_socket_heartbeat_notices_a_dead_phone_within_seconds(app):
    eio = socketio.server.eio
    assert eio.ping_interval + eio.ping_timeout <= 10
    assert eio.ping_interval >= 3, "a ping every few seconds is enough for 1,000 phones"
