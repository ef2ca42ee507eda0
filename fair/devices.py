"""Creating, listing and revoking devices; pairing links for phones."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from fair import auth
from fair.booths.models import Booth
from fair.extensions import db
from fair.fairs import ensure_fair
from fair.models import AuditEvent, Device

PAGE_FOR_KIND = {"gate": "/gate", "booth": "/booth", "dashboard": "/dashboard"}


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
    from fair.serving import lan_addresses
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
    return [pair("booth", device_name or f"{b.code} phone", b) for b in booths]


def list_devices() -> list[Device]:
    fair, _ = ensure_fair()
    return list(db.session.scalars(db.select(Device).filter_by(fair_id=fair.id).order_by(Device.id)))


def revoke(device_id: int, actor: str) -> bool:
    device = db.session.get(Device, device_id)
    if device is None:
        return False
    auth.revoke_device(device, actor)
    return True
