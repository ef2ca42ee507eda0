"""The confirm step of a destructive organiser action (replace a card, revoke a device).

The action's button posts; without confirm=yes the route answers this page,
which says what will happen and posts again. A form round trip, not a script
dialog: it works under the Content-Security-Policy, without JavaScript, and a
stray click or a replayed form changes nothing.
"""
from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def ask(*, title: str, message: str, confirm_label: str, cancel: str, detail: str | None = None,
        fields: dict[str, str] | None = None) -> str:
    """The confirm page, posting back to the current URL."""
    return render_template("confirm.html", title=title, message=message, detail=detail,
                           confirm_label=confirm_label, cancel=cancel, action=request.path, fields=fields)
