"""The second step of logging in (a code from an authenticator app, or a recovery code) and setting it up.

After the right password, an account with two-step login (or one whose role requires it) is not logged in
yet: the session only holds a pending login (account, its session version, where to go next), which lasts
ten minutes. The code page then finishes the login; the set-up page (secret as text and as a QR code, no
JavaScript needed) switches it on first and shows the recovery codes once.
"""

from __future__ import annotations

import io
import time
from typing import Any

import segno
from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db, limiter
from app.models import User
from app.services.accounts import two_step
from app.services.errors import RuleViolation
from app.web.auth.forms import SecondStepForm, TurnOffTwoStepForm
from app.web.auth.views import (
    bp,
    clear_session,
    failed_login,
    login_limit_per_address,
    safe_next,
    start_session,
)

PENDING_SECONDS = 600


def begin_second_step(user: User, next_url: str) -> Any:
    """Remember the half-finished login and send the visitor to the code page (or the set-up page)."""
    clear_session()
    session["pending_login"] = {
        "user": user.id,
        "v": user.session_version,
        "next": next_url,
        "at": int(time.time()),
    }
    return redirect(url_for("auth.second_step" if two_step.is_enrolled(user) else "auth.set_up_two_step"))


def _pending_user() -> User | None:
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_version != pending.get("v"):
        return None
    return user


def _finish_login(user: User) -> Any:
    next_url = safe_next(session.get("pending_login", {}).get("next"))
    start_session(user)
    return redirect(next_url)


def _pending_key() -> str:
    pending = session.get("pending_login")
    return f"pending:{pending.get('user') if isinstance(pending, dict) else '-'}"


second_step_per_account = limiter.shared_limit(
    "10 per hour",
    scope="login-per-account",
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=failed_login,
)


@bp.route("/inloggen/code", methods=["GET", "POST"])
@login_limit_per_address
@second_step_per_account
def second_step():  # type: ignore[no-untyped-def]
    user = _pending_user()
    if user is None:
        flash(_("Logging in took too long. Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        if two_step.check_second_step(user, form.code.data or ""):
            return _finish_login(user)
        g.login_failed = True
        form.code.errors = [
            _("This code is not right. Type the code your app shows now, or a recovery code.")
        ]
    elif request.method == "POST":
        g.login_failed = True
    return render_template("auth/second_step.html", form=form)


@bp.route("/inloggen/tweede-stap-instellen", methods=["GET", "POST"])
def set_up_two_step():  # type: ignore[no-untyped-def]
    user = _enrolling_user()
    secret = session.get("enrol_secret") or two_step.new_secret()
    session["enrol_secret"] = secret
    form = SecondStepForm()
    if form.validate_on_submit():
        try:
            codes = two_step.enrol(user, secret, form.code.data or "")
        except RuleViolation as exc:
            form.code.errors = [exc.message]
        else:
            session.pop("enrol_secret", None)
            next_url = url_for("auth.profile")
            if not current_user.is_authenticated:
                next_url = safe_next(session.get("pending_login", {}).get("next"))
                start_session(user)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url)
    return render_template(
        "auth/set_up_two_step.html",
        form=form,
        secret=secret,
        spaced_secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=two_step.required_for(user),
    )


@bp.route("/inloggen/tweede-stap-instellen/qr.svg")
def two_step_qr():  # type: ignore[no-untyped-def]
    user = _enrolling_user()
    secret = session.get("enrol_secret")
    if not secret:
        abort(404)
    out = io.BytesIO()
    segno.make(two_step.provisioning_uri(user, secret), error="m").save(out, kind="svg", scale=5, border=2)
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/profiel/tweede-stap-uit", methods=["POST"])
def turn_off_two_step():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated or not TurnOffTwoStepForm().validate_on_submit():
        abort(400)
    try:
        two_step.turn_off(current_user)
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash(_("Two-step login is off."), "success")
    return redirect(url_for("auth.profile"))


def _enrolling_user() -> User:
    """Who is setting up: a pending login of an account that needs it, or a logged-in staff member."""
    if current_user.is_authenticated:
        if not two_step.offered_to(current_user) or two_step.is_enrolled(current_user):
            abort(404)
        return current_user  # type: ignore[no-any-return]
    user = _pending_user()
    if user is None:
        abort(redirect(url_for("auth.login")))
    return user
