"""Apple Wallet passes (.pkpass) for the card: built and signed only when configured.

A .pkpass is a zip of pass.json, images, manifest.json (SHA-1 of every file)
and `signature`: a detached PKCS #7 signature of manifest.json made with the
organiser's Pass Type ID certificate, with Apple's WWDR intermediate attached.
Pure module: the caller passes the configuration and the card's facts.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7


@dataclass(frozen=True)
class PassSigner:
    """The organiser's pass certificate, its key, Apple's WWDR certificate and the IDs they belong to."""
    certificate: x509.Certificate
    private_key: object
    wwdr: x509.Certificate
    pass_type_id: str
    team_id: str

    @classmethod
    def from_files(cls, cert: str, key: str, wwdr: str, pass_type_id: str, team_id: str,
                   key_password: str | None = None) -> "PassSigner":
        return cls(
            x509.load_pem_x509_certificate(Path(cert).read_bytes()),
            serialization.load_pem_private_key(Path(key).read_bytes(),
                                               password=key_password.encode() if key_password else None),
            x509.load_pem_x509_certificate(Path(wwdr).read_bytes()),
            pass_type_id, team_id)


@dataclass(frozen=True)
class CardFacts:
    serial: str
    token: str
    name: str
    manual_code: str
    fair_name: str
    venue: str | None
    card_url: str


def pass_json(card: CardFacts, signer: PassSigner) -> dict:
    """A generic pass: the QR carries the same signed token as the card page."""
    return {
        "formatVersion": 1,
        "passTypeIdentifier": signer.pass_type_id,
        "teamIdentifier": signer.team_id,
        "serialNumber": card.serial,
        "organizationName": card.fair_name,
        "description": f"{card.fair_name}: Smart Job Wallet card",
        "foregroundColor": "rgb(255, 255, 255)",
        "backgroundColor": "rgb(11, 92, 173)",
        "labelColor": "rgb(220, 232, 248)",
        "barcodes": [{"format": "PKBarcodeFormatQR", "message": card.token,
                      "messageEncoding": "iso-8859-1", "altText": card.manual_code}],
        "generic": {
            "primaryFields": [{"key": "name", "label": "NAME", "value": card.name}],
            "secondaryFields": [{"key": "code", "label": "CODE", "value": card.manual_code}],
            "auxiliaryFields": ([{"key": "venue", "label": "VENUE", "value": card.venue}] if card.venue else []),
            "backFields": [{"key": "page", "label": "Card page", "value": card.card_url}],
        },
    }


def sign_manifest(manifest: bytes, signer: PassSigner) -> bytes:
    return (pkcs7.PKCS7SignatureBuilder().set_data(manifest)
            .add_signer(signer.certificate, signer.private_key, hashes.SHA256())
            .add_certificate(signer.wwdr)
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                               pkcs7.PKCS7Options.Binary]))


def build_pkpass(card: CardFacts, signer: PassSigner, icon_png: bytes) -> bytes:
    files = {
        "pass.json": json.dumps(pass_json(card, signer), ensure_ascii=False).encode("utf-8"),
        "icon.png": icon_png,
        "icon@2x.png": icon_png,
        "logo.png": icon_png,
    }
    manifest = json.dumps({name: hashlib.sha1(data).hexdigest() for name, data in files.items()},
                          sort_keys=True).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", manifest)
        archive.writestr("signature", sign_manifest(manifest, signer))
    return buffer.getvalue()
