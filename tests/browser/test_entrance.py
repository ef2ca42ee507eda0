"""Issue 15, entrance: what staff at the door expect from a good check-in app, in a real
browser on a 360 px phone (Thai and English): a typo in a typed code said as such, a page
for phones that are not paired, undo from the recent list with the counts following live
(also on the organiser's dashboard), a person found by name or phone and checked in after a
confirm step, the organiser checking people in and out and undoing from the attendee list,
and offline scans that name the person and flag a second scan of one card."""
from __future__ import annotations

import pytest

from fair.checkin import cards
from tests.browser.helpers import (check_page_basics, contrast_ratio, login_organiser, open_pairing_link,
                                   page_errors, save_screenshot)
from tests.browser.test_gate import next_result, open_gate
from tests.browser.test_offline import query

pytestmark = pytest.mark.browser

MIXED = "AB3DEFGH" + cards.manual_check_char("AB3DEFGH")
WRONG_CHECK = MIXED[:8] + next(c for c in cards.MANUAL_ALPHABET if c != MIXED[8])


def count(page, which: str) -> int | None:
    text = page.inner_text(f"#count-{which}").replace(",", "").strip()
    return int(text) if text.isdigit() else None


def wait_count(page, which: str, value: int) -> None:
    page.wait_for_function(
        "([id, n]) => document.getElementById(id).textContent.replace(/,/g, '').trim() === String(n)",
        arg=[f"count-{which}", value], timeout=10_000)


def type_code(page, code: str) -> None:
    page.fill("#manual", code)
    page.press("#manual", "Enter")


def phone_of(served, ref: str) -> str:
    return query(served, "SELECT phone FROM attendee WHERE ref = ?", [ref])[0]["phone"]


def people_with_phones(served, n: int) -> list:
    """Demo attendees no other test used, with a phone number (a few demo people have none)."""
    found = []
    while len(found) < n:
        card, = served.take_cards(1)
        if phone_of(served, card.ref):
            found.append(card)
    return found


def scans_of(served, ref: str) -> list[str]:
    rows = query(served, """SELECT c.status FROM check_in c JOIN attendee a ON a.id = c.attendee_id
                            WHERE a.ref = ? ORDER BY c.id""", [ref])
    return [r["status"] for r in rows]


def test_a_typo_in_the_typed_code_says_so_in_thai_and_english(new_context, gate_state):
    for lang, title in (("th", "พิมพ์รหัสผิด"), ("en", "Typo in the code")):
        gate, errors = open_gate(new_context, gate_state, lang=lang)
        type_code(gate, WRONG_CHECK)
        result = next_result(gate, timeout=10_000)
        assert result["title"] == title and result["kind"] == "warn", result
        assert "Unknown" not in result["text"] and "ไม่รู้จัก" not in result["text"]
        detail = gate.inner_text(".result-overlay .result-detail")
        assert ("one character is wrong" in detail) if lang == "en" else ("สลับกัน" in detail)
        assert contrast_ratio(result["fg"], result["bg"]) >= 4.5
        type_code(gate, MIXED[:8])                                   # a character missing
        assert next_result(gate, timeout=10_000)["title"] == title
        assert not errors


def test_an_unpaired_or_revoked_phone_is_told_to_ask_the_organiser_not_sent_to_sign_in(served, new_context):
    stranger = new_context("phone", "th").new_page()
    stranger.goto("/gate")
    assert stranger.locator(".device-refused[data-reason=unpaired]").is_visible()
    assert "ยังไม่ได้จับคู่" in stranger.inner_text("h1")
    assert "ผู้จัดงาน" in stranger.inner_text(".steps")
    assert stranger.locator("#password").count() == 0 and "/login" not in stranger.url
    check_page_basics(stranger, width=360)
    save_screenshot(stranger, "gate-unpaired-th-phone")

    spare = served.pair("gate", "Spare gate 15")
    context = new_context("phone", "en")
    gate = open_pairing_link(context, spare["url"], "/gate")
    gate.wait_for_selector("#net-online:not([hidden])")
    device_id = query(served, "SELECT id FROM device WHERE name = ?", ["Spare gate 15"])[0]["id"]
    served.cli("device", "revoke", str(device_id))
    for _visit in range(2):      # every visit says why, not only the first
        gate.goto("/gate")
        assert gate.locator(".device-refused[data-reason=revoked]").is_visible()
        assert gate.inner_text("h1") == "This phone is no longer paired"
        assert "pair this phone again" in gate.inner_text(".steps")
    check_page_basics(gate, width=360)
    booth = context.new_page()
    booth.goto("/booth")
    assert booth.locator(".device-refused").is_visible()


def test_undo_from_the_recent_list_and_the_counts_follow_live_on_the_gate_and_the_dashboard(
        served, new_context, gate_state):
    laptop = new_context("laptop", "en")
    dashboard = login_organiser(laptop, served)
    dashboard_errors = page_errors(dashboard)
    dashboard.goto("/dashboard")
    dashboard.wait_for_selector("#live-status[data-state=online]")
    person, = served.take_cards(1)

    gate, errors = open_gate(new_context, gate_state, lang="en")
    gate.wait_for_function("() => /\\d/.test(document.getElementById('count-inside').textContent)"
                           " && /\\d/.test(document.getElementById('count-entries').textContent)", timeout=10_000)
    entries, inside = count(gate, "entries"), count(gate, "inside")
    check_page_basics(gate, width=360)

    type_code(gate, person.manual_code)
    welcome = next_result(gate, timeout=10_000)
    assert welcome["kind"] == "ok" and person.name in welcome["text"], welcome
    wait_count(gate, "entries", entries + 1)
    wait_count(gate, "inside", inside + 1)
    dashboard.wait_for_function("(n) => Number(document.getElementById('count-inside').textContent.replace(/,/g, '')) === n",
                                arg=inside + 1, timeout=10_000)

    gate.evaluate("document.querySelector('.result-overlay').hidden = true")
    undo = gate.locator("#recent li").first.locator("button.undo")
    undo.click()
    assert undo.inner_text() == "Tap again to undo"
    check_page_basics(gate, width=360)
    undo.click()
    undone = next_result(gate, timeout=10_000)
    assert undone["kind"] == "warn" and "Entry undone" in undone["text"] and person.name in undone["text"], undone
    assert gate.locator("#recent li[data-undone='1']").count() == 1
    wait_count(gate, "entries", entries)
    wait_count(gate, "inside", inside)
    dashboard.wait_for_function("(n) => Number(document.getElementById('count-inside').textContent.replace(/,/g, '')) === n",
                                arg=inside, timeout=10_000)
    dashboard.wait_for_function("() => [...document.querySelectorAll('#feed li')].some("
                                "(li) => li.textContent.includes('entry at North door undone'))", timeout=10_000)
    # The scan stands, corrected: nothing was deleted.
    assert scans_of(served, person.ref) == ["ok"]
    assert query(served, """SELECT count(*) AS n FROM check_in_correction k JOIN check_in c ON c.id = k.checkin_id
                            JOIN attendee a ON a.id = c.attendee_id WHERE a.ref = ?""", [person.ref])[0]["n"] == 1
    assert not errors + dashboard_errors


def test_a_person_without_a_card_is_found_by_name_or_phone_and_checked_in_after_confirming(
        served, new_context, gate_state):
    person, other = people_with_phones(served, 2)
    gate, errors = open_gate(new_context, gate_state, lang="th")
    gate.click("#search-box summary")
    gate.fill("#search", person.name)
    gate.wait_for_selector(f"#search-results button[data-ref='{person.ref}']")
    gate.click(f"#search-results button[data-ref='{person.ref}']")
    assert gate.locator("#confirm").is_visible()
    assert person.name in gate.inner_text("#confirm-title")
    assert "โทร …" in gate.inner_text("#confirm-detail") and person.ref in gate.inner_text("#confirm-detail")
    check_page_basics(gate, width=360)
    save_screenshot(gate, "gate-search-confirm-th-phone")
    assert scans_of(served, person.ref) == []          # nothing happens before the confirm
    gate.click("#confirm-yes")
    result = next_result(gate, timeout=10_000)
    assert result["kind"] == "ok" and person.name in result["text"], result
    assert scans_of(served, person.ref) == ["ok"]
    gate.wait_for_function("() => /\\d/.test(document.getElementById('count-inside').textContent)", timeout=10_000)
    gate.evaluate("document.querySelector('.result-overlay').hidden = true")
    save_screenshot(gate, "gate-th-phone", docs=True)

    # A phone number typed where codes go is looked up; cancelling records nothing.
    type_code(gate, phone_of(served, other.ref))
    gate.wait_for_selector(f"#search-results button[data-ref='{other.ref}']")
    assert gate.locator("#search-box").get_attribute("open") is not None
    gate.click(f"#search-results button[data-ref='{other.ref}']")
    gate.click("#confirm-no")
    assert gate.locator("#confirm").is_hidden()
    assert scans_of(served, other.ref) == []
    gate.fill("#search", "zzqqxx")
    gate.wait_for_function("() => document.getElementById('search-note').textContent.includes('ไม่พบ')")
    assert not errors


def test_the_organiser_finds_a_phone_checks_in_and_out_and_undoes(served, new_context):
    person, = people_with_phones(served, 1)
    laptop = new_context("laptop", "en")
    page = login_organiser(laptop, served)
    errors = page_errors(page)
    page.goto(f"/organiser/attendees?q={phone_of(served, person.ref)}")
    row = page.locator("tbody tr", has_text=person.ref)
    assert person.name in row.inner_text()
    with page.expect_navigation():
        row.locator("button[value=entry]").click()
    assert f"{person.name} is checked in." in page.inner_text(".flash")
    row = page.locator("tbody tr", has_text=person.ref)
    assert "Organiser desk" in row.inner_text()
    with page.expect_navigation():
        row.locator("button[data-undo=entry]").click()
    assert f"Entry of {person.name} undone." in page.inner_text(".flash")
    assert scans_of(served, person.ref) == ["ok"]         # the scan stands; its correction undoes it
    row = page.locator("tbody tr", has_text=person.ref)
    assert row.locator("button[value=entry]").count() == 1   # not inside: "Check in" again
    assert not errors


def test_offline_the_gate_names_the_card_and_flags_a_second_scan_of_it(served, new_context, gate_state):
    person, = served.take_cards(1)
    first_name = person.name.split()[0]
    context = new_context("phone", "en", storage_state=gate_state)
    gate = context.new_page()
    errors = page_errors(gate)
    gate.goto("/gate")
    gate.wait_for_selector("#net-online:not([hidden])")
    gate.wait_for_function("() => Number(document.getElementById('roster-note').dataset.size) >= 40")

    context.set_offline(True)
    gate.wait_for_selector("#net-offline:not([hidden])")
    gate.locator("h2").first.click()
    gate.keyboard.type(person.token, delay=5)              # the USB scanner
    gate.keyboard.press("Enter")
    accepted = next_result(gate, timeout=10_000)
    assert accepted["kind"] == "ok" and "result-offline" in accepted["overlay"], accepted
    assert accepted["title"].startswith(first_name) and "Card " not in accepted["title"], accepted
    assert "Accepted offline" in accepted["text"] and "Welcome" not in accepted["text"]
    assert contrast_ratio(accepted["fg"], accepted["bg"]) >= 4.5
    green = (20, 108, 46)                                   # --ok, the online "Welcome"
    assert tuple(accepted["bg"][:3]) != green
    save_screenshot(gate, "gate-offline-accepted-en-phone")

    type_code(gate, person.token)                           # the same card again: a shared screenshot?
    repeat = next_result(gate, timeout=10_000)
    assert repeat["kind"] == "warn" and repeat["title"] == "This card was used already", repeat
    assert first_name in repeat["text"]
    assert "screenshot" in gate.inner_text(".result-overlay .result-detail")
    assert scans_of(served, person.ref) == []

    context.set_offline(False)
    gate.wait_for_selector("#net-online:not([hidden])")
    gate.wait_for_function("() => document.getElementById('queue').hidden", timeout=20_000)
    assert scans_of(served, person.ref) == ["ok", "already_inside"]   # counted once
    assert not errors
