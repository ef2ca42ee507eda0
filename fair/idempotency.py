"""One rule for every device write that carries a nonce: commit, or answer as the first did.

`(device, nonce)` is unique in the database. When a retry of the same scan
races in on another connection, the losing commit hits that constraint; the
caller then returns the answer stored by the winner instead of failing.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy.exc import IntegrityError

from fair.extensions import db

T = TypeVar("T")


def commit_or_earlier(find_earlier: Callable[[], T | None]) -> T | None:
    """Commit; None on success, else the earlier row for this nonce (re-raises other conflicts)."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = find_earlier()
        if earlier is None:
            raise
        return earlier
    return None
