"""Pages of the live dashboard: the organiser's laptop and big screens, end-of-day exports and report.

Thin: read the caller, ask fair.organiser.dashboard (counts) or fair.organiser.exports
(files, audited), render. A dashboard device is a screen that anyone in the
hall may look at: its page carries no attendee name and no export link.
"""
from __future__ import annotations


from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from fair.organiser import exports
from fair.web.auth import Principal, require
from fair.core.fairs import current_fair
from fair.matching.routes import bp
from fair.organiser import dashboard
from fair.organiser.backup import last_backup_at
from fair.core.timeutil import utcnow
from fair.web.dates import venue_offset, venue_text


def export_labels() -> dict[str, str]:
    """The dashboard's export links: exports.DAY_EXPORTS, in that order, with their names."""
    names = {"attendance": _("Attendance"), "leads": _("Leads"), "matches": _("Recommendations given"),
             "hires": _("Hires")}
    return {what: names[what] for what in exports.DAY_EXPORTS}


def funnel_labels() -> dict[str, str]:
    return {"checked_in": _("Checked in"), "visited_booth": _("Scanned at a booth"),
            "interview": _("Interview"), "hired": _("Hired on the spot")}


def _dashboard_strings() -> dict[str, str]:
    """Everything dashboard.js shows, translated here (i18n.js reads the JSON block)."""
    return {
        "live.online": _("Live"),
        "live.offline": _("Offline, reconnecting…"),
        "chart.arrivals": _("Arrivals per 5 minutes"),
        "chart.arrivals_bar": _("{time}: {n} arrivals"),
        "chart.empty": _("No arrivals yet today."),
        "map.title": _("Booths on the floor plan"),
        "map.cell": _("Booth {code}, {employer}: {n} visitors"),
        "map.legend_zero": _("none"),
        "map.unplaced": _("Not on the floor plan:"),
        "gates.none": _("No gate has scanned yet."),
        "booths.none": _("No booths yet."),
        "booths.recent": _("{n} in 30 min"),
        "booths.total": _("{n} today"),
        "jobs.none": _("Every job has at least one matching candidate in the hall."),
        "feed.empty": _("Nothing has happened yet."),
        "feed.checkin.ok": _("checked in at {gate}"),
        "feed.checkin.exit_recorded": _("left through {gate}"),
        "feed.checkin.already_inside": _("scanned again at {gate}: already inside"),
        "feed.checkin.not_inside": _("exit at {gate} without an entry"),
        "feed.checkin.refused": _("card refused at {gate} ({status})"),
        "feed.checkin.mistyped": _("a code typed at {gate} had a typo"),
        "feed.undo.entry": _("entry at {gate} undone"),
        "feed.undo.exit": _("exit at {gate} undone"),
        "feed.lead": _("scanned at booth {booth}"),
        "feed.lead.interview_now": _("interview now at booth {booth}"),
        "feed.lead.shortlisted": _("shortlisted at booth {booth}"),
        "feed.lead.hired": _("hired on the spot at booth {booth}"),
        "feed.lead.not_suitable": _("seen at booth {booth}"),
        "feed.invitation": _("Booth {booth} invited a candidate"),
        "feed.registration": _("A new attendee registered"),
        "status.unknown": _("unknown card"),
        "status.invalid_signature": _("not a genuine card"),
        "status.revoked": _("replaced card"),
        "status.wrong_fair": _("card of another fair"),
        "status.fair_closed": _("fair closed"),
    }


@bp.get("/dashboard")
@require("organiser", "dashboard")
def dashboard_page(principal: Principal):
    """The organiser's laptop, or a big screen paired with `fair device pair --dashboard NAME`."""
    fair = current_fair()
    if fair is None:
        abort(404)
    organiser = principal.role == "organiser"
    # A big screen (a dashboard device, or the laptop projected with ?screen=1) gets the
    # screen layout: no names, nothing to click, everything on one screen.
    if not organiser or request.args.get("screen") == "1":
        return _screen_view(fair, organiser)
    stats = dashboard.stats(fair.id)
    config = {
        "stats": stats,
        "events": dashboard.recent_events(fair.id, names=True),
        "show_names": True,
        "utc_offset_minutes": int(venue_offset().total_seconds() // 60),
        "funnel_labels": funnel_labels(),
        "feed_length": dashboard.FEED_LENGTH,
    }
    return render_template("matching/dashboard.html", fair=fair, stats=stats, config=config,
                           strings=_dashboard_strings(), organiser=organiser,
                           funnel_labels=funnel_labels(), exports=export_labels(),
                           last_backup=_last_backup_text(fair.id) if organiser else None,
                           export_lang=exports.choose_lang(request.args.get("export_lang"), get_locale()),
                           locale=str(get_locale() or "th"))


@bp.get("/dashboard/screen")
@require("organiser", "dashboard")
def screen_page(principal: Principal):
    """The big-screen view: laid out for a 16:9 screen in the hall, never scrolls, shows no names."""
    fair = current_fair()
    if fair is None:
        abort(404)
    return _screen_view(fair, principal.role == "organiser")


# How many events the screen's feed holds: more than fit on a 1080-line screen.
SCREEN_FEED_LENGTH = 14


def _screen_view(fair, organiser: bool):
    stats = dashboard.stats(fair.id)
    config = {
        "stats": stats,
        "events": dashboard.recent_events(fair.id, names=False),
        "show_names": False,
        "utc_offset_minutes": int(venue_offset().total_seconds() // 60),
        "funnel_labels": funnel_labels(),
        "feed_length": SCREEN_FEED_LENGTH,
        "plan_fit_height": True,
    }
    return render_template("matching/screen.html", fair=fair, stats=stats, config=config,
                           strings=_dashboard_strings(), organiser=organiser, today=venue_text(utcnow(), "date"),
                           locale=str(get_locale() or "th"))


def _last_backup_text(fair_id: int) -> str | None:
    """When `fair backup` last ran, in venue time, for the organiser's peace of mind."""
    moment = last_backup_at(fair_id)
    return venue_text(moment) if moment is not None else None


@bp.get(f"/organiser/export/<any({', '.join(exports.DAY_EXPORTS)}):what>.<any(csv, xlsx):fmt>")
@require("organiser")
def export_day(principal: Principal, what: str, fmt: str):
    """End of the day: the organiser downloads attendance, leads, recommendations or hires. Audited."""
    fair = current_fair()
    if fair is None:
        abort(404)
    try:
        data, _count = exports.export_bytes(what, fmt, None, principal.actor, lang=exports.choose_lang(request.args.get("lang"), get_locale()))
    except exports.ExportError as error:
        return render_template("error.html", status=409, message=str(error)), 409
    return Response(data, mimetype=exports.MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{exports.export_filename(what, fmt)}"',
        "Cache-Control": "no-store"})



@bp.get("/organiser/report")
@require("organiser")
def report(principal: Principal):
    """A printable summary of the day: totals, charts, top booths, hires by employer."""
    fair = current_fair()
    if fair is None:
        abort(404)
    stats = dashboard.stats(fair.id)
    top = max((b["leads"] for b in stats["booths"]), default=0)
    placed = [b for b in stats["booths"] if b["plan_x"] > 0 and b["plan_y"] > 0]
    booths_by_leads = sorted(stats["booths"], key=lambda b: (-b["leads"], b["code"]))
    jobs, positions = dashboard.jobs_offered(fair.id)
    return render_template(
        "matching/report.html", fair=fair, stats=stats, funnel_labels=funnel_labels(),
        arrivals=[{"label": venue_text(b["t"], "time"), "n": b["n"]} for b in stats["arrivals"]],
        plan={"booths": [dict(b, cls=dashboard.heat_class(b["leads"], top)) for b in placed],
              "columns": max((b["plan_x"] for b in placed), default=0),
              "rows": max((b["plan_y"] for b in placed), default=0),
              "legend": dashboard.heat_legend(top)},
        top_booths=[b for b in booths_by_leads if b["leads"] > 0][:10],
        hires=dashboard.hires_by_employer(fair.id), jobs=jobs, positions=positions,
        generated=venue_text(utcnow()), day=venue_text(utcnow(), "date"))
