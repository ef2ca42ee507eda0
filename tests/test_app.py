"""The factory, configuration, error pages and sign-in."""
from __future__ import annotations

import pytest

from fair import create_app
from tests.schema import fresh_database


def test_factory_honours_test_config(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "FAIR_NAME": "Chiang Mai Fair",
                      "ASYNC_MODE": "threading"})
    assert app.testing
    assert app.config["FAIR_NAME"] == "Chiang Mai Fair"
    assert app.instance_path == str(tmp_path)


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path), "ASYNC_MODE": "threading"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "ASYNC_MODE": "threading"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIR_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ASYNC_MODE": "threading"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/other.db")


@pytest.mark.sqlite_only("the PRAGMAs of SQLite connections")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from fair.extensions import db
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unknown_api_url_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_unknown_page_answers_the_projects_own_404_page(client):
    response = client.get("/nothing-here", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert b"There is nothing at this address." in response.data
    assert b'<html lang="en">' in response.data


def test_home_page_names_the_fair_and_switches_language(client, fair):
    response = client.get("/", headers={"Accept-Language": "th"})
    assert response.status_code == 200
    assert b"Test Fair" in response.data
    assert b'lang="th"' in response.data
    client.get("/lang/en")
    assert b'<html lang="en">' in client.get("/").data


def test_organiser_signs_in_with_the_right_password_only(client, app):
    from fair.web import auth
    auth.create_organiser("admin", "correct horse")
    assert client.post("/login", data={"username": "admin", "password": "wrong"}).status_code == 401
    response = client.post("/login", data={"username": "admin", "password": "correct horse"})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "organiser_id" in session


def test_login_form_refuses_a_post_without_csrf_token(tmp_path, schema_template):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "ASYNC_MODE": "threading",
                      "SQLALCHEMY_DATABASE_URI": fresh_database(schema_template, tmp_path / "t.db")})
    with app.app_context():
        response = app.test_client().post("/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_samesite(organiser_client):
    cookie = organiser_client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_api_needs_a_token_and_the_right_role(client, gate, dashboard_device):
    assert client.get("/api/v1/stats").status_code == 401
    assert client.get("/api/v1/stats", headers=gate.headers).status_code == 403
    assert client.get("/api/v1/stats", headers=dashboard_device.headers).status_code == 200
    assert client.get("/api/v1/stats", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_revoked_device_token_stops_working(client, gate):
    from fair.web import auth
    auth.revoke_device(gate.device, actor="test")
    response = client.post("/api/v1/checkins", json={"code": "x", "nonce": "n"}, headers=gate.headers)
    assert response.status_code == 401


def test_pairing_link_works_once(client, fair):
    from fair.organiser import devices
    paired = devices.pair("gate", "Gate 2")
    path = paired.url.split("5000", 1)[1]
    first = client.get(path)
    assert first.status_code == 302 and first.headers["Location"].endswith("/gate")
    with client.session_transaction() as session:
        assert session["device_id"] == paired.id
    assert client.application.test_client().get(path).status_code == 404
