"""Creating, listing and revoking devices; pairing links for phones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from fair.web import auth
from fair.web.lan import lan_addresses
from fair.booths.models import Booth
from fair.extensions import db
from fair.core.fairs import ensure_fair
from fair.core.models import AuditEvent, Device, PairingCode
from fair.core.timeutil import utcnow

PAGE_FOR_KIND = {"gate": "/gate", "booth": "/booth", "dashboard": "/dashboard"}
MAX_NAME_LENGTH = 120


class PairingError(Exception):
    pass


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
    """Where phones reach this laptop: BASE_URL, else the first LAN address."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    addresses = lan_addresses()
    host = addresses[0] if addresses else "localhost"
    scheme = "https" if current_app.config.get("HTTPS") else "http"
    port = current_app.config.get("PORT", 5000)
    return f"{scheme}://{host}:{port}"


def pair(kind: str, name: str, booth: Booth | None = None, actor: str = "cli") -> PairedDevice:
    """Create one device with a token and (for devices with a page) a single-use pairing link."""
    fair, _ = ensure_fair()
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
    query = db.select(Booth).filter_by(fair_id=fair.id).order_by(Booth.code)
    if value.lower() != "all":
        query = query.filter_by(code=value.strip().upper())
    booths = list(db.session.scalars(query))
    if not booths:
        raise PairingError(f"No booth {value!r}. Import employers first (`fair import employers`)."
                           if value.lower() != "all" else "There are no booths yet.")
    return [pair("booth", device_name or default_booth_name(b), b) for b in booths]


def default_booth_name(booth: Booth) -> str:
    """The name a booth phone has until its recruiter names it ("A12 phone")."""
    return f"{booth.code} phone"


def has_default_name(device: Device) -> bool:
    return device.kind == "booth" and device.booth is not None and device.name == default_booth_name(device.booth)


def rename(device: Device, name: str, actor: str) -> None:
    """A recruiter names their phone ("Khun Somchai's phone") so the organiser's list says whose it is."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise PairingError(f"A device name is 1 to {MAX_NAME_LENGTH} characters.")
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
