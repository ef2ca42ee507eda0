"""End-of-day exports (CSV or XLSX): leads, check-ins, attendees, attendance, matches, hires. Every export is audited.

Made for HR staff, who open them in Excel: times are the venue's wall clock (real
date-time cells in XLSX, "2026-12-03 14:05" in CSV), codes (education, next step,
yes/no, gate answers) are words in the chosen language, and every file is named by
one rule (export_filename), from the CLI and the web alike. Column headers stay the
stable names below: scripts and spreadsheets built on them keep working.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from fair.core import disclosure, private_files
from fair.booths.models import Booth, Employer, Lead
from fair.booths.services import booth_by_code, booth_pseudonym
from fair.checkin.models import Attendee, CheckIn
from fair.extensions import db
from fair.matching.services import recommend_booths
from fair.core.fairs import ensure_fair
from fair.core.models import AuditEvent
from fair.core.reference import EDUCATION_NAMES_EN, EDUCATION_NAMES_TH, parse_booth_code
from fair.core.timeutil import to_venue, utcnow
from fair.web.dates import offset_hours

LANGUAGES = ("th", "en")
# The file formats and the media type each is served as (the organiser's and the booths' downloads).
# Bare types: Flask adds "; charset=utf-8" to text/* itself (written here too, it came twice).
MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMATS = tuple(MIMETYPES)
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"


class ExportError(Exception):
    pass


LEAD_COLUMNS = ["lead_id", "booth", "candidate", "attendee_ref", "name", "phone", "email",
                "education", "experience_years", "skills", "rating", "tags", "notes", "next_step",
                "job_ref", "job_title", "job_isco08", "first_scanned_at", "last_scanned_at"]
# After the stable columns: who (which named phone) scanned first and wrote last, and the
# answers to the booth's own questions (booths.services.answers_text).
LEAD_COLUMNS += ["scanned_by", "edited_by", "answers"]
CHECKIN_COLUMNS = ["checkin_id", "attendee_ref", "name", "gate", "type", "status", "scanned_at", "received_at"]
ATTENDEE_COLUMNS = ["attendee_ref", "first_name", "last_name", "phone", "email", "education",
                    "experience_years", "skills", "desired_positions", "isco08", "province", "salary_expected",
                    "languages", "consent_share_profile", "checked_in", "first_entry_at", "inside"]

ATTENDANCE_COLUMNS = ["attendee_ref", "first_name", "last_name", "phone", "email", "first_entry_at",
                      "last_moved_at", "inside", "entries", "exits", "booths_visited"]
MATCH_COLUMNS = ["attendee_ref", "name", "rank", "booth", "employer", "job_ref", "title", "job_isco08", "score",
                 "reasons"]
HIRE_COLUMNS = ["lead_id", "booth", "employer", "job_ref", "job_title", "job_isco08", "attendee_ref", "name", "phone",
                "email", "rating", "hired_at"]
# The organiser's end-of-day set (the dashboard's export links and route); the CLI offers these and
# leads, checkins, attendees.
DAY_EXPORTS = ("attendance", "leads", "matches", "hires")
MATCHES_PER_ATTENDEE = 3


@dataclass(frozen=True)
class Cells:
    """How an export writes codes and times for its reader: words in `lang`, the venue's clock."""

    lang: str
    offset_hours: float
    education_names: dict[str, str]
    words: dict[str, str]

    def education(self, code: str | None) -> str:
        return self.education_names.get(code, code) if code else ""

    def word(self, code: str | None) -> str:
        """A next step, a yes/no, a check-in type or a gate answer, in the reader's language."""
        return self.words.get(code, code) if code else ""

    def yes_no(self, flag: Any) -> str:
        return self.words["yes"] if flag else self.words["no"]

    def when(self, moment: datetime | None) -> datetime | str:
        """Naive UTC → the venue's wall clock; the writers make it a date cell or text."""
        return to_venue(moment, self.offset_hours).replace(microsecond=0) if moment is not None else ""


def choose_lang(asked: str | None, page_locale: Any) -> str:
    """?lang=th|en chooses the language of an export's words; else the page's own language."""
    if asked in LANGUAGES:
        return str(asked)
    return "en" if str(page_locale or "th") == "en" else "th"


def export_cells(lang: str = "th") -> Cells:
    """The words of an export in `lang`, translated even from the CLI (no request there)."""
    from flask_babel import force_locale
    from flask_babel import gettext as _
    lang = lang if lang in LANGUAGES else "th"
    with force_locale(lang):
        words = {
            # Next steps at a booth (the booth page's labels).
            "none": _("Not decided"), "interview_now": _("Interview now"), "shortlisted": _("Shortlisted"),
            "hired": _("Hired on the spot"), "not_suitable": _("Not suitable"),
            "yes": _("yes"), "no": _("no"),
            # Check-ins: the scan's type and the gate's answer.
            "entry": _("Entry"), "exit": _("Exit"),
            "ok": _("Checked in"), "already_inside": _("Already inside"), "exit_recorded": _("Exit recorded"),
            "not_inside": _("Exit without an entry"), "unknown": _("Unknown card"),
            "invalid_signature": _("Not a genuine card"), "revoked": _("Replaced card"),
            "wrong_fair": _("Card of another fair"), "fair_closed": _("Fair closed"),
        }
    return Cells(lang, offset_hours(),
                 EDUCATION_NAMES_TH if lang == "th" else EDUCATION_NAMES_EN, words)


def lead_row(lead: Lead, cells: Cells) -> list:
    """A lead as its booth may see it (fair.core.disclosure): contact details only with consent.

    Every column of a lead is chosen here (LEAD_COLUMNS names them, in this order).
    """
    a = disclosure.lead_export_row(lead.attendee, booth_pseudonym(lead.booth_id, lead.attendee_id))
    return [lead.id, lead.booth.code, a["pseudonym"], a["ref"] or "", a["name"] or "", a["phone"] or "",
            a["email"] or "", cells.education(a["education"]),
            a["experience_years"] if a["experience_years"] is not None else "",
            "; ".join(a["skills"] or []), lead.rating or "", "; ".join(lead.tags or []), lead.notes or "",
            cells.word(lead.next_step), lead.job.ref if lead.job else "", lead.job.title if lead.job else "",
            (lead.job.isco08 or "") if lead.job else "",
            cells.when(lead.first_scanned_at), cells.when(lead.last_scanned_at)]


def lead_booth_cells(lead: Lead, questions: dict, lang: str) -> list:
    """The cells after the stable ones: the phones that scanned and last wrote, the answers.

    `questions`: the booth's questions by id (removed ones too: their answers stay)."""
    from fair.booths.services import answers_text, device_name
    return [device_name(lead.device_id) or "", device_name(lead.last_device_id or lead.device_id) or "",
            answers_text(lead.answers, questions, lang)]


def rows_for(what: str, booth_code: str | None = None, lang: str = "th") -> tuple[list[str], Iterable[list]]:
    fair, _ = ensure_fair()
    cells = export_cells(lang)
    if what == "leads":
        query = db.select(Lead).join(Booth).where(Booth.fair_id == fair.id).order_by(Booth.code, Lead.id)
        if booth_code:
            booth = booth_by_code(fair.id, booth_code)
            if booth is None:
                raise ExportError(f"No booth {booth_code!r}.")
            query = query.where(Lead.booth_id == booth.id)
        return LEAD_COLUMNS, _lead_rows(query, cells)
    if booth_code:
        raise ExportError("--booth only applies to leads.")
    if what == "checkins":
        query = db.select(CheckIn).filter_by(fair_id=fair.id).order_by(CheckIn.scanned_at, CheckIn.id)
        return CHECKIN_COLUMNS, (
            [c.id, c.attendee.ref if c.attendee else "", c.attendee.full_name if c.attendee else "",
             c.device.name, cells.word(c.type), cells.word(c.status), cells.when(c.scanned_at),
             cells.when(c.received_at)]
            for c in db.session.scalars(query))
    if what == "attendees":
        query = db.select(Attendee).filter_by(fair_id=fair.id).order_by(Attendee.ref)
        return ATTENDEE_COLUMNS, (
            [a.ref, a.first_name, a.last_name, a.phone or "", a.email or "", cells.education(a.education),
             a.experience_years if a.experience_years is not None else "", "; ".join(a.skills or []),
             "; ".join(a.desired_positions or []), a.isco08 or "", a.province or "",
             a.salary_expected if a.salary_expected is not None else "", "; ".join(a.languages or []),
             cells.yes_no(a.consent_share_profile), cells.yes_no(a.first_entry_at),
             cells.when(a.first_entry_at), cells.yes_no(a.inside)]
            for a in db.session.scalars(query))
    if what == "attendance":
        return ATTENDANCE_COLUMNS, _attendance_rows(fair.id, cells)
    if what == "matches":
        return MATCH_COLUMNS, _match_rows(fair.id, lang)
    if what == "hires":
        return HIRE_COLUMNS, _hire_rows(fair.id, cells)
    raise ExportError(f"Unknown export {what!r}.")


def _lead_rows(query, cells: Cells) -> Iterable[list]:
    from fair.booths.services import questions_of_booth
    questions: dict[int, dict] = {}
    for lead in db.session.scalars(query):
        if lead.booth_id not in questions:
            questions[lead.booth_id] = {q.id: q for q in questions_of_booth(lead.booth_id, include_removed=True)}
        yield lead_row(lead, cells) + lead_booth_cells(lead, questions[lead.booth_id], cells.lang)


def _came(fair_id: int):
    return (db.select(Attendee).where(Attendee.fair_id == fair_id, Attendee.first_entry_at.is_not(None),
                                      Attendee.erased_at.is_(None)).order_by(Attendee.first_entry_at, Attendee.ref))


def _attendance_rows(fair_id: int, cells: Cells) -> Iterable[list]:
    """One row per person who came in: when, how often through the gates, how many booths."""
    moves: dict[tuple[int, str], int] = {}
    for attendee_id, status, n in db.session.execute(
            db.select(CheckIn.attendee_id, CheckIn.status, db.func.count(CheckIn.id))
            .where(CheckIn.fair_id == fair_id, CheckIn.status.in_(("ok", "exit_recorded")),
                   CheckIn.attendee_id.is_not(None))
            .group_by(CheckIn.attendee_id, CheckIn.status)):
        moves[(attendee_id, status)] = n
    booths = dict(db.session.execute(
        db.select(Lead.attendee_id, db.func.count(Lead.id)).join(Booth, Lead.booth_id == Booth.id)
        .where(Booth.fair_id == fair_id).group_by(Lead.attendee_id)).all())
    for a in db.session.scalars(_came(fair_id)):
        yield [a.ref, a.first_name, a.last_name, a.phone or "", a.email or "", cells.when(a.first_entry_at),
               cells.when(a.last_moved_at), cells.yes_no(a.inside), moves.get((a.id, "ok"), 0),
               moves.get((a.id, "exit_recorded"), 0), booths.get(a.id, 0)]


def _match_rows(fair_id: int, lang: str) -> Iterable[list]:
    """The booths the matching engine recommended to each person who came (its top 3)."""
    for a in db.session.scalars(_came(fair_id)):
        for rank, rec in enumerate(recommend_booths(a, top=MATCHES_PER_ATTENDEE, lang=lang), start=1):
            yield [a.ref, a.full_name, rank, rec.get("booth", ""), rec.get("employer", ""), rec.get("job_ref", ""),
                   rec.get("title", ""), rec.get("isco08") or "", rec.get("score", ""),
                   "; ".join(rec.get("reasons") or [])]


def _hire_rows(fair_id: int, cells: Cells) -> Iterable[list]:
    """Every lead a booth marked "hired on the spot", for the fair's results."""
    query = (db.select(Lead, Employer.name).join(Booth, Lead.booth_id == Booth.id)
             .join(Employer, Booth.employer_id == Employer.id)
             .where(Booth.fair_id == fair_id, Lead.next_step == "hired").order_by(Employer.name, Booth.code, Lead.id))
    for lead, employer in db.session.execute(query):
        a = lead.attendee
        present = a.erased_at is None
        yield [lead.id, lead.booth.code, employer, lead.job.ref if lead.job else "",
               lead.job.title if lead.job else "", (lead.job.isco08 or "") if lead.job else "",
               a.ref if present else "", a.full_name if present else "",
               (a.phone or "") if present else "", (a.email or "") if present else "", lead.rating or "",
               cells.when(lead.updated_at)]


# Text starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (tab and CR too, after their import strips them). Names, notes and tags are typed by
# attendees and recruiters: `=HYPERLINK(...)` in a name must stay a name.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A cell value no spreadsheet evaluates: text that starts like a formula gets a leading quote.

    Every CSV and XLSX writer (these exports, `fair cards list --csv`) passes its cells
    through here. Numbers stay numbers; only text is changed.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(row: Iterable[Any]) -> list[Any]:
    return [inert(value) for value in row]


def _csv_value(value: Any) -> Any:
    return value.strftime(CSV_TIME_FORMAT) if isinstance(value, datetime) else value


def write_csv(columns: list[str], rows: Iterable[list]) -> bytes:
    """UTF-8 with a BOM so that Excel shows Thai correctly when the file is double-clicked.

    Times are "2026-12-03 14:05" (venue time), which Excel and LibreOffice read as dates.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(inert_row(columns))
    writer.writerows(inert_row(_csv_value(value) for value in row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(columns: list[str], rows: Iterable[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cells(row: Iterable[Any]) -> list[Any]:
        out = []
        for value in inert_row(row):
            if isinstance(value, str):
                # openpyxl stores any text starting with "=" as a formula: text is a string cell, always.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
            elif isinstance(value, datetime):
                # A real date-time cell: HR staff sort and filter by it, and Excel shows it
                # in the venue's time (the value is already local; Excel has no time zones).
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = XLSX_TIME_FORMAT
                value = cell
            out.append(value)
        return out
    sheet.append(cells(columns))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_bytes(what: str, fmt: str, booth_code: str | None, actor: str, lang: str = "th") -> tuple[bytes, int]:
    fair, _ = ensure_fair()
    columns, rows = rows_for(what, booth_code, lang)
    rows = list(rows)
    data = write_xlsx(columns, rows, what) if fmt == "xlsx" else write_csv(columns, rows)
    db.session.add(AuditEvent(fair_id=fair.id, actor=actor, action=f"export.{what}",
                              subject=f"booth:{booth_code}" if booth_code else None,
                              details={"rows": len(rows), "format": fmt}))
    db.session.commit()
    return data, len(rows)


def export_to_file(what: str, out: Path, booth_code: str | None, actor: str, lang: str = "th") -> int:
    fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    data, count = export_bytes(what, fmt, booth_code, actor, lang=lang)
    private_files.write_private(out, data)  # names and phones: owner only, whatever the umask
    return count


def slug(text: str, fallback: str = "fair") -> str:
    """"Bangkok Job Fair 2026" → "bangkok-job-fair-2026" (ASCII letters and digits only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")
    return cleaned or fallback


def export_filename(what: str, fmt: str, booth_code: str | None = None, now: datetime | None = None) -> str:
    """The one name rule for export files, CLI and web: <fair>-<what>[-<booth>]-<YYYYMMDD-HHMM>.<ext>.

    The fair's (English) name as a slug, and the venue's time when the file was made.
    """
    fair, _ = ensure_fair()
    stamp = to_venue(now or utcnow(), offset_hours()).strftime("%Y%m%d-%H%M")
    booth = (parse_booth_code(booth_code) or booth_code) if booth_code else None
    parts = [slug(fair.name), what] + ([slug(booth, "booth")] if booth else []) + [stamp]
    return f"{'-'.join(parts)}.{fmt}"
