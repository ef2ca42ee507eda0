"""Security headers on every response, and pages the Content-Security-Policy does not break:
no inline script of an executable type, no <style>, no style="" and no on* handlers."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from fair.checkin import services as checkin_services

NOT_SCRIPTS = {"application/json", "application/ld+json"}


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_answer_carries_the_security_headers(client, fair):
    for response in (client.get("/"), client.get("/nothing-here"), client.get("/api/v1/stats"),
                     client.get("/static/css/fair.css")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        policy = _directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"] and "'unsafe-inline'" not in policy["style-src"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        assert {"data:", "blob:"} <= set(policy["img-src"])


def test_the_socket_may_connect_to_this_host_only(client, fair):
    policy = _directives(client.get("/", headers={"Host": "192.168.1.20:5000"}))
    assert policy["connect-src"] == ["'self'", "ws://192.168.1.20:5000", "wss://192.168.1.20:5000"]


def test_the_card_page_keeps_its_stricter_referrer_policy(client, attendee):
    response = client.get(f"/me/{checkin_services.card_link(attendee)}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "script" and "src" not in named and (named.get("type") or "") not in NOT_SCRIPTS:
            self.problems.append(f"inline <script type={named.get('type')!r}>")
        if tag == "style":
            self.problems.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")


def _inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def test_the_checker_itself_finds_inline_code():
    assert len(_inline_problems('<script>x()</script><style>p{}</style><p style="a" onclick="b">'
                                '<script type="module">y()</script>')) == 5
    assert _inline_problems('<script type="application/json">{}</script><script src="/a.js"></script>') == []


@pytest.fixture
def pages(app, client, fair, gate, booth_device, attendee):
    """Every main page, as the person who sees it."""
    from fair.web import auth
    link = checkin_services.card_link(attendee)
    found = {path: client.get(path) for path in ("/", "/register", "/login", "/counter", f"/me/{link}",
                                                  f"/me/{link}/print")}
    found["/gate"] = client.get("/gate", headers=gate.headers)
    found["/booth"] = client.get("/booth", headers=booth_device.headers)
    found["/booth/leads"] = client.get("/booth/leads", headers=booth_device.headers)
    auth.create_organiser("admin", "correct horse")
    organiser = app.test_client()
    organiser.post("/login", data={"username": "admin", "password": "correct horse"})
    for path in ("/dashboard", "/dashboard?screen=1", "/organiser/devices", "/organiser/leads",
                 "/organiser/attendees?q=A1", "/organiser/report", "/organiser/booths/pairing-sheets",
                 "/organiser/cards/print", "/organiser/poster"):
        found[path] = organiser.get(path)
    found["/organiser/booths/pairing-sheets (printed)"] = organiser.post("/organiser/booths/pairing-sheets",
                                                                        data={"booth": "all"})
    return found


def test_no_page_has_code_or_styles_the_policy_would_block(pages):
    problems = []
    for path, response in pages.items():
        assert response.status_code == 200, (path, response.status_code)
        problems += [f"{path}: {p}" for p in _inline_problems(response.get_data(as_text=True))]
    assert not problems, "\n".join(problems)
