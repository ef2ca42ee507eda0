"""Card tokens, manual codes and QR images (pure module, no app)."""
from __future__ import annotations

import io
import random
import re
import xml.etree.ElementTree as ET

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode
from qrcode.constants import ERROR_CORRECT_Q
from qrcode.util import MODE_ALPHA_NUM

from fair.checkin import cards
from fair.checkin.cards import Rejected

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PREFIX = "SJW1."


@pytest.fixture(scope="module")
def fair_keys() -> tuple[bytes, bytes]:
    return cards.generate_signing_key()


@pytest.fixture(scope="module")
def other_fair_keys() -> tuple[bytes, bytes]:
    return cards.generate_signing_key()


@pytest.fixture(scope="module")
def token(fair_keys: tuple[bytes, bytes]) -> str:
    return cards.make_token(fair_keys[0], 123456)


def _status(text: str, public_key: bytes) -> str:
    with pytest.raises(Rejected) as caught:
        cards.read_token(text, public_key)
    return caught.value.status


# --- keys and tokens -------------------------------------------------------

def test_generated_keys_are_raw_ed25519_pairs(fair_keys: tuple[bytes, bytes]) -> None:
    private, public = fair_keys
    assert len(private) == 32 and len(public) == 32
    assert cards.public_key_of(private) == public
    assert cards.generate_signing_key()[0] != private


def test_key_tag_is_short_and_differs_between_fairs(fair_keys, other_fair_keys) -> None:
    assert len(cards.key_tag(fair_keys[1])) == 3
    assert cards.key_tag(fair_keys[1]) != cards.key_tag(other_fair_keys[1])


@pytest.mark.parametrize("serial", [0, 1, 255, 256, 65_537, 123_456_789, cards.SERIAL_MAX])
def test_token_round_trips_serial(fair_keys, serial: int) -> None:
    private, public = fair_keys
    text = cards.make_token(private, serial)
    assert text.startswith(PREFIX) and len(text) == 119
    assert cards.read_token(text, public) == serial


def test_token_forgives_case_and_surrounding_whitespace(fair_keys, token) -> None:
    assert cards.read_token(f"  {token.lower()}\r\n", fair_keys[1]) == 123456
    assert cards.read_token(f"\t{token}\n", fair_keys[1]) == 123456


@pytest.mark.parametrize("serial", [-1, cards.SERIAL_MAX + 1])
def test_serial_out_of_range_is_refused(fair_keys, serial: int) -> None:
    with pytest.raises(ValueError):
        cards.make_token(fair_keys[0], serial)


def test_token_body_is_documented_byte_layout(fair_keys, token) -> None:
    import base64

    raw = base64.b32decode(token[len(PREFIX):] + "======")
    assert len(raw) == 71
    assert raw[:3] == cards.key_tag(fair_keys[1])
    assert int.from_bytes(raw[3:7], "big") == 123456
    # The signature covers exactly bytes 0..6, as a browser will check it.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(fair_keys[1]).verify(raw[7:], raw[:7])


def test_every_single_character_change_is_rejected(fair_keys, token) -> None:
    public = fair_keys[1]
    body = token[len(PREFIX):]
    statuses_by_position: dict[int, set[str]] = {}
    for position, original in enumerate(body):
        for replacement in BASE32:
            if replacement == original:
                continue
            tampered = PREFIX + body[:position] + replacement + body[position + 1:]
            statuses_by_position.setdefault(position, set()).add(_status(tampered, public))
    assert len(statuses_by_position) == len(body)
    # Characters 0..3 carry only key-tag bits; 12..112 only signature bits.
    for position in range(4):
        assert statuses_by_position[position] == {"wrong_fair"}
    for position in range(12, len(body) - 1):
        assert statuses_by_position[position] == {"invalid_signature"}, position
    # The last character also holds 2 padding bits: changing only those
    # gives a non-canonical spelling, refused as "unknown".
    assert statuses_by_position[len(body) - 1] == {"invalid_signature", "unknown"}


def test_changed_prefix_is_unknown(fair_keys, token) -> None:
    body = token[len(PREFIX):]
    for prefix in ("SJW2.", "SJW1", "SJW1-", "XJW1.", ""):
        assert _status(prefix + body, fair_keys[1]) == "unknown"


def test_token_of_another_fair_is_wrong_fair(fair_keys, other_fair_keys) -> None:
    theirs = cards.make_token(other_fair_keys[0], 42)
    assert _status(theirs, fair_keys[1]) == "wrong_fair"
    assert cards.read_token(theirs, other_fair_keys[1]) == 42


def test_forged_token_with_our_tag_but_another_key_is_invalid_signature(
    fair_keys, other_fair_keys
) -> None:
    import base64

    payload = cards.key_tag(fair_keys[1]) + (42).to_bytes(4, "big")
    signature = Ed25519PrivateKey.from_private_bytes(other_fair_keys[0]).sign(payload)
    forged = PREFIX + base64.b32encode(payload + signature).decode().rstrip("=")
    assert _status(forged, fair_keys[1]) == "invalid_signature"


def test_truncated_and_extended_tokens_are_unknown(fair_keys, token) -> None:
    public = fair_keys[1]
    for length in range(len(token)):
        assert _status(token[:length], public) == "unknown", length
    assert _status(token + "A", public) == "unknown"
    assert _status(token + "AAAAAAAA", public) == "unknown"
    assert _status(token[:60] + " " + token[60:], public) == "unknown"


@pytest.mark.parametrize("garbage", [
    "", "   ", "hello", "SJW1.", "SJW1.!!!!", "https://example.org/card/1",
    "SJW1." + "0" * 114, "SJW1." + "1" * 114, "SJW1." + "A" * 113 + "=",
    "ｓｊｗ１." + "A" * 114,
])
def test_garbage_is_unknown(fair_keys, garbage: str) -> None:
    assert _status(garbage, fair_keys[1]) == "unknown"


def test_random_texts_are_never_accepted(fair_keys) -> None:
    rng = random.Random(2024)
    for _ in range(300):
        body = "".join(rng.choice(BASE32) for _ in range(114))
        assert _status(PREFIX + body, fair_keys[1]) in {"wrong_fair", "unknown"}
        noise = "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(0, 150)))
        assert _status(noise, fair_keys[1]) == "unknown"


def test_non_string_is_unknown(fair_keys) -> None:
    assert _status(None, fair_keys[1]) == "unknown"  # type: ignore[arg-type]


def test_rejected_refuses_statuses_outside_the_api() -> None:
    assert Rejected("wrong_fair").status == "wrong_fair"
    with pytest.raises(ValueError):
        Rejected("revoked")


# --- QR size ---------------------------------------------------------------

def test_largest_token_is_one_alphanumeric_segment_within_version_8_at_q(fair_keys) -> None:
    text = cards.make_token(fair_keys[0], cards.SERIAL_MAX)
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q)
    qr.add_data(text)
    qr.make(fit=True)
    assert [segment.mode for segment in qr.data_list] == [MODE_ALPHA_NUM]
    assert qr.version <= 8
    assert len(cards.qr_matrix(text)) == qr.version * 4 + 17 + 2 * 4


def test_qr_refuses_text_needing_version_above_8() -> None:
    assert cards.qr_matrix("A" * 150)          # version 8 at Q holds 154
    with pytest.raises(ValueError):
        cards.qr_matrix("A" * 200)
    with pytest.raises(ValueError):
        cards.qr_png("x" * 3000)


def test_quiet_zone_below_four_modules_is_refused(token) -> None:
    with pytest.raises(ValueError):
        cards.qr_png(token, border=3)
    with pytest.raises(ValueError):
        cards.qr_svg(token, border=0)


# --- PNG and SVG -----------------------------------------------------------

@pytest.mark.parametrize("dark_mode", [False, True])
def test_png_decodes_back_to_the_token(token, dark_mode: bool) -> None:
    data = cards.qr_png(token, box_size=6, dark_mode=dark_mode)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    found = decode(image, symbols=[ZBarSymbol.QRCODE])
    assert [symbol.data.decode() for symbol in found] == [token]


@pytest.mark.parametrize("dark_mode", [False, True])
def test_png_carries_its_own_light_quiet_zone(token, dark_mode: bool) -> None:
    box, border = 5, 4
    image = Image.open(io.BytesIO(cards.qr_png(token, box_size=box, dark_mode=dark_mode)))
    gray = image.convert("L")
    width, _ = gray.size
    margin = box * border
    quiet = [gray.getpixel((x, y)) for y in range(margin) for x in range(width)]
    assert min(quiet) >= 200
    # The code itself is dark on light: the finder pattern's corner is dark.
    assert gray.getpixel((margin, margin)) < 50


def test_png_size_follows_box_size_and_border(token) -> None:
    side = len(cards.qr_matrix(token, border=6))
    image = Image.open(io.BytesIO(cards.qr_png(token, box_size=3, border=6)))
    assert image.size == (side * 3, side * 3)


def test_svg_is_standalone_xml_drawing_the_same_modules(token) -> None:
    svg = cards.qr_svg(token)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    matrix = cards.qr_matrix(token)
    side = len(matrix)
    assert root.get("viewBox") == f"0 0 {side} {side}"
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    drawn = [[False] * side for _ in range(side)]
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d", "")):
        for dx in range(int(run)):
            drawn[int(y)][int(x) + dx] = True
    assert drawn == matrix


# --- manual codes ----------------------------------------------------------

def test_manual_alphabet_has_no_look_alikes_and_prime_size() -> None:
    assert len(cards.MANUAL_ALPHABET) == 31 == len(set(cards.MANUAL_ALPHABET))
    assert not set("01OIL") & set(cards.MANUAL_ALPHABET)


def test_new_manual_codes_are_valid_and_random() -> None:
    codes = {cards.new_manual_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9 and set(code) <= set(cards.MANUAL_ALPHABET)
        assert cards.normalize_manual_code(code) == code


SAMPLE_CODES = ["2222222", "ZZZZZZZZ", "ABCDEFGH", "23456789", "K7M2QX9P"]


def _sample_codes() -> list[str]:
    return [(body * 2)[:8] + cards.manual_check_char((body * 2)[:8]) for body in SAMPLE_CODES]


def test_manual_check_catches_every_single_substitution() -> None:
    for code in _sample_codes():
        assert cards.normalize_manual_code(code) == code
        for position in range(9):
            for symbol in cards.MANUAL_ALPHABET:
                if symbol != code[position]:
                    typo = code[:position] + symbol + code[position + 1:]
                    assert cards.normalize_manual_code(typo) is None, typo


def test_manual_check_catches_every_adjacent_transposition() -> None:
    codes = _sample_codes()
    for code in codes:
        for position in range(8):
            a, b = code[position], code[position + 1]
            if a != b:
                swapped = code[:position] + b + a + code[position + 2:]
                assert cards.normalize_manual_code(swapped) is None, swapped


def _valid_code_holding(position: int, a: str, b: str) -> str:
    """A valid code with `a`, `b` at `position`, `position + 1`."""
    for first in cards.MANUAL_ALPHABET:
        body = list(first + "2345678")
        body[position] = a
        if position + 1 < 8:
            body[position + 1] = b
        code = "".join(body) + cards.manual_check_char("".join(body))
        if code[position + 1] == b:
            return code
    raise AssertionError("weight 9 on the first slot is invertible mod 31")


def test_manual_check_catches_adjacent_transpositions_of_every_symbol_pair() -> None:
    # The check is linear, so covering every symbol pair in every adjacent
    # slot (the check slot included) covers every code.
    for position in range(8):
        for a in cards.MANUAL_ALPHABET:
            for b in cards.MANUAL_ALPHABET:
                if a == b:
                    continue
                code = _valid_code_holding(position, a, b)
                assert cards.normalize_manual_code(code) == code
                swapped = code[:position] + b + a + code[position + 2:]
                assert cards.normalize_manual_code(swapped) is None, (code, swapped)


@pytest.mark.parametrize(
    "typed", [" {a}-{b} ", "{a} {b}", "{lower}", "{fullwidth}", "{a}\u2013{b}"]
)
def test_manual_code_normalizes_typing_variants(typed: str) -> None:
    code = _sample_codes()[4]
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    text = typed.format(a=code[:4], b=code[4:], lower=code.lower(), fullwidth=fullwidth)
    assert cards.normalize_manual_code(text) == code


def test_manual_code_refuses_wrong_length_and_letters_outside_alphabet() -> None:
    code = _sample_codes()[2]
    assert cards.normalize_manual_code(code[:8]) is None
    assert cards.normalize_manual_code(code + "2") is None
    for outsider in "0O1IL":
        assert cards.normalize_manual_code(outsider + code[1:]) is None
    assert cards.normalize_manual_code("") is None
    assert cards.normalize_manual_code(None) is None  # type: ignore[arg-type]


def test_format_manual_code_groups_four_and_five() -> None:
    code = _sample_codes()[3]
    shown = cards.format_manual_code(code.lower())
    assert shown == f"{code[:4]}-{code[4:]}"
    assert cards.normalize_manual_code(shown) == code
    with pytest.raises(ValueError):
        cards.format_manual_code("NOT-A-CODE")


# --- routing ---------------------------------------------------------------

def test_classify_code_routes_each_kind(token) -> None:
    manual = _sample_codes()[0]
    assert cards.classify_code(token) == "token"
    assert cards.classify_code(f" {token.lower()} ") == "token"
    assert cards.classify_code("SJW1.garbled") == "token"      # read_token says unknown
    assert cards.classify_code(manual) == "manual"
    assert cards.classify_code(cards.format_manual_code(manual).lower()) == "manual"
    assert cards.classify_code("1-1017-00230-70-8") == "national_id"
    assert cards.classify_code("๑๑๐๑๗๐๐๒๓๐๗๐๘") == "national_id"
    for garbage in ("", "hello", "123456789012", manual[:8] + ("2" if manual[8] != "2" else "3"),
                    "https://example.org"):
        assert cards.classify_code(garbage) == "garbage", garbage
