"""Card tokens, manual codes and QR images: what an attendee shows at the fair.

Pure module: no Flask, no database. Services resolve a token to a card row;
this module only says whether the text is a genuine card of this fair and
which serial it carries.

Token text (the card's QR)
--------------------------
``"SJW1." + BASE32(payload || signature)``, RFC 4648 base32, upper case,
no ``=`` padding, 114 characters after the prefix (119 in all).

======  =====  ==========================================================
offset  bytes  field
======  =====  ==========================================================
0       3      key tag: SHA-256(raw Ed25519 public key)[0:3]
3       4      card serial, unsigned, big-endian (0 .. 2**32-1)
7       64     Ed25519 signature over bytes 0..6 (tag || serial)
======  =====  ==========================================================

The prefix is the format version: a later layout gets "SJW2.". The fair's key
pair signs card payloads and nothing else, so a 7-byte message needs no
domain separation. To verify in a browser: drop "SJW1.", base32-decode (71
bytes), compare bytes 0..2 with the tag of the fair's key,
``crypto.subtle.verify("Ed25519", key, bytes.slice(7), bytes.slice(0, 7))``,
then read the serial with ``DataView.getUint32(3)``.

Why base32: every character of "SJW1." + base32 is in the QR alphanumeric
set (5.5 bits per character), so the whole text is one alphanumeric segment:
version 7 at level Q (capacity 125 characters, 6 to spare). Denser encodings
do not buy a version: any 71-byte payload needs at least 568 data bits and
version 6-Q holds 608 bits minus mode and length headers, which neither byte
mode (620 bits with headers) nor base45 (about 630) nor decimal digits in
numeric mode (about 625) fits under, and those bring characters ("%", "/",
space) that keyboard-wedge scanners mangle or trim. Base32 also survives a
scanner that changes case.

Manual code
-----------
9 characters from ``MANUAL_ALPHABET`` (31 symbols, no 0/O, 1/I/L): 8 random
plus a check character making ``sum((9 - i) * value[i]) % 31 == 0``. Weights
1..9 are distinct and non-zero modulo the prime 31, so every single
substitution and every swap of two adjacent characters changes the sum.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import secrets
import unicodedata

import qrcode
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from PIL import Image
from qrcode.constants import ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

from fair.checkin.natid import is_valid_national_id, normalize_national_id

TOKEN_PREFIX = "SJW1."
KEY_TAG_BYTES = 3
SERIAL_BYTES = 4
SIGNATURE_BYTES = 64
SERIAL_MAX = 2 ** (8 * SERIAL_BYTES) - 1
_PAYLOAD_BYTES = KEY_TAG_BYTES + SERIAL_BYTES
_TOKEN_BYTES = _PAYLOAD_BYTES + SIGNATURE_BYTES
_BODY_CHARS = -(-_TOKEN_BYTES * 8 // 5)          # ceil(71 * 8 / 5) = 114
_BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

MAX_QR_VERSION = 8
QUIET_ZONE_MODULES = 4

MANUAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MANUAL_RANDOM_CHARS = 8
MANUAL_CODE_LENGTH = MANUAL_RANDOM_CHARS + 1
_MANUAL_VALUE = {c: i for i, c in enumerate(MANUAL_ALPHABET)}
_MANUAL_MODULUS = len(MANUAL_ALPHABET)
assert _MANUAL_MODULUS == 31, "the check character's guarantees need a prime alphabet size"

# Spaces and dashes are how people group a code when reading it aloud or
# copying it; the typographic dashes come from phones' autocorrect.
_MANUAL_SEPARATORS = str.maketrans("", "", " \t\r\n\u00a0-\u2010\u2011\u2012\u2013\u2014\u2212_")

STATUSES = ("unknown", "invalid_signature", "wrong_fair")


class Rejected(Exception):
    """A scanned code is not a valid card of this fair; `status` says why."""

    def __init__(self, status: str, message: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"unexpected status {status!r}")
        super().__init__(message or status)
        self.status = status


# --- keys and tokens -------------------------------------------------------

def generate_signing_key() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (raw private 32 bytes, raw public 32 bytes)."""
    private = Ed25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    private_bytes = private.private_bytes(
        raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public_bytes = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    return private_bytes, public_bytes


def public_key_of(private_key: bytes) -> bytes:
    """The raw public key that goes with a raw private key."""
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_tag(public_key: bytes) -> bytes:
    """A 3-byte fingerprint of a fair's public key, carried in every token.

    Fair ids are small integers that repeat on every organiser's laptop, so
    only the key itself tells one fair's cards from another's.
    """
    return hashlib.sha256(public_key).digest()[:KEY_TAG_BYTES]


def make_token(private_key: bytes, serial: int) -> str:
    """The QR text for card `serial`, signed with the fair's private key."""
    if not 0 <= serial <= SERIAL_MAX:
        raise ValueError(f"serial must be within 0..{SERIAL_MAX}")
    signer = Ed25519PrivateKey.from_private_bytes(private_key)
    payload = key_tag(public_key_of(private_key)) + serial.to_bytes(SERIAL_BYTES, "big")
    return TOKEN_PREFIX + _base32(payload + signer.sign(payload))


def looks_like_token(text: str) -> bool:
    """True when `text` claims to be a card token, valid or not."""
    return isinstance(text, str) and text.strip().upper().startswith(TOKEN_PREFIX)


def read_token(text: str, public_key: bytes) -> int:
    """The card serial in a genuine token of the fair holding `public_key`.

    Surrounding whitespace and case are forgiven (scanners and keyboard
    wedges change them); anything else that differs raises Rejected.
    """
    return _genuine_serial(text.strip().upper() if isinstance(text, str) else text, public_key)


# A card is scanned at the entrance, at the exit and at several booths; its
# signature is checked once (the costliest step of a scan after the database).
# Only genuine tokens are remembered: a rejection raises, and lru_cache keeps
# no exceptions. 50,000 entries are about 10 MB.
@functools.lru_cache(maxsize=50_000)
def _genuine_serial(text: str, public_key: bytes) -> int:
    raw = _parse_token(text)
    if raw[:KEY_TAG_BYTES] != key_tag(public_key):
        raise Rejected("wrong_fair")
    payload, signature = raw[:_PAYLOAD_BYTES], raw[_PAYLOAD_BYTES:]
    try:
        _verifier(public_key).verify(signature, payload)
    except InvalidSignature:
        raise Rejected("invalid_signature") from None
    return int.from_bytes(raw[KEY_TAG_BYTES:_PAYLOAD_BYTES], "big")


@functools.lru_cache(maxsize=8)
def _verifier(public_key: bytes) -> Ed25519PublicKey:
    # Parsing the key on every scan showed up in the gate's profile; a fair has one key.
    return Ed25519PublicKey.from_public_bytes(public_key)


def _parse_token(text: str) -> bytes:
    if not looks_like_token(text):
        raise Rejected("unknown", "not a card token")
    body = text.strip().upper()[len(TOKEN_PREFIX):]
    if len(body) != _BODY_CHARS or not _BASE32_ALPHABET.issuperset(body):
        raise Rejected("unknown", "truncated or garbled token")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise Rejected("unknown", "garbled token") from None
    # The last character carries 2 unused bits; demanding the canonical
    # spelling means one card has exactly one valid text.
    if _base32(raw) != body:
        raise Rejected("unknown", "non-canonical token")
    return raw


def _base32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


# --- manual codes ----------------------------------------------------------

def manual_check_char(first_eight: str) -> str:
    """The check character completing 8 alphabet characters to a valid code."""
    if len(first_eight) != MANUAL_RANDOM_CHARS or not set(first_eight) <= _MANUAL_VALUE.keys():
        raise ValueError("expected 8 characters of MANUAL_ALPHABET")
    return MANUAL_ALPHABET[-_manual_weighted_sum(first_eight) % _MANUAL_MODULUS]


def _manual_weighted_sum(chars: str) -> int:
    # Weights 9, 8, ..., 1 from the left: the check character weighs 1, so
    # it is simply minus the sum of the others.
    return sum((MANUAL_CODE_LENGTH - i) * _MANUAL_VALUE[c] for i, c in enumerate(chars))


def new_manual_code() -> str:
    """A fresh random 9-character manual code (about 40 bits of randomness)."""
    body = "".join(secrets.choice(MANUAL_ALPHABET) for _ in range(MANUAL_RANDOM_CHARS))
    return body + manual_check_char(body)


def normalize_manual_code(text: str) -> str | None:
    """The canonical 9 characters of a typed manual code, or None.

    No look-alike is mapped: 0/O and 1/I/L are all outside the alphabet, so
    a typed "0" could be an intended "O" or "D" and guessing would hide the
    typo; the look-alikes inside the alphabet (2/Z, 5/S, 6/G, 8/B) are
    caught by the check character instead.
    """
    if not isinstance(text, str):
        return None
    # NFKC folds full-width letters that Thai and CJK input methods produce.
    code = unicodedata.normalize("NFKC", text).upper().translate(_MANUAL_SEPARATORS)
    if len(code) != MANUAL_CODE_LENGTH or not set(code) <= _MANUAL_VALUE.keys():
        return None
    return code if _manual_weighted_sum(code) % _MANUAL_MODULUS == 0 else None


def format_manual_code(code: str) -> str:
    """A manual code grouped for reading, e.g. "ABCD-EFGHJ"."""
    normal = normalize_manual_code(code)
    if normal is None:
        raise ValueError("not a valid manual code")
    return f"{normal[:4]}-{normal[4:]}"


# What code_typo() can say about a code typed by hand (the gate shows each in words).
TYPO_PROBLEMS = ("check_character", "length", "character", "id_check_digit")
# A typed manual code that lost or gained a character or two; anything shorter or
# longer is no attempt at one (a name, a phone number, noise from a scanner).
_TYPO_LENGTHS = range(MANUAL_CODE_LENGTH - 3, MANUAL_CODE_LENGTH + 4)


def code_typo(text: str) -> str | None:
    """Why text typed as a manual code or a national ID is neither, when it was clearly
    meant as one; None for a valid code and for text that is no attempt at a code.

    "check_character": 9 characters of the alphabet whose check character does not
    match (a mistyped or swapped character); "length": a code with characters missing
    or extra; "character": a character the codes never use (0, O, 1, I, L, ...);
    "id_check_digit": 13 digits whose check digit does not match. A manual code is
    judged only when it mixes letters and digits, as 93 % of codes do: all digits is a
    phone number or an ID, all letters a name (the gate searches for those instead).
    """
    if not isinstance(text, str) or looks_like_token(text):
        return None
    if normalize_national_id(text) is not None:
        return None if is_valid_national_id(text) else "id_check_digit"
    code = unicodedata.normalize("NFKC", text).upper().translate(_MANUAL_SEPARATORS)
    if not code.isascii() or not code.isalnum() or len(code) not in _TYPO_LENGTHS:
        return None
    if code.isdigit() or code.isalpha():
        return None
    if len(code) != MANUAL_CODE_LENGTH:
        return "length"
    if not set(code) <= _MANUAL_VALUE.keys():
        return "character"
    return None if _manual_weighted_sum(code) % _MANUAL_MODULUS == 0 else "check_character"


def classify_code(text: str) -> str:
    """Route whatever a scanner read or a person typed.

    Returns "token", "manual", "national_id" or "garbage". Only the shape is
    judged: a "token" may still be forged and a "national_id" may still fail
    its check digit; the caller reports those.
    """
    if not isinstance(text, str):
        return "garbage"
    if looks_like_token(text):
        return "token"
    if normalize_manual_code(text) is not None:
        return "manual"
    if normalize_national_id(text) is not None:
        return "national_id"
    return "garbage"


# --- QR images -------------------------------------------------------------

# Light modules stay light in both palettes: phone camera apps, zbar and
# cheap gate scanners often cannot read an inverted code. On a dark page a
# soft white plate (contrast about 17:1 with black) dazzles less than 255.
_PALETTES = {False: ((0, 0, 0), (255, 255, 255)), True: ((0, 0, 0), (235, 235, 235))}


def qr_matrix(text: str, *, border: int = QUIET_ZONE_MODULES) -> list[list[bool]]:
    """The module grid (True = dark) of `text` at level Q, quiet zone included.

    Raises ValueError when the code would need a version above 8, the most
    a cheap phone camera reads reliably off another phone's screen.
    """
    if border < QUIET_ZONE_MODULES:
        raise ValueError(f"the quiet zone must be at least {QUIET_ZONE_MODULES} modules")
    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_Q, border=border)
    qr.add_data(text)
    try:
        qr.make(fit=True)
    except DataOverflowError:
        raise ValueError("text too long for a QR code") from None
    if qr.version > MAX_QR_VERSION:
        raise ValueError(f"QR version {qr.version} exceeds {MAX_QR_VERSION}")
    return qr.get_matrix()


def qr_png(text: str, *, box_size: int = 10, border: int = 4, dark_mode: bool = False) -> bytes:
    """PNG bytes of the QR for `text`, with its own light quiet zone."""
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    matrix = qr_matrix(text, border=border)
    side = len(matrix)
    image = Image.new("P", (side, side))
    dark, light = _PALETTES[dark_mode]
    image.putpalette(light + dark)          # index 0 light, 1 dark
    image.putdata([int(cell) for row in matrix for cell in row])
    image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    # A 2-colour palette image is written as a 1-bit PNG: a few kB per card.
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def qr_svg(text: str, *, border: int = 4) -> str:
    """A standalone SVG of the QR for `text`, sized by its viewBox in modules."""
    matrix = qr_matrix(text, border=border)
    side = len(matrix)
    path = "".join(_row_path(y, row) for y, row in enumerate(matrix))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'shape-rendering="crispEdges" role="img" aria-label="QR code">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


def _row_path(y: int, row: list[bool]) -> str:
    # One rectangle per horizontal run of dark modules keeps the path short
    # and leaves no hairline seams between neighbouring modules.
    parts, x = [], 0
    while x < len(row):
        if not row[x]:
            x += 1
            continue
        start = x
        while x < len(row) and row[x]:
            x += 1
        parts.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    return "".join(parts)
