"""Thai national ID: shape, check digit, keyed hash, masking."""
from __future__ import annotations

import random

import pytest

from fair.checkin.natid import (
    hash_national_id,
    is_valid_national_id,
    mask_national_id,
    national_id_check_digit,
    normalize_national_id,
)

# Worked by hand: 1*13 + 1*12 + 0*11 + 1*10 + 7*9 + 0*8 + 0*7 + 2*6 + 3*5
# + 0*4 + 7*3 + 0*2 = 146; 146 % 11 = 3; (11 - 3) % 10 = 8.
KNOWN_VALID = "1101700230708"


def _reference_check_digit(first_twelve: str) -> int:
    # Written independently of the module, from the published rule.
    total = 0
    for position, digit in enumerate(first_twelve, start=1):
        total += int(digit) * (14 - position)
    remainder = total % 11
    return (11 - remainder) % 10


def _random_valid_ids(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    ids = []
    for _ in range(count):
        body = str(rng.randint(1, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        ids.append(body + str(_reference_check_digit(body)))
    return ids


def test_hand_computed_example_is_valid() -> None:
    assert is_valid_national_id(KNOWN_VALID)
    assert national_id_check_digit(KNOWN_VALID[:12]) == 8


def test_every_other_last_digit_is_invalid() -> None:
    for digit in "0123456789":
        candidate = KNOWN_VALID[:12] + digit
        assert is_valid_national_id(candidate) is (digit == "8")


def test_check_digit_matches_independent_reference_on_many_ids() -> None:
    for national_id in _random_valid_ids(2000):
        assert is_valid_national_id(national_id), national_id


def test_check_digit_covers_remainders_zero_and_one() -> None:
    # Remainders 0 and 1 give 11 and 10 before the final "mod 10": the
    # classic off-by-one spots of this algorithm.
    seen = {}
    for national_id in _random_valid_ids(3000, seed=11):
        total = sum(int(d) * w for d, w in zip(national_id[:12], range(13, 1, -1)))
        seen.setdefault(total % 11, national_id)
    assert seen[0][-1] == "1" and is_valid_national_id(seen[0])
    assert seen[1][-1] == "0" and is_valid_national_id(seen[1])


def _weighted_remainder(national_id: str) -> int:
    return sum(int(d) * w for d, w in zip(national_id[:12], range(13, 1, -1))) % 11


def test_single_digit_typos_are_detected_except_the_known_blind_spots() -> None:
    # Two weaknesses of the official rule, pinned here so nobody "fixes" the
    # check into rejecting real IDs: the third digit weighs 11, so mod 11 it
    # is never checked; and remainders 0 and 10 share check digit 1.
    missed = 0
    for national_id in _random_valid_ids(200, seed=3):
        for position in range(1, 12):
            for digit in "0123456789":
                if digit == national_id[position]:
                    continue
                typo = national_id[:position] + digit + national_id[position + 1:]
                remainders = {_weighted_remainder(national_id), _weighted_remainder(typo)}
                blind = position == 2 or remainders == {0, 10}
                assert is_valid_national_id(typo) is blind, typo
                missed += position != 2 and blind
    assert 0 < missed < 200 * 10 * 9 * 0.05


def test_leading_zero_is_invalid_even_with_correct_check_digit() -> None:
    body = "012345678901"
    assert not is_valid_national_id(body + str(_reference_check_digit(body)))


@pytest.mark.parametrize("text", [
    "1-1017-00230-70-8",
    " 1 1017 00230 70 8 ",
    "๑๑๐๑๗๐๐๒๓๐๗๐๘",
    "๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘",
    "1\u00a01017\u201300230 70 8",
])
def test_formatted_and_thai_digit_forms_normalize(text: str) -> None:
    assert normalize_national_id(text) == KNOWN_VALID
    assert is_valid_national_id(text)


@pytest.mark.parametrize("text", [
    "", "110170023070", "11017002307080", "11017002307O8", "1101700230708a",
    "١١٠١٧٠٠٢٣٠٧٠٨",          # Arabic-Indic digits are not an ID
    "1.1017.00230.70.8",
])
def test_wrong_shapes_do_not_normalize(text: str) -> None:
    assert normalize_national_id(text) is None
    assert not is_valid_national_id(text)


def test_non_string_input_is_not_an_id() -> None:
    assert normalize_national_id(None) is None  # type: ignore[arg-type]


def test_hash_is_keyed_and_ignores_formatting() -> None:
    key = b"k" * 32
    digest = hash_national_id(KNOWN_VALID, key)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert hash_national_id("๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘", key) == digest
    assert hash_national_id(KNOWN_VALID, b"j" * 32) != digest
    assert hash_national_id("3101700230701", key) != digest
    assert KNOWN_VALID not in digest


def test_hash_refuses_empty_key_and_non_ids() -> None:
    with pytest.raises(ValueError):
        hash_national_id(KNOWN_VALID, b"")
    with pytest.raises(ValueError):
        hash_national_id("12345", b"key")


def test_mask_shows_only_last_three_digits() -> None:
    assert mask_national_id("1-1017-00230-70-8") == "x-xxxx-xxxxx-70-8"
    assert sum(ch.isdigit() for ch in mask_national_id(KNOWN_VALID)) == 3
    with pytest.raises(ValueError):
        mask_national_id("not an id")
