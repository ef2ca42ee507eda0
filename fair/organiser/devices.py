"""Creating, listing and revoking devices; pairing links for phones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from fair.web import auth
from fair.web.lan import DEFAULT_PORT, lan_addresses, served_address
from fair.booths.models import Booth
from fair.extensions import db
from fair.core.fairs import ensure_fair
from fair.core.models import AuditEvent, Device, PairingCode
from fair.core.reference import parse_booth_code
from fair.core.timeutil import utcnow

PAGE_FOR_KIND = {"gate": "/gate", "booth": "/booth", "dashboard": "/dashboard"}
MAX_NAME_LENGTH = 120


class PairingError(Exception):
    pass


class DeviceNameTaken(PairingError):
    """Another active device of the same kind (or the same booth) already has this name."""

    def __init__(self, kind: str, name: str, booth_code: str | None = None):
        where = f" at booth {booth_code}" if booth_code else ""
        super().__init__(f"A {kind} device{where} is already called {name!r}: choose another name "
                         "(or revoke the old one first).")
        self.kind, self.name, self.booth_code = kind, name, booth_code


@dataclass
class PairedDevice:
    id: int
    kind: str
    booth: str | None
    name: str
    token: str
    url: str | None

    def as_json(self) -> dict:
        return {"kind": self.kind, "booth": self.booth, "name": self.name, "token": self.token,
                "url": self.url}


def base_url() -> str:
    """Where phones reach this laptop: BASE_URL, else the first LAN address and the served port.

    The port (and http/https) is, in order: the running `fair serve` itself
    (app.config PORT/HTTPS), what the CLI was told (`--port`, set in app.config
    by the command), what the last `fair serve` recorded in the instance folder
    (fair.web.lan.served_address), else the default 5000.
    """
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    addresses = lan_addresses()
    host = addresses[0] if addresses else "localhost"
    port, https = current_app.config.get("PORT"), current_app.config.get("HTTPS")
    if port is None:
        recorded = served_address(current_app.instance_path)
        port = recorded["port"] if recorded else DEFAULT_PORT
        https = recorded["https"] if recorded and https is None else https
    scheme = "https" if https else "http"
    return f"{scheme}://{host}:{port}"


def _same_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def name_taken(fair_id: int, kind: str, name: str, booth: Booth | None = None,
               except_id: int | None = None) -> bool:
    """Is an active device of this kind (a booth phone: of this booth) already called `name`?

    Gates, screens and integrations are named per fair ("Gate 1" once), booth phones per
    booth (two employers may both have an "iPhone"). Case and spaces do not make a name
    new. Revoked devices free their name: a replacement phone takes the old one's.
    The database's partial unique indexes (migration 0007) hold the exact-name rule.
    """
    query = db.select(Device.id, Device.name).where(Device.fair_id == fair_id, Device.kind == kind,
                                                    Device.revoked_at.is_(None))
    query = query.where(Device.booth_id == booth.id) if booth is not None else query.where(Device.booth_id.is_(None))
    wanted = _same_name(name)
    return any(_same_name(other) == wanted and device_id != except_id
               for device_id, other in db.session.execute(query))


def pair(kind: str, name: str, booth: Booth | None = None, actor: str = "cli") -> PairedDevice:
    """Create one device with a token and (for devices with a page) a single-use pairing link."""
    fair, _ = ensure_fair()
    if name_taken(fair.id, kind, name, booth):
        raise DeviceNameTaken(kind, name, booth.code if booth else None)
    device, token = auth.create_device(fair, kind, name, booth)
    url = None
    if kind in PAGE_FOR_KIND:
        code = auth.create_pairing_code(device, current_app.config["PAIRING_CODE_TTL_HOURS"])
        url = f"{base_url()}/pair/{code}"
    db.session.add(AuditEvent(fair_id=fair.id, actor=actor, action="device.create",
                              subject=f"device:{device.id}",
                              details={"kind": kind, "name": name, "booth": booth.code if booth else None}))
    db.session.commit()
    return PairedDevice(device.id, kind, booth.code if booth else None, name, token, url)


def pair_from_cli(kind: str, value: str, device_name: str | None = None) -> list[PairedDevice]:
    fair, _ = ensure_fair()
    if kind != "booth":
        if not value.strip():
            raise PairingError("The device needs a name.")
        return [pair(kind, value.strip())]
    everyone = list(db.session.scalars(db.select(Booth).filter_by(fair_id=fair.id).order_by(Booth.code)))
    if value.strip().lower() == "all":
        booths = everyone
    else:
        booths = [b for b in everyone if b.code == parse_booth_code(value)]
    if not booths:
        if not everyone:
            raise PairingError(f"No booth {value!r}: there are no booths yet. Import employers first "
                               "(`fair import employers`).")
        raise PairingError(f"No booth {value!r}. The booths are: {', '.join(b.code for b in everyone)}.")
    # Names are distinct per booth, so `--booth all --name "Phone 1"` gives each booth its "Phone 1".
    return [pair("booth", device_name or default_booth_name(b), b) for b in booths]


def default_booth_name(booth: Booth) -> str:
    """The name a new booth phone has until its recruiter names it: "A12 phone", then "A12 phone 2"."""
    base = f"{booth.code} phone"
    taken = {_same_name(name) for name in db.session.scalars(
        db.select(Device.name).where(Device.booth_id == booth.id, Device.revoked_at.is_(None)))}
    if _same_name(base) not in taken:
        return base
    number = 2
    while _same_name(f"{base} {number}") in taken:
        number += 1
    return f"{base} {number}"


def has_default_name(device: Device) -> bool:
    """Still called "A12 phone" or "A12 phone 2": the recruiter is asked to name it."""
    if device.kind != "booth" or device.booth is None:
        return False
    base = f"{device.booth.code} phone"
    rest = device.name[len(base):].strip()
    return device.name.startswith(base) and (not rest or rest.isdigit())


def rename(device: Device, name: str, actor: str) -> None:
    """A recruiter names their phone ("Khun Somchai's phone") so the organiser's list says whose it is."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise PairingError(f"A device name is 1 to {MAX_NAME_LENGTH} characters.")
    if name_taken(device.fair_id, device.kind, name, device.booth, except_id=device.id):
        raise DeviceNameTaken(device.kind, name, device.booth.code if device.booth else None)
    old, device.name = device.name, name
    db.session.add(AuditEvent(fair_id=device.fair_id, actor=actor, action="device.rename",
                              subject=f"device:{device.id}", details={"from": old, "to": name}))
    db.session.commit()


@dataclass
class DeviceState:
    """A device as the organiser's list shows it."""
    device: Device
    state: str  # "active" (paired or token in use), "waiting" (link not used yet), "expired", "revoked"
    paired_at: datetime | None
    link_expires_at: datetime | None


def device_states() -> list[DeviceState]:
    devices = list_devices()
    codes: dict[int, list[PairingCode]] = {}
    if devices:
        for row in db.session.scalars(db.select(PairingCode).where(
                PairingCode.device_id.in_([d.id for d in devices]))):
            codes.setdefault(row.device_id, []).append(row)
    now = utcnow()
    states = []
    for device in devices:
        mine = codes.get(device.id, [])
        paired_at = max((c.used_at for c in mine if c.used_at), default=None)
        expires_at = max((c.expires_at for c in mine if c.used_at is None), default=None)
        if not device.active:
            state = "revoked"
        elif paired_at is not None or device.last_seen_at is not None or not mine:
            state = "active"   # no pairing code at all: an integration key or a scripted token
        elif expires_at is not None and expires_at > now:
            state = "waiting"
        else:
            state = "expired"
        states.append(DeviceState(device, state, paired_at, expires_at))
    return states


def list_devices() -> list[Device]:
    fair, _ = ensure_fair()
    return list(db.session.scalars(db.select(Device).filter_by(fair_id=fair.id).order_by(Device.id)))


def revoke(device_id: int, actor: str) -> bool:
    device = db.session.get(Device, device_id)
    if device is None:
        return False
    auth.revoke_device(device, actor)
    return True
