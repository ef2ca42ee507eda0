"""Attendees, cards and the entrance: the business rules of check-in.

Called by the HTTP routes, the Socket.IO handlers, the CLI and the tests alike.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from fair.core import disclosure
from fair.web import live
from fair.checkin import cards, natid
from fair.checkin.models import Attendee, Card, CheckIn
from fair.extensions import db, execute
from fair.core.models import Fair
from fair.web.ratelimit import limiter
from fair.core.timeutil import iso, utcnow

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
    """Copy a validated row (fair.loading.importing's typed values) onto an attendee."""
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
    from fair.loading import importing
    from fair.core.models import AuditEvent
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
    claimed = None
    if row.get("national_id"):
        # Never tell an anonymous form whether an ID is registered: that would be an oracle
        # for anyone's ID, and refusing would let a squatter keep a victim out. A typed ID
        # someone else holds becomes a claim the organiser resolves with the ID card in hand.
        number = row["national_id"]
        registered = db.session.scalar(db.select(Attendee.id).filter_by(
            fair_id=fair.id, national_id_hash=hash_national_id(number)))
        if registered is not None:
            claimed, row = number, {**row, "national_id": None}
    attendee = Attendee(fair_id=fair.id, ref=row["attendee_ref"], source="register",
                        needs_disability_friendly=needs_disability_friendly)
    apply_attendee_row(attendee, row, consent_participate=True,
                       consent_wording=f"register:{CONSENT_WORDING_VERSION}")
    if claimed is not None:
        attendee.national_id_claim_hash = hash_national_id(claimed)
    from fair.matching import services as matching
    matching.store_occupations([attendee])
    db.session.add(attendee)
    db.session.flush()
    card = issue_card(attendee)
    db.session.add(AuditEvent(fair_id=fair.id, actor="attendee", action="attendee.register",
                              subject=f"attendee:{attendee.ref}",
                              details={"consent_share_profile": attendee.consent_share_profile,
                                       "consent_wording": attendee.consent_wording,
                                       "national_id_claim": claimed is not None}))
    db.session.commit()
    live.publish("registration", {"id": attendee.id}, fair=fair.id)
    return attendee, card


# --- national-ID claims ------------------------------------------------------------------

def national_id_claims(fair_id: int) -> list[tuple[Attendee, Attendee | None]]:
    """Registrations whose typed national ID another attendee holds: (claimant, holder)."""
    claimants = db.session.scalars(db.select(Attendee).where(
        Attendee.fair_id == fair_id, Attendee.national_id_claim_hash.is_not(None),
        Attendee.erased_at.is_(None)).order_by(Attendee.created_at))
    found = []
    for claimant in claimants:
        holder = db.session.scalar(db.select(Attendee).filter_by(
            fair_id=fair_id, national_id_hash=claimant.national_id_claim_hash))
        found.append((claimant, holder))
    return found


def resolve_national_id_claim(claimant: Attendee, give_to_claimant: bool, actor: str) -> None:
    """The organiser has seen the claimant's ID card: move the ID to them (the holder, who
    squatted it or mistyped theirs, loses it), or dismiss the claim. Audited either way."""
    from fair.core.models import AuditEvent
    claimed = claimant.national_id_claim_hash
    if claimed is None:
        raise ValueError("this attendee has no national-ID claim")
    holder = db.session.scalar(db.select(Attendee).filter_by(fair_id=claimant.fair_id, national_id_hash=claimed))
    if give_to_claimant:
        if holder is not None:
            holder.national_id_hash, holder.national_id_last3 = None, None
            db.session.flush()  # free the unique (fair, hash) before the claimant takes it
        claimant.national_id_hash = claimed
    claimant.national_id_claim_hash = None
    db.session.add(AuditEvent(fair_id=claimant.fair_id, actor=actor, action="attendee.national_id_claim",
                              subject=f"attendee:{claimant.ref}",
                              details={"given": give_to_claimant,
                                       "previous_holder": holder.ref if holder is not None and give_to_claimant
                                       else None}))
    db.session.commit()


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
    """Lost phone: the old card answers `revoked` from now on, a new one is issued, and the
    old card page's link stops working (a new link for the new phone)."""
    from fair.core.models import AuditEvent
    old = active_card(attendee)
    if old is not None:
        old.status = "revoked"
        old.revoked_at = utcnow()
        db.session.flush()  # free the one-active-card slot before issuing
    card = issue_card(attendee)
    # The lost phone keeps the old card page's link: a new link version makes it a 404,
    # so it neither shows the new QR nor hears of the person's day.
    attendee.link_version = (attendee.link_version or 1) + 1
    db.session.add(AuditEvent(fair_id=attendee.fair_id, actor=actor, action="card.replace",
                              subject=f"attendee:{attendee.ref}",
                              details={"old_serial": old.serial if old else None, "new_serial": card.serial}))
    db.session.commit()
    live.close_attendee_pages(attendee.id)
    return card


def card_link(attendee: Attendee) -> str:
    """The secret part of the attendee's card-page URL: id + keyed MAC, nothing stored."""
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"card-page:{attendee.id}:{attendee.link_version}".encode(), hashlib.sha256)
    return f"{attendee.id}.{mac.hexdigest()[:24]}"


MAX_ID_DIGITS = 18  # below 2**63: a longer id is no row of ours, and SQLite overflows on it


def attendee_for_link(link: str) -> Attendee | None:
    """The attendee a card link names, or None for anything else a URL or a socket can carry."""
    # ASCII first: str.isdigit() takes Arabic-Indic digits, and compare_digest refuses non-ASCII str.
    if not isinstance(link, str) or not link.isascii():
        return None
    head, _, _mac = link.partition(".")
    if not head.isdigit() or len(head) > MAX_ID_DIGITS:
        return None
    attendee = db.session.get(Attendee, int(head))
    if attendee is None or attendee.erased_at is not None:
        return None
    return attendee if hmac.compare_digest(card_link(attendee), link) else None


def hash_national_id(number: str) -> str:
    return natid.hash_national_id(number, current_app.config["NATIONAL_ID_KEY"])


@dataclass(frozen=True)
class CardHolder:
    """A card and the person holding it, as plain values: what every scan path needs of them.

    It quacks like an Attendee for the views and the matching profile
    (gate_view, candidate_view, attendee_profile), without an ORM row.
    """
    card_id: int
    card_status: str
    id: int
    fair_id: int
    ref: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    inside: bool
    first_entry_at: datetime | None
    erased_at: datetime | None
    consent_share_profile: bool
    education: str | None
    experience_years: int | None
    skills: list
    desired_positions: list
    province: str | None
    salary_expected: int | None
    languages: list
    needs_disability_friendly: bool
    willing_to_relocate: bool
    # Stored when the profile was written (matching.services.store_occupations): read, never computed here.
    isco08: str | None
    isco08_minor: str | None
    isco08_sub_major: str | None
    isco08_confidence: float | None
    title_embedding: bytes | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@functools.cache
def _statements() -> SimpleNamespace:
    """The entrance's statements, built once per process: building and caching an
    SQL construct per scan cost more than running it. Plain table columns, so no
    ORM loading machinery runs either."""
    cards_table, people = Card.__table__, Attendee.__table__
    columns = [cards_table.c.id.label("card_id"), cards_table.c.status.label("card_status")]
    columns += [people.c[name] for name in list(CardHolder.__dataclass_fields__)[2:]]
    holder = db.select(*columns).select_from(cards_table.join(people, people.c.id == cards_table.c.attendee_id))
    at = db.bindparam("at")
    return SimpleNamespace(
        holder_by_serial=holder.where(cards_table.c.fair_id == db.bindparam("fair"),
                                      cards_table.c.serial == db.bindparam("serial")),
        holder_by_manual_code=holder.where(cards_table.c.fair_id == db.bindparam("fair"),
                                           cards_table.c.manual_code == db.bindparam("code")),
        holder_by_attendee=holder.where(cards_table.c.attendee_id == db.bindparam("attendee"),
                                        cards_table.c.status == "active"),
        # Entry and exit as conditional UPDATEs: two gates scanning one card at once
        # cannot both let it in (the second finds it inside), in any process or database.
        enter=db.update(people).where(people.c.id == db.bindparam("attendee"), people.c.inside == db.false())
        .values(inside=True, last_moved_at=at, first_entry_at=db.func.coalesce(people.c.first_entry_at, at)),
        leave=db.update(people).where(people.c.id == db.bindparam("attendee"), people.c.inside == db.true())
        .values(inside=False, last_moved_at=at),
        insert_checkin=db.insert(CheckIn.__table__),
    )


def _holder(statement, **params) -> CardHolder | None:
    row = execute(statement, params).first()
    return CardHolder(*row) if row is not None else None


def resolve_code(fair, code: str, device=None) -> CardHolder:
    """Find the card a scanned or typed code stands for, or raise CodeRejected(status).

    `fair` is a Fair or its cached facts (id, public_key). Manual codes and
    national IDs are guessable by brute force, so they are rate limited per
    device; signed tokens are not (a forgery cannot verify).
    """
    kind = cards.classify_code(code)
    if kind == "token":
        try:
            serial = cards.read_token(code, fair.public_key)
        except cards.Rejected as rejected:
            raise CodeRejected(rejected.status) from None
        holder = _holder(_statements().holder_by_serial, fair=fair.id, serial=serial)
    elif kind == "national_id" and device is not None and device.kind != "gate":
        # Only gates (and the organiser, with no device) find people by national ID:
        # a booth phone typing IDs would be an oracle for who is at the fair.
        raise CodeRejected("unknown")
    elif kind in ("manual", "national_id"):
        if device is not None and not limiter.allow(
                f"lookup:{device.id}", int(current_app.config["RATE_LIMIT_LOOKUPS_PER_MINUTE"])):
            raise RateLimited()
        if kind == "manual":
            holder = _holder(_statements().holder_by_manual_code, fair=fair.id,
                             code=cards.normalize_manual_code(code))
        else:
            number = natid.normalize_national_id(code)
            if number is None or not natid.is_valid_national_id(number):
                raise CodeRejected("unknown")
            attendee_id = db.session.scalar(db.select(Attendee.id).filter_by(
                fair_id=fair.id, national_id_hash=hash_national_id(number)))
            holder = (_holder(_statements().holder_by_attendee, attendee=attendee_id)
                      if attendee_id is not None else None)
    else:
        raise CodeRejected("unknown")
    if holder is None or holder.erased_at is not None:
        raise CodeRejected("unknown")
    if holder.card_status != "active":
        raise CodeRejected("revoked")
    return holder


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
    """What entrance staff see (fair.core.disclosure.gate_person)."""
    return disclosure.gate_person(attendee)


def _result_of(row: CheckIn) -> CheckInResult:
    attendee = row.attendee
    first = iso(attendee.first_entry_at) if attendee is not None and row.status == "already_inside" else None
    return CheckInResult(
        status=row.status, checkin_id=row.id,
        attendee=gate_view(attendee) if attendee is not None and attendee.erased_at is None else None,
        first_checkin_at=first)


def check_in(device, code: str, nonce: str, kind: str = "entry", scanned_at: datetime | None = None,
             with_recommendations: bool = False) -> CheckInResult:
    """Record one scan at a gate. Safe to call again with the same nonce: the first answer returns.

    `device` is a Device or its cached facts. The scan is a handful of plain
    statements, not ORM objects: this runs for every person at the entrance.
    """
    from fair.core import cached
    fair = cached.fair(device.fair_id)
    now = utcnow()
    scanned_at = scanned_at or now
    holder: CardHolder | None = None
    if not fair.is_open(now):
        status = "fair_closed"
    else:
        try:
            holder = resolve_code(fair, code, device)
            status = _move(holder, kind, scanned_at)
        except CodeRejected as rejected:
            status = rejected.status
    try:
        checkin_id = execute(_statements().insert_checkin, dict(
            fair_id=fair.id, device_id=device.id, attendee_id=holder.id if holder else None,
            card_id=holder.card_id if holder else None, type=kind, status=status, nonce=nonce,
            scanned_at=scanned_at, received_at=now, notes=None)).inserted_primary_key[0]
        db.session.commit()
    except IntegrityError:
        # The same (device, nonce) is stored already: a retry. Its first answer stands,
        # and this attempt's presence change is rolled back with it.
        db.session.rollback()
        earlier = db.session.scalar(db.select(CheckIn).filter_by(device_id=device.id, nonce=nonce))
        if earlier is None:
            raise
        return _result_of(earlier)
    moved = holder is not None and status in ("ok", "exit_recorded")
    if moved:
        holder = replace(holder, inside=status == "ok",
                         first_entry_at=holder.first_entry_at or (scanned_at if status == "ok" else None))
        from fair.matching import services as matching
        matching.presence_changed(holder)
    visible = holder is not None and holder.erased_at is None
    result = CheckInResult(
        status=status, checkin_id=checkin_id, attendee=gate_view(holder) if visible else None,
        first_checkin_at=iso(holder.first_entry_at) if visible and status == "already_inside" else None,
        recommendations=_recommendations(holder) if with_recommendations and status == "ok" else None)
    _publish_checkin(fair.id, device, checkin_id, status, kind, scanned_at, now, holder, result)
    return result


def _move(holder: CardHolder, kind: str, at: datetime) -> str:
    """Let the holder in or out, if they are not already (see _statements)."""
    statements = _statements()
    statement, moved, status = ((statements.enter, "ok", "already_inside") if kind == "entry"
                                else (statements.leave, "exit_recorded", "not_inside"))
    if execute(statement, {"attendee": holder.id, "at": at}).rowcount != 1:
        return status
    loaded = db.session.identity_map.get(identity_key(Attendee, holder.id))
    if loaded is not None:  # a caller holding the row sees the new presence on next access
        db.session.expire(loaded, ["inside", "last_moved_at", "first_entry_at"])
    return moved


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


def _publish_checkin(fair_id: int, device, checkin_id: int, status: str, kind: str, scanned_at: datetime,
                     received_at: datetime, holder: CardHolder | None, result: CheckInResult) -> None:
    payload = {"id": checkin_id, "at": iso(received_at), "scanned_at": iso(scanned_at),
               "status": status, "kind": kind, "gate": device.name,
               "device_id": device.id, "attendee": result.attendee}
    live.publish("checkin", payload, fair=fair_id, attendee=holder.id if holder is not None else None)
