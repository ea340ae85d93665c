"""Linking an account to the voter register of a register-match round (the form is on the round page)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db, limiter
from app.models import MatchStatus
from app.services.eligibility import matches as register_matches
from app.services.errors import RuleViolation
from app.web.residents.blueprint import bp, round_or_404
from app.web.residents.forms import RegisterMatchForm
from app.web.residents.views import round_page_response


@bp.route("/ronde/<int:round_id>/adres-koppelen", methods=["POST"])
@login_required
@limiter.limit("10 per 10 minutes")
def register_match(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    form = RegisterMatchForm()
    if not form.validate_on_submit():
        return round_page_response(rnd, match_form=form, status=400)
    try:
        match = register_matches.request_match(
            current_user,
            rnd.id,
            postcode=form.postcode.data or "",
            house_number=form.house_number.data,
            addition=form.addition.data or "",
            birth_date=form.birth_date.data,
        )
    except RuleViolation as refused:
        getattr(form, refused.field or "postcode").errors.append(refused.message)
        return round_page_response(rnd, match_form=form, status=400)
    db.session.refresh(match)
    if match.status == MatchStatus.VERIFIED.value:
        flash(_("Your account is linked to the voter register. You can vote."), "success")
    elif match.status == MatchStatus.PENDING.value:
        flash(
            _("We found your address and are checking it; this takes a few minutes. You can already vote."),
            "success",
        )
    else:
        flash(_("Your address could not be confirmed. Below you can read why."), "error")
    return redirect(url_for("residents.round_page", round_id=rnd.id) + "#register-match")
