"""HTTP side of booths: thin adapters over booths.services."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _

from fair.web.auth import Principal, require
from fair.booths import services
from fair.booths.models import MAX_CHOICES, MAX_QUESTIONS, NEXT_STEPS, QUESTION_KINDS
from fair.checkin.services import RateLimited
from fair.core.fairs import current_fair
from fair.web.validation import CODE, NONCE, SCANNED_AT, Field, json_body, parse_body

bp = Blueprint("booths", "fair.booths")  # here, not in __init__ (see fair.checkin.routes); pages.py too

LEAD_FIELDS = {
    "rating": Field(int, minimum=1, maximum=5),
    "tags": Field(list, max_items=12, item_max_length=40),
    "notes": Field(str, max_length=services.MAX_NOTES),
    "next_step": Field(str, choices=NEXT_STEPS),
    "job_ref": Field(str, max_length=64),
    "answers": Field(dict, max_items=MAX_QUESTIONS),
}
LEAD_SCAN_BODY = {"code": CODE, "nonce": NONCE, "scanned_at": SCANNED_AT, **LEAD_FIELDS}
LEAD_EDIT_BODY = {"nonce": NONCE, **LEAD_FIELDS}


def own_booth(principal: Principal, code: str):
    """The booth named in the URL, which a booth device may only touch if it is its own."""
    fair = current_fair()
    booth = services.booth_by_code(fair.id, code) if fair else None
    if booth is None:
        abort(404)
    if principal.role == "booth" and not services.is_own_booth(principal.device, booth):
        abort(403, _("This device belongs to another booth."))
    return booth


@bp.post("/api/v1/booths/<code>/scans")
@require("booth")
def api_scan(principal: Principal, code: str):
    """Booth phones and their offline replays post scans here."""
    booth = own_booth(principal, code)
    body = parse_body(json_body(request), LEAD_SCAN_BODY)
    try:
        result = services.capture_lead(principal.device, booth, **body, lang=str(get_locale() or "th"))
    except RateLimited:
        return jsonify(error="rate_limited", message=_("Too many typed codes from this device; wait a minute.")), 429
    return jsonify(result.as_json())


@bp.patch("/api/v1/booths/<code>/leads/<int:lead_id>")
@require("booth")
def api_edit_lead(principal: Principal, code: str, lead_id: int):
    """Any phone of the booth edits a lead's rating, notes or next step."""
    booth = own_booth(principal, code)
    body = parse_body(json_body(request), LEAD_EDIT_BODY)
    return jsonify(services.update_lead(principal.device, booth, lead_id, **body).as_json())


@bp.delete("/api/v1/booths/<code>/leads/<int:lead_id>")
@require("booth", "organiser", "api")
def api_delete_lead(principal: Principal, code: str, lead_id: int):
    """A phone of the booth (or the organiser) removes a lead scanned by mistake; audited."""
    booth = own_booth(principal, code)
    device_id = principal.device.id if principal.device is not None else None
    return jsonify(services.delete_lead(booth, lead_id, principal.actor, device_id=device_id))


QUESTION_BODY = {
    "label": Field(str, required=True, max_length=200),
    "kind": Field(str, required=True, choices=QUESTION_KINDS),
    "choices": Field(list, max_items=MAX_CHOICES * 2, item_max_length=200),
}


@bp.get("/api/v1/booths/<code>/questions")
@require("booth", "organiser", "api")
def api_questions(principal: Principal, code: str):
    """The booth's own questions, in the order the form asks them."""
    booth = own_booth(principal, code)
    return jsonify(questions=[services.question_view(q) for q in services.questions_of_booth(booth.id)])


@bp.post("/api/v1/booths/<code>/questions")
@require("booth", "organiser", "api")
def api_add_question(principal: Principal, code: str):
    """A phone of the booth or the organiser adds a question (at most five in use)."""
    booth = own_booth(principal, code)
    body = parse_body(json_body(request), QUESTION_BODY)
    question = services.add_question(booth, body["label"], body["kind"], body["choices"], principal.actor)
    return jsonify(question=services.question_view(question)), 201


@bp.delete("/api/v1/booths/<code>/questions/<int:question_id>")
@require("booth", "organiser", "api")
def api_remove_question(principal: Principal, code: str, question_id: int):
    """Stop asking a question; answers already given stay in the leads and exports."""
    booth = own_booth(principal, code)
    services.remove_question(booth, question_id, principal.actor)
    return jsonify(removed=question_id)


@bp.get("/api/v1/booths/<code>/leads")
@require("booth", "organiser", "api")
def api_leads(principal: Principal, code: str):
    """A booth's own leads (403 for another booth's device)."""
    booth = own_booth(principal, code)
    return jsonify(leads=[services.lead_view(lead) for lead in services.leads_of_booth(booth)])
