"""Pages of the checkin area: registration, the attendee's card, the gate, organiser card tools.

Thin, like the API routes: parse the request, call checkin.services, render.
The card page is also an installable web app: its manifest and service worker
are served under the card's own secret path, so the worker's scope is that one
card and nothing else of the site.
"""
from __future__ import annotations

import base64
import json
import re
from typing import Any

from flask import (Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from fair.core import reference
from fair.core.fairs import current_fair
from fair.web import confirm
from fair.web.auth import Principal, page_token, require
from fair.web.blocking import run_blocking
from fair.checkin import cards, services
from fair.checkin.routes import bp
from fair.booths import services as booths
from fair.checkin.models import Attendee, Card
from fair.matching import services as matching
from fair.organiser.devices import base_url
from fair.web.limits import limiter
from fair.web.validation import Field, json_body, parse_body

REGISTRATIONS_PER_MINUTE = 10       # per IP: a help-desk tablet registers a person a minute
SHEET_CARDS_PER_PAGE = 80           # 8 A4 sheets of 2 x 5 cards per HTML page
LOOKUP_RESULTS = 50
MAX_LINK_LENGTH = 64



# --- registration -------------------------------------------------------------------------

TEXT_FIELDS = ("first_name", "last_name", "phone", "email", "national_id", "education",
               "experience_years", "skills", "desired_positions", "province", "salary_expected")
# The database's column sizes, and a sane bound for the free-text lists.
MAX_LENGTHS = {"first_name": 120, "last_name": 120, "email": 200, "phone": 40, "national_id": 40,
               "skills": 500, "desired_positions": 500}
DEFAULT_MAX_LENGTH = 100
# People separate list items with commas (Thai and Latin keyboards alike); the
# import format's separator is ";".
_LIST_SEPARATORS = re.compile(r"[,;\n\u3001\uff0c\uff1b]+")
_THAI_LEADING_VOWELS = "เแโใไ"


def _field_messages() -> dict[str, str]:
    """What a person reads next to a field the service refused (translated per request)."""
    return {
        "first_name": _("Enter your first name."),
        "last_name": _("Enter your last name."),
        "phone": _("Enter a Thai phone number, for example 081 234 5678."),
        "email": _("This is not a valid email address."),
        "national_id": _("This national ID is not valid: check the 13 digits."),
        "education": _("Choose your education from the list."),
        "experience_years": _("Enter your years of experience, from 0 to 60, for example 2 or 2.5."),
        "province": _("Choose a province from the list."),
        "salary_expected": _("Enter baht per month, from 0 to 1,000,000, for example 15000."),
        "consent_participate": _("You can register only if you agree to take part in the fair."),
        "_": _("Please check the form."),
    }


# The fields in the order the form shows them: the error summary lists them so.
FORM_ORDER = ("first_name", "last_name", "phone", "email", "national_id", "province", "education",
              "experience_years", "desired_positions", "skills", "salary_expected", "consent_participate")


def _problem_messages(problems: dict[str, str]) -> dict[str, str]:
    messages = _field_messages()
    shown: dict[str, str] = {}
    order = {name: i for i, name in enumerate(FORM_ORDER)}
    for name, code in sorted(problems.items(), key=lambda item: order.get(item[0], len(order))):
        if code == "too_long":
            shown[name] = _("This is too long.")
        else:
            shown[name] = messages.get(name, messages["_"])
    return shown


def _thai_sort_key(text: str) -> str:
    # Thai dictionaries order a word by its first consonant: a leading vowel
    # (เ แ โ ใ ไ) is written first but sorted after it.
    if len(text) > 1 and text[0] in _THAI_LEADING_VOWELS:
        return text[1] + text[0] + text[2:]
    return text


def _choices(lang: str) -> dict[str, Any]:
    """The select options of the form, in the page's language."""
    education_names = reference.EDUCATION_NAMES_TH if lang == "th" else reference.EDUCATION_NAMES_EN
    if lang == "th":
        provinces = sorted(((p.en, p.th) for p in reference.PROVINCES), key=lambda p: _thai_sort_key(p[1]))
    else:
        provinces = sorted((p.en, p.en) for p in reference.PROVINCES)
    languages = [(code, th if lang == "th" else en) for code, (en, th, _aliases) in reference.LANGUAGES.items()]
    return {"education": [(code, education_names[code]) for code in reference.EDUCATION_LEVELS],
            "provinces": provinces, "languages": languages}


def _list_cell(text: str) -> str:
    return ";".join(item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip())


def _form_from_request() -> tuple[dict[str, Any], dict[str, str]]:
    form: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = request.form.get(name, "").strip()
        if len(value) > MAX_LENGTHS.get(name, DEFAULT_MAX_LENGTH):
            problems[name] = "too_long"
            value = ""
        form[name] = value
    form["languages"] = [code for code in request.form.getlist("languages") if code in reference.LANGUAGES]
    for flag in ("consent_participate", "consent_share_profile", "needs_disability_friendly",
                 "work_other_provinces", "work_abroad"):
        form[flag] = request.form.get(flag) == "yes"
    return form, problems


def _empty_form() -> dict[str, Any]:
    return {**{name: "" for name in TEXT_FIELDS}, "languages": ["th"], "consent_participate": False,
            "consent_share_profile": False, "needs_disability_friendly": False,
            "work_other_provinces": False, "work_abroad": False}


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Job seekers register on their own phone (a QR poster at the entrance) and get their card."""
    fair = current_fair()
    if fair is None:
        abort(404)
    lang = str(get_locale() or "th")
    form, problems, status = _empty_form(), {}, 200
    if request.method == "POST":
        limit = int(current_app.config.get("RATE_LIMIT_REGISTRATIONS_PER_MINUTE", REGISTRATIONS_PER_MINUTE))
        if not limiter().allow(f"register:{request.remote_addr}", limit):
            flash(_("Too many registrations from this device. Wait a minute and try again."), "error")
            form, _problems = _form_from_request()
            return _render_register(fair, form, {}, lang), 429
        form, problems = _form_from_request()
        if problems:
            # A field too long is blanked: still check the others, so every error shows at once.
            problems = {**services.registration_problems(fair, _service_fields(form),
                                                         consent_participate=form["consent_participate"]),
                        **problems}
        else:
            try:
                attendee = _register(fair, form)
            except services.RegistrationInvalid as invalid:
                problems = invalid.problems
            else:
                link = services.card_link(attendee)
                session["card_link"] = link  # /me finds the card again on this phone
                return redirect(url_for("checkin.card_page", link=link), 303)
        status = 400
    return _render_register(fair, form, _problem_messages(problems), lang), status


def _service_fields(form: dict[str, Any]) -> dict[str, str]:
    fields = {name: form[name] for name in TEXT_FIELDS}
    fields["skills"] = _list_cell(form["skills"])
    fields["desired_positions"] = _list_cell(form["desired_positions"])
    fields["languages"] = ";".join(form["languages"])
    # Work abroad too: the province cell as an import writes it ("Chon Buri;abroad").
    if form["work_abroad"]:
        fields["province"] = reference.PLACE_SEPARATOR.join(filter(None, (form["province"], reference.ABROAD)))
    fields["consent_share_profile"] = "yes" if form["consent_share_profile"] else "no"
    return fields


def _register(fair, form: dict[str, Any]) -> Attendee:
    attendee, _card = services.register_attendee(fair, _service_fields(form),
                                                 consent_participate=form["consent_participate"],
                                                 needs_disability_friendly=form["needs_disability_friendly"],
                                                 willing_to_relocate=form["work_other_provinces"])
    return attendee


def _render_register(fair, form: dict[str, Any], errors: dict[str, str], lang: str) -> str:
    return render_template("checkin/register.html", fair=fair, form=form, errors=errors,
                           choices=_choices(lang), lang=lang)


@bp.get("/me")
def my_card():
    """The card of whoever registered on this phone, else the registration form."""
    link = session.get("card_link")
    if isinstance(link, str) and services.attendee_for_link(link) is not None:
        return redirect(url_for("checkin.card_page", link=link))
    return redirect(url_for("checkin.register"))


# --- the attendee's card page ---------------------------------------------------------------

def _card_or_404(link: str) -> tuple[Attendee, Card]:
    attendee = services.attendee_for_link(link) if len(link) <= MAX_LINK_LENGTH else None
    card = services.active_card(attendee) if attendee is not None else None
    if attendee is None or card is None:
        abort(404)
    return attendee, card


def _private(response: Response) -> Response:
    # The URL is the credential: it must not leave in a Referer, be indexed or shared by a proxy.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _card_view(attendee: Attendee, card: Card, lang: str) -> dict[str, Any]:
    fair = attendee.fair
    token = services.card_token(card, fair)
    # Only the QR drawing leaves the request's thread: ORM rows stay here.
    svg = run_blocking(cards.qr_svg, token)
    return {"name": attendee.full_name, "ref": attendee.ref, "fair_name": fair.display_name(lang),
            "manual_code": cards.format_manual_code(card.manual_code), "token": token,
            # qr_svg's output is built from numbers and fixed attribute text only.
            "qr_svg": Markup(svg)}


@bp.get("/me/<link>")
def card_page(link: str):
    """The attendee's Smart Job Wallet card: QR, name, manual code; live greeting at the gate."""
    attendee, card = _card_or_404(link)
    lang = str(get_locale() or "th")
    view = _card_view(attendee, card, lang)
    strings = {
        "welcome": _("Welcome, %(name)s!", name=attendee.first_name),
        "checked_in": _("You are checked in. Enjoy the fair!"),
        "exit": _("Exit recorded. Thank you for coming!"),
        "visit": _("Booth {booth}: {employer}"),
        "online": _("Live"),
        "offline": _("Offline: your card still works"),
        "invite_accept": _("I'm coming"),
        "invite_decline": _("No, thanks"),
        "invite_accepted": _("You accepted: go to booth {booth}."),
        "invite_declined": _("You declined."),
        "invite_failed": _("Could not send your answer. Try again."),
        "invite_new": _("Booth {booth} invites you"),
    }
    config = {"link": link, "sw": url_for("checkin.card_worker", link=link),
              "scope": url_for("checkin.card_page", link=link)}
    pkpass = bool(current_app.config.get("PKPASS_CERT"))  # the button shows only when passes can be signed
    recommendations = matching.card_recommendations(attendee, top=3, lang=lang)
    html = render_template("checkin/card.html", card=view, attendee=attendee, link=link,
                           recommendations=recommendations,
                           floor=booths.floor_plan(attendee.fair_id, recommendations),
                           visits=booths.visits_of(attendee.id),
                           invitations=[matching.invitation_view(i) for i in matching.invitations_of(attendee)],
                           strings=strings, config=config, pkpass=pkpass)
    return _private(current_app.make_response(html))


@bp.post("/me/<link>/invitations/<int:invitation_id>")
def card_answer_invitation(link: str, invitation_id: int):
    """The attendee accepts or declines a booth's invitation from their card page."""
    attendee, _card = _card_or_404(link)
    body = parse_body(json_body(request), {"accept": Field(bool, required=True)})
    invitation = matching.answer_invitation(attendee, invitation_id, body["accept"])
    return _private(jsonify(invitation=matching.invitation_view(invitation)))


@bp.get("/me/<link>/print")
def card_print(link: str):
    """One card at ID-card size (85.6 x 54 mm), for a card printer or scissors."""
    attendee, card = _card_or_404(link)
    view = _card_view(attendee, card, str(get_locale() or "th"))
    return _private(current_app.make_response(render_template("checkin/card_print.html", card=view, link=link)))


@bp.get("/me/<link>/card.png")
def card_image(link: str):
    """"Save image": the whole card as one PNG, readable on a screen and printed in black and white."""
    attendee, card = _card_or_404(link)
    lang = str(get_locale() or "th")
    fair = attendee.fair
    png = run_blocking(cards.compose_card_png, attendee.full_name, services.card_token(card, fair),
                       cards.format_manual_code(card.manual_code), fair.display_name(lang),
                       _("Manual code"))
    response = Response(png, mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="job-fair-card-{card.manual_code}.png"'
    return _private(response)


@bp.get("/me/<link>/manifest.webmanifest")
def card_manifest(link: str):
    """Makes the card installable: it opens full screen from the home screen."""
    attendee, _card = _card_or_404(link)
    page = url_for("checkin.card_page", link=link)
    lang = str(get_locale() or "th")
    manifest = {
        "id": page, "start_url": page, "scope": page,
        "name": _("%(fair)s: my card", fair=attendee.fair.display_name(lang)),
        "short_name": _("My card"), "lang": lang, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5cad",
        "icons": [{"src": url_for("checkin.card_icon", link=link, size=size), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any"} for size in cards.ICON_SIZES],
    }
    response = Response(json.dumps(manifest, ensure_ascii=False), mimetype="application/manifest+json")
    return _private(response)


@bp.get("/me/<link>/icon-<int:size>.png")
def card_icon(link: str, size: int):
    """The home-screen icon of the installed card (the same for everyone: no personal data)."""
    _card_or_404(link)
    if size not in cards.ICON_SIZES:
        abort(404)
    response = Response(cards.icon_png(size), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _pass_signer():
    """The organiser's Apple Wallet signing setup, or None when it is not configured."""
    from fair.checkin import wallet
    config = current_app.config
    if not config.get("PKPASS_CERT"):
        return None
    return wallet.PassSigner.from_files(config["PKPASS_CERT"], config["PKPASS_KEY"], config["PKPASS_WWDR"],
                                        config["PKPASS_TYPE_ID"], config["PKPASS_TEAM_ID"],
                                        config.get("PKPASS_KEY_PASSWORD"))


@bp.get("/me/<link>/card.pkpass")
def card_pkpass(link: str):
    """"Add to Apple Wallet": the same signed token in a Wallet pass (only when configured)."""
    from fair.checkin import wallet
    attendee, card = _card_or_404(link)
    signer = _pass_signer()
    if signer is None:
        abort(404)
    fair = attendee.fair
    facts = wallet.CardFacts(serial=f"{fair.id}-{card.serial}", token=services.card_token(card, fair),
                             name=attendee.full_name, manual_code=cards.format_manual_code(card.manual_code),
                             fair_name=fair.display_name(str(get_locale() or "th")), venue=fair.venue,
                             card_url=url_for("checkin.card_page", link=link, _external=True))
    data = run_blocking(wallet.build_pkpass, facts, signer, cards.icon_png(192))
    response = Response(data, mimetype="application/vnd.apple.pkpass")
    response.headers["Content-Disposition"] = 'attachment; filename="job-fair-card.pkpass"'
    return _private(response)


@bp.get("/me/<link>/sw.js")
def card_worker(link: str):
    """The card's service worker: keeps the page, its image, CSS and scripts for offline use."""
    attendee, card = _card_or_404(link)
    page = url_for("checkin.card_page", link=link)
    precache = [page, url_for("checkin.card_image", link=link),
                url_for("checkin.card_manifest", link=link),
                url_for("checkin.card_icon", link=link, size=192),
                url_for("static", filename="css/fair.css"), url_for("static", filename="css/checkin.css"),
                url_for("static", filename="vendor/socket.io/socket.io.min.js")]
    # boot.js and every module pages/card.js imports (tests/test_checkin_pages.py follows the imports).
    precache += [url_for("static", filename=f"js/{name}.js") for name in (
        "boot", "lib/report", "pages/card", "lib/live", "lib/http", "lib/i18n")]
    # A new card (lost phone) or a new app version gets a new cache name, so
    # the worker re-installs and drops the old copy.
    cache = f"sjw-card-{attendee.id}-{card.serial}-v3"
    body = render_template("checkin/sw.js", precache=precache, cache=cache,
                           cache_prefix=f"sjw-card-{attendee.id}-")
    response = Response(body, mimetype="text/javascript")
    # The page is /me/<link> and the worker /me/<link>/sw.js: without this header
    # its scope could only be /me/<link>/, which does not contain the page.
    response.headers["Service-Worker-Allowed"] = page
    response.headers["Cache-Control"] = "no-cache"
    return _private(response)


# --- the gate -------------------------------------------------------------------------------

def _gate_strings() -> dict[str, str]:
    return {
        "mode.entry": _("Entry"), "mode.exit": _("Exit"),
        "mode.now_entry": _("Scanning ENTRY"), "mode.now_exit": _("Scanning EXIT"),
        "ok.subtitle": _("Welcome"), "ok.detail": _("Let them in."),
        "already_inside.subtitle": _("Already inside"),
        "already_inside.detail": _("First entry at {time}. Let them in; they are not counted twice."),
        "exit_recorded.subtitle": _("Exit recorded"),
        "exit_recorded.detail": _("Goodbye. They can come back in with the same card."),
        "not_inside.subtitle": _("Not checked in"),
        "not_inside.detail": _("No entry was recorded for this card. If they are coming in, switch to Entry."),
        "unknown.title": _("Unknown card"),
        "unknown.detail": _("Not a card of this fair. Ask for the card page or the code under the QR, "
                            "or send them to registration."),
        "invalid_signature.title": _("Forged or damaged card"),
        "invalid_signature.detail": _("The signature does not match. Ask for the code under the QR "
                                      "or the national ID, and call the organiser if it fails again."),
        "revoked.title": _("Card replaced"),
        "revoked.detail": _("This card was replaced: ask for the new one."),
        "wrong_fair.title": _("Card of another fair"),
        "wrong_fair.detail": _("This card is from another job fair. Send them to registration."),
        "fair_closed.title": _("The fair is closed"),
        "fair_closed.detail": _("Check-in is not open at this time. Ask the organiser."),
        "mistyped.title": _("Typo in the code"),
        "mistyped.check_character": _("The last character does not match the others: one character is "
                                      "wrong or two are swapped. Read the code under the QR again and retype it."),
        "mistyped.length": _("A code has 9 characters (4 + 5): one is missing or extra. Retype it."),
        "mistyped.character": _("Codes never use 0, O, 1, I or L. Read the code under the QR again and retype it."),
        "mistyped.id_check_digit": _("This ID number has a typo: its last digit does not match. "
                                     "Check the 13 digits and retype them."),
        "rate_limited.title": _("Too many typed codes"),
        "rate_limited.detail": _("Wait a minute, then try again."),
        "invalid_input.title": _("Not a card code"),
        "invalid_input.detail": _("Scan again or type the code under the QR."),
        "forbidden.title": _("This device may not scan"),
        "forbidden.detail": _("Pair this phone as a gate again with the organiser's link."),
        "error.title": _("Something went wrong"),
        "error.detail": _("Scan again. If it keeps failing, call the organiser."),
        "offline.ok": _("Accepted offline, not yet confirmed"),
        "offline.ok_detail": _("The card's signature is genuine. Let them in; the server gets this scan later."),
        "offline.exit": _("Exit saved offline, not yet confirmed"),
        "offline.exit_detail": _("The server gets this exit later."),
        "roster.ready": _("Names for offline scans: {n} people (updated {time})."),
        "offline.repeat": _("This card was used already"),
        "offline.repeat_detail": _("Someone got in with this card at {time}. It may be a shared screenshot: "
                                   "ask for an ID before letting them in."),
        "offline.unverified": _("Saved offline, not verified"),
        "offline.unverified_detail": _("This phone cannot check cards without the server. Let them in "
                                       "if the card looks right; the server checks it later."),
        "offline.code_detail": _("Typed codes are checked when the server is back. Let them in if "
                                 "they show their card page or ID."),
        "offline.bad_code": _("Not a valid code"),
        "offline.bad_code_detail": _("Check the code and type it again."),
        "offline.name": _("Card {serial}"),
        "offline.id_needs_network": _("Looking up an ID needs the network"),
        "offline.id_needs_network_detail": _("An ID number is not kept on this phone. Ask for the card "
                                             "or the code under the QR, or try again when online."),
        "status.online": _("Online"), "status.offline": _("Offline"),
        "queue.pending": _("{n} scans waiting to sync"),
        "queue.failed": _("{n} scans not recorded by the server"),
        "queue.held": _("This phone is not accepted as a gate any more: {n} scans are kept on it. "
                        "Ask the organiser to pair it again."),
        "camera.insecure": _("No live camera over plain http: take a photo of the card instead."),
        "camera.denied": _("Camera permission was refused. Allow it in the browser settings, or take a photo."),
        "camera.none": _("No camera found. Use a scanner, a photo or type the code."),
        "camera.failed": _("The camera did not start. Take a photo of the card instead."),
        "photo.no_code": _("No card code found in the photo. Hold the card flat and closer, and try again."),
        "photo.bad_image": _("That file is not a photo."),
        "photo.too_large": _("The photo is too large."),
        "photo.network": _("The photo could not be sent: no connection to the server."),
        "recent.replayed": _("synced"),
        "recent.not_recorded": _("not recorded"),
        "recent.queued": _("queued"),
        "recent.undone": _("undone"),
        "undo.button": _("Undo"),
        "undo.confirm": _("Tap again to undo"),
        "undo.entry_done": _("Entry undone"),
        "undo.exit_done": _("Exit undone"),
        "undo.now_inside": _("Counted inside again."),
        "undo.now_outside": _("Not counted inside any more."),
        "undo.failed": _("Not undone"),
        "undo.needs_network": _("Undoing needs the server: try again when online."),
        "search.searching": _("Searching…"),
        "search.none": _("Nobody found. Check the spelling, or try the phone number."),
        "search.needs_network": _("Searching needs the server: ask for the card or its code."),
        "search.failed": _("The search did not work. Try again."),
        "search.phone": _("phone …{digits}"),
        "search.inside": _("inside"),
        "confirm.entry": _("Check in {name}?"),
        "confirm.exit": _("Check out {name}?"),
        "confirm.yes_entry": _("Yes, check in"),
        "confirm.yes_exit": _("Yes, check out"),
        "confirm.ask": _("Ask for the end of their phone number or their ID before you confirm."),
        "confirm.inside": _("Already inside: an entry would not count twice."),
        "offline.person": _("Saved offline: {name}"),
        "offline.person_detail": _("The server records this check-in when it is back. Let them in."),
    }


@bp.get("/gate")
@require("gate")
def gate_page(principal: Principal):
    """Entrance staff scan cards here: camera, USB/Bluetooth scanner, photo or typed code."""
    fair = principal.device.fair
    config = {
        "publicKey": base64.b64encode(fair.public_key).decode("ascii"),
        "keyTag": cards.key_tag(fair.public_key).hex(),
        "checkinsUrl": url_for("checkin.api_check_in"),
        "undoUrl": url_for("checkin.api_undo_check_in", checkin_id=0),
        "searchUrl": url_for("checkin.api_gate_search"),
        "rosterUrl": url_for("checkin.api_gate_roster"),
        "deviceId": principal.device.id,   # its own line in the gate room's `stats`
        "decodeUrl": url_for("checkin.api_decode"),
        "queueName": "fair-queue-gate",
        # Scans, replays and the socket authenticate with this, not the cookie (auth.page_token).
        "pageToken": page_token(principal.device),
    }
    response = current_app.make_response(render_template(
        "checkin/gate.html", device=principal.device, fair=fair, config=config, strings=_gate_strings()))
    response.headers["Cache-Control"] = "no-store"   # the page holds the device's page token
    return response


# --- organiser: print sheet, lookup, lost cards ------------------------------------------------

def _sheet_view(rows: list[tuple[str, str, str, str]]) -> list[dict[str, Any]]:
    return [{"name": name, "ref": ref, "manual_code": cards.format_manual_code(code),
             "qr_svg": Markup(cards.qr_svg(token))} for name, ref, code, token in rows]


@bp.get("/organiser/cards/print")
@require("organiser")
def print_sheet(principal: Principal):
    """A4 sheets of cards (2 x 5 per page) for people without a smartphone."""
    fair = current_fair()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    sheet = services.card_sheet(fair, page, SHEET_CARDS_PER_PAGE)
    lang = str(get_locale() or "th")
    return render_template("checkin/print_sheet.html", cards=run_blocking(_sheet_view, sheet.cards), page=page,
                           pages=sheet.pages, total=sheet.total, fair_name=fair.display_name(lang))


@bp.get("/organiser/poster")
@require("organiser")
def registration_poster(principal: Principal):
    """A poster for the entrance: people without a card scan it and register on their phone."""
    fair = current_fair()
    url = f"{base_url()}{url_for('checkin.register')}"
    return render_template("checkin/poster.html", fair=fair, url=url, qr=Markup(cards.qr_svg(url)))


@bp.get("/organiser/attendees")
@require("organiser")
def attendee_lookup(principal: Principal):
    """Find an attendee by reference, name (Thai or English, partial, misspelt a little) or phone,
    e.g. to replace a lost card or to check them in or out by hand."""
    fair = current_fair()
    q = request.args.get("q", "").strip()[:100]
    found: list[dict[str, Any]] = []
    if q:
        for attendee, _by in services.search_attendees(fair.id, q, limit=LOOKUP_RESULTS):
            card = services.active_card(attendee)
            found.append({"attendee": attendee, "link": services.card_link(attendee),
                          "manual_code": cards.format_manual_code(card.manual_code) if card else None,
                          "serial": card.serial if card else None,
                          "last_scan": _last_scan_view(attendee)})
    return render_template("checkin/attendees.html", q=q, found=found, limit=LOOKUP_RESULTS)


def _last_scan_view(attendee: Attendee) -> dict[str, Any] | None:
    """The person's latest entry or exit that stands, for the Undo button: what, where, when."""
    from fair.core.timeutil import iso
    scan = services.last_standing_scan(attendee)
    if scan is None:
        return None
    # The template shows scanned_at through the `venue` filter (fair.web.dates): the venue's
    # clock, Buddhist-Era years on a Thai page, like every other date on the pages.
    return {"id": scan.id, "kind": scan.type, "gate": scan.device.name, "at": iso(scan.scanned_at),
            "scanned_at": scan.scanned_at}


def _back_to_lookup(ref: str):
    q = (request.form.get("q") or ref).strip()[:100]
    return redirect(url_for("checkin.attendee_lookup", q=q), 303)


@bp.post("/organiser/attendees/<path:ref>/move")
@require("organiser")
def organiser_move(principal: Principal, ref: str):
    """The organiser lets a person in or out by hand (no card at hand): a scan at the organiser's desk."""
    from fair.checkin.models import CHECKIN_TYPES
    fair = current_fair()
    kind = request.form.get("kind", "")
    attendee = services.attendee_by_ref(fair.id, ref)
    if attendee is None:
        abort(404)
    if kind not in CHECKIN_TYPES:
        flash(_("Choose entry or exit."), "error")
        return _back_to_lookup(ref), 400
    result = services.organiser_check_in(fair, attendee, kind, actor=principal.actor)
    messages = {"ok": _("%(name)s is checked in.", name=attendee.full_name),
                "already_inside": _("%(name)s is inside already: not counted twice.", name=attendee.full_name),
                "exit_recorded": _("%(name)s is checked out.", name=attendee.full_name),
                "not_inside": _("%(name)s was not inside: nothing to check out.", name=attendee.full_name)}
    flash(messages.get(result.status, _("Not recorded: %(status)s.", status=result.status)),
          "ok" if result.status in ("ok", "exit_recorded") else "error")
    return _back_to_lookup(ref)


@bp.post("/organiser/checkins/<int:checkin_id>/undo")
@require("organiser")
def organiser_undo(principal: Principal, checkin_id: int):
    """Undo a wrong entry or exit from the attendee list: recorded as a correction, counts follow."""
    from fair.checkin.routes import UNDO_REFUSALS
    fair = current_fair()
    try:
        result = services.undo_checkin(fair.id, checkin_id, actor=principal.actor)
    except services.UndoRefused as refused:
        flash(str(UNDO_REFUSALS[refused.reason]), "error")
        return _back_to_lookup(""), refused.http
    name = (result.attendee or {}).get("name", "")
    flash(_("Entry of %(name)s undone.", name=name) if result.kind == "entry"
          else _("Exit of %(name)s undone.", name=name), "ok")
    return _back_to_lookup((result.attendee or {}).get("ref", ""))


@bp.post("/organiser/attendees/<path:ref>/replace-card")
@require("organiser")
def replace_card(principal: Principal, ref: str):
    """Lost phone: issue a new card; the old QR and code answer "replaced" from now on."""
    fair = current_fair()
    attendee = services.attendee_by_ref(fair.id, ref)
    if attendee is None:
        abort(404)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Issue a new card for %(name)s?", name=attendee.full_name),
            message=_("The current card of %(ref)s stops working at once: its QR code and code are refused at "
                      "the gate from now on. Do this only when the card is lost or someone else has it.",
                      ref=attendee.ref),
            confirm_label=_("Yes, issue a new card"),
            cancel=url_for("checkin.attendee_lookup", q=attendee.ref))
    card = services.replace_card(attendee, actor=principal.actor)
    flash(_("New card for %(name)s: code %(code)s. The old card no longer works.",
            name=attendee.full_name, code=cards.format_manual_code(card.manual_code)), "ok")
    return redirect(url_for("checkin.attendee_lookup", q=ref), 303)
