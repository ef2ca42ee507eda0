"""The gate's offline card check (fair/static/js/lib/card-check.js) agrees with the server.

Cards are made here by fair/checkin/cards.py, then checked twice: by cards.py / natid.py and by
the JS module under node (tests/js/card-check-cli.mjs). Every case must get the same verdict:
genuine (same serial), forged, another fair's card, garbled; manual codes with a right or wrong
check character; national IDs with a right or wrong check digit.
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fair.checkin import cards, natid

CLI = Path(__file__).parent / "js" / "card-check-cli.mjs"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the browser-code tests: run scripts/install-system-deps")
    return node


def run_js(public_key: bytes, codes: list[str]) -> list[dict]:
    config = {"publicKey": base64.b64encode(public_key).decode("ascii"),
              "keyTag": cards.key_tag(public_key).hex(), "codes": codes}
    done = subprocess.run([_node(), str(CLI)], input=json.dumps(config), capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def python_verdict(code: str, public_key: bytes) -> dict:
    """What the server says, in the JS module's words."""
    if cards.looks_like_token(code):
        try:
            return {"verdict": "genuine", "serial": cards.read_token(code, public_key)}
        except cards.Rejected as rejected:
            return {"verdict": {"invalid_signature": "forged"}.get(rejected.status, rejected.status)}
    if natid.normalize_national_id(code) is not None:
        return {"verdict": "national_id" if natid.is_valid_national_id(code) else "typo"}
    if cards.normalize_manual_code(code) is not None:
        return {"verdict": "typed"}
    return None  # neither a card nor a well-formed typed code: the JS only guesses typo/unknown


def _swap_char(text: str, at: int) -> str:
    return text[:at] + B32[(B32.index(text[at]) + 1) % 32] + text[at + 1:]


def _wrong_check_char(code: str) -> str:
    return code[:8] + next(c for c in cards.MANUAL_ALPHABET if c != code[8])


@pytest.fixture(scope="module")
def keys():
    private, public = cards.generate_signing_key()
    other_private, _ = cards.generate_signing_key()
    return private, public, other_private


def test_js_and_python_agree_on_every_card(keys):
    private, public, other_private = keys
    genuine = [cards.make_token(private, serial) for serial in (0, 1, 4242, 65536, cards.SERIAL_MAX)]
    prefix = len(cards.TOKEN_PREFIX)
    cases = {
        **{f"genuine {i}": token for i, token in enumerate(genuine)},
        "genuine, lower case and spaces": f"  {genuine[2].lower()}\n",
        # Byte 7 on is the signature; byte 3..6 the serial (5 bits a character).
        "tampered signature": _swap_char(genuine[2], prefix + 40),
        "tampered last signature character": _swap_char(genuine[2], prefix + 112),   # 113 has spare bits
        "tampered serial": _swap_char(genuine[2], prefix + 8),
        "other fair's key": cards.make_token(other_private, 4242),
        "non-canonical spelling": genuine[2][:-1] + B32[B32.index(genuine[2][-1]) ^ 1],
        "truncated": genuine[2][:-1],
        "one character too many": genuine[2] + "A",
        "not base32": genuine[2][:-2] + "01",
    }
    manual = [cards.new_manual_code() for _ in range(5)]
    for i, code in enumerate(manual):
        cases[f"manual {i}"] = code
        cases[f"manual {i}, wrong check character"] = _wrong_check_char(code)
        cases[f"manual {i}, swapped"] = code[1] + code[0] + code[2:] if code[0] != code[1] else code[2] + code[1] + code[0] + code[3:]
    cases["manual, grouped and lower case"] = cards.format_manual_code(manual[0]).lower()
    cases["manual, en dash"] = manual[1][:4] + "\u2013" + manual[1][4:]
    for digits in ("1101700203450", "1101700203451", "3100600512345", "0101700203450"):
        cases[f"id {digits}"] = digits
        cases[f"id {digits}, dashed"] = f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"
    cases["id in Thai digits"] = "๑๑๐๑๗๐๐๒๐๓๔๕๐"
    cases["manual, a character missing"] = "AB3DEFGH"
    cases["manual, a character extra"] = "AB3DEFGHJK"
    cases["manual, an O for a D"] = "AB3OEFGHJ"
    mixed = "AB3DEFGH" + cards.manual_check_char("AB3DEFGH")   # letters and digits: judged as a code
    cases["manual, wrong check character, mixed"] = _wrong_check_char(mixed)
    cases["manual, full-width"] = "".join(chr(ord(c) + 0xFEE0) for c in _wrong_check_char(mixed))
    cases["a phone number"] = "081 234 5678"
    cases["a name"] = "Somchai"
    cases["a long word"] = "SOMCHAIJAIDEEKRAB"

    names = list(cases)
    answers = dict(zip(names, run_js(public, [cases[n] for n in names])))
    disagree = {}
    for name in names:
        code, js = cases[name], answers[name]
        expected = python_verdict(code, public)
        got = {k: v for k, v in js.items() if k in ("verdict", "serial")}
        if expected is not None and got != expected:
            disagree[name] = (expected, got)
        # The check characters themselves, case by case, whatever the verdict.
        if js["manual"] != (cards.normalize_manual_code(code) is not None):
            disagree[f"{name}: manual code check"] = (not js["manual"], js["manual"])
        if js["id_valid"] != natid.is_valid_national_id(code):
            disagree[f"{name}: ID check digit"] = (not js["id_valid"], js["id_valid"])
        if js["id_shape"] != (natid.normalize_national_id(code) is not None):
            disagree[f"{name}: ID shape"] = (not js["id_shape"], js["id_shape"])
        if js["typo"] != cards.code_typo(code):
            disagree[f"{name}: typo"] = (cards.code_typo(code), js["typo"])
    assert not disagree, json.dumps(disagree, ensure_ascii=False, indent=1)
    # The cases mean what their names say (a case that silently turned genuine tests nothing).
    verdicts = {name: answers[name]["verdict"] for name in names}
    assert [verdicts[f"genuine {i}"] for i in range(5)] == ["genuine"] * 5
    assert answers["genuine 4"]["serial"] == cards.SERIAL_MAX
    assert verdicts["tampered signature"] == verdicts["tampered serial"] == "forged"
    assert verdicts["tampered last signature character"] == "forged"
    assert verdicts["other fair's key"] == "wrong_fair"
    assert verdicts["non-canonical spelling"] == verdicts["truncated"] == verdicts["not base32"] == "unknown"
    assert all(verdicts[f"manual {i}"] == "typed" for i in range(5))
    assert all(verdicts[f"manual {i}, wrong check character"] == "typo" for i in range(5))
    assert verdicts["id 1101700203450"] == "national_id" and verdicts["id 1101700203451"] == "typo"
    typos = {name: answers[name]["typo"] for name in names}
    assert typos["manual, wrong check character, mixed"] == "check_character"
    assert typos["manual, a character missing"] == typos["manual, a character extra"] == "length"
    assert typos["manual, an O for a D"] == "character"
    assert typos["manual, full-width"] == "check_character"
    assert typos["id 1101700203451"] == "id_check_digit"
    assert typos["a phone number"] is typos["a name"] is typos["a long word"] is typos["manual 0"] is None


def test_a_card_of_another_fair_is_genuine_with_its_own_key(keys):
    """The same token is wrong_fair at one fair and genuine at its own: the key decides, not the text."""
    _, public, other_private = keys
    token = cards.make_token(other_private, 77)
    other_public = cards.public_key_of(other_private)
    assert run_js(public, [token])[0]["verdict"] == "wrong_fair"
    assert run_js(other_public, [token])[0] == {"verdict": "genuine", "serial": 77, "manual": False,
                                                "id_shape": False, "id_valid": False, "typo": None}
