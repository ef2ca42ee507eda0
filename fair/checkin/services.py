"""Attendees, cards and the entrance: the business rules of check-in.

Called by the HTTP routes, the Socket.IO handlers, the CLI and the tests alike.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from fair import live
from fair.checkin import cards, natid
from fair.checkin.models import Attendee, Card, CheckIn
from fair.extensions import db
from fair.idempotency import commit_or_earlier
from fair.models import Device, Fair
from fair.ratelimit import limiter
from fair.timeutil import iso, utcnow

CONSENT_WORDING_VERSION = "2026-11-v1"


class CodeRejected(Exception):
    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


class RateLimited(Exception):
    """Too many manual-code or national-ID lookups from one device."""


# --- attendees -------------------------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "phone", "email", "education", "experience_years",
                  "skills", "desired_positions", "province", "salary_expected", "languages")


# Self-registration asks for more than an import row needs: the fair calls people back.
REGISTRATION_REQUIRED = ("first_name", "last_name", "phone")


class RegistrationInvalid(Exception):
    """The registration form has problems: {field: message}."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(problems)
        self.problems = problems


def apply_attendee_row(attendee: Attendee, row: dict[str, Any], *, consent_participate: bool,
                       consent_wording: str) -> None:
    """Copy a validated row (fair.importing's typed values) onto an attendee."""
    for name in PROFILE_FIELDS:
        setattr(attendee, name, row.get(name))
    attendee.last_name = attendee.last_name or ""
    number = row.get("national_id")
    if number:
        attendee.national_id_hash = hash_national_id(number)
        attendee.national_id_last3 = number[-3:]
    changed = (attendee.consent_share_profile != bool(row.get("consent_share_profile"))
               or attendee.consent_participate != consent_participate)
    attendee.consent_participate = consent_participate
    attendee.consent_share_profile = bool(row.get("consent_share_profile"))
    if changed or attendee.consent_at is None:
        attendee.consent_at = utcnow()
        attendee.consent_wording = consent_wording


def register_attendee(fair: Fair, fields: dict[str, str], *, consent_participate: bool,
                      needs_disability_friendly: bool = False) -> tuple[Attendee, Card]:
    """On-site self-registration: the same rules as an imported row, then the card at once."""
    from fair import importing
    from fair.models import AuditEvent
    # Every problem at once, so the form can mark each field in one round trip.
    problems = {} if consent_participate else {"consent_participate": "consent_required"}
    cells = {column: (fields.get(column) or "").strip() for column in importing.COLUMNS["attendees"]}
    for column in REGISTRATION_REQUIRED:
        if not cells[column]:
            problems[column] = "is required"
    cells["attendee_ref"] = _next_self_registration_ref(fair)
    parsed = importing.validate_rows("attendees", [cells])
    for error in parsed.errors:
        problems.setdefault(error.column or "_", error.message)
    if problems:
        raise RegistrationInvalid(problems)
    row = parsed.rows[0]
    if row.get("national_id"):
        registered = db.session.scalar(db.select(Attendee.id).filter_by(
            fair_id=fair.id, national_id_hash=hash_national_id(row["national_id"])))
        if registered is not None:
            raise RegistrationInvalid({"national_id": "already_registered"})
    attendee = Attendee(fair_id=fair.id, ref=row["attendee_ref"], source="register",
                        needs_disability_friendly=needs_disability_friendly)
    apply_attendee_row(attendee, row, consent_participate=True,
                       consent_wording=f"register:{CONSENT_WORDING_VERSION}")
    db.session.add(attendee)
    db.session.flush()
    card = issue_card(attendee)
    db.session.add(AuditEvent(fair_id=fair.id, actor="attendee", action="attendee.register",
                              subject=f"attendee:{attendee.ref}",
                              details={"consent_share_profile": attendee.consent_share_profile,
                                       "consent_wording": attendee.consent_wording}))
    db.session.commit()
    live.publish(fair.id, "registration", {"id": attendee.id}, [])
    return attendee, card


def _next_self_registration_ref(fair: Fair) -> str:
    count = db.session.scalar(db.select(db.func.count(Attendee.id)).filter_by(fair_id=fair.id, source="register"))
    ref = f"W{count + 1:05d}"
    while db.session.scalar(db.select(Attendee.id).filter_by(fair_id=fair.id, ref=ref)) is not None:
        count += 1
        ref = f"W{count + 1:05d}"
    return ref


# --- cards ------------------------------------------------------------------------------

def issue_card(attendee: Attendee) -> Card:
    """Give the attendee a new active card (in the caller's transaction)."""
    next_serial = (db.session.scalar(
        db.select(db.func.max(Card.serial)).filter_by(fair_id=attendee.fair_id)) or 0) + 1
    taken = True
    while taken:  # 31^8 codes: a collision is rare, but the constraint would abort the import
        code = cards.new_manual_code()
        taken = db.session.scalar(
            db.select(Card.id).filter_by(fair_id=attendee.fair_id, manual_code=code)) is not None
    card = Card(fair_id=attendee.fair_id, attendee=attendee, serial=next_serial, manual_code=code)
    db.session.add(card)
    db.session.flush()
    return card


def active_card(attendee: Attendee) -> Card | None:
    return db.session.scalar(db.select(Card).filter_by(attendee_id=attendee.id, status="active"))


def card_token(card: Card, fair: Fair) -> str:
    return cards.make_token(fair.signing_key, card.serial)


def replace_card(attendee: Attendee, actor: str) -> Card:
    """Lost phone: the old card answers `revoked` from now on, a new one is issued."""
    from fair.models import AuditEvent
    old = active_card(attendee)
    if old is not None:
        old.status = "revoked"
        old.revoked_at = utcnow()
        db.session.flush()  # free the one-active-card slot before issuing
    card = issue_card(attendee)
    db.session.add(AuditEvent(fair_id=attendee.fair_id, actor=actor, action="card.replace",
                              subject=f"attendee:{attendee.ref}",
                              details={"old_serial": old.serial if old else None, "new_serial": card.serial}))
    db.session.commit()
    return card


def card_link(attendee: Attendee) -> str:
    """The secret part of the attendee's card-page URL: id + keyed MAC, nothing stored."""
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"card-page:{attendee.id}:{attendee.link_version}".encode(), hashlib.sha256)
    return f"{attendee.id}.{mac.hexdigest()[:24]}"


def attendee_for_link(link: str) -> Attendee | None:
    head, _, _mac = link.partition(".")
    if not head.isdigit():
        return None
    attendee = db.session.get(Attendee, int(head))
    if attendee is None or attendee.erased_at is not None:
        return None
    return attendee if hmac.compare_digest(card_link(attendee), link) else None


def hash_national_id(number: str) -> str:
    return natid.hash_national_id(number, current_app.config["NATIONAL_ID_KEY"])


def resolve_code(fair: Fair, code: str, device: Device | None = None) -> Card:
    """Find the card a scanned or typed code stands for, or raise CodeRejected(status).

    Manual codes and national IDs are guessable by brute force, so they are
    rate limited per device; signed tokens are not (a forgery cannot verify).
    """
    kind = cards.classify_code(code)
    if kind == "token":
        try:
            serial = cards.read_token(code, fair.public_key)
        except cards.Rejected as rejected:
            raise CodeRejected(rejected.status) from None
        # The attendee comes in the same query: every accepted scan needs both.
        card = db.session.scalar(db.select(Card).filter_by(fair_id=fair.id, serial=serial)
                                 .options(db.joinedload(Card.attendee)))
    elif kind in ("manual", "national_id"):
        if device is not None and not limiter.allow(
                f"lookup:{device.id}", int(current_app.config["RATE_LIMIT_LOOKUPS_PER_MINUTE"])):
            raise RateLimited()
        if kind == "manual":
            manual = cards.normalize_manual_code(code)
            card = db.session.scalar(db.select(Card).filter_by(fair_id=fair.id, manual_code=manual))
        else:
            number = natid.normalize_national_id(code)
            if number is None or not natid.is_valid_national_id(number):
                raise CodeRejected("unknown")
            attendee = db.session.scalar(db.select(Attendee).filter_by(
                fair_id=fair.id, national_id_hash=hash_national_id(number)))
            card = active_card(attendee) if attendee is not None else None
    else:
        raise CodeRejected("unknown")
    if card is None or card.attendee.erased_at is not None:
        raise CodeRejected("unknown")
    if card.status != "active":
        raise CodeRejected("revoked")
    return card


# --- check-in ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckInResult:
    status: str
    checkin_id: int | None = None
    attendee: dict[str, Any] | None = None
    first_checkin_at: str | None = None
    recommendations: list[dict] | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status}
        if self.checkin_id is not None:
            body["checkin_id"] = self.checkin_id
        if self.attendee is not None:
            body["attendee"] = self.attendee
        if self.first_checkin_at is not None:
            body["first_checkin_at"] = self.first_checkin_at
        if self.recommendations is not None:
            body["recommendations"] = self.recommendations
        return body


def gate_view(attendee: Attendee) -> dict[str, Any]:
    """What entrance staff see: enough to greet and tell people apart, no contact data."""
    return {"ref": attendee.ref, "name": attendee.full_name}


def _result_of(row: CheckIn) -> CheckInResult:
    attendee = row.attendee
    first = iso(attendee.first_entry_at) if attendee is not None and row.status == "already_inside" else None
    return CheckInResult(
        status=row.status, checkin_id=row.id,
        attendee=gate_view(attendee) if attendee is not None and attendee.erased_at is None else None,
        first_checkin_at=first)


def check_in(device: Device, code: str, nonce: str, kind: str = "entry",
             scanned_at: datetime | None = None) -> CheckInResult:
    """Record one scan at a gate. Safe to call again with the same nonce: the first answer returns."""
    earlier = db.session.scalar(db.select(CheckIn).filter_by(device_id=device.id, nonce=nonce))
    if earlier is not None:
        return _result_of(earlier)
    fair = device.fair
    now = utcnow()
    scanned_at = scanned_at or now
    attendee: Attendee | None = None
    card: Card | None = None
    if not fair.is_open(now):
        status = "fair_closed"
    else:
        try:
            card = resolve_code(fair, code, device)
            attendee = card.attendee
            status = _movement(attendee, kind)
        except CodeRejected as rejected:
            status = rejected.status
    row = CheckIn(fair_id=fair.id, device_id=device.id, attendee=attendee,
                  card_id=card.id if card else None, type=kind, status=status,
                  nonce=nonce, scanned_at=scanned_at, received_at=now)
    if attendee is not None and status in ("ok", "exit_recorded"):
        attendee.inside = status == "ok"
        attendee.last_moved_at = scanned_at
        if status == "ok" and attendee.first_entry_at is None:
            attendee.first_entry_at = scanned_at
    db.session.add(row)
    earlier = commit_or_earlier(lambda: db.session.scalar(
        db.select(CheckIn).filter_by(device_id=device.id, nonce=nonce)))
    if earlier is not None:
        return _result_of(earlier)
    result = _result_of(row)
    if attendee is not None and status in ("ok", "exit_recorded"):
        from fair.matching import services as matching
        matching.presence_changed(attendee)
    if attendee is not None and status == "ok":
        result = CheckInResult(**{**result.__dict__, "recommendations": _recommendations(attendee)})
    _publish_checkin(row, result)
    return result


def _movement(attendee: Attendee, kind: str) -> str:
    if kind == "entry":
        return "already_inside" if attendee.inside else "ok"
    return "exit_recorded" if attendee.inside else "not_inside"


def _recommendations(attendee: Attendee) -> list[dict]:
    # The gate's answer must not depend on the matching engine being installed.
    from fair.matching import services as matching
    try:
        return matching.recommend_booths(attendee, top=3, lang="th")
    except Exception:
        # The check-in is committed: its answer must reach the gate even when the
        # extras fail, or the phone retries a scan that is already counted.
        current_app.logger.exception("recommendations failed; the gate is answered without them")
        db.session.rollback()
        return []


def _publish_checkin(row: CheckIn, result: CheckInResult) -> None:
    payload = {"id": row.id, "at": iso(row.received_at), "scanned_at": iso(row.scanned_at),
               "status": row.status, "kind": row.type, "gate": row.device.name,
               "device_id": row.device_id, "attendee": result.attendee}
    rooms = [live.gate_room(row.fair_id)]
    if row.attendee_id is not None:
        rooms.append(live.attendee_room(row.attendee_id))
    live.publish(row.fair_id, "checkin", payload, rooms)
