"""With CSRF on, as served: an API call with no credential at all is a 401 asking for a bearer
token; CSRF applies to cookie sessions only, and there it still refuses a write without the token."""
from __future__ import annotations

import pytest

from fair.web import auth
from fair import create_app
from fair.extensions import db
from fair.core.fairs import ensure_fair
from tests.schema import fresh_database


@pytest.fixture
def served_app(tmp_path, schema_template):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": fresh_database(schema_template, tmp_path / "t.db"),
                      "SECRET_KEY": "s"})
    with app.app_context():
        ensure_fair("Test Fair")
        auth.create_organiser("admin", "correct horse")
        yield app
        db.session.remove()
        db.engine.dispose()


def _organiser(app):
    import re
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert browser.post("/login", data={"username": "admin", "password": "correct horse",
                                        "csrf_token": token}).status_code == 302
    return browser


def test_an_api_write_with_no_credentials_is_401_asking_for_a_bearer_token(served_app):
    response = served_app.test_client().post("/api/v1/checkins", json={"code": "x", "nonce": "n"},
                                             headers={"Accept-Language": "th"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json()["error"] == "unauthorized"


def test_an_api_read_with_no_credentials_says_bearer_too(served_app):
    response = served_app.test_client().get("/api/v1/stats")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_organiser_cookie_without_the_csrf_token_is_still_refused(served_app):
    browser = _organiser(served_app)
    assert browser.get("/api/v1/stats").status_code == 200
    response = browser.post("/api/v1/booths/A1/invitations", json={"attendee_id": 1})
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_the_openapi_file_documents_the_bearer_challenge(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "WWW-Authenticate" in spec["paths"]["/api/v1/checkins"]["post"]["responses"]["401"]["headers"]
