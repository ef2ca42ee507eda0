"""HTTP side of matching and the dashboard."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import get_locale

from fair.web.auth import Principal, require
from fair.booths.routes import own_booth
from fair.checkin.models import Attendee
from fair.extensions import db
from fair.core.fairs import current_fair
from fair.matching import services
from fair.organiser import dashboard
from fair.web.validation import Field, json_body, parse_body

# Here, not in __init__ (see fair.checkin.routes); the organiser's pages attach to it too.
bp = Blueprint("matching", "fair.matching")


@bp.get("/api/v1/stats")
@require("organiser", "api", "dashboard")
def api_stats(principal: Principal):
    """Dashboards and integrations read the live counts."""
    fair = current_fair()
    return jsonify(dashboard.stats(fair.id))


@bp.get("/api/v1/attendees/<ref>/recommendations")
@require("organiser", "api")
def api_recommendations(principal: Principal, ref: str):
    """The organiser or the Smart Job system asks which booths suit an attendee."""
    top = request.args.get("top", "5")
    if not (top.isascii() and top.isdigit()) or not 1 <= int(top) <= 50:  # "¹".isdigit() is True
        return jsonify(error="invalid_input", message="top must be a number from 1 to 50."), 400
    fair = current_fair()
    attendee = db.session.scalar(db.select(Attendee).filter_by(fair_id=fair.id, ref=ref))
    if attendee is None or attendee.erased_at is not None:
        abort(404)
    lang = request.args.get("lang") or str(get_locale() or "th")
    return jsonify(recommendations=services.recommend_booths(attendee, top=int(top), lang=lang),
                   attendee={"ref": attendee.ref, "isco08": attendee.isco08,
                             "isco08_confidence": attendee.isco08_confidence})


@bp.post("/api/v1/occupations/classify")
@require("organiser", "api")
def api_classify_occupations(principal: Principal):
    """Integrations (the Smart Job system) and the organiser turn job titles into ISCO-08 codes."""
    from fair.web.validation import json_body
    body = json_body(request)
    if not isinstance(body, dict):
        return jsonify(error="invalid_input", message="The body must be a JSON object."), 400
    titles = services.check_titles(body.get("titles"))
    return jsonify(results=services.classify_titles(titles))


@bp.get("/api/v1/booths/<code>/candidates")
@require("booth", "organiser", "api")
def api_candidates(principal: Principal, code: str):
    """A booth asks for the best candidates inside the hall right now."""
    booth = own_booth(principal, code)
    top = request.args.get("top", "20")
    if not (top.isascii() and top.isdigit()) or not 1 <= int(top) <= 100:  # "¹".isdigit() is True
        return jsonify(error="invalid_input", message="top must be a number from 1 to 100."), 400
    lang = request.args.get("lang") or str(get_locale() or "th")
    return jsonify(candidates=services.candidates_in_hall(booth, top=int(top), lang=lang,
                                                          for_organiser=principal.role in ("organiser", "api")))


@bp.post("/api/v1/booths/<code>/invitations")
@require("booth")
def api_invite(principal: Principal, code: str):
    """A booth phone invites a candidate in the hall to come over."""
    booth = own_booth(principal, code)
    body = parse_body(json_body(request), {
        "candidate": Field(str, required=True, max_length=16),
        "job_ref": Field(str, max_length=64),
        "message": Field(str, max_length=500),
    })
    invitation = services.invite(principal.device, booth, body["candidate"], body["job_ref"], body["message"])
    return jsonify(invitation=services.invitation_view(invitation)), 201
