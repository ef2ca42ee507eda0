"""Issue 15, booths, in a real browser: the first screen after a scan on a 360 x 640 phone, "Saved"
that stays, who scanned and edited each lead, deleting a mistaken lead, the booth's own questions,
the hall list's separators and every message (photos included) in the page's language."""
from __future__ import annotations

import csv
import io
import itertools
import re
import time

import pytest

from tests.browser.helpers import check_page_basics, open_pairing_link, page_errors, save_screenshot

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
THAI = re.compile(r"[\u0e00-\u0e7f]")
_phones = itertools.count(22345670)


def wait_online(page) -> None:
    page.wait_for_selector("#live-status[data-state=online]")


def pair_phone(new_context, link: str, lang: str, name: str | None = None):
    context = new_context("phone", lang)
    page = open_pairing_link(context, link, "/booth")
    if name:
        page.fill("#device-name", name)
        with page.expect_navigation():
            page.click(".name-prompt button[type=submit]:not([name=skip])")
    else:
        page.click(".name-prompt button[name=skip]")
    wait_online(page)
    return page


def register_with_province(page, first: str, last: str, province: str) -> dict:
    """A job seeker registers on /register (sharing their profile) with a province."""
    page.goto("/register")
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#phone", f"08{next(_phones):08d}")
    page.fill("#skills", "Excel, ขับรถยนต์")
    page.select_option("#province", province)
    page.check("input[name=consent_participate]")
    page.check("input[name=consent_share_profile]")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/me/" in page.url, page.url
    return {"name": f"{first} {last}", "manual_code": page.inner_text(".card-code").strip()}


def scan_by_typing(page, code: str) -> None:
    page.fill("#manual-code", code)
    page.press("#manual-code", "Enter")
    page.wait_for_selector("#candidate:not([hidden])")
    page.wait_for_selector(".result-overlay", state="hidden")


def inside_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SMALL_PHONE["height"]


def test_after_a_scan_the_first_screen_holds_rating_and_next_step_and_saved_stays(served, new_context):
    code, (link, _spare) = served.take_booth()
    served.api("POST", f"/api/v1/booths/{code}/questions",
               json={"label": "ทำกะได้", "kind": "choice", "choices": ["กลางวัน", "กลางคืน"]}).raise_for_status()
    card_page = new_context("phone", "th").new_page()
    person = register_with_province(card_page, "ปรีชา", "ตั้งใจ", "Chon Buri")
    wait_online(card_page)

    phone = pair_phone(new_context, link, "th")
    errors = page_errors(phone)
    phone.set_viewport_size(SMALL_PHONE)
    scan_by_typing(phone, person["manual_code"])
    assert phone.inner_text("#cand-title") == person["name"]

    # Rating, next step and the save state are on the first screen; the breakdown is folded.
    for selector in ("[data-rating='1']", "[data-rating='5']", ".step-buttons button >> nth=-1", "#save-state"):
        assert inside_first_screen(phone, selector), f"{selector} is not within the first 360 x 640 screen"
    assert phone.locator("#cand-details").get_attribute("open") is None
    assert phone.locator("#cand-matches").is_hidden()
    assert phone.inner_text("#cand-best").startswith("ตรงที่สุด")

    # "Saved" comes, and is still there 3 s later (the live echo of the edit does not wipe it).
    phone.click("[data-rating='4']")
    phone.wait_for_selector("#save-state[data-state=saved]")
    saved = phone.inner_text("#save-state")
    assert saved == "บันทึกแล้ว"
    time.sleep(3)
    assert phone.inner_text("#save-state") == saved and phone.locator("#save-state").is_visible()
    save_screenshot(phone, "booth-after-scan-th-phone", docs=True)

    # The booth's own question is answered with a tap.
    phone.click(".booth-question button:has-text('กลางคืน')")
    phone.wait_for_selector("#save-state[data-state=saved]")
    (lead,) = served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"]
    assert lead["rating"] == 4 and list(lead["answers"].values()) == ["กลางคืน"]

    # Unfolded: the profile with the province in Thai, and the match breakdown.
    phone.click("#cand-details summary")
    assert phone.locator("#cand-matches").is_visible()
    facts = phone.inner_text("#cand-facts")
    assert "ชลบุรี" in facts and "Chon Buri" not in facts
    check_page_basics(phone, width=360)

    # Deleted as a mistaken scan: the candidate's card page drops the visit, live.
    card_page.wait_for_selector(f"#visits li:has-text('{code}')")
    phone.click("#lead-delete")
    phone.click("#delete-yes")
    phone.wait_for_selector("#candidate", state="hidden")
    card_page.wait_for_selector(f"#visits li:has-text('{code}')", state="detached")
    assert card_page.locator("#no-visits").is_visible()
    assert not errors


def test_two_phones_see_who_scanned_and_edited_set_a_question_and_delete_a_mistaken_lead(served, new_context):
    code, (first_link, second_link) = served.take_booth()
    mistaken, kept = served.take_cards(2)
    malee = pair_phone(new_context, first_link, "en", name="Malee phone")
    somchai = pair_phone(new_context, second_link, "en", name="Somchai phone")
    errors = page_errors(malee) + page_errors(somchai)

    # Somchai's phone adds the booth's own yes/no question; Malee's form has it without a reload.
    somchai.click("#question-settings summary")
    somchai.fill("#question-label", "Has a driving licence?")
    somchai.select_option("#question-kind", "yesno")
    somchai.click("#question-form button[type=submit]")
    somchai.wait_for_selector("#question-list li:has-text('Has a driving licence?')")
    assert somchai.inner_text("#question-count") == "1"

    scan_by_typing(malee, kept.manual_code)
    malee.wait_for_selector(".booth-question legend:has-text('Has a driving licence?')")
    malee.click(".booth-question button:has-text('Yes')")
    malee.wait_for_selector("#save-state[data-state=saved]")
    assert malee.inner_text("#cand-by") == "Scanned by Malee phone"

    # Somchai's phone sees who scanned it; he rates it, and Malee's list says he edited it.
    item = somchai.locator("#lead-list .lead-item", has_text="Scanned by Malee phone")
    item.wait_for()
    item.click()
    somchai.click("[data-rating='2']")
    somchai.wait_for_selector("#save-state[data-state=saved]")
    malee.wait_for_selector("#lead-list .lead-item:has-text('edited by Somchai phone')")

    # Malee scans the wrong card, and deletes that lead: first she changes her mind, then confirms.
    scan_by_typing(malee, mistaken.manual_code)
    malee.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 2")
    somchai.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 2")
    malee.click("#lead-delete")
    assert malee.locator("#delete-confirm").is_visible()
    malee.click("#delete-no")
    assert malee.locator("#delete-confirm").is_hidden() and len(served.api(
        "GET", f"/api/v1/booths/{code}/leads").json()["leads"]) == 2
    malee.click("#lead-delete")
    malee.click("#delete-yes")
    malee.wait_for_selector("#candidate", state="hidden")
    malee.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 1")
    somchai.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 1")
    leads = served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"]
    # The one kept is the first card's lead (rated 2 by Somchai), whoever's consent it has.
    assert [(lead["rating"], lead["scanned_by"], lead["edited_by"]) for lead in leads] == [
        (2, "Malee phone", "Somchai phone")]

    # The booth's list page and its export: who scanned and edited, the answer, no deleted lead.
    somchai.goto("/booth/leads")
    assert "Scanned by Malee phone · edited by Somchai phone" in somchai.inner_text(".lead-cards")
    with somchai.expect_download() as download:
        somchai.click(f"a[href$='/booths/{code}/leads/export.csv']")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["rating"] == "2"
    assert (rows[0]["scanned_by"], rows[0]["edited_by"]) == ("Malee phone", "Somchai phone")
    assert rows[0]["answers"].startswith("Has a driving licence?: ")

    # The list page deletes too, behind its own confirmation (no script needed).
    somchai.click(".lead-card .confirm-details summary")
    with somchai.expect_navigation():
        somchai.click(".lead-card .confirm-details button.btn-danger")
    assert somchai.locator(".lead-card").count() == 0
    assert served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"] == []
    assert not errors


def test_the_organiser_sets_a_booths_questions_on_a_phone_sized_thai_page(served, new_context):
    from tests.browser.helpers import login_organiser
    code, _links = served.take_booth()
    page = login_organiser(new_context("phone", "th"), served)
    errors = page_errors(page)
    page.goto(f"/organiser/booths/{code}/questions")
    page.fill("#question-label", "เริ่มงานได้เมื่อไร")
    page.select_option("#question-kind", "choice")
    page.fill("#question-choices", "ทันที, ภายใน 1 เดือน")
    with page.expect_navigation():
        page.click("form.question-form button[type=submit]")
    assert "ทันที / ภายใน 1 เดือน" in page.inner_text(".question-list")
    check_page_basics(page, width=360)
    questions = served.api("GET", f"/api/v1/booths/{code}/questions").json()["questions"]
    assert [(q["label"], q["choices"]) for q in questions] == [("เริ่มงานได้เมื่อไร", ["ทันที", "ภายใน 1 เดือน"])]
    page.click(".question-item .confirm-details summary")
    with page.expect_navigation():
        page.click(".question-item button.btn-danger")
    assert served.api("GET", f"/api/v1/booths/{code}/questions").json()["questions"] == []
    assert not errors


def test_hall_list_has_separators_and_the_thai_page_answers_in_thai_even_for_a_bad_photo(served, new_context):
    code, (link, _spare) = served.take_booth()
    for card in served.take_cards(4):
        served.check_in(card)
    phone = pair_phone(new_context, link, "th")
    errors = page_errors(phone)
    phone.click("#hall-refresh")
    phone.wait_for_function("() => document.querySelectorAll('#hall-list > li').length >= 2")
    phone.wait_for_load_state("networkidle")      # the first load and the refresh both drawn
    entries = phone.evaluate("""() => [...document.querySelectorAll('#hall-list > li')].map((li) => ({
        border: getComputedStyle(li).borderTopWidth + ' ' + getComputedStyle(li).borderTopStyle,
        reasons: li.querySelector('.hall-why').textContent, score: li.querySelector('.hall-score').textContent}))""")
    assert len(entries) >= 2
    for n, entry in enumerate(entries):
        assert entry["border"] == "1px solid", f"hall entry {n} has no separator ({entry['border']})"
        assert not re.search(r"\b(required|skills|education|province|missing|match)\b", entry["reasons"]), entry
        assert THAI.search(entry["score"]), entry
    save_screenshot(phone, "booth-hall-th-phone")

    # A file that is not a photo: the message is the Thai one.
    phone.evaluate("document.getElementById('scanner-message').textContent = ''")   # "no camera" until now
    phone.set_input_files("#photo-input", files=[{"name": "card.jpg", "mimeType": "image/jpeg",
                                                  "buffer": b"this is not a picture"}])
    phone.wait_for_function("() => document.getElementById('scanner-message').textContent.trim() !== ''")
    assert phone.inner_text("#scanner-message") == "ไฟล์นี้ไม่ใช่รูปภาพ"
    assert not errors


def test_an_edit_queued_offline_of_a_lead_deleted_meanwhile_is_dropped_with_a_message_not_retried(served, browser):
    """A Thai booth phone rates a lead while offline; the organiser deletes that lead; back online,
    the replayed edit gets 410 "lead_deleted": the phone says so, drops the lead and the queued edit
    (one "not recorded" entry says why), and never sends it again."""
    from tests.browser.helpers import LOCALES, PHONE, TIMEOUT_MS
    from tests.browser.test_offline import Cable, network_down, network_up, read_queue
    code, (link, _spare) = served.take_booth()
    (card,) = served.take_cards(1)
    cable = Cable(served.base)
    context = browser.new_context(base_url=cable.base, locale=LOCALES["th"], **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = open_pairing_link(context, link.replace(served.base, cable.base), "/booth")
        errors = page_errors(page)
        page.click(".name-prompt button[name=skip]")
        wait_online(page)
        scan_by_typing(page, card.manual_code)
        page.click("[data-rating='3']")
        page.wait_for_selector("#save-state[data-state=saved]")
        (lead,) = served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"]
        answered: list[int] = []                     # the edit's answers from the server (not the offline tries)
        page.on("response", lambda r: answered.append(r.status)
                if r.request.method == "PATCH" and f"/leads/{lead['id']}" in r.url else None)

        network_down(context, cable)
        page.wait_for_selector("#live-status[data-state=offline]")
        page.click("[data-rating='5']")
        page.wait_for_selector("#save-state[data-state=queued]")
        assert len(read_queue(page, f"fair-queue-booth-{code}")["items"]) == 1

        assert served.api("DELETE", f"/api/v1/booths/{code}/leads/{lead['id']}").status_code == 200
        network_up(context, cable)
        page.wait_for_selector(".result-overlay:has-text('ถูกลบแล้ว')")
        assert "การแก้ไขนี้ไม่ได้บันทึก" in page.inner_text(".result-overlay")
        page.wait_for_selector("#candidate", state="hidden")
        page.wait_for_function("() => document.querySelectorAll('#lead-list .lead-item').length === 0")
        page.wait_for_selector("#failed-badge:not([hidden])")
        queue = read_queue(page, f"fair-queue-booth-{code}")
        assert queue["items"] == []
        assert [(f["kind"], f["answer"]["status"], f["answer"]["error"]) for f in queue["failed"]] == [
            ("edit", 410, "lead_deleted")]
        page.wait_for_timeout(3000)                  # longer than the queue's first backoffs
        assert answered == [410], f"the refused edit reached the server {len(answered)} times: {answered}"
        assert served.api("GET", f"/api/v1/booths/{code}/leads").json()["leads"] == []
        page.click("#failed-badge")
        # The list is filled once the queue's IndexedDB answers, after the click returns.
        page.wait_for_selector("#failed-list li:has-text('ถูกลบแล้ว')")
        assert not errors, errors
    finally:
        context.close()
        cable.close()
