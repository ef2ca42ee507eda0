"""Who is calling: organiser login, device tokens and pairing, one set of role checks.

Every HTTP route and the Socket.IO connect handler resolve the caller through
current_principal(); roles are checked in one place (require()).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _

from fair.core import changes
from fair.web.blocking import run_blocking
from fair.extensions import MAX_ROW_ID, db
from fair.core.models import DEVICE_KINDS, AuditEvent, Device, Fair, Organiser, PairingCode
from fair.core.timeutil import utcnow

ROLES = ("organiser",) + DEVICE_KINDS
# How often a device's last_seen_at is written: often enough for the organiser's
# list, rarely enough that a busy scanner does not write a row per request.
SEEN_EVERY = timedelta(minutes=1)
_hasher = PasswordHasher()


class AuthError(Exception):
    """Raised by services for a caller who may not do this (403) or is unknown (401)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def hash_secret(value: str) -> str:
    """SHA-256 of a high-entropy token: enough, since tokens are random 256-bit strings."""
    return hashlib.sha256(value.encode()).hexdigest()


# --- organisers ---------------------------------------------------------------------------

def create_organiser(username: str, password: str | None = None) -> tuple[Organiser, str]:
    """Create an organiser; returns the password (generated when not given) to show once."""
    password = password or secrets.token_urlsafe(12)
    organiser = Organiser(username=username, password_hash=run_blocking(_hasher.hash, password))
    db.session.add(organiser)
    db.session.commit()
    return organiser, password


def set_organiser_password(organiser: Organiser, password: str) -> None:
    """A new password also signs out every session made under the old one."""
    organiser.password_hash = run_blocking(_hasher.hash, password)
    organiser.session_version += 1
    db.session.commit()


def end_organiser_sessions(organiser_id: int) -> None:
    """Logout: every copy of this organiser's session cookie stops working, not just this browser's."""
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is not None:
        organiser.session_version += 1
        db.session.commit()


def check_organiser(username: str, password: str) -> Organiser | None:
    organiser = db.session.scalar(db.select(Organiser).filter_by(username=username))
    if organiser is None:
        # Hash anyway so response time does not reveal which usernames exist.
        run_blocking(_hasher.hash, password)
        return None
    try:
        run_blocking(_hasher.verify, organiser.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return organiser


# --- devices ------------------------------------------------------------------------------

def create_device(fair: Fair, kind: str, name: str, booth=None) -> tuple[Device, str]:
    """A new device of one kind; returns it with its bearer token (shown once, stored hashed)."""
    if kind not in DEVICE_KINDS:
        raise ValueError(f"unknown device kind {kind!r}")
    if (kind == "booth") != (booth is not None):
        raise ValueError("a booth device needs its booth, and only booth devices have one")
    token = secrets.token_urlsafe(32)
    device = Device(fair_id=fair.id, kind=kind, name=name, booth_id=booth.id if booth else None,
                    token_hash=hash_secret(token))
    db.session.add(device)
    db.session.flush()
    return device, token


def device_for_token(token: str | None) -> Device | None:
    if not token:
        return None
    device = db.session.scalar(db.select(Device).filter_by(token_hash=hash_secret(token)))
    return device if device is not None and device.active else None


PAGE_TOKEN_PREFIX = "dp1."


def page_token(device: Device) -> str:
    """A bearer token for the page a paired browser device opened (gate, booth).

    The page's scripts send it on every API write, replay and socket connect,
    so a paired phone's scans never depend on the cookie session's CSRF secret,
    which another tab or a racing request can rotate. Stateless: an HMAC over
    the device id and its token hash, so it stops working when the device is
    revoked or gets a new token, and nothing is stored.
    """
    return f"{PAGE_TOKEN_PREFIX}{device.id}.{_page_token_mac(device.id, device.token_hash)}"


def _page_token_mac(device_id: int, token_hash: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"device-page:{device_id}:{token_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def device_for_page_token(token: str) -> Device | None:
    """The active device a page token (page_token) names, or None."""
    device_id, _sep, mac = token[len(PAGE_TOKEN_PREFIX):].partition(".")
    # ASCII first: "¹".isdigit() is True and int() refuses it.
    if not (device_id.isascii() and device_id.isdigit()) or not mac:
        return None
    if len(device_id) > len(str(MAX_ROW_ID)) or int(device_id) > MAX_ROW_ID:
        return None
    device = db.session.get(Device, int(device_id))
    if device is None or not device.active:
        return None
    if not hmac.compare_digest(mac, _page_token_mac(device.id, device.token_hash)):
        return None
    return device


def revoke_device(device: Device, actor: str) -> None:
    """Revoke a device; its live sockets are cut at once here, and by a serving process within a second."""
    device.revoked_at = utcnow()
    db.session.add(AuditEvent(fair_id=device.fair_id, actor=actor, action="device.revoke",
                              subject=f"device:{device.id}", details={"name": device.name}))
    changes.bump(device.fair_id)  # another process serving the fair sees the revision move
    db.session.commit()
    changes.changed_here(current_app._get_current_object(), device.fair_id)


def create_pairing_code(device: Device, ttl_hours: float) -> str:
    """A single-use code that pairs a browser as this device until it expires."""
    code = secrets.token_urlsafe(16)
    db.session.add(PairingCode(device_id=device.id, code_hash=hash_secret(code),
                               expires_at=utcnow() + timedelta(hours=ttl_hours)))
    db.session.flush()
    return code


def redeem_pairing_code(code: str) -> Device | None:
    """Use a pairing code once; None for an unknown, used or expired code or a revoked device."""
    row = db.session.scalar(db.select(PairingCode).filter_by(code_hash=hash_secret(code)))
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at < now or not row.device.active:
        return None
    # Read, then write only if still unused: two phones opening one link at once both
    # read it unused; the database lets one UPDATE through, the other pairs nothing.
    taken = db.session.execute(
        db.update(PairingCode).where(PairingCode.id == row.id, PairingCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        db.session.rollback()
        return None
    row.used_at = now
    db.session.add(AuditEvent(fair_id=row.device.fair_id, actor=f"device:{row.device_id}",
                              action="device.paired", subject=f"device:{row.device_id}",
                              details={"ip": request.remote_addr if request else None}))
    db.session.commit()
    return row.device


# --- the caller ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Principal:
    role: str  # "organiser", one of DEVICE_KINDS, or "anonymous"
    device: Device | None = None
    organiser_id: int | None = None

    @property
    def actor(self) -> str:
        if self.device is not None:
            return f"device:{self.device.id}"
        if self.organiser_id is not None:
            return f"organiser:{self.organiser_id}"
        return "anonymous"

    @property
    def booth_id(self) -> int | None:
        return self.device.booth_id if self.device is not None else None


ANONYMOUS = Principal("anonymous")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def mark_seen(device: Device) -> None:
    """Note that a device is in use (the organiser's device list shows it), at most once a minute."""
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return
    if db.session.new or db.session.dirty or db.session.deleted:
        return  # never commit a caller's unfinished work; the next request will do
    device.last_seen_at = now
    db.session.commit()


def principal_from(token: str | None) -> Principal:
    """Resolve a bearer token, else the session (organiser login or a paired browser)."""
    if token:
        device = (device_for_page_token(token) if token.startswith(PAGE_TOKEN_PREFIX)
                  else device_for_token(token))
        if device is not None:
            mark_seen(device)
        return Principal(device.kind, device=device) if device else ANONYMOUS
    device_id = session.get("device_id")
    if device_id is not None:
        device = db.session.get(Device, device_id)
        if device is not None and device.active:
            mark_seen(device)
            return Principal(device.kind, device=device)
        session.pop("device_id", None)
        if device is not None:   # revoked: its pages say so (device_page_refused), not "sign in"
            session["revoked_device_kind"] = device.kind
    organiser_id = session.get("organiser_id")
    if organiser_id is not None:
        # Signed cookies cannot be recalled: the version in the row is what revokes them.
        organiser = db.session.get(Organiser, organiser_id)
        if organiser is not None and session.get("organiser_version") == organiser.session_version:
            return Principal("organiser", organiser_id=organiser_id)
        session.pop("organiser_id", None)
        session.pop("organiser_version", None)
    return ANONYMOUS


def current_principal() -> Principal:
    if "principal" not in g:
        g.principal = principal_from(bearer_token())
    return g.principal


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def deny(status: int, message: str):
    if wants_json():
        error = "unauthorized" if status == 401 else "forbidden"
        response = jsonify(error=error, message=message)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response, status
    if status == 401:
        return redirect(url_for("main.login", next=request.full_path))
    return current_app.make_response((message, status))


# Pages that only a paired phone opens: a caller who is not one gets a page saying why and
# what to do (device_page_refused), not the organiser's sign-in.
DEVICE_PAGE_KINDS = ("gate", "booth")


def _device_page(roles: tuple[str, ...]) -> bool:
    return set(roles) <= set(DEVICE_PAGE_KINDS) and request.method == "GET" and not wants_json()


def device_page_refused(kind: str, principal: Principal):
    """The page an unpaired, revoked or wrongly paired phone (or the organiser) gets on a gate
    or booth page: what happened and how to get the phone paired again."""
    from flask import render_template
    names = {"gate": _("a gate"), "booth": _("a booth phone")}
    if principal.role == "anonymous" and session.get("revoked_device_kind"):
        reason, status = "revoked", 401
        heading = _("This phone is no longer paired")
        why = _("The organiser revoked this phone's pairing (for example when a phone was lost or "
                "replaced), so it cannot scan any more.")
    elif principal.role == "anonymous":
        reason, status = "unpaired", 401
        heading = _("This phone is not paired as %(kind)s", kind=names[kind])
        why = _("Only a phone the organiser paired can open this page and scan cards.")
    elif principal.role == "organiser":
        reason, status = "organiser", 403
        heading = _("This page is for a phone paired as %(kind)s", kind=names[kind])
        why = _("You are signed in as the organiser. Pair a phone from the Devices page, then open "
                "its pairing link on that phone.")
    else:
        reason, status = "other_kind", 403
        heading = _("This phone is paired for another job")
        why = _("This page is for %(kind)s; this phone is paired as %(other)s.", kind=names[kind],
                other=names.get(principal.role, principal.role))
    html = render_template("device_refused.html", reason=reason, heading=heading, why=why)
    return current_app.make_response((html, status))


def require(*roles: str) -> Callable:
    """Route decorator: only these roles get in; the view receives the Principal first."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            principal = current_principal()
            if principal.role not in roles and _device_page(roles):
                return device_page_refused(roles[0], principal)
            if principal.role == "anonymous":
                return deny(401, _("Sign in or pair this device first."))
            if principal.role not in roles:
                return deny(403, _("This device or account may not do that."))
            return view(principal, *args, **kwargs)
        return wrapped
    return decorator


def login_session(organiser: Organiser) -> None:
    session.clear()  # a new identity gets a fresh session (no fixation)
    session["organiser_id"] = organiser.id
    session["organiser_version"] = organiser.session_version
    session.permanent = True
    _new_csrf_secret()


def pair_session(device: Device) -> None:
    session.clear()
    session["device_id"] = device.id
    session.permanent = True
    _new_csrf_secret()


def _new_csrf_secret() -> None:
    """Create the fresh session's CSRF secret now, in the response that sets the cookie.

    Flask-WTF makes it lazily, at the first page that renders a token: the page
    the redirect leads to and a request racing it (its favicon, a 404) would each
    make one, and whichever Set-Cookie came last would void the other's tokens.
    """
    from flask_wtf.csrf import generate_csrf
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # a token of the old session
    generate_csrf()
