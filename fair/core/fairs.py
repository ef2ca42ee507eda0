"""The fair itself: creating it with its signing keys, finding the current one."""
from __future__ import annotations

from flask import g

from fair.checkin.cards import generate_signing_key
from fair.extensions import db
from fair.core.models import Fair


def current_fair() -> Fair | None:
    """The fair this laptop runs (the first one created); cached per request."""
    if "fair" not in g:
        g.fair = db.session.scalar(db.select(Fair).order_by(Fair.id).limit(1))
    return g.fair


def ensure_fair(name: str = "Job Fair", **fields) -> tuple[Fair, bool]:
    """Return the fair, creating it (with a fresh Ed25519 key pair) when there is none."""
    fair = db.session.scalar(db.select(Fair).order_by(Fair.id).limit(1))
    if fair is not None:
        return fair, False
    private_key, public_key = generate_signing_key()
    fair = Fair(name=name, signing_key=private_key, public_key=public_key, **fields)
    db.session.add(fair)
    db.session.commit()
    return fair, True
