"""Small body parsers for the edges: each endpoint declares its fields, bad input → InvalidInput.

Used by HTTP routes and Socket.IO handlers alike, so a scan sent either way is
checked by the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fair.web.errors import InvalidInput
from fair.core.timeutil import parse_iso, utcnow

MAX_CODE_LENGTH = 512
# A device clock may be off, and an offline queue may replay scans from the
# morning; a scan claiming a time beyond these bounds is refused.
MAX_SCAN_AGE = timedelta(days=7)
MAX_CLOCK_AHEAD = timedelta(hours=1)


@dataclass(frozen=True)
class Field:
    kind: type | str  # str, int, bool, list, dict (its values are the service's to check), "datetime"
    required: bool = False
    max_length: int | None = None
    choices: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    item_max_length: int = 40
    max_items: int = 20


def parse_body(raw: Any, fields: dict[str, Field]) -> dict[str, Any]:
    """Check a JSON object against the fields; unknown keys are ignored."""
    if not isinstance(raw, dict):
        raise InvalidInput("The body must be a JSON object.")
    parsed: dict[str, Any] = {}
    for name, spec in fields.items():
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip() and spec.kind is not str):
            if spec.required:
                raise InvalidInput(f"'{name}' is required.", field=name)
            parsed[name] = spec.default
            continue
        parsed[name] = _check(name, value, spec)
    return parsed


def _check(name: str, value: Any, spec: Field) -> Any:
    if spec.kind is str:
        if not isinstance(value, str):
            raise InvalidInput(f"'{name}' must be text.", field=name)
        value = value.strip()
        if spec.required and not value:
            raise InvalidInput(f"'{name}' is required.", field=name)
        if spec.max_length is not None and len(value) > spec.max_length:
            raise InvalidInput(f"'{name}' is longer than {spec.max_length} characters.", field=name)
        if "\x00" in value:
            raise InvalidInput(f"'{name}' contains a NUL character.", field=name)
    elif spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.isascii() and value.strip().lstrip("-").isdigit() and len(value) < 12:
                value = int(value)
            else:
                raise InvalidInput(f"'{name}' must be a whole number.", field=name)
        if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
            raise InvalidInput(f"'{name}' must be between {spec.minimum} and {spec.maximum}.", field=name)
    elif spec.kind is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"'{name}' must be true or false.", field=name)
    elif spec.kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"'{name}' must be a list of text.", field=name)
        value = [v.strip() for v in value if v.strip()]
        if len(value) > spec.max_items or any(len(v) > spec.item_max_length for v in value):
            raise InvalidInput(f"'{name}' has too many or too long items.", field=name)
    elif spec.kind is dict:
        if not isinstance(value, dict) or len(value) > spec.max_items:
            raise InvalidInput(f"'{name}' must be an object of at most {spec.max_items} entries.", field=name)
    elif spec.kind == "datetime":
        if not isinstance(value, str) or len(value) > 40:
            raise InvalidInput(f"'{name}' must be an ISO 8601 time.", field=name)
        try:
            value = parse_iso(value)
        except ValueError:
            raise InvalidInput(f"'{name}' must be an ISO 8601 time.", field=name) from None
        now = utcnow()
        if value > now + MAX_CLOCK_AHEAD or value < now - MAX_SCAN_AGE:
            raise InvalidInput(f"'{name}' is too far from the server's clock.", field=name)
    if spec.choices is not None and value not in spec.choices:
        raise InvalidInput(f"'{name}' must be one of: {', '.join(map(str, spec.choices))}.", field=name)
    return value


# Shared by the gate's HTTP route and socket handler.
NONCE = Field(str, required=True, max_length=64)
CODE = Field(str, required=True, max_length=MAX_CODE_LENGTH)
SCANNED_AT = Field("datetime")

CHECKIN_BODY = {
    # One of the two: what was scanned or typed, or the reference of a person picked
    # from a search (parse_checkin_body).
    "code": Field(str, max_length=MAX_CODE_LENGTH),
    "attendee": Field(str, max_length=64),
    "nonce": NONCE,
    "type": Field(str, choices=("entry", "exit"), default="entry"),
    "scanned_at": SCANNED_AT,
    # The booths to visit first, for a kiosk that prints or shows them; gate
    # phones do not ask (it is the costliest part of an answer at the entrance).
    "recommendations": Field(bool, default=False),
}


def parse_checkin_body(raw: Any) -> dict[str, Any]:
    """A gate scan's body (HTTP and socket alike): CHECKIN_BODY with exactly one of code and attendee."""
    body = parse_body(raw, CHECKIN_BODY)
    if bool(body["code"]) == bool(body["attendee"]):
        raise InvalidInput("Send either 'code' (what was scanned or typed) or 'attendee' (a reference).",
                           field="code")
    return body


def json_body(request) -> Any:
    """The request's JSON, or InvalidInput when it is not JSON at all."""
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("Send a JSON object with Content-Type: application/json.")
    return body
