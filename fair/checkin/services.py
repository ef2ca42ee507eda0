"""Attendees, cards and the entrance: the business rules of check-in.

Called by the HTTP routes, the Socket.IO handlers, the CLI and the tests alike.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from fair.core import cached, counters, disclosure
from fair.web import live
from fair.checkin import cards, natid, signals
from fair.checkin.models import Attendee, Card, CheckIn
from fair.extensions import MAX_ROW_ID, db, execute
from fair.core.models import AuditEvent, Device, Fair
from fair.loading import importing
from fair.web.limits import limiter
from fair.core.timeutil import iso, utcnow

CONSENT_WORDING_VERSION = "2026-11-v1"


class CodeRejected(Exception):
    def __init__(self, status: str, problem: str | None = None):
        super().__init__(status)
        self.status = status
        self.problem = problem   # for "mistyped": one of cards.TYPO_PROBLEMS


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


def registration_problems(fair: Fair, fields: dict[str, str], *, consent_participate: bool) -> dict[str, str]:
    """Every problem of a registration form at once ({field: message}), registering nobody."""
    return _check_registration(fair, fields, consent_participate)[0]


def _check_registration(fair: Fair, fields: dict[str, str],
                        consent_participate: bool) -> tuple[dict[str, str], dict[str, Any] | None]:
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
    return problems, (parsed.rows[0] if parsed.rows and not problems else None)


REGISTRATION_ATTEMPTS = 3


def register_attendee(fair: Fair, fields: dict[str, str], *, consent_participate: bool,
                      needs_disability_friendly: bool = False,
                      willing_to_relocate: bool = False) -> tuple[Attendee, Card]:
    """On-site self-registration: the same rules as an imported row, then the card at once.

    Two phones registering at the same instant can draw the same W-number: the one
    that loses the unique constraint is rolled back and tries again (drawing anew, and
    seeing a national ID registered meanwhile), up to REGISTRATION_ATTEMPTS times, so
    every caller gets the retry, not one page.
    """
    for attempt in range(REGISTRATION_ATTEMPTS):
        try:
            return _register_once(fair, fields, consent_participate, needs_disability_friendly,
                                  willing_to_relocate)
        except IntegrityError:
            db.session.rollback()
            if attempt == REGISTRATION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _register_once(fair: Fair, fields: dict[str, str], consent_participate: bool,
                   needs_disability_friendly: bool, willing_to_relocate: bool) -> tuple[Attendee, Card]:
    problems, row = _check_registration(fair, fields, consent_participate)
    if problems:
        raise RegistrationInvalid(problems)
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
                        needs_disability_friendly=needs_disability_friendly,
                        willing_to_relocate=willing_to_relocate)
    apply_attendee_row(attendee, row, consent_participate=True,
                       consent_wording=f"register:{CONSENT_WORDING_VERSION}")
    if claimed is not None:
        attendee.national_id_claim_hash = hash_national_id(claimed)
    signals.profile_written.send(current_app._get_current_object(), attendees=[attendee])
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
    """W00001, W00002, ...: the fair's next one (fair.core.counters), past refs an import took."""
    def registered_so_far() -> int:
        return db.session.scalar(db.select(db.func.count(Attendee.id)).filter_by(fair_id=fair.id, source="register"))
    while True:
        ref = f"W{counters.take(fair.id, counters.REGISTRATION_REF, registered_so_far):05d}"
        if db.session.scalar(db.select(Attendee.id).filter_by(fair_id=fair.id, ref=ref)) is None:
            return ref


# --- cards ------------------------------------------------------------------------------

def issue_card(attendee: Attendee) -> Card:
    """Give the attendee a new active card (in the caller's transaction)."""
    return issue_cards([attendee])[0]


def issue_cards(attendees: list[Attendee]) -> list[Card]:
    """A new active card for each attendee (all of one fair), in the caller's transaction.

    One query for the next serial and one for code collisions per call, so an
    import issues a batch of cards in a few statements instead of a few per person.
    """
    if not attendees:
        return []
    fair_id = attendees[0].fair_id
    def last_serial() -> int:
        return db.session.scalar(db.select(db.func.max(Card.serial)).filter_by(fair_id=fair_id)) or 0
    # The block of serials is the batch's alone (fair.core.counters), even with registrations at once.
    next_serial = counters.take(fair_id, counters.CARD_SERIAL, last_serial, count=len(attendees)) - len(attendees) + 1
    codes: list[str] = []
    while len(codes) < len(attendees):
        # 31^8 codes: a collision is rare, but the constraint would abort the import.
        wanted = {cards.new_manual_code() for _ in range(len(attendees) - len(codes))} - set(codes)
        taken = set(db.session.scalars(db.select(Card.manual_code).where(
            Card.fair_id == fair_id, Card.manual_code.in_(wanted))))
        codes += sorted(wanted - taken)
    issued = [Card(fair_id=fair_id, attendee=attendee, serial=next_serial + i, manual_code=code)
              for i, (attendee, code) in enumerate(zip(attendees, codes))]
    db.session.add_all(issued)
    db.session.flush()
    return issued


def active_card(attendee: Attendee) -> Card | None:
    return db.session.scalar(db.select(Card).filter_by(attendee_id=attendee.id, status="active"))


def attendee_by_ref(fair_id: int, ref: str) -> Attendee | None:
    """The attendee the organiser's pages name by reference; None when unknown or erased."""
    attendee = db.session.scalar(db.select(Attendee).filter_by(fair_id=fair_id, ref=ref))
    return attendee if attendee is not None and attendee.erased_at is None else None


@dataclass(frozen=True)
class CardSheet:
    """One page of the printable card sheets: plain values, ready to draw off the request thread."""
    total: int                              # active cards in the fair
    pages: int
    cards: list[tuple[str, str, str, str]]  # (name, ref, manual code, token), by reference


def card_sheet(fair: Fair, page: int, per_page: int) -> CardSheet:
    """The active cards of people not erased, `per_page` at a time, for people without a smartphone."""
    active = (db.select(Card, Attendee).join(Attendee, Card.attendee_id == Attendee.id)
              .where(Card.fair_id == fair.id, Card.status == "active", Attendee.erased_at.is_(None)))
    total = db.session.scalar(db.select(db.func.count()).select_from(active.subquery()))
    rows = db.session.execute(active.order_by(Attendee.ref).offset((page - 1) * per_page).limit(per_page)).all()
    return CardSheet(total, max(1, -(-total // per_page)),
                     [(a.full_name, a.ref, c.manual_code, card_token(c, fair)) for c, a in rows])


def card_token(card: Card, fair: Fair) -> str:
    return cards.make_token(fair.signing_key, card.serial)


def replace_card(attendee: Attendee, actor: str) -> Card:
    """Lost phone: the old card answers `revoked` from now on, a new one is issued, and the
    old card page's link stops working (a new link for the new phone)."""
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




def attendee_for_link(link: str) -> Attendee | None:
    """The attendee a card link names, or None for anything else a URL or a socket can carry."""
    # ASCII first: str.isdigit() takes Arabic-Indic digits, and compare_digest refuses non-ASCII str.
    if not isinstance(link, str) or not link.isascii():
        return None
    head, _, _mac = link.partition(".")
    if not head.isdigit() or len(head) > len(str(MAX_ROW_ID)) or int(head) > MAX_ROW_ID:
        return None  # no row of ours, and PostgreSQL (or SQLite, past 2**63) would overflow on it
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
    isco08_units: str | None
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
        holder_by_ref=holder.where(people.c.fair_id == db.bindparam("fair"), people.c.ref == db.bindparam("ref"),
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
        if device is not None and not limiter().allow(
                f"lookup:{device.id}", int(current_app.config["RATE_LIMIT_LOOKUPS_PER_MINUTE"])):
            raise RateLimited()
        if kind == "manual":
            holder = _holder(_statements().holder_by_manual_code, fair=fair.id,
                             code=cards.normalize_manual_code(code))
        else:
            number = natid.normalize_national_id(code)
            if number is None or not natid.is_valid_national_id(number):
                _reject_typed(code, device)
            attendee_id = db.session.scalar(db.select(Attendee.id).filter_by(
                fair_id=fair.id, national_id_hash=hash_national_id(number)))
            holder = (_holder(_statements().holder_by_attendee, attendee=attendee_id)
                      if attendee_id is not None else None)
    else:
        _reject_typed(code, device)
    if holder is None or holder.erased_at is not None:
        raise CodeRejected("unknown")
    if holder.card_status != "active":
        raise CodeRejected("revoked")
    return holder


def _reject_typed(code: str, device) -> None:
    """Refuse a code that is no card: a gate (or the organiser) hears that it is a typo
    when it plainly is one (cards.code_typo), instead of "unknown card". Booth scans keep
    "unknown": their answer's statuses are the booth API's."""
    problem = cards.code_typo(code)
    if problem is not None and (device is None or device.kind == "gate"):
        raise CodeRejected("mistyped", problem)
    raise CodeRejected("unknown")


# --- check-in ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckInResult:
    status: str
    checkin_id: int | None = None
    attendee: dict[str, Any] | None = None
    first_checkin_at: str | None = None
    recommendations: list[dict] | None = field(default=None, compare=False)
    problem: str | None = None      # what is wrong with a mistyped code (cards.TYPO_PROBLEMS)

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
        if self.problem is not None:
            body["problem"] = self.problem
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
        first_checkin_at=first, problem=row.notes if row.status == "mistyped" else None)


def resolve_person(fair, ref: str, device=None) -> CardHolder:
    """The person a gate picked from a search (by reference), with their active card, or
    CodeRejected. References are guessable, so a device's picks count as typed lookups."""
    if device is not None and not limiter().allow(
            f"lookup:{device.id}", int(current_app.config["RATE_LIMIT_LOOKUPS_PER_MINUTE"])):
        raise RateLimited()
    holder = _holder(_statements().holder_by_ref, fair=fair.id, ref=ref)
    if holder is None or holder.erased_at is not None:
        raise CodeRejected("unknown")
    return holder


def check_in(device, code: str | None, nonce: str, kind: str = "entry", scanned_at: datetime | None = None,
             with_recommendations: bool = False, attendee_ref: str | None = None,
             actor: str | None = None) -> CheckInResult:
    """Record one scan at a gate. Safe to call again with the same nonce: the first answer returns.

    `device` is a Device or its cached facts. The scan is a handful of plain
    statements, not ORM objects: this runs for every person at the entrance.
    Instead of a code, `attendee_ref` names a person picked from a search (the
    gate's search, the organiser's attendee list); `actor` says who, when the
    device is the organiser's desk (organiser_desk), and is kept with the scan.
    """
    fair = cached.fair(device.fair_id)
    now = utcnow()
    scanned_at = scanned_at or now
    holder: CardHolder | None = None
    problem: str | None = None
    if not fair.is_open(now):
        status = "fair_closed"
    else:
        try:
            if attendee_ref is not None:
                holder = resolve_person(fair, attendee_ref, None if actor else device)
            else:
                holder = resolve_code(fair, code, device)
            status = _move(holder, kind, scanned_at)
        except CodeRejected as rejected:
            status, problem = rejected.status, rejected.problem
    try:
        checkin_id = execute(_statements().insert_checkin, dict(
            fair_id=fair.id, device_id=device.id, attendee_id=holder.id if holder else None,
            card_id=holder.card_id if holder else None, type=kind, status=status, nonce=nonce,
            scanned_at=scanned_at, received_at=now, notes=problem or actor)).inserted_primary_key[0]
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
        signals.presence_changed.send(current_app._get_current_object(), holder=holder)
    visible = holder is not None and holder.erased_at is None
    result = CheckInResult(
        status=status, checkin_id=checkin_id, attendee=gate_view(holder) if visible else None,
        first_checkin_at=iso(holder.first_entry_at) if visible and status == "already_inside" else None,
        recommendations=_recommendations(holder) if with_recommendations and status == "ok" else None,
        problem=problem)
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


def _recommendations(holder: CardHolder) -> list[dict]:
    # fair.matching answers (fair.checkin.signals): the entrance does not import the areas above it.
    try:
        answers = signals.recommendations_wanted.send(current_app._get_current_object(), holder=holder,
                                                      top=3, lang="th")
        return next((found for _receiver, found in answers if found is not None), [])
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


# --- the organiser's desk and undo ----------------------------------------------------------

# Check-ins the organiser makes from the attendee list are scans of a gate of their own:
# the counts per gate, the feed and the exports then say where they came from.
ORGANISER_DESK_NAME = "Organiser desk"


def organiser_desk(fair: Fair):
    """The fair's "Organiser desk" gate (made on first use; its token is never known to anyone)."""
    desk = db.session.scalar(db.select(Device).where(
        Device.fair_id == fair.id, Device.kind == "gate", Device.name == ORGANISER_DESK_NAME,
        Device.revoked_at.is_(None)))
    if desk is None:
        unknowable = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        desk = Device(fair_id=fair.id, kind="gate", name=ORGANISER_DESK_NAME, token_hash=unknowable)
        db.session.add(desk)
        db.session.commit()
    return desk


def organiser_check_in(fair: Fair, attendee: Attendee, kind: str, actor: str) -> CheckInResult:
    """The organiser lets a person in or out by hand (attendee list): a scan at the desk."""
    return check_in(organiser_desk(fair), None, nonce=f"desk:{secrets.token_hex(12)}", kind=kind,
                    attendee_ref=attendee.ref, actor=actor)


UNDOABLE = ("ok", "exit_recorded")   # only accepted scans moved anyone


class UndoRefused(Exception):
    """This scan cannot be undone by this caller; `reason` says why, `http` the status to answer."""

    HTTP = {"not_found": 404, "not_yours": 403, "too_old": 409, "not_undoable": 409}

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.http = self.HTTP[reason]


@dataclass(frozen=True)
class UndoResult:
    status: str                 # "undone", or "already_undone" (a retry, or someone else was first)
    checkin_id: int
    correction_id: int
    kind: str                   # the undone scan's type: entry | exit
    inside: bool                # where the person is now
    attendee: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "checkin_id": self.checkin_id, "correction_id": self.correction_id,
                "kind": self.kind, "inside": self.inside, "attendee": self.attendee}


def not_undone():
    """A condition on CheckIn: no correction undid this scan (counts of entries leave those out)."""
    from fair.checkin.models import CheckInCorrection
    return ~db.select(CheckInCorrection.id).where(CheckInCorrection.checkin_id == CheckIn.id).exists()


def standing_scans():
    """The accepted scans no correction has undone: the ones counts and presence rest on."""
    return db.and_(CheckIn.status.in_(UNDOABLE), not_undone())


def undo_checkin(fair_id: int, checkin_id: int, actor: str, device=None) -> UndoResult:
    """Undo a wrong entry or exit (a gate's own recent scan, or any scan for the organiser).

    Recorded as a correction naming the scan, never by changing or deleting it; the
    person's presence is worked out again from the scans that still stand, so "inside
    now", entries and arrivals follow, and live dashboards and gates hear of it.
    `device` is the gate asking (None: the organiser), which may undo only its own
    scans of the last GATE_UNDO_MINUTES.
    """
    from datetime import timedelta
    from fair.checkin.models import CheckInCorrection
    from fair.core.models import AuditEvent
    row = db.session.get(CheckIn, checkin_id)
    if row is None or row.fair_id != fair_id:
        raise UndoRefused("not_found")
    if device is not None:
        if row.device_id != device.id:
            raise UndoRefused("not_yours")
    earlier = db.session.scalar(db.select(CheckInCorrection).filter_by(checkin_id=row.id))
    if earlier is not None:
        return _undo_result(row, earlier, "already_undone")
    if row.status not in UNDOABLE or row.attendee_id is None:
        raise UndoRefused("not_undoable")
    window = timedelta(minutes=float(current_app.config["GATE_UNDO_MINUTES"]))
    if device is not None and row.received_at < utcnow() - window:
        raise UndoRefused("too_old")
    correction = CheckInCorrection(fair_id=fair_id, checkin_id=row.id, actor=actor,
                                   device_id=device.id if device is not None else None)
    db.session.add(correction)
    try:
        db.session.flush()   # takes the write lock first: the scans read next are the latest
    except IntegrityError:
        db.session.rollback()   # undone meanwhile by someone else: their correction stands
        earlier = db.session.scalar(db.select(CheckInCorrection).filter_by(checkin_id=checkin_id))
        return _undo_result(db.session.get(CheckIn, checkin_id), earlier, "already_undone")
    attendee = db.session.get(Attendee, row.attendee_id)
    was_inside = attendee.inside
    _recompute_presence(attendee)
    db.session.add(AuditEvent(fair_id=fair_id, actor=actor, action="checkin.undo",
                              subject=f"attendee:{attendee.ref}",
                              details={"checkin_id": row.id, "correction_id": correction.id, "type": row.type,
                                       "status": row.status, "device_id": row.device_id}))
    db.session.commit()
    if attendee.inside != was_inside:
        signals.presence_changed.send(current_app._get_current_object(), holder=attendee)
    result = _undo_result(row, correction, "undone")
    gate_name = row.device.name if row.device is not None else ""
    live.publish("checkin_undo", {"id": correction.id, "at": iso(correction.created_at), "checkin_id": row.id,
                                  "kind": row.type, "gate": gate_name, "device_id": row.device_id,
                                  "inside": attendee.inside, "attendee": result.attendee},
                 fair=fair_id, attendee=attendee.id)
    return result


def _undo_result(row: CheckIn, correction, status: str) -> UndoResult:
    person = row.attendee
    visible = person is not None and person.erased_at is None
    return UndoResult(status=status, checkin_id=row.id, correction_id=correction.id, kind=row.type,
                      inside=bool(person.inside) if person is not None else False,
                      attendee=gate_view(person) if visible else None)


def _recompute_presence(attendee: Attendee) -> None:
    """Presence from the accepted scans that stand, in the order the server took them."""
    scans = db.session.execute(
        db.select(CheckIn.type, CheckIn.scanned_at).where(CheckIn.attendee_id == attendee.id, standing_scans())
        .order_by(CheckIn.id)).all()
    entries = [at for kind, at in scans if kind == "entry"]
    attendee.inside = bool(scans) and scans[-1].type == "entry"
    attendee.first_entry_at = min(entries) if entries else None
    attendee.last_moved_at = scans[-1].scanned_at if scans else None


def last_standing_scan(attendee: Attendee) -> CheckIn | None:
    """The person's latest accepted scan that stands: what the organiser's Undo button undoes."""
    return db.session.scalar(db.select(CheckIn).where(CheckIn.attendee_id == attendee.id, standing_scans())
                             .order_by(CheckIn.id.desc()).limit(1))


# --- finding people by name or phone --------------------------------------------------------

GATE_SEARCH_RESULTS = 8


def _search_index(fair_id: int):
    """The fair's search index (fair.checkin.search), rebuilt when people were added,
    erased or imported: its key is the count, the newest id and the fair's revision."""
    from fair.checkin import search
    key = db.session.execute(
        db.select(db.func.count(Attendee.id), db.func.max(Attendee.id), Fair.revision)
        .select_from(Fair).outerjoin(Attendee, db.and_(Attendee.fair_id == Fair.id, Attendee.erased_at.is_(None)))
        .where(Fair.id == fair_id).group_by(Fair.revision)).first()
    indexes = current_app.extensions.setdefault("attendee_search", {})
    cached = indexes.get(fair_id)
    if cached is not None and cached[0] == tuple(key or ()):
        return cached[1]
    rows = db.session.execute(db.select(Attendee.id, Attendee.ref, Attendee.first_name, Attendee.last_name,
                                        Attendee.phone)
                              .where(Attendee.fair_id == fair_id, Attendee.erased_at.is_(None))).all()
    index = search.Index([search.Person(*row) for row in rows])
    indexes[fair_id] = (tuple(key or ()), index)
    return index


def search_attendees(fair_id: int, text: str, limit: int = GATE_SEARCH_RESULTS) -> list[tuple[Attendee, str]]:
    """People whose name (Thai or English, partial, misspelt a little), phone number (4 digits
    or more) or reference matches `text`, closest first, as (row, how it matched)."""
    matches = _search_index(fair_id).search(text, limit=limit)
    if not matches:
        return []
    rows = {a.id: a for a in db.session.scalars(db.select(Attendee).where(
        Attendee.id.in_([m.person.id for m in matches]), Attendee.erased_at.is_(None)))}
    return [(rows[m.person.id], m.by) for m in matches if m.person.id in rows]


def gate_search(device, text: str) -> list[dict[str, Any]]:
    """A gate looks a person up by name or phone (no card at hand): what the gate may see of each."""
    from fair.checkin import search
    if search.parse_query(text).empty:
        return []       # too short to search (a keystroke): costs nothing of the allowance
    if not limiter().allow(f"search:{device.id}", int(current_app.config["GATE_SEARCHES_PER_MINUTE"])):
        raise RateLimited()
    return [disclosure.gate_search_result(person, by) for person, by in search_attendees(device.fair_id, text)]


# --- the gate's offline roster --------------------------------------------------------------

def gate_roster(fair_id: int) -> dict[str, Any]:
    """What a gate phone keeps (in memory) to name people when it scans offline: each active
    card's serial with the reference and the short name (disclosure.gate_roster_name), and
    the serials of replaced cards (offline they answer "card replaced", not a name)."""
    rows = db.session.execute(
        db.select(Card.serial, Card.status, Attendee.ref, Attendee.first_name, Attendee.last_name)
        .join(Attendee, Card.attendee_id == Attendee.id)
        .where(Card.fair_id == fair_id, Attendee.erased_at.is_(None)).order_by(Card.serial)).all()
    people = [[serial, ref, disclosure.gate_roster_name(SimpleNamespace(first_name=first, last_name=last))]
              for serial, status, ref, first, last in rows if status == "active"]
    return {"people": people, "revoked": [row.serial for row in rows if row.status != "active"],
            "at": iso(utcnow())}
