"""Who may see what about a person: one allow-list per audience.

Every page, API answer, socket event and export that carries something about
an attendee builds it here, so the rules live in one place and a field is
withheld unless an audience's list names it. Pure: no Flask, no database;
callers pass rows (or the scan path's plain CardHolder) and what they know
about the relation (did this booth scan the person?).

Audiences:
- PUBLIC     the anonymous live counter: headline numbers, never a person.
- SCREEN     a big screen in the hall: what happened where, never who.
- GATE       entrance staff: enough to greet and tell people apart (a search
             result adds the phone's last 3 digits and whether they are inside).
- BOOTH      a booth's phones: a per-booth pseudonym, education and skills;
             name, contact and the rest of the profile only for people who
             agreed to share it *and* whose card this booth scanned (or who
             accepted its invitation). Never the national ID, never free text
             another booth wrote, never the need for disability access.
- ATTENDEE   the person's own card page.
- ORGANISER  the organiser's laptop and integration keys: everything the
             fair holds (still never the national ID in clear: it is not stored).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Mapping

PUBLIC = "public"
SCREEN = "screen"
GATE = "gate"
BOOTH = "booth"
ATTENDEE = "attendee"
ORGANISER = "organiser"
AUDIENCES = (PUBLIC, SCREEN, GATE, BOOTH, ATTENDEE, ORGANISER)

# --- people -----------------------------------------------------------------------------

# What a booth sees of anyone: enough to judge the fit, nothing that identifies them.
BOOTH_ALWAYS = ("pseudonym", "education", "skills", "shared")
# Added for a person who agreed to share and whose card this booth scanned.
BOOTH_SHARED = ("ref", "name", "phone", "email", "experience_years", "desired_positions", "province",
                "languages")
CANDIDATE_FIELDS = frozenset(BOOTH_ALWAYS + BOOTH_SHARED)


def pseudonym(key: bytes, booth_id: int, attendee_id: int) -> str:
    """How one booth names a person: stable at that booth, unrelated across booths, and
    no database id (which would tell how many people registered before them)."""
    mac = hmac.new(key, f"pseudonym:{booth_id}:{attendee_id}".encode(), hashlib.sha256).digest()
    return "#" + base64.b32encode(mac[:5]).decode()[:7]


def shares_with_booth(person: Any, scanned_by_booth: bool) -> bool:
    """Consent reads "share my profile with employers whose booths scan my card"."""
    return bool(scanned_by_booth and person.consent_share_profile and person.erased_at is None)


def candidate(person: Any, *, pseudonym: str, scanned_by_booth: bool) -> dict[str, Any]:
    """A person as one booth may see them (see BOOTH_ALWAYS / BOOTH_SHARED)."""
    view: dict[str, Any] = {"pseudonym": pseudonym, "education": person.education,
                            "skills": list(person.skills or []), "shared": False}
    if shares_with_booth(person, scanned_by_booth):
        view.update(shared=True, ref=person.ref, name=person.full_name, phone=person.phone,
                    email=person.email, experience_years=person.experience_years,
                    desired_positions=list(person.desired_positions or []),
                    province=person.province, languages=list(person.languages or []))
    return view


def matching_fields(view: Mapping[str, Any]) -> dict[str, Any]:
    """The profile fields a booth's match (score and reasons) may use: those in its view
    of the person, nothing else (no salary expectation, no disability, no withheld field)."""
    return {"skills": view.get("skills") or [], "education": view.get("education"),
            "desired_positions": view.get("desired_positions") or [],
            "experience_years": view.get("experience_years"), "province": view.get("province"),
            "languages": view.get("languages") or []}


def gate_person(person: Any) -> dict[str, Any]:
    """What entrance staff see: a name to greet and the reference, no contact data."""
    return {"ref": person.ref, "name": person.full_name}


def gate_search_result(person: Any, by: str) -> dict[str, Any]:
    """A person found by name or phone at the gate: the gate's view, plus what staff need to
    confirm it is the one in front of them before checking them in: the last 3 digits of the
    phone (they ask "the end of your number?"; never the whole number) and whether the
    person is inside already (an entry would be a second one)."""
    digits = "".join(c for c in (person.phone or "") if c.isdigit())
    return {**gate_person(person), "phone_last3": digits[-3:] if len(digits) >= 3 else None,
            "inside": bool(person.inside), "by": by}


_THAI_LEADING_VOWELS = "เแโใไ"


def gate_roster_name(person: Any) -> str:
    """A person in the list a gate phone holds for offline scans: the first name and the last
    name's initial ("Somchai J.", "สมชาย ใจ."), enough to greet and to tell a shared screenshot
    from its owner, less than the full name a live scan shows. A Thai initial keeps the
    consonant after a leading vowel (ใจดี → ใจ.)."""
    last = (person.last_name or "").strip()
    initial = last[:2] if last[:1] in _THAI_LEADING_VOWELS else last[:1]
    return f"{person.first_name} {initial}.".strip() if initial else (person.first_name or "").strip()


# --- live events ------------------------------------------------------------------------

_EVENT_BASE = ("type", "id", "at")
_CHECKIN = _EVENT_BASE + ("scanned_at", "status", "kind", "gate")
_UNDO = _EVENT_BASE + ("checkin_id", "kind", "gate")
_LEAD_FIELDS = ("id", "booth", "rating", "tags", "notes", "next_step", "job_ref", "answers", "scanned_by",
                "edited_by", "first_scanned_at", "last_scanned_at", "updated_at", "candidate")
_QUESTION_FIELDS = ("id", "label", "kind", "choices")
_INVITATION_FIELDS = ("id", "booth", "employer", "job_ref", "title", "status", "message", "created_at",
                      "answered_at")

# (audience, event type) -> allowed keys; a nested key maps to its own allow-list.
_EVENTS: dict[tuple[str, str], dict[str, Any]] = {
    (SCREEN, "checkin"): dict.fromkeys(_CHECKIN),
    (SCREEN, "lead"): dict.fromkeys(_EVENT_BASE + ("booth", "next_step")),
    (SCREEN, "invitation"): dict.fromkeys(_EVENT_BASE + ("booth",)),
    (SCREEN, "registration"): dict.fromkeys(_EVENT_BASE),
    (GATE, "checkin"): {**dict.fromkeys(_CHECKIN + ("device_id",)), "attendee": dict.fromkeys(("ref", "name"))},
    # A wrong entry or exit undone (a correction naming the scan): where, not who, on a big screen.
    (SCREEN, "checkin_undo"): dict.fromkeys(_UNDO),
    (GATE, "checkin_undo"): {**dict.fromkeys(_UNDO + ("device_id", "inside")),
                             "attendee": dict.fromkeys(("ref", "name"))},
    (BOOTH, "lead"): {**dict.fromkeys(_EVENT_BASE + ("booth", "next_step")),
                      "lead": {**dict.fromkeys(_LEAD_FIELDS), "candidate": dict.fromkeys(CANDIDATE_FIELDS)}},
    # A lead removed by mistake: its booth's phones drop it, screens recount.
    (SCREEN, "lead_deleted"): dict.fromkeys(_EVENT_BASE + ("booth",)),
    (BOOTH, "lead_deleted"): dict.fromkeys(_EVENT_BASE + ("booth",)),
    (BOOTH, "questions"): {**dict.fromkeys(_EVENT_BASE + ("booth",)), "questions": dict.fromkeys(_QUESTION_FIELDS)},
    (BOOTH, "invitation"): {**dict.fromkeys(_EVENT_BASE + ("candidate",)),
                            "invitation": dict.fromkeys(_INVITATION_FIELDS)},
    (ATTENDEE, "checkin"): dict.fromkeys(_EVENT_BASE + ("status", "kind")),
    # The attendee learns which booth scanned them, nothing of what the recruiter wrote.
    (ATTENDEE, "lead"): dict.fromkeys(_EVENT_BASE + ("booth", "employer")),
    # A lead deleted as a mistaken scan is no visit: the card page drops that booth.
    (ATTENDEE, "lead_deleted"): dict.fromkeys(_EVENT_BASE + ("booth",)),
    (ATTENDEE, "invitation"): {**dict.fromkeys(_EVENT_BASE), "invitation": dict.fromkeys(_INVITATION_FIELDS)},
}
# What the attendee's page calls an event (a booth's scan is a "visit" to them).
_RENAMED = {(ATTENDEE, "lead"): "visit", (ATTENDEE, "lead_deleted"): "visit_removed"}


def _only(value: Any, allowed: Mapping[str, Any] | None) -> Any:
    if allowed is None or not isinstance(value, Mapping):
        return value
    return {key: _only(value[key], allowed[key]) for key in allowed if key in value}


def event(audience: str, kind: str, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """A live event as one audience may receive it, or None when it is not for them.

    `payload` is the organiser's full event ({"type", "id", "at", ...}); other
    audiences get only the keys their allow-list names, at every depth.
    """
    if audience == ORGANISER:
        return dict(payload)
    allowed = _EVENTS.get((audience, kind))
    if allowed is None:
        return None
    view = _only(payload, allowed)
    view["type"] = _RENAMED.get((audience, kind), kind)
    return view


PUBLIC_COUNTS = ("registered", "checked_in", "checked_in_today", "inside", "leads", "hired")


GATE_GATE_COUNTS = ("device_id", "gate", "entries", "exits")


def stats(audience: str, counts: Mapping[str, Any]) -> dict[str, Any] | None:
    """Dashboard counts per audience: the organiser and big screens get the dashboard's
    numbers (booths and jobs, no people), the public counter the headline numbers only,
    gates the headline numbers and each gate's entries and exits today (its screen shows its own)."""
    if audience in (ORGANISER, SCREEN):
        return dict(counts)
    if audience == PUBLIC:
        return {key: counts[key] for key in PUBLIC_COUNTS if key in counts}
    if audience == GATE:
        view = {key: counts[key] for key in PUBLIC_COUNTS if key in counts}
        view["gates"] = [{key: gate.get(key) for key in GATE_GATE_COUNTS} for gate in counts.get("gates", [])]
        return view
    return None


def lead_export_row(person: Any, pseudonym_text: str) -> dict[str, Any]:
    """A lead's person in an export: a lead exists only for a card the booth scanned, so
    consent alone decides (the same rule as the booth's own view)."""
    view = candidate(person, pseudonym=pseudonym_text, scanned_by_booth=True)
    return {name: view.get(name) for name in ("pseudonym", "ref", "name", "phone", "email", "education",
                                               "experience_years", "skills")}

