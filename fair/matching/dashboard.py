"""The dashboard's counts, computed in a handful of indexed queries (run at most a few times a second)."""
from __future__ import annotations

from typing import Any, Callable

from fair.booths.models import Booth, Lead
from fair.checkin.models import Attendee, CheckIn
from fair.extensions import db


def stats(fair_id: int) -> dict[str, Any]:
    """Counts for dashboards and GET /api/v1/stats."""
    registered = db.session.scalar(
        db.select(db.func.count(Attendee.id)).where(Attendee.fair_id == fair_id, Attendee.erased_at.is_(None)))
    checked_in = db.session.scalar(
        db.select(db.func.count(Attendee.id)).where(Attendee.fair_id == fair_id,
                                                   Attendee.first_entry_at.is_not(None)))
    inside = db.session.scalar(
        db.select(db.func.count(Attendee.id)).where(Attendee.fair_id == fair_id, Attendee.inside.is_(True)))
    scans = db.session.scalar(db.select(db.func.count(CheckIn.id)).where(CheckIn.fair_id == fair_id))
    per_booth = dict(db.session.execute(
        db.select(Booth.code, db.func.count(Lead.id)).join(Lead, Lead.booth_id == Booth.id, isouter=True)
        .where(Booth.fair_id == fair_id).group_by(Booth.code).order_by(Booth.code)).all())
    hired = db.session.scalar(
        db.select(db.func.count(Lead.id)).join(Booth).where(Booth.fair_id == fair_id, Lead.next_step == "hired"))
    return {"registered": registered, "checked_in": checked_in, "inside": inside, "gate_scans": scans,
            "leads": sum(per_booth.values()), "hired": hired, "per_booth": per_booth}


def stats_for_broadcast(app) -> Callable[[int], dict]:
    """The broadcaster's stats provider: runs in its own app context and session."""
    def provide(fair_id: int) -> dict:
        with app.app_context():
            try:
                return stats(fair_id)
            finally:
                db.session.remove()
    return provide
