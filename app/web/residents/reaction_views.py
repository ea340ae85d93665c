"""Reacting to a proposal, replying, editing one's reaction, reporting one, and following a proposal."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import limiter
from app.models import Reaction
from app.services.errors import RuleViolation
from app.services.proposals import follows, reactions
from app.services.proposals import submissions as proposals
from app.web.residents.blueprint import bp, refusal_page
from app.web.residents.forms import ReactionForm, ReportForm, WithdrawForm


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


@bp.route("/project/<int:project_id>/reacties", methods=["POST"])
@login_required
@limiter.limit("6 per minute;40 per day", key_func=_per_user)
def react(project_id: int):  # type: ignore[no-untyped-def]
    from app.web.residents.views import project_page

    form = ReactionForm()
    if not form.validate_on_submit():
        flash(_("Something went wrong. Please try again."), "error")
        return redirect(url_for("residents.project", project_id=project_id))
    try:
        reaction = reactions.post_reaction(current_user, project_id, form.body.data or "", form.parent())
    except RuleViolation as problem:
        if problem.field != "body":
            raise
        form.body.errors = [problem.message]
        return project_page(project_id, reaction_form=form, status=400)
    flash(_("Your reaction has been posted."), "success")
    return redirect(url_for("residents.project", project_id=project_id) + f"#reactie-{reaction.id}")


@bp.route("/reactie/<int:reaction_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_reaction(reaction_id: int):  # type: ignore[no-untyped-def]
    reaction = reactions.reaction_for(reaction_id)
    project = proposals.public_project(reaction.project_id)
    refusal = reactions.may_edit(current_user, reaction)
    if refusal is not None:
        return refusal_page(project.round, refusal)
    form = ReactionForm(data={"body": reaction.body})
    if form.validate_on_submit():
        try:
            reactions.edit_reaction(current_user, reaction.id, form.body.data or "")
        except RuleViolation as problem:
            form.body.errors = [problem.message]
        else:
            flash(_("Your reaction has been changed."), "success")
            return _to(reaction)
    page = render_template("residents/reaction_edit.html", form=form, reaction=reaction, project=project)
    return page, 400 if form.errors else 200


@bp.route("/reactie/<int:reaction_id>/melden", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", key_func=_per_user, methods=["POST"])
def report_reaction(reaction_id: int):  # type: ignore[no-untyped-def]
    reaction = reactions.reaction_for(reaction_id)
    project = proposals.public_project(reaction.project_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            reactions.report_reaction(current_user, reaction.id, form.reason.data or "")
        except RuleViolation as problem:
            form.reason.errors = [problem.message]
        else:
            flash(_("Thank you. The organisers will look at this reaction."), "success")
            return _to(reaction)
    page = render_template("residents/reaction_report.html", form=form, reaction=reaction, project=project)
    return page, 400 if form.errors else 200


@bp.route("/project/<int:project_id>/volgen", methods=["POST"])
@login_required
def follow(project_id: int):  # type: ignore[no-untyped-def]
    if WithdrawForm().validate_on_submit():
        follows.follow(current_user, project_id)
        flash(
            _("You follow this proposal. You will hear of new reactions and of the feasibility check."),
            "success",
        )
    return redirect(url_for("residents.project", project_id=project_id))


@bp.route("/project/<int:project_id>/ontvolgen", methods=["POST"])
@login_required
def unfollow(project_id: int):  # type: ignore[no-untyped-def]
    if WithdrawForm().validate_on_submit():
        follows.unfollow(current_user, project_id)
        flash(_("You no longer follow this proposal."), "success")
    return redirect(url_for("residents.project", project_id=project_id))


def _to(reaction: Reaction):  # type: ignore[no-untyped-def]
    return redirect(url_for("residents.project", project_id=reaction.project_id) + f"#reactie-{reaction.id}")
