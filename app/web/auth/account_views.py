"""The resident's profile (postcode, date of birth, e-mail confirmation) and the confirmation link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import limiter
from app.postcodes import format_postcode
from app.services.accounts import email_confirmation
from app.services.accounts import users as accounts
from app.services.errors import RuleViolation
from app.web.auth.confirmation import send_confirmation
from app.web.auth.forms import ProfileForm, ResendConfirmationForm
from app.web.auth.views import bp


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
    return render_template("auth/profile.html", form=form, resend_form=ResendConfirmationForm())


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
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    return redirect(url_for("auth.profile") if current_user.is_authenticated else url_for("auth.login"))
