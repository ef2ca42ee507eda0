"""Journeys 3 and 4: recruiters' phones at a booth, online with the camera and live sync, and
offline with the scans kept on the phone until the network is back."""
from __future__ import annotations

import csv
import io

import pytest

from tests.browser import camera
from tests.browser.helpers import (card_png, check_page_basics, open_pairing_link, page_colour_beside, page_errors,
                                   register, save_screenshot)

NOTE = "Speaks Thai and English well; can start Monday"

pytestmark = pytest.mark.browser


def wait_online(page) -> None:
    page.wait_for_selector("#live-status[data-state=online]")


def test_booth_phone_scans_with_the_camera_rates_and_notes_a_second_phone_and_the_card_see_it(
        served, new_context, camera_browser, video_dir):
    code, (first_link, second_link) = served.take_booth()

    # The candidate registers (sharing their profile) and keeps the card page open.
    attendee = new_context("phone", "th")
    card_page = attendee.new_page()
    person = register(card_page, first="วิชัย", last="ขยันดี", skills="Excel, ขับรถยนต์")
    wait_online(card_page)
    video = camera.card_video(card_png(attendee, person["link"]), "steady", video_dir, "booth-person")

    # The second phone of the booth pairs first, and its recruiter names it.
    second = new_context("phone", "th")
    other = open_pairing_link(second, second_link, "/booth")
    other_errors = page_errors(other)
    other.fill("#device-name", "โทรศัพท์คุณสมชาย")
    with other.expect_navigation():
        other.click(".name-prompt button[type=submit]:not([name=skip])")
    assert other.locator(".name-prompt").count() == 0
    assert "โทรศัพท์คุณสมชาย" in other.inner_text(".flash")
    wait_online(other)
    check_page_basics(other, width=360)

    # The first phone pairs by opening its link; its camera sees the card at once.
    scanner = new_context("phone", "en", browser_=camera_browser(video))
    phone = open_pairing_link(scanner, first_link, "/booth")
    errors = page_errors(phone)
    phone.wait_for_selector("#candidate:not([hidden])", timeout=20_000)
    assert phone.inner_text("#cand-title") == person["name"]
    assert phone.inner_text("#cand-status") == "New candidate"
    check_page_basics(phone, width=360)

    # Rate it, mark the next step, add a note: each edit is saved before the next.
    def saved_after(click: str) -> None:
        phone.click(click)
        phone.wait_for_selector("#save-state[data-state=saved]")

    saved_after("[data-rating='4']")
    assert phone.get_attribute("[data-rating='4']", "aria-pressed") == "true"
    saved_after("[data-step=shortlisted]")
    phone.fill("#notes", NOTE)
    saved_after("#notes-save")
    (lead_row,) = served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"]
    assert (lead_row["rating"], lead_row["next_step"], lead_row["notes"]) == (4, "shortlisted", NOTE)
    phone.evaluate("document.getElementById('candidate').scrollIntoView({block: 'start'})")
    # The camera's aim shades the video only, not the candidate's details below it.
    assert phone.locator(".result-overlay").is_hidden()
    assert page_colour_beside(phone, "#candidate") == (255, 255, 255)
    save_screenshot(phone, "booth-candidate-en-phone", docs=True)

    # The other phone of the booth sees the lead, rating and step included, without reloading.
    lead = other.locator("#lead-list .lead-item", has_text=person["name"])
    lead.wait_for()
    other.wait_for_function("(name) => [...document.querySelectorAll('#lead-list .lead-item')]"
                            ".some((item) => item.textContent.includes(name) && item.textContent.includes('★★★★☆'))",
                            arg=person["name"])
    scanner.browser.close()       # the camera has done its part; spare the CPU

    # The attendee's card page shows the visit live, and after a reload.
    card_page.wait_for_selector(f"#visits li:has-text('{code}')")
    assert card_page.locator("#no-visits").is_hidden()
    card_page.reload()
    assert code in card_page.inner_text("#visits")

    # The booth's export (CSV, downloaded from its lead list) holds the lead with the note.
    other.goto("/booth/leads")
    check_page_basics(other, width=360)
    with other.expect_download() as download:
        other.click(f"a[href$='/booths/{code}/leads/export.csv']")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    found = [row for row in rows[1:] if any(person["name"] in cell for cell in row)]
    assert len(found) == 1, rows
    assert NOTE in found[0] and "4" in found[0]
    assert not errors + other_errors


def test_offline_booth_keeps_three_scans_through_a_reload_and_sends_each_once(served, new_context):
    code, (link, _spare) = served.take_booth()
    people = served.take_cards(3)
    context = new_context("phone", "th")
    page = open_pairing_link(context, link, "/booth")
    page.click(".name-prompt button[name=skip]")
    wait_online(page)

    context.set_offline(True)
    page.wait_for_selector("#live-status[data-state=offline]")
    for person in people:
        page.fill("#manual-code", person.manual_code)
        page.press("#manual-code", "Enter")
        page.wait_for_function("(n) => document.getElementById('queue-badge').textContent.startsWith(String(n))",
                               arg=people.index(person) + 1)
    assert page.locator("#queue-badge").is_visible()
    assert served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"] == [], "sent while offline"
    save_screenshot(page, "booth-offline-th-phone")

    # A reload with no network gives the browser's own error page; the scans wait in IndexedDB.
    # (Chromium's error page reloads by itself when it thinks the network is back, and the
    # offline emulation does not cover that reload: so the queue may start sending from here.)
    try:
        page.reload()
    except Exception as error:
        assert "ERR_INTERNET_DISCONNECTED" in str(error)

    context.set_offline(False)
    page.goto("/booth")
    page.wait_for_selector("#queue-badge[hidden]", state="attached")
    page.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 3")
    leads = served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"]
    assert len(leads) == 3
    assert page.locator("#failed-badge").is_hidden()
