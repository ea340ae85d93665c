"""A resident asks the professionals of the wijk for help with their own proposal, and reads the answers."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.services.errors import RuleViolation
from app.services.proposals import help_requests
from app.services.proposals import submissions as proposals
from app.web.help_forms import TOPIC_LABELS, HelpRequestForm
from app.web.residents.blueprint import bp


@bp.route("/voorstel/<int:project_id>/hulp", methods=["GET", "POST"])
@login_required
def ask_for_help(project_id: int):  # type: ignore[no-untyped-def]
    project = proposals.own_proposal(current_user, project_id)
    form = HelpRequestForm()
    if form.validate_on_submit():
        try:
            help_requests.ask_for_help(
                current_user, project.id, form.topic.data or "", form.question.data or ""
            )
        except RuleViolation as problem:
            if problem.field is None:
                raise
            form[problem.field].errors = [problem.message]
        else:
            flash(_("Your question has been sent to the professionals of your neighbourhood."), "success")
            return redirect(url_for("residents.ask_for_help", project_id=project.id))
    page = render_template(
        "residents/help.html",
        form=form,
        project=project,
        round=project.round,
        requests=help_requests.requests_of_project(current_user, project.id),
        topics=TOPIC_LABELS,
    )
    return page, 400 if form.errors else 200
