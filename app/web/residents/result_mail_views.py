"""The "e-mail me when the result is published" opt-in on the round page and the receipt."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.models import Phase, Round
from app.services.notifications import result_subscriptions
from app.web.residents.blueprint import bp
from app.web.residents.forms import ResultMailForm

BACK_TO = {"round": "residents.round_page", "receipt": "residents.receipt"}


def result_mail_box(rnd: Round, back: str) -> dict[str, Any] | None:
    """What the opt-in box on a resident page shows; None when there is nothing to offer."""
    if not current_user.is_authenticated or rnd.phase == Phase.PUBLISHED.value:
        return None
    return {
        "subscribed": result_subscriptions.is_subscribed(current_user, rnd.id),
        "form": ResultMailForm(back=back),
    }


@bp.route("/ronde/<int:round_id>/uitslag-mailen", methods=["POST"])
@login_required
def subscribe_result_mail(round_id: int):  # type: ignore[no-untyped-def]
    form = _valid_form()
    result_subscriptions.subscribe(current_user, round_id)  # refusals: see the blueprint's error handlers
    flash(_("We will e-mail you when the result is published."), "success")
    return redirect(url_for(BACK_TO[form.back.data], round_id=round_id))


@bp.route("/ronde/<int:round_id>/uitslag-mailen/stoppen", methods=["POST"])
@login_required
def unsubscribe_result_mail(round_id: int):  # type: ignore[no-untyped-def]
    form = _valid_form()
    result_subscriptions.unsubscribe(current_user, round_id)
    flash(_("You will not get an e-mail about the result."), "success")
    return redirect(url_for(BACK_TO[form.back.data], round_id=round_id))


def _valid_form() -> ResultMailForm:
    form = ResultMailForm()
    if not form.validate_on_submit() or form.back.data not in BACK_TO:
        abort(400)
    return form
