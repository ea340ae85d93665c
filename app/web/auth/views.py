"""Register, log in and out, and switch language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.extensions import db, limiter
from app.models import Wijk
from app.services.accounts import users as accounts
from app.services.errors import RuleViolation
from app.web.auth.confirmation import send_confirmation
from app.web.auth.forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow relative redirects, so a link cannot send a visitor to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("residents.home")


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per 10 minutes", methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(_("The e-mail address or password is not correct."))
        else:
            login_user(user)
            session["lang"] = user.language
            return redirect(_safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():  # type: ignore[no-untyped-def]
    form = RegisterForm(language=session.get("lang", "nl"))
    wijken = db.session.scalars(select(Wijk).order_by(Wijk.name)).all()
    form.wijk_id.choices = [(w.id, w.name) for w in wijken]
    if form.validate_on_submit():
        try:
            user = accounts.register_resident(
                form.email.data or "",
                form.name.data or "",
                form.password.data or "",
                language=form.language.data or "nl",
                wijk_id=form.wijk_id.data,
                postcode=form.postcode.data or "",
                birth_date=form.birth_date.data,
            )
        except RuleViolation as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            login_user(user)
            session["lang"] = user.language
            send_confirmation(user)
            flash(_("Welcome! Your account has been created."), "success")
            flash(_("We sent you an e-mail. Open the link in it to confirm your e-mail address."), "info")
            return redirect(url_for("residents.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("residents.home"))


@bp.route("/taal", methods=["POST"])
def set_language():  # type: ignore[no-untyped-def]
    return _switch_language(request.form.get("lang", ""), request.form.get("next"))


@bp.route("/taal/<lang>")
def switch_language(lang: str):  # type: ignore[no-untyped-def]
    """The language switch in every page's header is a link, so public pages hold no per-visitor CSRF token and
    can be cached for everyone. Choosing a language is a harmless preference, like any other link."""
    return _switch_language(lang, request.args.get("next"))


def _switch_language(language: str, next_url: str | None):  # type: ignore[no-untyped-def]
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            accounts.set_language(current_user, language)
    return redirect(_safe_next(next_url))


# The profile and e-mail confirmation routes live in their own module, on this blueprint.
from app.web.auth import account_views  # noqa: E402, F401
