"""Professionals pick up residents' help requests of their wijk and answer them in the platform."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import Role
from app.models.help_request import HelpRequest
from app.services.errors import RuleViolation
from app.services.proposals import help_requests
from app.web.help_forms import TOPIC_LABELS, HelpAnswerForm
from app.web.organise.forms import ConfirmForm
from app.web.review.views import bp
from app.web.security import require_wijk, role_required


@bp.route("/hulp")
@role_required(Role.PROFESSIONAL)
def help_requests_list():  # type: ignore[no-untyped-def]
    return render_template(
        "review/help.html",
        requests=help_requests.requests_for_professional(current_user),
        topics=TOPIC_LABELS,
        form=ConfirmForm(),
    )


@bp.route("/hulp/<int:request_id>/oppakken", methods=["POST"])
@role_required(Role.PROFESSIONAL)
def pick_up_help(request_id: int):  # type: ignore[no-untyped-def]
    request_row = db.get_or_404(HelpRequest, request_id)
    require_wijk(request_row.project.round.wijk_id)  # another wijk's request does not exist for them
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        help_requests.pick_up(current_user, request_id)
    except RuleViolation as problem:
        flash(problem.message, "error")
        return redirect(url_for(".help_requests_list"))
    return redirect(url_for(".answer_help", request_id=request_id))


@bp.route("/hulp/<int:request_id>", methods=["GET", "POST"])
@role_required(Role.PROFESSIONAL)
def answer_help(request_id: int):  # type: ignore[no-untyped-def]
    request_row = db.get_or_404(HelpRequest, request_id)
    if request_row.helper_id != current_user.id and current_user.role != Role.ADMIN.value:
        abort(403)  # only the professional who picked it up (and admins) read it here
    form = HelpAnswerForm()
    if form.validate_on_submit():
        try:
            help_requests.answer(current_user, request_row.id, form.answer.data or "")
        except RuleViolation as problem:
            form.answer.errors = [problem.message]
        else:
            flash(_("Your answer has been sent."), "success")
            return redirect(url_for(".help_requests_list"))
    page = render_template("review/help_answer.html", form=form, request_row=request_row, topics=TOPIC_LABELS)
    return page, 400 if form.errors else 200
