"""Card tokens, manual codes and card images (QR, the whole card, its icon): what an attendee shows.

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
import os
import secrets
import unicodedata

import qrcode
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from PIL import Image, ImageDraw, ImageFont
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


# --------------------------------------------------------------------------
# The card as one picture, and the installed card's icon (Pillow)
# --------------------------------------------------------------------------

# 85.6 x 54 mm at 300 dpi: prints at ID-card size, and is sharp on any phone.
CARD_PX = (1011, 638)
_FONT_CANDIDATES = (
    # Fonts with Thai and Latin glyphs, on Debian/Ubuntu (fonts-noto, fonts-thai-tlwg),
    # macOS and Windows; the organiser's laptop has at least one of these.
    "/usr/share/fonts/truetype/noto/NotoSansThai-{weight}.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansThai-{weight}.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThaiLooped-{weight}.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma-{weight}.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda-{weight}.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda.ttf",
    "/System/Library/Fonts/Supplemental/Thonburi.ttc",
    "/System/Library/Fonts/Thonburi.ttc",
    "C:/Windows/Fonts/LeelawUI.ttf",
    "C:/Windows/Fonts/tahoma.ttf",
)
_MONO_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/TlwgMono-Bold.ttf",
    "/System/Library/Fonts/Menlo.ttc",
    "C:/Windows/Fonts/consolab.ttf",
)


@functools.lru_cache(maxsize=None)
def _font_path(bold: bool, mono: bool = False) -> str | None:
    candidates = _MONO_CANDIDATES if mono else tuple(
        path.format(weight="Bold" if bold else "Regular") for path in _FONT_CANDIDATES)
    return next((path for path in candidates if os.path.exists(path)), None)


def _font(size: int, bold: bool = False, mono: bool = False) -> ImageFont.ImageFont:
    path = _font_path(bold, mono)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; a long Thai name (no spaces) is broken by characters."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
            continue
        while draw.textlength(word, font=font) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines[:max_lines]


def compose_card_png(name: str, token: str, manual_code: str, fair_name: str, code_label: str) -> bytes:
    """The card as one black-on-white PNG: QR left, fair name, person and manual code right."""
    width, height = CARD_PX
    image = Image.new("L", CARD_PX, 255)
    draw = ImageDraw.Draw(image)
    qr = Image.open(io.BytesIO(qr_png(token, box_size=1, border=4))).convert("L")
    side = height - 40
    module = max(1, side // qr.width)
    qr = qr.resize((qr.width * module, qr.height * module), Image.Resampling.NEAREST)
    top = (height - qr.height) // 2
    image.paste(qr, (20, top))
    left = 20 + qr.width + 24
    text_width = width - left - 36
    draw.rectangle((2, 2, width - 3, height - 3), outline=0, width=3)
    y = 44
    for line in _wrap(draw, fair_name, _font(30), text_width, 2):
        draw.text((left, y), line, font=_font(30), fill=0)
        y += 42
    y += 24
    for size in (54, 46, 38):
        name_font = _font(size, bold=True)
        lines = _wrap(draw, name, name_font, text_width, 3)
        if "".join(lines).replace(" ", "") == name.replace(" ", ""):
            break
    for line in lines:
        draw.text((left, y), line, font=name_font, fill=0)
        y += int(size * 1.5)
    draw.text((left, height - 150), code_label, font=_font(28), fill=0)
    code_font = _font(52, mono=True)
    while draw.textlength(manual_code, font=code_font) > text_width and code_font.size > 24:
        code_font = _font(code_font.size - 4, mono=True)
    draw.text((left, height - 110), manual_code, font=code_font, fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


ICON_SIZES = (192, 512)   # the home-screen icon of the installed card page


@functools.lru_cache(maxsize=len(ICON_SIZES))
def icon_png(size: int) -> bytes:
    """A blue tile with a white card and a QR-like mark, drawn once per size."""
    scale = size / 192
    image = Image.new("RGB", (size, size), (11, 92, 173))
    draw = ImageDraw.Draw(image)
    s = lambda v: round(v * scale)  # noqa: E731
    draw.rounded_rectangle((s(24), s(44), s(168), s(148)), radius=s(12), fill=(255, 255, 255))
    for x, y in ((40, 60), (40, 104), (84, 60)):   # the three finder squares of a QR code
        draw.rectangle((s(x), s(y), s(x + 30), s(y + 30)), fill=(27, 27, 31))
        draw.rectangle((s(x + 6), s(y + 6), s(x + 24), s(y + 24)), fill=(255, 255, 255))
        draw.rectangle((s(x + 11), s(y + 11), s(x + 19), s(y + 19)), fill=(27, 27, 31))
    draw.rectangle((s(124), s(64), s(154), s(72)), fill=(11, 92, 173))
    draw.rectangle((s(124), s(84), s(150), s(92)), fill=(11, 92, 173))
    draw.rectangle((s(124), s(104), s(154), s(112)), fill=(11, 92, 173))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
