"""Apple Wallet passes: hidden without a certificate; with one, a signed zip whose manifest matches."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fair.checkin.services import card_link
from tests import factories


def _certificate(tmp_path, name: str, issuer=None, issuer_key=None, ca=False):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.subject if issuer else subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key or key, hashes.SHA256()))
    (tmp_path / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / f"{name}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, key


@pytest.fixture
def wallet_app(app, tmp_path):
    wwdr, wwdr_key = _certificate(tmp_path, "wwdr", ca=True)
    _certificate(tmp_path, "pass", issuer=wwdr, issuer_key=wwdr_key)
    app.config.update(PKPASS_CERT=str(tmp_path / "pass.pem"), PKPASS_KEY=str(tmp_path / "pass.key"),
                      PKPASS_WWDR=str(tmp_path / "wwdr.pem"), PKPASS_TYPE_ID="pass.th.example.fair",
                      PKPASS_TEAM_ID="ABCDE12345")
    return app


def test_without_a_certificate_there_is_no_wallet_button_or_pass(client, attendee):
    link = card_link(attendee)
    assert b"card.pkpass" not in client.get(f"/me/{link}").data
    assert client.get(f"/me/{link}/card.pkpass").status_code == 404


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the signature check uses the openssl command")
def test_a_configured_fair_serves_a_signed_pass(wallet_app, client, attendee, tmp_path):
    link = card_link(attendee)
    assert b"card.pkpass" in client.get(f"/me/{link}").data
    response = client.get(f"/me/{link}/card.pkpass")
    assert response.status_code == 200 and response.mimetype == "application/vnd.apple.pkpass"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = json.loads(archive.read("manifest.json"))
    for name, digest in manifest.items():
        assert hashlib.sha1(archive.read(name)).hexdigest() == digest
    pass_json = json.loads(archive.read("pass.json"))
    assert pass_json["barcodes"][0]["message"] == factories.token_of(attendee)
    assert pass_json["passTypeIdentifier"] == "pass.th.example.fair"
    (tmp_path / "signature").write_bytes(archive.read("signature"))
    (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json"))
    verified = subprocess.run(
        ["openssl", "smime", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "signature"),
         "-content", str(tmp_path / "manifest.json"), "-CAfile", str(tmp_path / "wwdr.pem"),
         "-purpose", "any", "-out", "/dev/null"], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    tampered = tmp_path / "manifest.json"
    tampered.write_bytes(archive.read("manifest.json").replace(b"pass.json", b"pass.jsoN"))
    refused = subprocess.run(
        ["openssl", "smime", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "signature"),
         "-content", str(tampered), "-CAfile", str(tmp_path / "wwdr.pem"), "-purpose", "any",
         "-out", "/dev/null"], capture_output=True, text=True)
    assert refused.returncode != 0
