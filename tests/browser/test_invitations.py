"""Journey 5: a booth invites one of the best candidates in the hall; the attendee accepts on
their card page; the booth sees the answer, all live."""
from __future__ import annotations

import pytest

from tests.browser.helpers import (check_page_basics, login_organiser, open_pairing_link, page_errors,
                                   save_screenshot)

pytestmark = pytest.mark.browser


def pick_candidate(served, people) -> tuple[str, dict]:
    """A booth with a pairing link left whose "best candidates in the hall" list one of `people`
    who agreed to share their profile (so the organiser can find their card by reference)."""
    refs = {person.ref for person in people}
    for code in sorted(served.booth_links):
        if not served.booth_links[code]:
            continue
        candidates = served.api("GET", f"/api/v1/booths/{code}/candidates?top=10").json()["candidates"]
        for candidate in candidates:
            if candidate.get("attendee_ref") in refs and candidate["invitation"] is None:
                return code, candidate
    raise AssertionError("none of the people checked in is among any booth's best candidates")


def test_a_booth_invites_a_candidate_in_the_hall_who_accepts_on_the_card_page(served, new_context):
    people = served.take_cards(8)
    for person in people:
        assert served.check_in(person)["status"] == "ok"
    code, candidate = pick_candidate(served, people)
    ref = candidate["attendee_ref"]
    pseudonym = candidate["candidate"]["pseudonym"]

    # The organiser finds the attendee's card page (as for a lost phone); the attendee has it open.
    organiser = login_organiser(new_context("laptop", "en"), served)
    organiser.goto(f"/organiser/attendees?q={ref}")
    check_page_basics(organiser)
    card_url = organiser.get_attribute("a[href^='/me/']:not([href$='/print'])", "href")
    attendee = new_context("phone", "th")
    card_page = attendee.new_page()
    card_errors = page_errors(card_page)
    card_page.goto(card_url)
    card_page.wait_for_selector("#live-status[data-state=online]")
    assert card_page.locator("#invitations-panel").is_hidden()

    # The recruiter opens the booth page; the candidate is in "Best candidates in the hall now".
    booth = open_pairing_link(new_context("phone", "en"), served.booth_link(code), "/booth")
    booth_errors = page_errors(booth)
    booth.click(".name-prompt button[name=skip]")
    booth.wait_for_selector("#live-status[data-state=online]")
    item = booth.locator(f"#hall-list li[data-candidate='{pseudonym}']")
    item.wait_for()
    # Never scanned by this booth: its own pseudonym, not the name (fair.core.disclosure).
    assert pseudonym in item.inner_text() and candidate["candidate"]["shared"] is False
    item.get_by_role("button", name="Invite").click()
    booth.wait_for_function(
        "(id) => document.querySelector(`#hall-list li[data-candidate='${id}'] .invitation-status`)"
        ".textContent === 'Invited: waiting for an answer'", arg=pseudonym)
    booth.evaluate("document.getElementById('hall-title').scrollIntoView({block: 'start'})")
    save_screenshot(booth, "booth-hall-en-phone", docs=True)

    # The invitation appears on the card page without a reload; the attendee accepts.
    invitation = card_page.locator("#invitations li", has_text=code)
    invitation.wait_for()
    assert card_page.locator("#invitations-panel").is_visible()
    card_page.evaluate("document.getElementById('invitations-panel').scrollIntoView({block: 'center'})")
    save_screenshot(card_page, "card-invitation-th-phone", docs=True)
    invitation.locator("button[data-answer=accept]").click()
    card_page.wait_for_function(
        "(code) => [...document.querySelectorAll('#invitations .invitation-status')]"
        ".some((el) => el.textContent.includes(code))", arg=code)
    assert invitation.locator("button[data-answer=accept]").is_hidden()
    check_page_basics(card_page, width=360)

    # The booth sees the answer live.
    booth.wait_for_function(
        "(id) => document.querySelector(`#hall-list li[data-candidate='${id}'] .invitation-status`)"
        ".textContent === 'Accepted: on the way'", arg=pseudonym)
    card_page.reload()
    assert card_page.locator("#invitations li[data-status=accepted]").count() == 1
    assert not card_errors + booth_errors
