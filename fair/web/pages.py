"""Pages that belong to no single area: home, sign-in, language, device pairing, live counter."""
from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, session, url_for)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from fair.web import auth
from fair.core.fairs import current_fair
from fair.organiser.dashboard import stats
from fair.organiser.devices import PAGE_FOR_KIND
from fair.web import openapi as spec
from fair.web.limits import limiter

bp = Blueprint("main", __name__)

LOGIN_ATTEMPTS_PER_MINUTE = 10


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


@bp.get("/")
def home():
    """Everyone lands here: the fair's name and a way in for each role."""
    return render_template("home.html", fair=current_fair())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Organisers sign in with the password `fair init` printed."""
    form = LoginForm()
    if form.validate_on_submit():
        if not limiter().allow(f"login:{request.remote_addr}", LOGIN_ATTEMPTS_PER_MINUTE):
            flash(_("Too many attempts. Wait a minute and try again."), "error")
            return render_template("login.html", form=form), 429
        organiser = auth.check_organiser(form.username.data.strip(), form.password.data)
        if organiser is not None:
            auth.login_session(organiser)
            return redirect(local_path(request.args.get("next")) or url_for("main.home"))
        flash(_("Wrong user name or password."), "error")
        return render_template("login.html", form=form), 401
    return render_template("login.html", form=form)


@bp.post("/logout")
def logout():
    """Signing out ends the session everywhere: a copied cookie dies with this one."""
    organiser_id = auth.current_principal().organiser_id
    if organiser_id is not None:
        auth.end_organiser_sessions(organiser_id)
    session.clear()
    return redirect(url_for("main.home"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """The language switch on every page; the choice sticks for the session."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(local_path(request.args.get("next")) or _same_site_referrer() or url_for("main.home"))


def local_path(target: str | None) -> str | None:
    """A redirect target from the request, if it is a path on this site; else None.

    Every redirect to a place the request names goes through here: an open
    redirect would lend the fair's address to phishing. Browsers drop tabs and
    newlines inside URLs and read a backslash as a slash, so "/\\evil" and
    "/<tab>/evil" would become "//evil", another host: any of them refuses.
    """
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _same_site_referrer() -> str | None:
    """The page the language link was clicked on, when that page is on this site."""
    referrer = request.headers.get("Referer")
    if not referrer:
        return None
    if referrer.startswith(request.host_url):
        referrer = "/" + referrer[len(request.host_url):]
    return local_path(referrer)


@bp.get("/pair/<code>")
def pair(code: str):
    """A phone opens its pairing link once and becomes a gate, booth or dashboard device."""
    if not limiter().allow(f"pair:{request.remote_addr}", 20):
        abort(429)
    device = auth.redeem_pairing_code(code)
    if device is None:
        return render_template("error.html", status=404,
                               message=_("This pairing link is used, expired or revoked. "
                                         "Ask the organiser for a new one.")), 404
    auth.pair_session(device)
    return redirect(PAGE_FOR_KIND.get(device.kind, "/"))


@bp.get("/counter")
def counter():
    """A public big-screen counter: attendance numbers only, live over Socket.IO."""
    fair = current_fair()
    return render_template("counter.html", fair=fair, stats=stats(fair.id) if fair else None)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every page: a file, not a 404 page (which renders a template and
    writes the session, racing the page that asked)."""
    return send_file(Path(current_app.static_folder) / "favicon.ico", mimetype="image/x-icon",
                     max_age=86400)


@bp.get("/ca")
def ca_certificate():
    """Staff phones install this laptop's CA once, so camera pages work over HTTPS."""
    path = Path(current_app.instance_path) / "tls" / "ca.crt"
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="application/x-x509-ca-cert", as_attachment=True,
                     download_name="fair-laptop-ca.crt")


@bp.get("/api/v1/openapi.json")
def openapi():
    """Integrations and the acceptance checks read the API description."""
    from flask import jsonify
    return jsonify(spec.document(current_app.config.get("API_VERSION", "1.0.0")))
