"""A booth scan's answer and the shape its receipt is stored in (pure: no Flask, no database).

A phone that retries a scan or an edit (same device, same nonce) gets the first answer
again, read back from the receipt row (LeadScan.response, JSON). That row may have been
written by an older version of the program, so the stored shape is written out here field
by field with a version number, not taken from the dataclass: renaming a field of
LeadResult changes to_receipt/from_receipt, never what old rows mean.

Versions:
- 1 (no "v"; the dataclass's __dict__, written until December 2026):
  {"status", "lead_id", "candidate", "matches", "lead"}, "lead" missing in the oldest ones.
- 2: {"v": 2, "status", "lead_id", "candidate", "matches", "lead"}.
- 3: as 2, but with "lead_has_candidate": true the "lead" is stored without its "candidate"
  and holds the answer's one (the lead view carries the same candidate view as the answer:
  stored once, not twice).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

RECEIPT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)


class ReceiptUnreadable(ValueError):
    """A stored receipt this version cannot read (damaged, or written by a newer version)."""


@dataclass(frozen=True)
class LeadResult:
    status: str
    lead_id: int | None
    candidate: dict | None
    matches: list[dict]
    lead: dict | None = None

    def as_json(self) -> dict[str, Any]:
        body = {"status": self.status, "lead_id": self.lead_id, "candidate": self.candidate,
                "matches": self.matches}
        if self.lead is not None:
            body["lead"] = self.lead
        return body

    def to_receipt(self) -> dict[str, Any]:
        """The receipt's stored form (the current version)."""
        lead, shared = self.lead, False
        if lead is not None and "candidate" in lead and lead["candidate"] == self.candidate:
            # stored once; the flag says so, so a lead that had no candidate reads back without one
            lead, shared = {key: value for key, value in lead.items() if key != "candidate"}, True
        receipt = {"v": RECEIPT_VERSION, "status": self.status, "lead_id": self.lead_id,
                   "candidate": self.candidate, "matches": list(self.matches), "lead": lead}
        if shared:
            receipt["lead_has_candidate"] = True
        return receipt

    @classmethod
    def from_receipt(cls, stored: Any) -> LeadResult:
        """The answer a receipt holds, whichever readable version wrote it."""
        if not isinstance(stored, dict):
            raise ReceiptUnreadable(f"a receipt is a JSON object, not {type(stored).__name__}")
        version = stored.get("v", 1)
        if version not in READABLE_VERSIONS:
            raise ReceiptUnreadable(f"receipt version {version!r}; this version reads {READABLE_VERSIONS}")
        status, lead_id = stored.get("status"), stored.get("lead_id")
        candidate, matches, lead = stored.get("candidate"), stored.get("matches", []), stored.get("lead")
        if not isinstance(status, str) or not status:
            raise ReceiptUnreadable("a receipt without a status")
        if lead_id is not None and (not isinstance(lead_id, int) or isinstance(lead_id, bool)):
            raise ReceiptUnreadable(f"a receipt's lead_id is {lead_id!r}")
        if not (candidate is None or isinstance(candidate, dict)) or not isinstance(matches, list) \
                or not (lead is None or isinstance(lead, dict)):
            raise ReceiptUnreadable("a receipt's candidate, matches or lead has the wrong type")
        if version >= 3 and lead is not None and stored.get("lead_has_candidate") is True:
            lead = {**lead, "candidate": candidate}
        return cls(status, lead_id, candidate, matches, lead)

    def scrubbed(self, *, keep_lead_id: bool = True) -> LeadResult:
        """The same answer without the person (erasure, a deleted lead): a retry still gets a valid reply."""
        return LeadResult(self.status, self.lead_id if keep_lead_id else None, None, [], None)


def replayed(stored: Any, status: str, lead_id: int | None) -> LeadResult:
    """The answer of a receipt row: its stored answer, or, when that cannot be read, the row's own
    status and lead (a retry is answered, without the candidate, rather than refused)."""
    try:
        return LeadResult.from_receipt(stored)
    except ReceiptUnreadable as unreadable:
        logging.getLogger(__name__).warning("receipt answered from its row only: %s", unreadable)
        return LeadResult(status, lead_id, None, [])
