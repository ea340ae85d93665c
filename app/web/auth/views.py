"""Register, log in and out, and switch language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.extensions import db, limiter
from app.models import User, Wijk
from app.services.accounts import registration, two_step
from app.services.accounts import users as accounts
from app.services.errors import RuleViolation
from app.web.auth.confirmation import public_url, send_confirmation
from app.web.auth.forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only follow relative redirects, so a link cannot send a visitor to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("residents.home")


def email_key() -> str:
    """Rate-limit key for the account an address names (known or not: the same either way)."""
    return "account:" + accounts.normalise_email(request.form.get("email", ""))[:254]


def failed_login(response: Response) -> bool:
    """Only failed logins count against the limits; good logins from a shared address never do."""
    return bool(g.get("login_failed"))


# Failed logins per address (a buurthuis shares one) and per account (an attacker spreads over addresses).
login_limit_per_address = limiter.shared_limit(
    "10 per 10 minutes", scope="login-per-address", methods=["POST"], deduct_when=failed_login
)
login_limit_per_account = limiter.shared_limit(
    "10 per hour", scope="login-per-account", key_func=email_key, methods=["POST"], deduct_when=failed_login
)


@bp.route("/inloggen", methods=["GET", "POST"])
@login_limit_per_address
@login_limit_per_account
def login():  # type: ignore[no-untyped-def]
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            g.login_failed = True
            form.password.errors.append(_("The e-mail address or password is not correct."))
        elif two_step.is_enrolled(user) or two_step.required_for(user):
            return begin_second_step(user, form.next.data or "")
        else:
            start_session(user)
            return redirect(safe_next(form.next.data))
    elif request.method == "POST":
        g.login_failed = True
    return render_template("auth/login.html", form=form)


def start_session(user: User) -> None:
    """A fresh session for the account: nothing of the session before login (its CSRF token, anything an
    attacker planted in a shared browser) carries over, except the chosen language."""
    clear_session()
    login_user(user)
    session["lang"] = user.language


def clear_session() -> None:
    """Empty the session (and so renew its CSRF token), keeping only the visitor's language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():  # type: ignore[no-untyped-def]
    form = RegisterForm(language=session.get("lang", "nl"))
    wijken = db.session.scalars(select(Wijk).order_by(Wijk.name)).all()
    form.wijk_id.choices = [(w.id, w.name) for w in wijken]
    if form.validate_on_submit():
        try:
            user = registration.register(
                form.email.data or "",
                form.name.data or "",
                form.password.data or "",
                form.language.data or "nl",
                form.wijk_id.data,
                postcode=form.postcode.data or "",
                birth_date=form.birth_date.data,
                login_link=public_url("auth.login"),
                reset_link=public_url("auth.forgot_password"),
            )
        except RuleViolation as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            if user is not None:
                send_confirmation(user)
            # The same answer whether or not the address had an account (its owner got an e-mail instead).
            return redirect(url_for("auth.registered"))
    return render_template("auth/register.html", form=form)


@bp.route("/registreren/kijk-in-je-mailbox")
def registered():  # type: ignore[no-untyped-def]
    return render_template("auth/registered.html")


@bp.route("/uitloggen", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user)  # a copy of this session cookie stops working too
    logout_user()
    clear_session()
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
    return redirect(safe_next(next_url))


# The profile, e-mail confirmation and password-link routes live in their own modules, on this blueprint.
from app.web.auth import account_views, password_views, two_step_views  # noqa: E402, F401
from app.web.auth.two_step_views import begin_second_step  # noqa: E402
