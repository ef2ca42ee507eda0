"""Journey 2: the entrance. A phone's camera sees the card (a Y4M video played as the camera),
the screen turns green, amber or red; a USB scanner types a code; the organiser's dashboard
shows every check-in live. Plus: which ways of holding a card the in-browser decoder reads."""
from __future__ import annotations

import pytest

from fair.checkin.cards import format_manual_code
from fair.checkin.cards import compose_card_png
from tests.browser import camera
from tests.browser.helpers import (card_png, check_page_basics, contrast_ratio, forge, login_organiser,
                                   page_colour_beside, page_errors, register, save_screenshot)

DECODE_TIMEOUT_MS = 20_000
LIVE_WITHIN_MS = 1_000

pytestmark = pytest.mark.browser


def open_gate(new_context, gate_state, browser_=None, size="phone", lang="th"):
    context = new_context(size, lang, browser_=browser_, storage_state=gate_state)
    page = context.new_page()
    errors = page_errors(page)
    page.goto("/gate")
    page.wait_for_selector("#net-online:not([hidden])")
    # The camera started (the video shows) or the page said why not.
    page.wait_for_function("() => !document.getElementById('scanner').hidden"
                           " || document.getElementById('camera-note').textContent !== ''")
    return page, errors


def next_result(page, timeout=DECODE_TIMEOUT_MS) -> dict:
    """Wait for the next answer the gate shows; returns its kind, text, time and the
    colours of the full-screen result at that moment."""
    handle = page.wait_for_function("""() => {
        const item = document.querySelector("#recent li:not([data-test-seen])");
        if (!item) return null;
        item.dataset.testSeen = "1";
        const overlay = document.querySelector(".result-overlay");
        const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
        const title = overlay.querySelector(".result-title");
        return {kind: item.dataset.kind, text: item.textContent, at: Date.now(),
                overlay: overlay.className, visible: !overlay.hidden,
                title: title.textContent,
                fg: rgb(getComputedStyle(title).color), bg: rgb(getComputedStyle(overlay).backgroundColor)};
    }""", timeout=timeout, polling=50)
    return handle.json_value()


def watch_dashboard(page) -> None:
    """Record when each feed line appears on the dashboard, to measure the live delay."""
    page.evaluate("""() => {
        window.feedSeen = [];
        new MutationObserver((changes) => {
            for (const change of changes) for (const node of change.addedNodes) {
                if (node.nodeType === 1) window.feedSeen.push({text: node.textContent, kind: node.dataset.kind, at: Date.now()});
            }
        }).observe(document.getElementById("feed"), {childList: true});
    }""")


def dashboard_within_a_second(page, result: dict, text: str, kind: str) -> None:
    """The dashboard's feed shows a line for this gate result, less than a second after the gate did."""
    line = page.wait_for_function(
        "([text, kind, after]) => window.feedSeen.find((line) => line.text.includes(text)"
        " && line.kind === kind && line.at >= after - 2000)",
        arg=[text, kind, result["at"]], timeout=5_000).json_value()
    assert line["at"] - result["at"] < LIVE_WITHIN_MS, f"the dashboard showed it {line['at'] - result['at']} ms later"


def test_camera_scan_green_then_amber_forged_red_and_a_usb_scanner_with_the_dashboard_live(
        served, new_context, camera_browser, gate_state, video_dir):
    # The organiser's laptop shows the dashboard the whole time.
    laptop = new_context("laptop", "en")
    dashboard = login_organiser(laptop, served)
    dashboard_errors = page_errors(dashboard)
    dashboard.goto("/dashboard")
    dashboard.wait_for_selector("#live-status[data-state=online]")
    watch_dashboard(dashboard)
    inside_before = int(dashboard.inner_text("#count-inside").replace(",", ""))

    # A job seeker registers; their card page stays open on their phone.
    phone = new_context("phone", "th")
    card_page = phone.new_page()
    person = register(card_page, first="ประภา", last="แสงทอง")
    card_page.wait_for_selector("#live-status[data-state=online]")
    assert card_page.locator("#greeting").is_hidden()

    steady = camera.card_video(card_png(phone, person["link"]), "steady", video_dir, "gate-person")
    demo, forged_owner = served.take_cards(2)
    forged_png = compose_card_png(forged_owner.name, forge(forged_owner.token),
                                  format_manual_code(forged_owner.manual_code), "Job Fair", "Manual code")
    forged = camera.card_video(forged_png, "steady", video_dir, "forged")

    # 1. The camera sees the card: green, with the name; the dashboard and the card page know at once.
    gate_browser = camera_browser(steady)
    gate, gate_errors = open_gate(new_context, gate_state, gate_browser)
    check_page_basics(gate, width=360)
    assert gate.locator("#scanner").is_visible(), gate.inner_text("#camera-note")
    first = next_result(gate)
    save_screenshot(gate, "gate-welcome-th-phone", docs=True)
    assert first["kind"] == "ok" and person["name"] in first["text"], first
    assert "result-ok" in first["overlay"] and first["visible"]
    assert first["title"] == person["name"]
    assert contrast_ratio(first["fg"], first["bg"]) >= 4.5, first
    dashboard_within_a_second(dashboard, first, person["name"], "ok")
    dashboard.wait_for_function("(n) => Number(document.getElementById('count-inside').textContent.replace(/,/g, '')) > n",
                                arg=inside_before)
    card_page.wait_for_selector("#greeting:not([hidden])", timeout=5_000)
    assert card_page.locator("#recommendations").is_visible()

    # 2. The same card again (a reload forgets the 5 s de-duplication): amber, already inside.
    gate.reload()
    again = next_result(gate)
    assert again["kind"] == "warn" and person["name"] in again["text"], again
    assert "result-warn" in again["overlay"]
    assert contrast_ratio(again["fg"], again["bg"]) >= 4.5, again
    dashboard_within_a_second(dashboard, again, person["name"], "warn")
    gate_browser.close()

    # 3. A forged card (one character of the signature changed): red.
    forged_browser = camera_browser(forged)
    forged_gate, forged_errors = open_gate(new_context, gate_state, forged_browser, lang="en")
    bad = next_result(forged_gate)
    assert bad["kind"] == "bad" and "result-bad" in bad["overlay"], bad
    assert bad["title"] == "Forged or damaged card"
    assert forged_owner.name not in bad["text"]
    assert contrast_ratio(bad["fg"], bad["bg"]) >= 4.5, bad
    save_screenshot(forged_gate, "gate-forged-en-phone", docs=True)
    # Under the result: the camera's aim shades the video, not the rest of the page.
    forged_gate.evaluate("document.querySelector('.result-overlay').hidden = true")
    assert page_colour_beside(forged_gate, "#scanner") == (255, 255, 255)
    dashboard_within_a_second(dashboard, bad, "", "bad")
    forged_browser.close()

    # 4. A USB barcode scanner on a laptop gate types the short code and Enter, focus anywhere.
    desk, desk_errors = open_gate(new_context, gate_state, size="laptop", lang="en")
    desk.locator("h2").first.click()
    desk.keyboard.type(demo.manual_code, delay=10)
    desk.keyboard.press("Enter")
    typed = next_result(desk, timeout=10_000)
    assert typed["kind"] == "ok" and demo.name in typed["text"], typed
    dashboard_within_a_second(dashboard, typed, demo.name, "ok")
    assert desk.input_value("#manual") == ""
    save_screenshot(dashboard, "dashboard-after-gate-en-laptop")

    assert not (gate_errors + forged_errors + desk_errors + dashboard_errors)


@pytest.mark.parametrize("variant", camera.VARIANTS)
def test_the_gate_camera_reads_a_card_held(variant, served, new_context, camera_browser, gate_state,
                                           video_dir):
    """steady, moving, small (about 110 px of QR), tilted (25 degrees and leaning), dark mode (inverted)."""
    (person,) = served.take_cards(1)
    png = compose_card_png(person.name, person.token, format_manual_code(person.manual_code), "Job Fair",
                           "Manual code")
    video = camera.card_video(png, variant, video_dir, person.ref)
    gate, errors = open_gate(new_context, gate_state, camera_browser(video))
    result = next_result(gate)
    assert result["kind"] == "ok" and person.name in result["text"], result
    assert not errors
