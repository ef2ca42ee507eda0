"""The Content-Security-Policy breaks no page: every main page, as its user opens it, reports no
violation (Chromium logs each one to the console, and fires securitypolicyviolation).

Under this policy Playwright's wait_for_function needs a function ("() => ..."): a bare
expression string is eval'd in the page, which script-src 'self' refuses."""
from __future__ import annotations

import pytest

from tests.browser.helpers import login_organiser, open_pairing_link, page_errors

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/register", "/login", "/counter"]
ORGANISER = ["/dashboard", "/dashboard?screen=1", "/organiser/devices", "/organiser/leads",
             "/organiser/attendees?q=A0000", "/organiser/report", "/organiser/booths/pairing-sheets",
             "/organiser/cards/print", "/organiser/poster"]
# Runs before the page's own scripts, outside the page's policy (Playwright injects it).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def watch(context) -> list[str]:
    """Every CSP violation and script error any page of this context reports."""
    seen: list[str] = []
    context.add_init_script(RECORD_VIOLATIONS)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    return seen


def visit(page, path: str, seen: list[str], wait_for: str | None = None) -> None:
    errors = page_errors(page)
    response = page.goto(path)
    assert response is not None and response.ok, (path, response.status if response else None)
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), path
    if wait_for:
        page.wait_for_selector(wait_for)
    page.wait_for_load_state("networkidle")
    seen.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))
    seen.extend(f"{path}: script error {e}" for e in errors)


def test_no_main_page_breaks_the_content_security_policy(served, new_context, gate_state):
    seen: list[str] = []
    anonymous = new_context("phone", "th")
    anonymous_seen = watch(anonymous)
    page = anonymous.new_page()
    for path in PUBLIC:
        visit(page, path, seen, wait_for="#live-status[data-state=online]" if path == "/counter" else None)

    organiser_context = new_context("laptop", "en")
    organiser_seen = watch(organiser_context)
    organiser = login_organiser(organiser_context, served)
    for path in ORGANISER:
        visit(organiser, path, seen,
              wait_for="#live-status[data-state=online]" if path.startswith("/dashboard") else None)
    organiser.goto("/organiser/booths/pairing-sheets")
    organiser.select_option("select[name=booth]", index=1)  # one booth's sheet: "all" would pair every booth
    with organiser.expect_navigation():
        organiser.click("main form button[type=submit]")
    seen.extend(f"pairing sheets: {v}" for v in organiser.evaluate("window.__csp"))
    organiser.goto(f"/organiser/attendees?q={served.cards[-1].ref}")
    card_link = organiser.get_attribute("a[href^='/me/']:not([href$='/print'])", "href")

    # The card page: its socket, its service worker, its print view.
    visit(page, card_link, seen, wait_for="#live-status[data-state=online]")
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.active !== null)")
    visit(page, card_link + "/print", seen)

    gate_context = new_context("phone", "th", storage_state=gate_state)
    gate_seen = watch(gate_context)
    visit(gate_context.new_page(), "/gate", seen, wait_for="#camera-note:not(:empty)")

    code = next(c for c in sorted(served.booth_links) if served.booth_links[c])
    booth_context = new_context("phone", "th")
    booth_seen = watch(booth_context)
    booth = open_pairing_link(booth_context, served.booth_link(code), "/booth")
    visit(booth, "/booth", seen, wait_for="#live-status[data-state=online]")
    visit(booth, "/booth/leads", seen)

    seen += anonymous_seen + organiser_seen + gate_seen + booth_seen
    assert not seen, "\n".join(seen)


def test_the_watch_itself_sees_a_blocked_inline_script(served, new_context):
    context = new_context("phone", "en")
    seen = watch(context)
    page = context.new_page()
    page.goto("/")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                             document.body.append(s);
                             const p = document.createElement("p"); p.setAttribute("style", "color: red");
                             document.body.append(p); }""")
    page.wait_for_function("() => window.__csp.length >= 2")
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__csp"))
    assert seen, "Chromium logged no CSP violation to the console"
