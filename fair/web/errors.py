"""One place that turns errors into answers: JSON under /api/, the project's pages elsewhere."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fair.web.auth import AuthError
from fair.extensions import db


class InvalidInput(Exception):
    """Bad input from a client: answered 400 with the message, nothing stored.

    `error` is the machine-readable reason in the JSON answer ("invalid_input" unless a
    client has to act on a particular one, e.g. "lead_deleted")."""

    def __init__(self, message: str, field: str | None = None, status: int = 400, error: str = "invalid_input"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.error = error


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _answer(status: int, error: str, message: str, **extra):
    if _is_api() or request.accept_mimetypes.best == "application/json":
        return jsonify(error=error, message=message, **extra), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(InvalidInput)
    def invalid_input(exc: InvalidInput):
        extra = {"field": exc.field} if exc.field else {}
        return _answer(exc.status, exc.error, exc.message, **extra)

    @app.errorhandler(AuthError)
    def auth_error(exc: AuthError):
        response = _answer(exc.status, "forbidden" if exc.status == 403 else "unauthorized", exc.message)
        if exc.status == 401 and _is_api():
            response[0].headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _answer(400, "csrf", _("The form expired or came from elsewhere. Reload the page and try again."))

    @app.errorhandler(404)
    def not_found(exc):
        return _answer(404, "not_found", _("There is nothing at this address."))

    @app.errorhandler(413)
    def too_large(exc):
        return _answer(413, "too_large", _("The upload is too large."))

    @app.errorhandler(403)
    def forbidden(exc):
        # abort(403, "why") keeps its own message; a bare abort(403) gets ours, translated.
        message = exc.description if exc.description != type(exc).description else None
        return _answer(403, "forbidden", message or _("This device or account may not do that."))

    @app.errorhandler(429)
    def too_many(exc):
        return _answer(429, "rate_limited", _("Too many attempts. Wait a minute and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        name = (exc.name or "error").lower().replace(" ", "_")
        return _answer(exc.code or 500, name, exc.description or name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _answer(500, "server_error", _("Something went wrong on the server. It has been logged."))
