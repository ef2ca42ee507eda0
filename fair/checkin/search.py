"""Finding a person by what they say at the entrance: part of a name (Thai or English, as
heard, so perhaps misspelt) or of a phone number.

Pure module: no Flask, no database. Services pass plain rows (`Person`) and get them
back ranked; the gate and the organiser's attendee list use the same rules.

Names are compared on a folded key, so spellings that sound or look alike meet:
- Unicode NFKC, case folded, accents dropped ("Nguyễn" ~ "nguyen");
- Thai tone marks and other marks that change no letter dropped (่ ้ ๊ ๋ ็ ์ ๎):
  staff type a name as they hear it and seldom get the tone mark right;
- Thai consonants that are pronounced alike folded to one (ศ ษ → ส, ธ ฒ ฑ ถ ฐ → ท,
  ภ → พ, ฆ → ค, ณ → น, ฬ → ล, ญ → ย, ฏ → ต, ฎ → ด, ฌ → ช, ฅ ฃ → ค ข);
- spaces, dots and dashes dropped inside a name part.
Then a query part matches a name part when it starts it, lies inside it (3 characters
or more), or is within a small edit distance (Damerau: a swap counts once) of the
name part's beginning: 1 for 3 to 5 characters, 2 from 6. Every part of the query
must match, or the whole query typed without spaces must match the whole name.

Phones: the digits only (Thai digits too), "+66" read as a leading 0; 4 digits or
more of the query must appear in the person's number.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Marks that sit above or below a Thai letter without being one: tone marks, the
# shortener, the silencer (thanthakhat) and yamakkan (nikhahit stays: it is half of ำ).
_THAI_MARKS = "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4e"
_THAI_ALIKE = str.maketrans({
    "ศ": "ส", "ษ": "ส", "ธ": "ท", "ฒ": "ท", "ฑ": "ท", "ถ": "ท", "ฐ": "ท", "ภ": "พ", "ฆ": "ค",
    "ณ": "น", "ฬ": "ล", "ญ": "ย", "ฏ": "ต", "ฎ": "ด", "ฌ": "ช", "ฅ": "ค", "ฃ": "ข",
})
_DROPPED = re.compile(r"[\s.\-_'’·]+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPLIT = re.compile(r"[\s,;/]+")

MIN_PHONE_DIGITS = 4
MAX_QUERY_LENGTH = 60

# Scores of one query part against one name part (higher is closer).
_PREFIX, _INSIDE, _EXACT_REF, _PHONE = 1.0, 0.85, 1.2, 1.1


@dataclass(frozen=True)
class Person:
    """What a search looks at, as plain values (a row's columns)."""
    id: int
    ref: str
    first_name: str
    last_name: str
    phone: str | None


@dataclass(frozen=True)
class Match:
    person: Person
    score: float
    by: str          # "name", "phone" or "ref"


def fold(text: str) -> str:
    """The comparison key of a name or a name part (see the module's rules)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
                   or "\u0e00" <= c <= "\u0e7f")
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if c not in _THAI_MARKS).translate(_THAI_ALIKE)
    return _DROPPED.sub("", text)


def phone_digits(text: str | None) -> str:
    """The digits of a phone number as Thai numbers are dialled at home: "+66 81…" → "081…"."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text or "").translate(_THAI_DIGITS))
    if digits.startswith("66") and len(digits) >= 10:
        digits = "0" + digits[2:]
    return digits


def _allowed_edits(length: int) -> int:
    return 0 if length < 3 else 1 if length <= 5 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau (optimal string alignment) distance of a and b, or limit + 1 when it is above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def part_score(query: str, name: str) -> float:
    """How well one folded query part matches one folded name part: 0 for not at all."""
    if not query or not name:
        return 0.0
    if name.startswith(query):
        return _PREFIX
    if len(query) >= 3 and query in name:
        return _INSIDE
    limit = _allowed_edits(len(query))
    if limit == 0:
        return 0.0
    # Against the name's beginning of about the query's length: "สมชา" finds "สมชาย".
    best = min(edit_distance(query, name[:length], limit)
               for length in range(max(1, len(query) - limit), len(query) + limit + 1))
    return 0.0 if best > limit else 0.8 - 0.15 * best


@dataclass(frozen=True)
class Query:
    text: str
    parts: tuple[str, ...]
    joined: str
    digits: str

    @property
    def empty(self) -> bool:
        return not self.joined and len(self.digits) < MIN_PHONE_DIGITS


def parse_query(text: str) -> Query:
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    parts = tuple(p for p in (fold(piece) for piece in _SPLIT.split(text)) if p)
    digits = phone_digits(text) if re.fullmatch(r"[\d\s+\-().๐-๙]+", text) else ""
    joined = "" if digits else "".join(parts)
    return Query(text, () if digits else parts, joined, digits)


class Index:
    """The fair's people with their folded names, built once and searched many times."""

    def __init__(self, people: list[Person]) -> None:
        self._people = [(person, fold(person.first_name), fold(person.last_name),
                         phone_digits(person.phone), person.ref.casefold()) for person in people]

    def __len__(self) -> int:
        return len(self._people)

    def search(self, text: str, limit: int = 10) -> list[Match]:
        """The best matches for what was typed, closest first (at most `limit`)."""
        query = parse_query(text)
        if query.empty:
            return []
        found: list[Match] = []
        ref = query.text.casefold()
        for person, first, last, phone, person_ref in self._people:
            if person_ref == ref:
                found.append(Match(person, _EXACT_REF, "ref"))
            elif query.digits:
                if len(query.digits) >= MIN_PHONE_DIGITS and query.digits in phone:
                    found.append(Match(person, _PHONE, "phone"))
            else:
                score = _name_score(query, first, last)
                if score > 0:
                    found.append(Match(person, score, "name"))
        found.sort(key=lambda m: (-m.score, m.person.first_name, m.person.last_name, m.person.ref))
        return found[:limit]


def _name_score(query: Query, first: str, last: str) -> float:
    names = [n for n in (first, last) if n]
    if not names:
        return 0.0
    # Every part typed must match some part of the name...
    scores = [max(part_score(part, name) for name in names) for part in query.parts]
    by_parts = sum(scores) / len(scores) if scores and min(scores) > 0 else 0.0
    # ...or the whole, typed without spaces (Thai is written so), the whole name.
    whole = part_score(query.joined, first + last) if len(query.parts) == 1 and len(query.joined) >= 4 else 0.0
    return max(by_parts, whole)
