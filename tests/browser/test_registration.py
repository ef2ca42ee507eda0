"""Journey 1: a job seeker registers on a Thai phone, gets the card, and it still shows offline."""
from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (check_page_basics, page_errors, register, save_screenshot,
                                   text_contrast)

MANUAL_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-?[2-9A-HJKMNP-Z]{5}$")

pytestmark = pytest.mark.browser


def test_consent_is_required_before_a_card_is_made(new_context):
    page = new_context("phone", "th").new_page()
    page.goto("/register")
    page.fill("#first_name", "สมปอง")
    page.fill("#last_name", "ทดลอง")
    page.fill("#phone", "0812345678")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.url.endswith("/register")
    error = page.locator("#consent_participate-error")
    assert error.is_visible()
    assert page.locator("input[name=consent_participate]").get_attribute("aria-describedby") == \
        "consent_participate-error"
    assert page.input_value("#first_name") == "สมปอง"       # nothing typed is lost
    check_page_basics(page, width=360)
    assert text_contrast(page, "#consent_participate-error") >= 4.5


def test_register_on_a_thai_phone_then_the_card_shows_with_the_network_off(served, new_context):
    context = new_context("phone", "th")
    page = context.new_page()
    errors = page_errors(page)
    page.goto("/register")
    assert page.evaluate("document.documentElement.lang") == "th"
    check_page_basics(page, width=360)
    save_screenshot(page, "register-th-phone", docs=True)

    card = register(page, first="มาลี", last="ใจงาม", skills="Excel, บริการลูกค้า", positions="พนักงานขาย")

    assert page.inner_text(".card-name") == "มาลี ใจงาม"
    assert MANUAL_CODE.match(card["manual_code"]), card["manual_code"]
    assert page.locator(".qr svg").is_visible()
    check_page_basics(page, width=360)
    # The card page installs its service worker (scope: this card only) and caches itself.
    scope = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return registration.active && registration.scope;
    }""")
    assert scope and scope.endswith(f"/me/{card['link']}")
    page.wait_for_selector("#live-status[data-state=online]")
    save_screenshot(page, "card-th-phone", docs=True)

    context.set_offline(True)
    # The worker itself is cut off too: what it serves now can only come from its cache.
    worker = context.service_workers[0]
    assert worker.evaluate("fetch('/', {cache: 'no-store'}).then(() => 'reached', () => 'offline')") == "offline"
    response = page.reload(wait_until="domcontentloaded")
    assert response is not None and response.from_service_worker, "the card did not come from the worker"
    assert page.inner_text(".card-code").strip() == card["manual_code"]
    assert page.inner_text(".card-name") == "มาลี ใจงาม"
    assert page.locator(".qr svg").is_visible()
    assert page.evaluate("navigator.onLine") is False
    page.wait_for_selector("#live-status[data-state=offline]")
    save_screenshot(page, "card-th-phone-offline")

    # The saved image of the card is in the worker's cache too.
    image = page.evaluate(f"""async () => {{
        const r = await fetch("/me/{card['link']}/card.png");
        return r.ok ? (await r.blob()).type : String(r.status);
    }}""")
    assert image == "image/png"
    context.set_offline(False)
    assert not errors, errors
