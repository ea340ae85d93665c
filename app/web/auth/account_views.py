"""The resident's profile (postcode, date of birth, e-mail confirmation, two-step login), the confirmation
link, and the resident's rights: download what we hold (JSON) and remove the account."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.extensions import limiter
from app.postcodes import format_postcode
from app.services.accounts import email_confirmation, privacy, two_step
from app.services.accounts import users as accounts
from app.services.errors import NotAllowed, RuleViolation
from app.web.auth.confirmation import send_confirmation
from app.web.auth.forms import ProfileForm, RemoveAccountForm, ResendConfirmationForm
from app.web.auth.views import bp, clear_session


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():  # type: ignore[no-untyped-def]
    form = ProfileForm()
    if request.method == "GET":
        form.postcode.data = format_postcode(current_user.postcode) if current_user.postcode else ""
        form.birth_date.data = current_user.birth_date
        form.house_number.data = current_user.house_number
        form.addition.data = current_user.house_number_addition
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                current_user,
                postcode=form.postcode.data or "",
                birth_date=form.birth_date.data,
                house_number=form.house_number.data,
                addition=form.addition.data or "",
            )
        except RuleViolation as exc:
            getattr(form, exc.field or "postcode").errors.append(exc.message)
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html", form=form, resend_form=ResendConfirmationForm(), two_step=_two_step_state()
    )


def _two_step_state() -> dict[str, object]:
    return {
        "offered": two_step.offered_to(current_user),
        "on": two_step.is_enrolled(current_user),
        "required": two_step.required_for(current_user),
        "recovery_left": two_step.recovery_codes_left(current_user),
    }


@bp.route("/profiel/bevestigingsmail", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_confirmation():  # type: ignore[no-untyped-def]
    if ResendConfirmationForm().validate_on_submit() and current_user.email_confirmed_at is None:
        send_confirmation(current_user)
        flash(_("We sent the e-mail again. Open the link in it to confirm your e-mail address."), "info")
    return redirect(url_for("auth.profile"))


@bp.route("/e-mail-bevestigen/<token>")
def confirm_email(token: str):  # type: ignore[no-untyped-def]
    try:
        email_confirmation.confirm_email(token)
    except RuleViolation as refused:
        return render_template("auth/confirm_failed.html", message=refused.message), 400
    if current_user.is_authenticated:
        flash(_("Thank you, your e-mail address is confirmed."), "success")
        return redirect(url_for("auth.profile"))
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/profiel/mijn-gegevens.json")
@login_required
def download_my_data():  # type: ignore[no-untyped-def]
    body = json.dumps(privacy.personal_data(current_user), ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="wijkbudget-mijn-gegevens.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/profiel/verwijderen", methods=["GET", "POST"])
@login_required
def remove_account():  # type: ignore[no-untyped-def]
    form = RemoveAccountForm()
    if form.validate_on_submit():
        try:
            privacy.remove_account(current_user, form.password.data or "")
        except NotAllowed:
            abort(403)
        except RuleViolation as exc:
            form.password.errors = [exc.message]
        else:
            logout_user()
            clear_session()
            flash(_("Your account has been removed. Your votes still count."), "success")
            return redirect(url_for("residents.home"))
    return render_template("auth/remove_account.html", form=form)
