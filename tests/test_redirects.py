"""No open redirects: a target the request names (?next=, Referer) is followed only when it is a
path on this site, however a browser would normalise it."""
from __future__ import annotations

import pytest

from fair.web import auth
from fair.web.pages import local_path

OFFSITE = ["//evil.example/", "///evil.example/", "/\\evil.example/", "/\t/evil.example/", "/\n/evil.example/",
           "/\r\n/x", "https://evil.example/", "http:evil.example", "javascript:alert(1)", "evil.example",
           "/ /evil.example", "\t//evil.example", " /x", "/\x00/x", "/\u202e/x", "/\u3000/evil.example", ""]


@pytest.mark.parametrize("target", OFFSITE)
def test_local_path_refuses_anything_a_browser_could_read_as_another_site(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/dashboard", "/organiser/attendees?q=A0001&x=1", "/me/1.abc#top",
                                    "/%2F/evil.example", "/ไทย"])
def test_local_path_keeps_paths_on_this_site(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", ["//evil.example/", "/%09/evil.example/", "/%5Cevil.example", "/%0A/x",
                                    "https://evil.example/"])
def test_the_language_switch_never_redirects_off_site(client, target):
    response = client.get(f"/lang/th?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("referrer", ["//evil.example/", "https://evil.example/", "http://localhost//evil.example/",
                                      "http://localhost/\\evil.example"])
def test_the_language_switch_ignores_an_offsite_referer(client, referrer):
    response = client.get("/lang/en", headers={"Referer": referrer})
    assert response.headers["Location"] == "/"


def test_the_language_switch_returns_to_the_page_it_was_clicked_on(client):
    assert client.get("/lang/en?next=/register").headers["Location"] == "/register"
    assert client.get("/lang/en", headers={"Referer": "http://localhost/counter?x=1"}).headers["Location"] == "/counter?x=1"


@pytest.mark.parametrize("target", ["/%09/evil.example/", "//evil.example/", "/%0A/x", "/%5C/evil.example"])
def test_sign_in_never_redirects_off_site(app, client, target):
    auth.create_organiser("admin", "correct horse")
    response = client.post(f"/login?next={target}", data={"username": "admin", "password": "correct horse"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_that_asked_for_it(app, client):
    auth.create_organiser("admin", "correct horse")
    response = client.post("/login?next=/organiser/devices", data={"username": "admin", "password": "correct horse"})
    assert response.headers["Location"] == "/organiser/devices"
