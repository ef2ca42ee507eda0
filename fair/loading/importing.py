"""Reading and checking the organiser's CSV files: employers, jobs, attendees.

Pure module: no Flask, no database. `fair import` and `fair demo` both pass
their rows through here, so a demo fair and a real file obey the same rules.
The caller gets every problem in the file at once (line number, column,
reason) and clean, typed rows; writing them is the services' job, all or
nothing.

Two kinds of problem. An *error* leaves its row out (the CLI then refuses the
whole file, in one transaction, so the organiser fixes it and runs it again):
a required cell that is empty or bad, a duplicate or unknown ref, a national
ID that fails its check digit, a consent cell that is neither yes nor no, a
salary range upside down. A *warning* keeps the row: in a file (`lenient`)
an unrecognised value of an optional column is left empty and reported with
its line and column, and a value read with a loss (a province list too long
to store) is kept and reported. Real files carry "หลายจังหวัด", "ตามตกลง" and
"หลายอัตรา"; the readers in fair.core.reference understand those.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping

from fair.core.reference import (
    Salary,
    parse_booth_code,
    parse_bool,
    parse_education,
    parse_education_min,
    parse_language,
    parse_places,
    parse_positions,
    parse_salary,
    parse_years,
    split_list,
    to_ascii_digits,
)

# The design's column lists (DESIGN.md, "CSV import columns"), in file order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "employers": ("employer_ref", "name", "booth", "industry", "province", "contact_email"),
    "jobs": (
        "job_ref", "employer_ref", "title", "skills_required", "skills_optional",
        "description", "education_min", "experience_min_years", "salary_min", "salary_max",
        "province", "positions", "disability_friendly",
    ),
    "attendees": (
        "attendee_ref", "first_name", "last_name", "phone", "email", "national_id",
        "education", "experience_years", "skills", "desired_positions", "province",
        "salary_expected", "languages", "consent_share_profile",
    ),
}

# Columns whose cells may not be empty. These must also be in the header; the
# others may be left out of a file and then read as empty.
REQUIRED: dict[str, tuple[str, ...]] = {
    "employers": ("employer_ref", "name", "booth"),
    "jobs": ("job_ref", "employer_ref", "title"),
    "attendees": ("attendee_ref", "first_name"),
}

# Optional columns whose bad value is still an error, never a warning left
# empty: a mistyped national ID could be someone else's, and an unclear
# consent must not silently become "no" (PDPA: the person's choice is recorded
# as they made it, or the file is corrected).
STRICT_OPTIONAL: frozenset[str] = frozenset({"national_id", "consent_share_profile"})

# What people put in a cell that has nothing to say.
_EMPTY_MARKS = frozenset({"-", "--", "---", "—", "–", "n/a", "na", "none", "null", "ไม่ระบุ", "ไม่มีข้อมูล"})

REF_COLUMN: dict[str, str] = {
    "employers": "employer_ref", "jobs": "job_ref", "attendees": "attendee_ref",
}

KINDS = tuple(COLUMNS)
MAX_REF_LENGTH = 64  # the models' String(64)


def _(message: str, **variables: Any) -> str:
    """Message hook with flask_babel.gettext's signature (%(name)s placeholders).

    Kept local so this module stays free of Flask; pybabel still extracts
    `_()` calls, and the CLI can translate the returned English text.
    """
    return message % variables if variables else message


@dataclass
class RowError:
    line: int  # physical line in the file; the header is line 1
    column: str | None  # None for problems of the whole row or file
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s", line=self.line)
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ParsedFile:
    kind: str
    # Clean rows only (rows with any error are left out): typed values, plus
    # "_line" (where the row started) and "_action" ("create", "update" or "skip").
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Problems that did not stop their row: the value was left empty or kept with a loss.
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# What a row whose ref is already in the fair means: a mistake, a change to
# apply, or something to leave alone (the demo fair, loaded twice).
OnExisting = Literal["error", "update", "skip"]


TakenBooths = Mapping[str, str] | Iterable[str]


class _Invalid(ValueError):
    """A cell's value is not acceptable; the message says why, for a person."""


class _Lossy(ValueError):
    """A cell was read, but not all of it: keep `value`, warn with the message."""

    def __init__(self, value: Any, message: str) -> None:
        super().__init__(message)
        self.value = value


# --------------------------------------------------------------------------
# National ID: the rule lives in fair/checkin/natid.py
# --------------------------------------------------------------------------

def _natid():
    # Imported late: importing fair.checkin runs its package, which builds a Flask blueprint.
    from fair.checkin import natid
    return natid


def national_id_check_digit(first_twelve: str) -> int:
    """Check digit of a Thai national ID from its first 12 ASCII digits."""
    return _natid().national_id_check_digit(first_twelve)


def _normalize_national_id(text: str) -> str | None:
    return _natid().normalize_national_id(text)


def _is_valid_national_id(text: str) -> bool:
    return _natid().is_valid_national_id(text)


# --------------------------------------------------------------------------
# Cell parsers: text in, typed value out, _Invalid with a reason otherwise
# --------------------------------------------------------------------------

# Below this a "salary" is a daily wage or thousands written short ("15"): a
# monthly salary in Thailand is not under the daily minimum wage of ~330 baht x 26.
MIN_MONTHLY_SALARY = 1000


# What a person's answers can plausibly be (registration and imports alike): a career
# is at most 60 years, a monthly salary in baht at most a million. Past that the
# value is a typo (an extra zero, a yearly salary), not data to match on.
PLAUSIBLE = {"experience_years": (0, 60), "salary_expected": (0, 1_000_000)}
_YEAR_UNITS = re.compile(r"\s*(?:ปี|years?|yrs?\.?)$", re.IGNORECASE)


def _parse_experience_years(text: str) -> float | int:
    """A person's years of experience: "3", "2.5", "2,5" (a decimal comma), "๒", "3 ปี",
    "2.5 years"; else the words real files hold ("2 ปีขึ้นไป", "18 เดือน",
    "ไม่มีประสบการณ์": reference.parse_years, whole years).

    Kept to one decimal; whole years stay int.
    """
    raw = _YEAR_UNITS.sub("", to_ascii_digits(text).strip())
    if raw.startswith(("-", "−")):
        raise _Invalid(_("must not be negative: %(value)s", value=text))
    body = raw.replace(",", ".", 1) if re.fullmatch(r"\d+,\d{1,2}", raw) else raw
    if not re.fullmatch(r"\d{1,3}(?:\.\d+)?", body):
        if not re.fullmatch(r"[\d.,\s]*", raw):
            return _parse_years(text)  # words around the number, or words alone
        raise _Invalid(_("must be a number of years (for example 2 or 2.5): %(value)s", value=text))
    years = round(float(body), 1)
    return int(years) if years.is_integer() else years


def _check_plausible(row: dict[str, Any], fail: Callable[[str, str], None]) -> None:
    for column, (low, high) in PLAUSIBLE.items():
        value = row.get(column)
        if value is not None and not low <= value <= high:
            fail(column, _("%(value)s is out of range: %(low)s to %(high)s", value=value,
                           low=f"{low:,}", high=f"{high:,}"))
            row[column] = None


_EMAIL = re.compile(r"[^@\s\"<>(),;:]+@[^@\s\"<>(),;:]+\.[^@\s\"<>(),;:.]{2,}")


def _parse_email(text: str) -> str:
    value = text.strip()
    local, _sep, domain = value.rpartition("@")
    if not _EMAIL.fullmatch(value) or ".." in value or len(local) > 64 or domain.startswith("."):
        raise _Invalid(_("not a valid email address: %(value)s", value=text))
    # The domain part is case-insensitive everywhere; the local part may not be.
    return f"{local}@{domain.lower()}"


_PHONE_SEPARATORS = re.compile(r"[\s\-.()\u2010-\u2015]+")


def _parse_phone(text: str) -> str:
    """A Thai number as 0XXXXXXXX(X): mobiles have 10 digits, Bangkok landlines 9."""
    digits = _PHONE_SEPARATORS.sub("", to_ascii_digits(text))
    if digits.startswith("+66"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0[1-9][0-9]{7,8}", digits):
        raise _Invalid(_("not a Thai phone number (0XXXXXXXXX or +66...): %(value)s", value=text))
    return digits


def _parse_booth(text: str) -> str:
    code = parse_booth_code(text)  # "A012" and "a-12" are the same stand as "A12"
    if code is None:
        raise _Invalid(_("booth code must be letters then a number, like A12: %(value)s",
                         value=text))
    return code


def _parse_education(text: str) -> str:
    code = parse_education(text)
    if code is None:
        raise _Invalid(_("unknown education level: %(value)s (use a code such as bachelor, "
                         "or a Thai name such as ปริญญาตรี)", value=text))
    return code


def _parse_province(text: str) -> str:
    """One province, a list of them, "หลายจังหวัด"/"several provinces", "ต่างประเทศ"/"abroad"."""
    places = parse_places(text)
    stored = places.stored()
    if stored is None:
        raise _Invalid(_("unknown province: %(value)s", value=text))
    if places.unknown:
        raise _Lossy(stored, _("unknown province(s) %(unknown)s; kept: %(kept)s",
                               unknown=", ".join(places.unknown), kept=stored))
    if places.shortened:
        raise _Lossy(stored, _("too many provinces to store (%(value)s); kept as "
                               "\"several provinces\"", value=text))
    return stored


def _parse_salary(text: str) -> Salary:
    salary = parse_salary(text)
    if salary is None:
        raise _Invalid(_("not a salary (for example 15000, 12,000 - 15,000 or ตามตกลง): %(value)s",
                         value=text))
    if salary.negative:
        raise _Invalid(_("must not be negative: %(value)s", value=text))
    if salary.per != "month":
        raise _Invalid(_("a pay per day or hour: %(value)s (salaries are per month)", value=text))
    figures = [v for v in (salary.low, salary.high) if v is not None]
    if any(v < MIN_MONTHLY_SALARY for v in figures):
        raise _Invalid(_("too small for a monthly salary in baht: %(value)s", value=text))
    return salary


def _parse_positions(text: str) -> int:
    count = parse_positions(text)
    if count is None:
        raise _Invalid(_("not a number of openings (for example 2, 2 อัตรา or หลายอัตรา): "
                         "%(value)s", value=text))
    return count


def _parse_years(text: str) -> int:
    years = parse_years(text)
    if years is None:
        raise _Invalid(_("not a number of years (for example 2, 2 ปีขึ้นไป or "
                         "ไม่ต้องมีประสบการณ์): %(value)s", value=text))
    if years < 0:
        raise _Invalid(_("must not be negative: %(value)s", value=text))
    return years


def _parse_education_min(text: str) -> str | None:
    understood, code = parse_education_min(text)
    if not understood:
        return _parse_education(text)  # the same message as for an attendee's education
    return code


def _parse_bool(text: str) -> bool:
    value = parse_bool(text)
    if value is None:
        raise _Invalid(_("must be yes or no (ใช่/ไม่): %(value)s", value=text))
    return value


def _parse_languages(text: str) -> list[str]:
    # Unknown languages are kept as written: a rare language is not an error.
    codes: list[str] = []
    for item in split_list(text):
        code = parse_language(item) or item.lower()
        if code not in codes:
            codes.append(code)
    return codes


def _parse_text(text: str) -> str:
    return text


Parser = Callable[[str], Any]

# What each column holds: its parser and the value of an empty cell.
_FIELDS: dict[str, dict[str, tuple[Parser, Any]]] = {
    "employers": {
        "employer_ref": (_parse_text, None),
        "name": (_parse_text, None),
        "booth": (_parse_booth, None),
        "industry": (_parse_text, None),
        "province": (_parse_province, None),
        "contact_email": (_parse_email, None),
    },
    "jobs": {
        "job_ref": (_parse_text, None),
        "employer_ref": (_parse_text, None),
        "title": (_parse_text, None),
        "skills_required": (split_list, []),
        "skills_optional": (split_list, []),
        "description": (_parse_text, None),
        "education_min": (_parse_education_min, None),
        "experience_min_years": (_parse_years, 0),
        "salary_min": (_parse_salary, None),
        "salary_max": (_parse_salary, None),
        "province": (_parse_province, None),
        "positions": (_parse_positions, 1),
        "disability_friendly": (_parse_bool, False),
    },
    "attendees": {
        "attendee_ref": (_parse_text, None),
        "first_name": (_parse_text, None),
        "last_name": (_parse_text, ""),
        "phone": (_parse_phone, None),
        "email": (_parse_email, None),
        "national_id": (_parse_text, None),  # checked in _check_row: needs the callable
        "education": (_parse_education, None),
        "experience_years": (_parse_experience_years, 0),
        "skills": (split_list, []),
        "desired_positions": (split_list, []),
        "province": (_parse_province, None),
        "salary_expected": (_parse_salary, None),
        "languages": (_parse_languages, ["th"]),  # a Thai fair: Thai unless told otherwise
        # No consent unless the file says so (PDPA: consent is never presumed).
        "consent_share_profile": (_parse_bool, False),
    },
}

# Spreadsheets and web forms leave these around cell text; they are never content.
_CELL_STRIP = " \t\r\n\u00a0\u200b\ufeff"


def _clean_cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip(_CELL_STRIP)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

@dataclass
class _Context:
    kind: str
    existing_refs: frozenset[str]
    on_existing: OnExisting
    known_employer_refs: frozenset[str]
    taken_booths: dict[str, str | None]  # booth code -> ref of the employer holding it
    national_id_valid: Callable[[str], bool]
    lenient: bool = False
    seen_refs: dict[str, int] = field(default_factory=dict)
    seen_booths: dict[str, int] = field(default_factory=dict)
    seen_national_ids: dict[str, int] = field(default_factory=dict)


def _empty(default: Any) -> Any:
    # A fresh list per row: rows must not share a mutable default.
    return list(default) if isinstance(default, list) else default


def _check_row(ctx: _Context, line: int, cells: Mapping[str, str],
               errors: list[RowError], warnings: list[RowError]) -> dict[str, Any] | None:
    """Clean one row; append every problem found to `errors` or `warnings`;
    None if there was any error."""
    kind = ctx.kind
    before = len(errors)
    row: dict[str, Any] = {"_line": line}

    def fail(column: str | None, message: str) -> None:
        errors.append(RowError(line, column, message))

    def warn(column: str | None, message: str) -> None:
        warnings.append(RowError(line, column, message))

    for column, (parse, default) in _FIELDS[kind].items():
        text = _clean_cell(cells.get(column))
        optional = column not in REQUIRED[kind]
        if optional and text.casefold() in _EMPTY_MARKS:
            text = ""
        if not text:
            if not optional:
                fail(column, _("is required"))
            row[column] = _empty(default)
            continue
        try:
            row[column] = parse(text)
        except _Lossy as exc:
            row[column] = exc.value
            warn(column, str(exc))
        except _Invalid as exc:
            if ctx.lenient and optional and column not in STRICT_OPTIONAL:
                warn(column, _("%(problem)s; left empty", problem=str(exc)))
                row[column] = _empty(default)
            else:
                fail(column, str(exc))
                row[column] = None

    _settle_amounts(kind, row)

    ref_column = REF_COLUMN[kind]
    ref = row.get(ref_column)
    row["_action"] = "create"
    if ref:
        if len(ref) > MAX_REF_LENGTH:
            fail(ref_column, _("is longer than %(max)s characters", max=MAX_REF_LENGTH))
        if ref in ctx.seen_refs:
            fail(ref_column, _("%(ref)s is already used on line %(other)s",
                               ref=ref, other=ctx.seen_refs[ref]))
        else:
            ctx.seen_refs[ref] = line
        if ref in ctx.existing_refs:
            if ctx.on_existing in ("update", "skip"):
                row["_action"] = ctx.on_existing
            else:
                fail(ref_column, _("%(ref)s already exists in this fair", ref=ref))

    if kind == "employers" and row.get("booth"):
        booth = row["booth"]
        if booth in ctx.seen_booths:
            fail("booth", _("booth %(booth)s is already given on line %(other)s",
                            booth=booth, other=ctx.seen_booths[booth]))
        else:
            ctx.seen_booths[booth] = line
        if booth in ctx.taken_booths and ctx.taken_booths[booth] != ref:
            fail("booth", _("booth %(booth)s is already taken by another employer", booth=booth))

    if kind == "jobs":
        employer_ref = row.get("employer_ref")
        if employer_ref and employer_ref not in ctx.known_employer_refs:
            fail("employer_ref", _("unknown employer %(ref)s: import the employers file first",
                                   ref=employer_ref))
        low, high = row.get("salary_min"), row.get("salary_max")
        if low is not None and high is not None and low > high:
            fail("salary_max", _("salary_max (%(high)s) is less than salary_min (%(low)s)",
                                 high=high, low=low))
        if row.get("positions") == 0:
            fail("positions", _("must be at least 1"))

    if kind == "attendees":
        _check_plausible(row, fail)

    if kind == "attendees" and row.get("national_id"):
        given = row["national_id"]
        digits = _normalize_national_id(given)
        if digits is None:
            fail("national_id", _("a national ID has 13 digits: %(value)s", value=given))
            row["national_id"] = None
        elif not ctx.national_id_valid(digits):
            fail("national_id", _("national ID %(value)s fails its check digit (mistyped?)",
                                  value=given))
            row["national_id"] = None
        else:
            row["national_id"] = digits
            if digits in ctx.seen_national_ids:
                # The same person twice would get two cards; the database also refuses it.
                fail("national_id", _("the same national ID is on line %(other)s",
                                      other=ctx.seen_national_ids[digits]))
            else:
                ctx.seen_national_ids[digits] = line

    return row if len(errors) == before else None


def _settle_amounts(kind: str, row: dict[str, Any]) -> None:
    """Salary cells read as Salary become the integer columns.

    A job's range may sit in either cell ("18,000 - 23,000" under salary_min,
    salary_max empty): each end goes where it belongs unless that cell has its
    own figure. An attendee's expectation is the least they said they accept
    (the lower end of a range). "ตามตกลง" (negotiable) leaves the column empty.
    """
    if kind == "jobs":
        low_cell, high_cell = row.get("salary_min"), row.get("salary_max")
        low = high = None
        spare_low = spare_high = None
        if isinstance(low_cell, Salary):
            if low_cell.kind in ("exact", "from", "range"):
                low = low_cell.low
            if low_cell.kind in ("range", "upto"):
                spare_high = low_cell.high
        if isinstance(high_cell, Salary):
            if high_cell.kind in ("exact", "upto", "range"):
                high = high_cell.high
            if high_cell.kind in ("range", "from"):
                spare_low = high_cell.low
        row["salary_min"] = low if low is not None else spare_low
        row["salary_max"] = high if high is not None else spare_high
    elif kind == "attendees":
        expected = row.get("salary_expected")
        if isinstance(expected, Salary):
            row["salary_expected"] = expected.low if expected.low is not None else expected.high


def _context(kind: str, existing_refs: Iterable[str], on_existing: str,
             known_employer_refs: Iterable[str], taken_booths: TakenBooths,
             national_id_valid: Callable[[str], bool] | None, lenient: bool = False) -> _Context:
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    if on_existing not in ("error", "update", "skip"):
        raise ValueError("on_existing must be 'error', 'update' or 'skip'")
    # A mapping says who holds each booth, so an employer updated in place
    # keeps its own booth; a plain set means "held by someone else".
    holders = (dict(taken_booths) if isinstance(taken_booths, Mapping)
               else dict.fromkeys(taken_booths))
    return _Context(
        kind=kind,
        existing_refs=frozenset(existing_refs),
        on_existing=on_existing,  # type: ignore[arg-type]
        known_employer_refs=frozenset(known_employer_refs),
        taken_booths={_parse_booth_or_same(code): ref for code, ref in holders.items()},
        national_id_valid=national_id_valid or _is_valid_national_id,
        lenient=lenient,
    )


def _parse_booth_or_same(code: str) -> str:
    try:
        return _parse_booth(code)
    except _Invalid:
        return code


def validate_rows(
    kind: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    existing_refs: Iterable[str] = frozenset(),
    on_existing: OnExisting = "error",
    known_employer_refs: Iterable[str] = frozenset(),
    taken_booths: TakenBooths = frozenset(),
    national_id_valid: Callable[[str], bool] | None = None,
    lenient: bool = False,
) -> ParsedFile:
    """Check rows that are already dicts of column -> text (the demo generator's
    output, a web form). Line numbers are as if from a file: the first row is
    line 2, unless a row carries its own "_line".

    `existing_refs`: refs already in the fair; `on_existing` says whether such a
    row is an error, an update or to be skipped (rows get "_action").
    `known_employer_refs`: employers a job may name (the fair's plus the
    companion employers file). `taken_booths`: booths already in the fair, as
    {code: holder's employer_ref} (a row may keep its own booth) or as a set
    of codes held by others.
    `national_id_valid`: the check-digit rule; fair.checkin.natid's by default.
    `lenient`: an unrecognised optional value is a warning and left empty
    instead of an error (files do this; a web form, the default, does not).
    """
    ctx = _context(kind, existing_refs, on_existing, known_employer_refs, taken_booths,
                   national_id_valid, lenient)
    result = ParsedFile(kind)
    for index, cells in enumerate(rows):
        line = int(cells.get("_line") or index + 2)
        row = _check_row(ctx, line, cells, result.errors, result.warnings)
        if row is not None:
            result.rows.append(row)
    return result


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

def _has_thai(text: str) -> bool:
    return any("\u0e01" <= ch <= "\u0e5b" for ch in text)


def decode_csv_bytes(data: bytes) -> tuple[str | None, RowError | None]:
    """The file's text (UTF-8, BOM removed), or an error saying how to re-save it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, RowError(1, None, _(
            "the file is UTF-16 (Excel \"Unicode Text\"); save it as \"CSV UTF-8\" instead"))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
    # Thai Windows and older Excel save Thai CSV as Windows-874 (TIS-620 plus
    # a few symbols): say so, since "not UTF-8" alone means nothing to most people.
    try:
        thai = _has_thai(data.decode("cp874"))
    except UnicodeDecodeError:
        thai = False
    if thai:
        message = _("the file is in the old Thai encoding (TIS-620 / Windows-874), not UTF-8; "
                    "open it in Excel and save as \"CSV UTF-8 (Comma delimited)\"")
    else:
        message = _("the file is not UTF-8 text (first bad byte on line %(line)s); "
                    "save it as \"CSV UTF-8 (Comma delimited)\"", line=bad_line)
    return None, RowError(1, None, message)


def _header_key(name: str) -> str:
    return _clean_cell(name).lower().replace(" ", "_")


def parse_csv(
    kind: str,
    data: bytes | str,
    *,
    existing_refs: Iterable[str] = frozenset(),
    on_existing: OnExisting = "error",
    known_employer_refs: Iterable[str] = frozenset(),
    taken_booths: TakenBooths = frozenset(),
    national_id_valid: Callable[[str], bool] | None = None,
    lenient: bool = True,
) -> ParsedFile:
    """Read and check one CSV file of `kind` ("employers", "jobs", "attendees").

    Every row is checked and every problem reported with its physical line
    (header = line 1), so the organiser fixes the file in one go; `rows` holds
    only clean rows. The keyword arguments are those of `validate_rows`, but a
    file is `lenient` by default: an unknown optional value is a warning.
    """
    ctx = _context(kind, existing_refs, on_existing, known_employer_refs, taken_booths,
                   national_id_valid, lenient)
    result = ParsedFile(kind)
    if isinstance(data, bytes):
        text, error = decode_csv_bytes(data)
        if error is not None:
            result.errors.append(error)
            return result
        assert text is not None
    else:
        text = data.removeprefix("\ufeff")

    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: list[str] | None = None
    header_line = 1
    try:
        # The header is the first non-blank line; blank lines above it are tolerated.
        while header is None:
            first_line = reader.line_num + 1
            cells = next(reader)
            if any(_clean_cell(c) for c in cells):
                header, header_line = cells, first_line
    except StopIteration:
        result.errors.append(RowError(1, None, _("the file is empty: a header row is required")))
        return result
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num or 1, None,
                                      _("unreadable CSV: %(error)s", error=str(exc))))
        return result

    names = [_header_key(h) for h in header]
    while names and not names[-1]:
        names.pop()  # Excel writes a trailing comma when a column beyond the data was touched
    if not _header_ok(kind, names, header, header_line, result.errors):
        return result

    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # Usually a stray quote; the rest of the file cannot be trusted to line up.
            result.errors.append(RowError(start, None, _("unreadable CSV: %(error)s",
                                                         error=str(exc))))
            break
        if not any(_clean_cell(c) for c in cells):
            continue  # blank lines and rows of empty cells that spreadsheets leave behind
        # More cells than the header, even empty ones: nearly always an unquoted
        # comma ("Siam Packing Co., Ltd.") that shifted every later column.
        if len(cells) > len(header) or any(_clean_cell(c) for c in cells[len(names):]):
            result.errors.append(RowError(start, None, _(
                "%(count)s values but the header has %(columns)s columns; put text that "
                "contains commas in double quotes", count=len(cells), columns=len(names))))
            continue
        row = _check_row(ctx, start, dict(zip(names, cells)), result.errors, result.warnings)
        if row is not None:
            result.rows.append(row)
    return result


def _header_ok(kind: str, names: list[str], raw: list[str], line: int,
               errors: list[RowError]) -> bool:
    """Report header problems once; False when rows cannot be read at all."""
    known = set(COLUMNS[kind])
    if len(names) == 1 and ";" in raw[0]:
        errors.append(RowError(line, None, _(
            "the columns are separated by ';'; save the file with commas "
            "(\"CSV UTF-8 (Comma delimited)\")")))
        return False
    missing = [c for c in REQUIRED[kind] if c not in names]
    unknown = [raw[i].strip() for i, n in enumerate(names) if n and n not in known]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    blank = names.count("")
    if missing:
        errors.append(RowError(line, None, _("missing column(s): %(columns)s",
                                             columns=", ".join(missing))))
    if unknown:
        # A misspelt column would otherwise be dropped without a word.
        errors.append(RowError(line, None, _(
            "unknown column(s): %(columns)s (expected: %(expected)s)",
            columns=", ".join(unknown), expected=",".join(COLUMNS[kind]))))
    if duplicated:
        errors.append(RowError(line, None, _("column(s) given twice: %(columns)s",
                                             columns=", ".join(duplicated))))
    if blank:
        errors.append(RowError(line, None, _("a column has no name in the header row")))
    # Unknown or blank columns leave the rows readable, so they are still
    # checked and the organiser sees everything; missing or doubled ones do not.
    return not missing and not duplicated
