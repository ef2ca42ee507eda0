"""Accessibility basics on every main page, in Thai and English, at 360 px: a language attribute,
a label on every form field, no horizontal scrolling; and the pictures of the README."""
from __future__ import annotations

import pytest

from tests.browser.helpers import (check_page_basics, login_organiser, open_pairing_link, page_errors,
                                   save_screenshot)

PUBLIC = ["/", "/register", "/login", "/counter"]
ORGANISER = ["/dashboard", "/dashboard?screen=1", "/organiser/devices", "/organiser/leads",
             "/organiser/attendees?q=A0000", "/organiser/report", "/organiser/booths/pairing-sheets"]

pytestmark = pytest.mark.browser


def visit(page, path: str, problems: list[str], wait_for: str | None = None) -> None:
    errors = page_errors(page)
    response = page.goto(path)
    if response is None or not response.ok:
        problems.append(f"{path}: HTTP {response.status if response else '?'}")
        return
    if wait_for:
        page.wait_for_selector(wait_for)
    try:
        check_page_basics(page, width=360)
    except AssertionError as problem:
        problems.append(str(problem))
    if errors:
        problems.append(f"{path}: script errors {errors}")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_main_page_has_a_language_labelled_fields_and_fits_360_px(lang, served, new_context,
                                                                         gate_state):
    problems: list[str] = []
    anonymous = new_context("phone", lang).new_page()
    for path in PUBLIC:
        visit(anonymous, path, problems)

    organiser = login_organiser(new_context("phone", lang), served)
    for path in ORGANISER:
        visit(organiser, path, problems)
    organiser.goto(f"/organiser/attendees?q={served.cards[-1].ref}")
    card_link = organiser.get_attribute("a[href^='/me/']:not([href$='/print'])", "href")
    for path in (card_link, card_link + "/print"):
        visit(anonymous, path, problems)

    gate = new_context("phone", lang, storage_state=gate_state).new_page()
    visit(gate, "/gate", problems, wait_for="#camera-note:not(:empty)")

    code = next(c for c in sorted(served.booth_links) if served.booth_links[c])
    booth = open_pairing_link(new_context("phone", lang), served.booth_link(code), "/booth")
    visit(booth, "/booth", problems, wait_for="#live-status[data-state=online]")
    visit(booth, "/booth/leads", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "th"])
def test_the_dashboard_on_a_laptop_and_the_counter(lang, served, new_context):
    laptop = login_organiser(new_context("laptop", lang), served)
    errors = page_errors(laptop)
    laptop.goto("/dashboard")
    laptop.wait_for_selector("#live-status[data-state=online]")
    check_page_basics(laptop)
    save_screenshot(laptop, f"dashboard-{lang}-laptop", docs=lang == "en")
    laptop.goto("/counter")
    laptop.wait_for_selector("#live-status[data-state=online]")
    save_screenshot(laptop, f"counter-{lang}-laptop")
    assert not errors


def test_the_registration_form_in_english_on_a_phone(new_context):
    page = new_context("phone", "en").new_page()
    page.goto("/register")
    assert page.evaluate("document.documentElement.lang") == "en"
    save_screenshot(page, "register-en-phone")


def test_the_checks_themselves_catch_a_missing_label_a_wide_page_and_poor_contrast(new_context):
    from tests.browser.helpers import text_contrast
    page = new_context("phone", "en").new_page()
    page.set_content("""<html lang="en"><meta name="viewport" content="width=device-width"><body style="margin:0">
        <label for="a">Named</label><input id="a"><input aria-label="Also named">
        <label>Wrapped <input name="b"></label><select id="bare"></select>
        <p id="grey" style="color:#999;background:#fff">faint</p></body></html>""")
    with pytest.raises(AssertionError, match='id="bare"'):
        check_page_basics(page)
    page.evaluate("document.getElementById('bare').remove()")
    check_page_basics(page, width=360)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<div style=\"width:400px\">wide</div>')")
    with pytest.raises(AssertionError, match="horizontal scroll"):
        check_page_basics(page, width=360)
    assert text_contrast(page, "#grey") < 4.5
    page.set_content("<html><body><p>no language</p></body></html>")
    with pytest.raises(AssertionError, match="lang"):
        check_page_basics(page)
