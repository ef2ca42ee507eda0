"""Rows with sensible defaults, built through the same services the app uses."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from fair.web import auth
from fair.booths.models import Booth, Employer, Job
from fair.checkin import services as checkin_services
from fair.checkin.models import Attendee, Card
from fair.extensions import db
from fair.core.models import Device, Fair
from fair.loading import store

_numbers = itertools.count(1)


@dataclass
class DeviceWithToken:
    device: Device
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_device(fair: Fair, kind: str, name: str | None = None, booth: Booth | None = None) -> DeviceWithToken:
    device, token = auth.create_device(fair, kind, name or f"{kind} {next(_numbers)}", booth)
    db.session.commit()
    return DeviceWithToken(device, token)


def make_employer(fair: Fair, ref: str | None = None, booth_code: str | None = None,
                  name: str = "Siam Packing Co., Ltd.") -> Employer:
    """An employer and its booth, written as an import writes them (and the caches told)."""
    n = next(_numbers)
    ref = ref or f"E{n}"
    store.save_rows(fair, "employers", [{"employer_ref": ref, "name": name, "industry": "factory",
                                         "province": "Bangkok", "booth": booth_code or f"Z{n}"}])
    return db.session.scalar(db.select(Employer).filter_by(fair_id=fair.id, ref=ref))


def make_job(employer: Employer, ref: str | None = None, title: str = "Forklift driver",
             skills_required=("forklift",), skills_optional=(), **fields) -> Job:
    """A job of the employer, written as an import writes it (and the caches told)."""
    ref = ref or f"J{next(_numbers)}"
    fields.setdefault("disability_friendly", False)
    # An occupation the test gives wins over the classifier's (the store classifies every job it
    # writes); it is set before anything reads the job, as the store marked the caches stale.
    occupation = {name: fields.pop(name) for name in OCCUPATION_FIELDS if name in fields}
    store.save_rows(db.session.get(Fair, employer.fair_id), "jobs", [{
        "job_ref": ref, "employer_ref": employer.ref, "title": title, "skills_required": list(skills_required),
        "skills_optional": list(skills_optional), **fields}])
    job = db.session.scalar(db.select(Job).filter_by(fair_id=employer.fair_id, ref=ref))
    if occupation:
        for name, value in occupation.items():
            setattr(job, name, value)
        db.session.commit()
    return job


OCCUPATION_FIELDS = ("isco08", "isco08_minor", "isco08_sub_major", "isco08_confidence", "isco08_units",
                     "title_embedding")


def make_attendee(fair: Fair, ref: str | None = None, first_name: str = "สมชาย", last_name: str = "ใจดี",
                  consent_share_profile: bool = True, national_id: str | None = None, **fields) -> Attendee:
    attendee = Attendee(fair_id=fair.id, ref=ref or f"A{next(_numbers)}", first_name=first_name,
                        last_name=last_name, consent_share_profile=consent_share_profile,
                        phone=fields.pop("phone", "0812345678"), email=fields.pop("email", "somchai@example.com"),
                        skills=fields.pop("skills", ["forklift", "Excel"]), languages=fields.pop("languages", ["th"]),
                        **fields)
    if national_id:
        attendee.national_id_hash = checkin_services.hash_national_id(national_id)
    db.session.add(attendee)
    db.session.flush()
    checkin_services.issue_card(attendee)
    db.session.commit()
    return attendee


def card_of(attendee: Attendee) -> Card:
    return checkin_services.active_card(attendee)


def token_of(attendee: Attendee) -> str:
    return checkin_services.card_token(card_of(attendee), attendee.fair)


def pseudonym_at(booth: Booth, attendee: Attendee) -> str:
    """What this booth calls the attendee (its own pseudonym for them)."""
    from fair.booths.services import booth_pseudonym
    return booth_pseudonym(booth.id, attendee.id)
