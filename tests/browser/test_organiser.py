"""The organiser's tools in a real browser (issue 15): the big screen fits a screen, the attendee
table and the floor plan fit a 360 px phone, destructive actions ask first, and the registration
form shows every error at once."""
from __future__ import annotations

import pytest

from tests.browser.helpers import (check_page_basics, login_organiser, open_pairing_link, page_errors,
                                   save_screenshot)

pytestmark = pytest.mark.browser

# Whatever does not fit the window: the page scrolls, or a panel pokes out of the screen.
_OVERFLOW_JS = """() => {
  const doc = document.documentElement;
  const out = [];
  if (doc.scrollHeight > innerHeight) out.push(`page ${doc.scrollHeight} px tall in ${innerHeight}`);
  if (doc.scrollWidth > innerWidth) out.push(`page ${doc.scrollWidth} px wide in ${innerWidth}`);
  for (const panel of document.querySelectorAll(".screen-panel, .screen-counters, .screen-head")) {
    const box = panel.getBoundingClientRect();
    if (box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5) out.push(`${panel.className} ends at ${box.right}x${box.bottom}`);
  }
  const plan = document.getElementById("floor-plan").getBoundingClientRect();
  const room = document.querySelector("[data-plan-box]").getBoundingClientRect();
  if (plan.right > room.right + 0.5 || plan.bottom > room.bottom + 0.5 || plan.width < 50) {
    out.push(`floor plan ${plan.width}x${plan.height} in a ${room.width}x${room.height} box`);
  }
  return out;
}"""


@pytest.mark.parametrize("width, height, lang", [(1920, 1080, "th"), (1280, 720, "en")])
def test_the_big_screen_fits_the_screen_without_scrolling(served, new_context, width, height, lang):
    for card in served.take_cards(8):           # something in the feed and the counters
        served.check_in(card)
    screen_device = served.pair("dashboard", f"Hall screen {width}")
    page = open_pairing_link(new_context("laptop", lang), screen_device["url"], "/dashboard")
    errors = page_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    page.reload()
    page.wait_for_selector("#live-status[data-state=online]")
    page.wait_for_selector("#feed li")
    page.wait_for_selector("#floor-plan .plan-booth")
    assert page.evaluate("document.body.className") == "screen-page"
    assert page.evaluate(_OVERFLOW_JS) == []
    names = [c.name for c in served.cards[:8]]
    text = page.inner_text("body")
    assert not any(name in text for name in names)     # a screen in the hall shows nobody's name
    if width == 1280:
        save_screenshot(page, "screen-en-1280x720", docs=True)
    assert not errors


def test_the_attendee_table_is_usable_at_360_px(served, new_context):
    page = login_organiser(new_context("phone", "en"), served)
    # The longest name of the demo, so a long one is shown wrapping inside its cell.
    longest = max(served.cards, key=lambda c: len(c.name))
    page.goto(f"/organiser/attendees?q={longest.name}")
    assert page.locator("tbody tr").count() >= 1
    check_page_basics(page, width=360)
    headers = page.evaluate("""() => [...document.querySelectorAll('thead th')]
        .filter((th) => th.getBoundingClientRect().width > 2)
        .map((th) => { const s = getComputedStyle(th);
          return {text: th.textContent.trim(), nowrap: s.whiteSpace === 'nowrap', ellipsis: s.textOverflow === 'ellipsis',
                  lines: Math.round(th.clientHeight / parseFloat(s.lineHeight || '20'))}; })""")
    assert [h["text"] for h in headers] == ["Reference", "Name", "Inside"]
    assert all(h["nowrap"] and h["ellipsis"] for h in headers), headers   # never cut mid-word onto two lines
    # Every button of every row is on the screen, none behind a sideways scroll.
    beyond = page.evaluate("""() => [...document.querySelectorAll('tbody .btn')]
        .filter((b) => b.getBoundingClientRect().right > innerWidth).map((b) => b.textContent.trim())""")
    assert beyond == []
    save_screenshot(page, "attendees-en-phone", docs=True)


def test_the_floor_plan_fits_a_360_px_phone(served, new_context):
    page = login_organiser(new_context("phone", "th"), served)
    page.goto("/dashboard")
    page.wait_for_selector("#floor-plan .plan-booth")
    fit = page.evaluate("""() => { const box = document.querySelector('.plan-scroll');
        const plan = document.getElementById('floor-plan').getBoundingClientRect();
        return {scroll: box.scrollWidth, room: box.clientWidth, right: plan.right, edge: box.getBoundingClientRect().right}; }""")
    assert fit["scroll"] <= fit["room"] and fit["right"] <= fit["edge"] + 0.5, fit
    check_page_basics(page, width=360)


def test_a_lost_card_is_replaced_only_after_the_confirm_step(served, new_context):
    card = served.take_cards(1)[0]
    page = login_organiser(new_context("phone", "en"), served)
    errors = page_errors(page)
    page.goto(f"/organiser/attendees?q={card.ref}")
    code_before = page.inner_text("tbody code")
    page.click("text=Lost card: issue a new one")
    page.wait_for_selector(".confirm-step")
    assert card.ref in page.inner_text(".confirm-message")
    check_page_basics(page, width=360)
    page.click(".confirm-step >> text=Cancel")
    page.wait_for_selector("tbody code")
    assert page.inner_text("tbody code") == code_before          # cancelled: the card still works
    page.click("text=Lost card: issue a new one")
    page.click("text=Yes, issue a new card")
    page.wait_for_selector(".flash-ok")
    assert page.inner_text("tbody code") != code_before
    answer = served.check_in(card)
    assert answer["status"] == "revoked"
    assert not errors


def test_revoking_a_device_asks_first(served, new_context):
    gate = served.pair("gate", "Spare door")
    page = login_organiser(new_context("laptop", "th"), served)
    page.goto("/organiser/devices")
    page.click("button[aria-label*='Spare door']")
    page.wait_for_selector(".confirm-step")
    assert "Spare door" in page.inner_text("h1")
    page.click(".confirm-step button[type=submit]")
    page.wait_for_selector(".flash-ok")
    scan = served.api("POST", "/api/v1/checkins", gate["token"], json={"code": "x", "nonce": "n", "type": "entry"})
    assert scan.status_code == 401


def test_registration_shows_every_error_at_once_on_a_thai_phone(new_context):
    page = new_context("phone", "th").new_page()
    page.goto("/register")
    page.fill("#phone", "12")
    page.fill("#experience_years", "70")
    page.fill("#salary_expected", "5000000")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    summary = page.locator(".error-summary li")
    assert summary.count() == 6          # both names, phone, years, salary, consent
    assert page.locator(".field-error").count() == 6
    check_page_basics(page, width=360)
    page.fill("#first_name", "สมศรี")
    page.fill("#last_name", "ทดสอบ")
    page.fill("#phone", "0812223344")
    page.fill("#experience_years", "2,5")
    page.fill("#salary_expected", "18,000")
    page.check("input[name=consent_participate]")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/me/" in page.url
