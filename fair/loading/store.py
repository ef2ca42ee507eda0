"""Loading validated rows into the database: CSV imports and the demo fair share this path.

fair.loading.importing checks every row (pure); this module writes them, all or
nothing, in one transaction.

Rows are written in batches of BATCH_SIZE: after each batch is flushed (the
objects have their ids, nothing is committed yet) `_after_batch` runs, the
one place for per-batch work at import such as classifying titles or
computing embeddings; callers may add their own hooks with `on_batch`. A
hook that raises rolls the whole import back. Long imports show a progress
bar on stderr when it is a terminal.
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence, TextIO

from flask import current_app
from tqdm import tqdm

from fair.core import changes
from fair.loading import importing
from fair.loading.demo import booth_position
from fair.booths.models import Booth, Employer, Job
from fair.checkin import cards, services as checkin_services
from fair.checkin.models import Attendee, Card
from fair.extensions import db
from fair.core.fairs import ensure_fair
from fair.core.models import Fair

KINDS = ("employers", "jobs", "attendees")
BATCH_SIZE = 200
# Called after each flushed batch: (kind, the batch's Employer/Job/Attendee objects).
BatchHook = Callable[[str, list], None]
# `progress`: False, True (stderr) or a stream; the bar shows only on a terminal.
Progress = bool | TextIO
REF_COLUMN = {"employers": "employer_ref", "jobs": "job_ref", "attendees": "attendee_ref"}
MODEL = {"employers": Employer, "jobs": Job, "attendees": Attendee}


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # rows kept; a value left empty or shortened
    seconds: float = 0.0  # checking and writing, commit included


def _existing_refs(fair: Fair, kind: str) -> set[str]:
    model = MODEL[kind]
    return set(db.session.scalars(db.select(model.ref).filter_by(fair_id=fair.id)))


def _context(fair: Fair, kind: str, extra_employer_refs: Iterable[str] = ()) -> dict:
    """What a file is checked against: refs and booth codes already in the database."""
    context = {"existing_refs": _existing_refs(fair, kind)}
    if kind == "jobs":
        context["known_employer_refs"] = _existing_refs(fair, "employers") | set(extra_employer_refs)
    if kind == "employers":
        context["taken_booths"] = {
            code: ref for code, ref in db.session.execute(
                db.select(Booth.code, Employer.ref).join(Employer).where(Booth.fair_id == fair.id))}
    return context


def import_file(kind: str, data: bytes, *, dry_run: bool = False, on_existing: str = "error",
                progress: Progress = False, on_batch: Sequence[BatchHook] = ()) -> ImportReport:
    """Validate a whole file; write it in one transaction only when no row has an error.

    Warnings (an unknown optional value, left empty) never stop the file: the
    rows are written and the warnings returned for the organiser to read.
    """
    started = time.perf_counter()
    fair, _ = ensure_fair()
    parsed = importing.parse_csv(kind, data, on_existing=on_existing, **_context(fair, kind))
    report = ImportReport(kind, errors=list(parsed.errors), warnings=list(parsed.warnings))
    if report.errors or dry_run:
        existing = _existing_refs(fair, kind)
        ref = REF_COLUMN[kind]
        report.updated = sum(1 for row in parsed.rows if row[ref] in existing)
        report.created = len(parsed.rows) - report.updated
        report.seconds = time.perf_counter() - started
        return report
    with _writing(fair.id):
        _write(fair, kind, parsed.rows, on_existing, report, source="import", progress=progress,
               on_batch=on_batch)
    report.seconds = time.perf_counter() - started
    return report


def load_many(batches: Sequence[tuple[str, list[dict]]], *, on_existing: str = "skip",
              source: str = "import", progress: Progress = False,
              on_batch: Sequence[BatchHook] = ()) -> int:
    """Validate and write several kinds of raw rows in one transaction (the demo fair)."""
    fair, _ = ensure_fair()
    added = 0
    employer_refs: set[str] = set()
    with _writing(fair.id):
        for kind, rows in batches:
            parsed = importing.validate_rows(kind, rows, on_existing=on_existing,
                                             **_context(fair, kind, employer_refs))
            if parsed.errors:
                first = parsed.errors[0]
                raise ValueError(f"{kind}: {len(parsed.errors)} bad rows, first at line "
                                 f"{first.line}: {first.message}")
            report = ImportReport(kind)
            _write(fair, kind, parsed.rows, on_existing, report, source=source, progress=progress,
                   on_batch=on_batch)
            db.session.flush()
            added += report.created
            if kind == "employers":
                employer_refs |= {row["employer_ref"] for row in parsed.rows}
    return added


def save_rows(fair: Fair, kind: str, rows: list[dict], *, on_existing: str = "update",
              source: str = "import") -> ImportReport:
    """Write rows already checked (fair.loading.importing's typed output) in one transaction,
    then tell the caches, as the imports do (the fair's revision, fair.core.changes); a row
    whose ref exists updates it unless on_existing is "skip". The test factories build
    employers and jobs through here."""
    report = ImportReport(kind)
    with _writing(fair.id):
        _write(fair, kind, rows, on_existing, report, source=source, progress=False)
    return report


@contextmanager
def _writing(fair_id: int) -> Iterator[None]:
    """One transaction for a load: committed with the fair's revision bumped (a server running
    elsewhere rebuilds its job index, booth facts and counts), then this process's caches told;
    rolled back whole on any error."""
    try:
        yield
        changes.bump(fair_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    changes.changed_here(current_app._get_current_object(), fair_id)


def _progress_bar(kind: str, total: int, progress: Progress) -> tqdm:
    """A bar on stderr (or the given stream), shown only when that is a terminal."""
    stream = sys.stderr if progress is True else progress or None
    show = stream is not None and hasattr(stream, "isatty") and stream.isatty()
    return tqdm(total=total, desc=f"importing {kind}", unit="row", file=stream, disable=not show,
                leave=False, mininterval=0.2, dynamic_ncols=True)


def _write(fair: Fair, kind: str, rows: list[dict], on_existing: str, report: ImportReport,
           *, source: str, progress: Progress, on_batch: Sequence[BatchHook] = ()) -> None:
    model = MODEL[kind]
    ref_column = REF_COLUMN[kind]
    existing = {row.ref: row for row in db.session.scalars(db.select(model).filter_by(fair_id=fair.id))}
    employers = ({e.ref: e for e in db.session.scalars(db.select(Employer).filter_by(fair_id=fair.id))}
                 if kind in ("jobs", "employers") else {})
    writer = {"employers": _write_employer, "jobs": _write_job, "attendees": _write_attendee}[kind]
    with _progress_bar(kind, len(rows), progress) as bar:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start:start + BATCH_SIZE]
            written, new_attendees = [], []
            for row in batch:
                current = existing.get(row[ref_column])
                if current is not None and on_existing == "skip":
                    report.skipped += 1
                    continue
                obj = writer(fair, row, current, employers, source)
                written.append(obj)
                if kind == "employers":
                    employers[obj.ref] = obj
                if current is None:
                    report.created += 1
                    if kind == "attendees":
                        new_attendees.append(obj)
                else:
                    report.updated += 1
            if new_attendees:
                # Every attendee has one active card from the start; issued per batch
                # (one serial query, one code check) rather than per person.
                checkin_services.issue_cards(new_attendees)
            db.session.flush()
            if written:
                _after_batch(fair, kind, written, on_batch)
            bar.update(len(batch))


def _after_batch(fair: Fair, kind: str, objects: list, on_batch: Sequence[BatchHook]) -> None:
    """Per-batch work on freshly written rows, inside the import's transaction.

    The place for import-time enrichment that must not run on a scan's path
    (an occupation code per job title, stored embeddings): the objects are
    flushed (ids set) and not yet committed.
    """
    if kind in ("jobs", "attendees"):
        from fair.matching import services as matching
        matching.store_occupations(objects)  # ISCO-08 code and title embedding, once per row
    for hook in on_batch:
        hook(kind, objects)


def _write_employer(fair: Fair, row: dict, current: Employer | None, employers: dict, source: str) -> Employer:
    employer = current or Employer(fair_id=fair.id, ref=row["employer_ref"])
    employer.name = row["name"]
    employer.industry = row.get("industry")
    employer.province = row.get("province")
    employer.contact_email = row.get("contact_email")
    if current is None:
        db.session.add(employer)
    code = row["booth"]
    booth = db.session.scalar(db.select(Booth).filter_by(fair_id=fair.id, code=code))
    x, y = booth_position(code)
    if booth is None:
        db.session.add(Booth(fair_id=fair.id, code=code, employer=employer, plan_x=x, plan_y=y))
    else:
        booth.employer = employer
    return employer


def _write_job(fair: Fair, row: dict, current: Job | None, employers: dict, source: str) -> Job:
    job = current or Job(fair_id=fair.id, ref=row["job_ref"])
    job.employer = employers[row["employer_ref"]]
    for name in ("title", "skills_required", "skills_optional", "description", "education_min",
                 "experience_min_years", "salary_min", "salary_max", "province", "positions",
                 "disability_friendly"):
        setattr(job, name, row.get(name))
    if job.positions is None:
        job.positions = 1
    if current is None:
        db.session.add(job)
    return job


def _write_attendee(fair: Fair, row: dict, current: Attendee | None, employers: dict, source: str) -> Attendee:
    attendee = current or Attendee(fair_id=fair.id, ref=row["attendee_ref"], source=source)
    # Imported people agreed to take part when they pre-registered; sharing is their own choice.
    checkin_services.apply_attendee_row(attendee, row, consent_participate=True,
                                        consent_wording=f"{source}:{checkin_services.CONSENT_WORDING_VERSION}")
    if current is None:
        db.session.add(attendee)  # its card is issued with its batch (_write)
    return attendee


def counts() -> dict[str, int]:
    fair, _ = ensure_fair()
    return {
        "employers": db.session.scalar(db.select(db.func.count(Employer.id)).filter_by(fair_id=fair.id)),
        "booths": db.session.scalar(db.select(db.func.count(Booth.id)).filter_by(fair_id=fair.id)),
        "jobs": db.session.scalar(db.select(db.func.count(Job.id)).filter_by(fair_id=fair.id)),
        "attendees": db.session.scalar(db.select(db.func.count(Attendee.id)).filter_by(fair_id=fair.id)),
    }


def active_cards() -> list[tuple[str, str, str, str]]:
    """(attendee_ref, name, manual_code, token) for each active card, by attendee ref."""
    fair, _ = ensure_fair()
    rows = db.session.execute(
        db.select(Attendee.ref, Attendee.first_name, Attendee.last_name, Card.manual_code, Card.serial)
        .join(Card, Card.attendee_id == Attendee.id)
        .where(Card.fair_id == fair.id, Card.status == "active", Attendee.erased_at.is_(None))
        .order_by(Attendee.ref))
    return [(ref, f"{first} {last}".strip(), manual, cards.make_token(fair.signing_key, serial))
            for ref, first, last, manual, serial in rows]
