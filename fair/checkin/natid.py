"""Thai national ID numbers: normalising, check digit, keyed hash, masking.

Pure module: no Flask, no database. The number itself is never stored; the
import and the gate keep only `hash_national_id`, so that staff can look an
attendee up by ID without the database ever holding the ID in clear.
"""
from __future__ import annotations

import hashlib
import hmac
import re

# Thai digits ๐..๙ (U+0E50..U+0E59): Thai keyboards and forms produce them.
_THAI_TO_ASCII = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# People type the ID as printed ("1-2345-67890-12-3") or with spaces; phones
# also insert non-breaking spaces and typographic dashes when pasting.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")

_THIRTEEN_ASCII_DIGITS = re.compile(r"[0-9]{13}")


def normalize_national_id(text: str) -> str | None:
    """The 13 ASCII digits of `text`, or None when it is not 13 digits.

    Only shape is checked here, not the check digit, so that the caller can
    tell "not an ID at all" apart from "an ID with a typo".
    """
    if not isinstance(text, str):
        return None
    digits = _SEPARATORS.sub("", text.translate(_THAI_TO_ASCII))
    # fullmatch with an explicit ASCII class: str.isdigit() would also accept
    # Arabic-Indic, superscript and other digits that are no part of an ID.
    return digits if _THIRTEEN_ASCII_DIGITS.fullmatch(digits) else None


def national_id_check_digit(first_twelve: str) -> int:
    """The check digit for the first 12 digits (weights 13..2, mod 11)."""
    if not re.fullmatch(r"[0-9]{12}", first_twelve):
        raise ValueError("expected 12 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_twelve, range(13, 1, -1)))
    return (11 - total % 11) % 10


def is_valid_national_id(text: str) -> bool:
    """True for a 13-digit Thai ID whose check digit matches.

    A leading 0 is rejected: no person category uses it.
    """
    digits = normalize_national_id(text)
    if digits is None or digits[0] == "0":
        return False
    return national_id_check_digit(digits[:12]) == int(digits[12])


def hash_national_id(national_id: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of the normalised ID under the fair's secret `key`.

    Keyed rather than a plain hash because there are only about 10^12 IDs:
    an unkeyed hash is reversed by enumeration in hours.
    """
    digits = normalize_national_id(national_id)
    if digits is None:
        raise ValueError("not a 13-digit national ID")
    if not key:
        raise ValueError("an empty key would make the hash reversible")
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def mask_national_id(text: str) -> str:
    """The ID in its printed grouping with all but the last 3 digits hidden.

    "1-2345-67890-12-3" becomes "x-xxxx-xxxxx-12-3": enough for a person to
    recognise their own number on a screen others can see.
    """
    digits = normalize_national_id(text)
    if digits is None:
        raise ValueError("not a 13-digit national ID")
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}"
