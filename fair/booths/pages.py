"""Pages of the booths area: the booth phone's page, lead lists and exports, device pairing.

Thin like the API routes: parse, check who is calling, call a service, render.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import (Response, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from markupsafe import Markup

from fair.organiser import devices
from fair.web import confirm
from fair.web.auth import Principal, page_token, require
from fair.booths import services
from fair.booths.models import MAX_QUESTIONS, Booth
from fair.booths.routes import bp, own_booth
from fair.checkin.cards import qr_svg
from fair.organiser.exports import MIMETYPES, ExportError, export_bytes
from fair.extensions import db
from fair.core.fairs import current_fair
from fair.core.models import Device
from fair.core.reference import EDUCATION_NAMES_EN, EDUCATION_NAMES_TH, PROVINCES, parse_booth_code
from fair.core.timeutil import parse_iso, utcnow

MAX_QUERY_LENGTH = 100


# --- labels shared by the templates and booth.js ------------------------------------------

def next_step_labels() -> dict[str, str]:
    return {"none": _("Not decided"), "interview_now": _("Interview now"), "shortlisted": _("Shortlisted"),
            "hired": _("Hired on the spot"), "not_suitable": _("Not suitable")}


def preset_tags() -> list[str]:
    """Chips a recruiter taps instead of typing; free tags are allowed too."""
    return [_("Experienced"), _("Fresh graduate"), _("Speaks English"), _("Can start now"),
            _("Night shift OK"), _("Call back")]


def question_kinds() -> dict[str, str]:
    return {"text": _("Text"), "yesno": _("Yes or no"), "choice": _("One of a few choices")}


def province_labels(locale: str) -> dict[str, str]:
    """Stored (English) province names -> the page's language, for what booth.js shows."""
    return {p.en: p.th for p in PROVINCES} if locale == "th" else {}


def education_labels(locale: str) -> dict[str, str]:
    return EDUCATION_NAMES_TH if locale == "th" else EDUCATION_NAMES_EN


def local_time(moment: datetime | None) -> str:
    """Naive UTC → the venue's wall clock, in the page's language (fair.web.dates, one rule)."""
    from fair.web.dates import venue_text
    return venue_text(moment, "short")


def _booth_strings() -> dict[str, str]:
    """Everything booth.js shows, translated here (i18n.js reads the JSON block)."""
    return {
        "hall.invite": _("Invite"),
        "hall.sent": _("Invited: waiting for an answer"),
        "hall.accepted": _("Accepted: on the way"),
        "hall.declined": _("Declined"),
        "hall.failed": _("Could not send the invitation."),
        "hall.empty": _("Nobody inside matches your jobs well yet."),
        "hall.score": _("{score}% match"),
        "live.online": _("Live"),
        "live.offline": _("Offline: scans are kept on this phone"),
        "queue.pending": _("{n} waiting to send"),
        "queue.failed": _("{n} not recorded by the server"),
        "queue.no_lead": _("This edit belongs to a scan the server did not accept."),
        "queue.refused": _("Not recorded by the server"),
        "queue.lead_deleted": _("This lead was deleted on another phone or by the organiser: "
                                "the change was not saved."),
        "queue.dropped": _("{n} unsent change(s) to this lead were dropped."),
        "queue.held": _("This phone is not accepted for this booth any more: {n} kept on it. "
                        "Ask the organiser to pair it again."),
        "failed.scan": _("A scan"),
        "failed.edit": _("An edit"),
        "failed.clear": _("Dismiss"),
        "scan.id_needs_network": _("Looking up an ID needs the network"),
        "scan.id_needs_network_detail": _("An ID number is not kept on this phone. Scan the card or type "
                                          "the code under the QR."),
        "scan.ok": _("New candidate"),
        "scan.updated": _("Already scanned here: lead updated"),
        "scan.queued": _("Saved on this phone"),
        "scan.queued_detail": _("It will be sent when the connection is back."),
        "status.unknown": _("Unknown card"),
        "status.invalid_signature": _("Not a genuine card"),
        "status.revoked": _("This card was replaced"),
        "status.wrong_fair": _("A card of another fair"),
        "status.rate_limited": _("Too many typed codes: wait a minute"),
        "status.error": _("Not recorded"),
        "status.forbidden": _("This phone is no longer paired. Ask the organiser."),
        "candidate.private": _("Profile not shared"),
        "candidate.private_help": _("This candidate has not agreed to share contact details."),
        "candidate.waiting": _("Waiting to send"),
        "candidate.experience": _("{n} years"),
        "fact.number": _("Number"),
        "fact.education": _("Education"),
        "fact.experience": _("Experience"),
        "fact.phone": _("Phone"),
        "fact.email": _("Email"),
        "fact.province": _("Province"),
        "fact.wants": _("Looking for"),
        "match.none": _("No match information yet."),
        "match.score": _("{score}% match"),
        "save.saved": _("Saved"),
        "save.queued": _("Saved on this phone, will send later"),
        "save.sending": _("Saving…"),
        "save.failed": _("Not saved: {message}"),
        "scanner.no_code": _("No QR code found in the photo. Try again closer, with more light."),
        "scanner.network": _("Could not reach the server. Type the code instead."),
        "scanner.bad_image": _("That file is not a photo."),
        "scanner.too_large": _("The photo is too large."),
        "scanner.camera_denied": _("Camera blocked: allow it in the browser settings, or use a photo."),
        "scanner.camera_failed": _("The camera did not start: use a photo or type the code."),
        "scanner.no_camera": _("No camera found: use a photo or type the code."),
        "scanner.server": _("The server could not read the photo."),
        "scanner.insecure": _("Live camera needs the secure (https) address: take a photo instead."),
        "leads.empty": _("No candidates yet. Scan a card to start."),
        "leads.unrated": _("not rated"),
        "lead.scanned_by": _("Scanned by {name}"),
        "lead.edited_by": _("edited by {name}"),
        "lead.best": _("Best match: {title} · {score}%"),
        "lead.deleted": _("Lead deleted"),
        "lead.deleted_elsewhere": _("Another phone of the booth deleted this lead."),
        "lead.delete_failed": _("Not deleted: {message}"),
        "lead.delete_offline": _("Deleting needs the network: try again when the phone is online."),
        "answer.yes": _("Yes"),
        "answer.no": _("No"),
        "answer.placeholder": _("Answer"),
        "question.remove": _("Remove"),
        "question.remove_confirm": _("Remove “{label}”? Answers already given stay in the exports."),
        "question.remove_yes": _("Yes, remove it"),
        "question.keep": _("Keep it"),
        "question.added": _("Question added"),
        "question.removed": _("Question removed"),
        "question.failed": _("Not saved: {message}"),
        "question.none": _("No questions of your own yet."),
        "question.kind.text": _("Text"),
        "question.kind.yesno": _("Yes or no"),
        "question.kind.choice": _("One of a few choices"),
    }


def _booth_of(principal: Principal) -> Booth:
    booth = principal.device.booth
    if booth is None:  # a booth device always has one; guard against a damaged row
        abort(403)
    return booth


# --- the booth phone ----------------------------------------------------------------------

@bp.get("/booth")
@require("booth")
def booth_page(principal: Principal):
    """A recruiter's phone: scan candidates, qualify them, see the booth's other phones live."""
    from flask_babel import get_locale
    booth = _booth_of(principal)
    jobs = services.jobs_of_booth(booth)
    locale = str(get_locale() or "th")
    page = {
        "booth": booth.code,
        "employer": booth.employer.name,
        "scan_url": f"/api/v1/booths/{booth.code}/scans",
        "lead_url": f"/api/v1/booths/{booth.code}/leads/",
        "jobs": [{"ref": j.ref, "title": j.title} for j in jobs],
        "tags": preset_tags(),
        "next_steps": next_step_labels(),
        "education": education_labels(locale),
        "provinces": province_labels(locale),
        "questions": [services.question_view(q) for q in services.questions_of_booth(booth.id)],
        "questions_url": f"/api/v1/booths/{booth.code}/questions",
        "max_questions": MAX_QUESTIONS,
        "leads": services.search_leads(booth.fair_id, booth)[:100],
        # Scans, edits, replays, invitations and the socket authenticate with this (auth.page_token).
        "page_token": page_token(principal.device),
    }
    ask_name = devices.has_default_name(principal.device) and not session.get("name_skipped")
    response = current_app.make_response(render_template(
        "booths/booth.html", booth=booth, device=principal.device, page=page, strings=_booth_strings(),
        ask_name=ask_name, max_name=devices.MAX_NAME_LENGTH, next_steps=next_step_labels(),
        question_kinds=question_kinds(), max_questions=MAX_QUESTIONS))
    response.headers["Cache-Control"] = "no-store"   # the page holds the device's page token
    return response


@bp.post("/booth/name")
@require("booth")
def name_device(principal: Principal):
    """The recruiter names their phone on its first visit (or skips)."""
    if request.form.get("skip"):
        session["name_skipped"] = True
        return redirect(url_for("booths.booth_page"))
    try:
        devices.rename(principal.device, request.form.get("name", ""), principal.actor)
    except devices.DeviceNameTaken as taken:
        flash(_("Another phone of this booth is already called “%(name)s”: choose another name.",
                name=taken.name), "error")
    except devices.PairingError:
        flash(_("A name is 1 to %(n)d characters.", n=devices.MAX_NAME_LENGTH), "error")
    else:
        flash(_("This phone is now called “%(name)s”.", name=principal.device.name), "ok")
    return redirect(url_for("booths.booth_page"))


# --- lead lists and exports ---------------------------------------------------------------

def _list_params() -> tuple[str, str]:
    query = (request.args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    sort = request.args.get("sort") if request.args.get("sort") in services.LEAD_SORTS else "time"
    return query, sort


def _render_leads(leads: list[dict], *, booth: Booth | None, booths: list[Booth], query: str, sort: str,
                  organiser: bool):
    from flask_babel import get_locale
    jobs = {}
    for b in ([booth] if booth else booths):
        jobs.update({j.ref: j.title for j in services.jobs_of_booth(b)})
    return render_template("booths/leads.html", leads=leads, booth=booth, booths=booths, query=query,
                           sort=sort, organiser=organiser, next_steps=next_step_labels(), jobs=jobs,
                           education=education_labels(str(get_locale() or "th")), local_time=local_time,
                           parse_time=_parse_wire_time)


def _parse_wire_time(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


@bp.get("/booth/leads")
@require("booth")
def booth_leads(principal: Principal):
    """A booth's own lead list: search, sort, export."""
    booth = _booth_of(principal)
    query, sort = _list_params()
    leads = services.search_leads(booth.fair_id, booth, query, sort)
    return _render_leads(leads, booth=booth, booths=[], query=query, sort=sort, organiser=False)


@bp.get("/organiser/leads")
@require("organiser")
def organiser_leads(principal: Principal):
    """The organiser's lead list over all booths, with a booth filter."""
    fair = current_fair()
    if fair is None:
        abort(404)
    booths = list(db.session.scalars(db.select(Booth).filter_by(fair_id=fair.id).order_by(Booth.code)))
    code = (request.args.get("booth") or "").strip()
    booth = services.booth_by_code(fair.id, code) if code else None
    if code and booth is None:
        abort(404)
    query, sort = _list_params()
    leads = services.search_leads(fair.id, booth, query, sort)
    return _render_leads(leads, booth=booth, booths=booths, query=query, sort=sort, organiser=True)


def _export(fmt: str, booth_code: str | None, actor: str) -> Response:
    if fmt not in MIMETYPES:
        abort(404)
    from flask_babel import get_locale
    from fair.organiser.exports import choose_lang, export_filename
    try:
        data, _count = export_bytes("leads", fmt, booth_code, actor=actor,
                                    lang=choose_lang(request.args.get("lang"), get_locale()))
    except ExportError as exc:
        abort(404, str(exc))
    name = export_filename("leads", fmt, booth_code)
    return Response(data, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.get("/booths/<code>/leads/export.<fmt>")
@require("booth", "organiser", "api")
def export_booth_leads(principal: Principal, code: str, fmt: str):
    """One booth's leads as CSV or XLSX; a booth device only its own. Audited."""
    booth = own_booth(principal, code)
    return _export(fmt, booth.code, principal.actor)


@bp.get("/organiser/leads/export.<fmt>")
@require("organiser", "api")
def export_all_leads(principal: Principal, fmt: str):
    """Every booth's leads in one file, for the organiser. Audited."""
    return _export(fmt, None, principal.actor)


def _delete_from_list(booth: Booth, lead_id: int, principal: Principal) -> None:
    from fair.web.errors import InvalidInput
    try:
        services.delete_lead(booth, lead_id, principal.actor,
                             device_id=principal.device.id if principal.device is not None else None)
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(_("Lead deleted"), "ok")


@bp.post("/booth/leads/<int:lead_id>/delete")
@require("booth")
def booth_delete_lead(principal: Principal, lead_id: int):
    """A recruiter deletes a mistaken lead from the booth's list (after the page's confirmation)."""
    _delete_from_list(_booth_of(principal), lead_id, principal)
    return redirect(url_for("booths.booth_leads"))


@bp.post("/organiser/leads/<int:lead_id>/delete")
@require("organiser")
def organiser_delete_lead(principal: Principal, lead_id: int):
    """The organiser deletes a mistaken lead of any booth (after the page's confirmation)."""
    from fair.booths.models import Lead
    lead = db.session.get(Lead, lead_id)
    fair = current_fair()
    if lead is None or fair is None or lead.booth.fair_id != fair.id:
        abort(404)
    _delete_from_list(lead.booth, lead_id, principal)
    return redirect(url_for("booths.organiser_leads", booth=request.args.get("booth") or None))


# --- the booth's own questions (organiser) ------------------------------------------------

def _organiser_booth(code: str) -> Booth:
    fair = current_fair()
    booth = services.booth_by_code(fair.id, code) if fair else None
    if booth is None:
        abort(404)
    return booth


@bp.get("/organiser/booths/questions")
@require("organiser")
def organiser_questions_pick(principal: Principal):
    """The booth chooser of the questions page: the first booth, or the one asked for."""
    booths = _booths()
    if not booths:
        flash(_("There are no booths yet. Import employers first."), "error")
        return redirect(url_for("booths.device_list"))
    asked = request.args.get("booth")
    code = (parse_booth_code(asked) or asked.strip()) if asked else booths[0].code   # unknown: the page's 404
    return redirect(url_for("booths.organiser_questions", code=code))


@bp.get("/organiser/booths/<code>/questions")
@require("organiser")
def organiser_questions(principal: Principal, code: str):
    """The organiser sets a booth's own questions (the booth's phones can too)."""
    booth = _organiser_booth(code)
    return render_template("booths/questions.html", booth=booth, booths=_booths(),
                           questions=services.questions_of_booth(booth.id), kinds=question_kinds(),
                           max_questions=MAX_QUESTIONS)


@bp.post("/organiser/booths/<code>/questions")
@require("organiser")
def organiser_question_add(principal: Principal, code: str):
    from fair.web.errors import InvalidInput
    booth = _organiser_booth(code)
    choices = [c for c in (request.form.get("choices") or "").replace(";", ",").split(",")]
    try:
        question = services.add_question(booth, request.form.get("label", ""), request.form.get("kind", ""),
                                         choices, principal.actor)
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(_("Question added") + f": {question.label}", "ok")
    return redirect(url_for("booths.organiser_questions", code=booth.code))


@bp.post("/organiser/booths/<code>/questions/<int:question_id>/remove")
@require("organiser")
def organiser_question_remove(principal: Principal, code: str, question_id: int):
    from fair.web.errors import InvalidInput
    booth = _organiser_booth(code)
    try:
        services.remove_question(booth, question_id, principal.actor)
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(_("Question removed"), "ok")
    return redirect(url_for("booths.organiser_questions", code=booth.code))


# --- devices and pairing (organiser) ------------------------------------------------------

def _pairing_qr(url: str) -> Markup:
    # Our own SVG of our own URL: no outside data goes into the markup.
    return Markup(qr_svg(url))


def _booths() -> list[Booth]:
    fair = current_fair()
    if fair is None:
        return []
    return list(db.session.scalars(db.select(Booth).filter_by(fair_id=fair.id).order_by(Booth.code)))


@bp.get("/organiser/devices")
@require("organiser")
def device_list(principal: Principal):
    """Every device of the fair, with its state, a revoke button and forms to add more."""
    return render_template("booths/devices.html", states=devices.device_states(), booths=_booths(),
                           local_time=local_time, new_device=None, kinds=_page_kinds(),
                           max_name=devices.MAX_NAME_LENGTH)


def _page_kinds() -> dict[str, str]:
    return {"gate": _("Entrance (gate)"), "dashboard": _("Dashboard screen"), "booth": _("Booth phone")}


@bp.post("/organiser/devices")
@require("organiser")
def device_create(principal: Principal):
    """Create one gate, dashboard or booth device and show its single-use pairing QR once."""
    kind = request.form.get("kind", "")
    name = " ".join((request.form.get("name") or "").split())
    booth = None
    if kind == "booth":
        fair = current_fair()
        booth = services.booth_by_code(fair.id, request.form.get("booth", "")) if fair else None
        if booth is None:
            flash(_("Choose a booth."), "error")
            return redirect(url_for("booths.device_list"))
        name = name or devices.default_booth_name(booth)
    elif kind not in ("gate", "dashboard"):
        flash(_("Choose what kind of device to add."), "error")
        return redirect(url_for("booths.device_list"))
    if not name or len(name) > devices.MAX_NAME_LENGTH:
        flash(_("A name is 1 to %(n)d characters.", n=devices.MAX_NAME_LENGTH), "error")
        return redirect(url_for("booths.device_list"))
    try:
        paired = devices.pair(kind, name, booth, actor=principal.actor)
    except devices.DeviceNameTaken:
        flash(_("“%(name)s” is taken: another device of this kind is already called that. Choose another "
                "name, or revoke the old device first.", name=name), "error")
        return render_template("booths/devices.html", states=devices.device_states(), booths=_booths(),
                               local_time=local_time, new_device=None, kinds=_page_kinds(),
                               max_name=devices.MAX_NAME_LENGTH), 409
    new_device = {"name": paired.name, "kind": kind, "booth": paired.booth, "url": paired.url,
                  "qr": _pairing_qr(paired.url)}
    return render_template("booths/devices.html", states=devices.device_states(), booths=_booths(),
                           local_time=local_time, new_device=new_device, kinds=_page_kinds(),
                           max_name=devices.MAX_NAME_LENGTH,
                           ttl=current_app.config["PAIRING_CODE_TTL_HOURS"])


@bp.post("/organiser/devices/<int:device_id>/revoke")
@require("organiser")
def device_revoke(principal: Principal, device_id: int):
    """Revoke a device: its token, its paired browser session and its pairing links stop at once."""
    device = db.session.get(Device, device_id)
    fair = current_fair()
    if device is None or fair is None or device.fair_id != fair.id:
        abort(404)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Revoke “%(name)s”?", name=device.name),
            message=_("The device stops working at once: it can no longer scan or see anything, and its "
                      "pairing links stop working. This cannot be undone; pair a new device to replace it."),
            confirm_label=_("Yes, revoke it"), cancel=url_for("booths.device_list"))
    devices.revoke(device.id, principal.actor)
    flash(_("“%(name)s” is revoked: it can no longer scan or see anything.", name=device.name), "ok")
    return redirect(url_for("booths.device_list"))


@bp.route("/organiser/booths/pairing-sheets", methods=["GET", "POST"])
@require("organiser")
def pairing_sheets(principal: Principal):
    """Printable A4 sheets, one per booth, each with a fresh single-use pairing QR.

    Making links creates devices, so it takes a POST: a reload or a prefetch
    of the page makes none.
    """
    booths = _booths()
    if request.method == "GET":
        return render_template("booths/pairing_sheets.html", booths=booths, sheets=None)
    code = (request.form.get("booth") or "all").strip()
    chosen = booths if code.lower() == "all" else [b for b in booths if b.code == parse_booth_code(code)]
    if not chosen:
        flash(_("There are no booths yet. Import employers first.") if not booths else _("Choose a booth."),
              "error")
        return redirect(url_for("booths.pairing_sheets"))
    sheets = []
    for booth in chosen:
        paired = devices.pair("booth", devices.default_booth_name(booth), booth, actor=principal.actor)
        sheets.append({"booth": booth, "url": paired.url, "qr": _pairing_qr(paired.url)})
    from fair.web.dates import venue_text
    expires = venue_text(utcnow() + timedelta(hours=float(current_app.config["PAIRING_CODE_TTL_HOURS"])))
    return render_template("booths/pairing_sheets.html", booths=booths, sheets=sheets, expires=expires)
