"""Forgotten password (ask for a link, choose a new password) and a staff invitation (choose the first one).

Both pages are the same form behind a signed link (services/accounts/password_links). A link that expired or
was used already gets a page that says so; nothing changes.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from app.extensions import limiter
from app.services.accounts import password_links
from app.services.accounts.password_links import LinkRefused, Purpose
from app.services.errors import RuleViolation
from app.web.auth.confirmation import public_url
from app.web.auth.forms import ForgotPasswordForm, NewPasswordForm
from app.web.auth.views import bp, email_key

LINK_VIEWS = {Purpose.RESET: "auth.reset_password", Purpose.INVITATION: "auth.accept_invitation"}


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=email_key, scope="reset-per-address")
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_links.request_password_reset(
            form.email.data or "",
            session.get("lang", "nl"),
            lambda token: public_url("auth.reset_password", token=token),
        )
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_sent.html")
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/wachtwoord-kiezen/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    return _choose_password(token, Purpose.RESET)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    return _choose_password(token, Purpose.INVITATION)


def _choose_password(token: str, purpose: Purpose):  # type: ignore[no-untyped-def]
    try:
        user = password_links.user_for_link(token, purpose)
    except LinkRefused as refused:
        return render_template("auth/link_refused.html", message=refused.message, purpose=purpose.name), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_links.set_password_from_link(token, purpose, form.password.data or "")
        except LinkRefused as refused:  # used in another tab meanwhile
            return render_template(
                "auth/link_refused.html", message=refused.message, purpose=purpose.name
            ), 400
        except RuleViolation as exc:
            form.password.errors.append(exc.message)
        else:
            flash(_("Your new password is set. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/choose_password.html", form=form, user=user, invitation=purpose == Purpose.INVITATION
    )
