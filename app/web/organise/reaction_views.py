"""Organisers moderate reactions: the reported ones, hiding one with a public reason, leaving one as it is."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.models import Reaction, Role
from app.services.errors import NotFound, RuleViolation
from app.services.proposals import reactions
from app.services.proposals import submissions as proposals
from app.translated import lazy_gettext as _l
from app.web.organise.feedback import show_violation
from app.web.organise.forms import ConfirmForm
from app.web.organise.views import bp
from app.web.security import role_required


class HideReactionForm(FlaskForm):
    reason = TextAreaField(
        _l("Public reason"),
        description=_l(
            "Everyone sees this reason in the place of the reaction, for example: “insults a neighbour”."
        ),
    )


@bp.route("/reacties")
@role_required(Role.ORGANISER)
def reported_reactions():  # type: ignore[no-untyped-def]
    return render_template(
        "organise/reactions.html", reported=reactions.reported_reactions(current_user), form=ConfirmForm()
    )


@bp.route("/reactie/<int:reaction_id>/verbergen", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def hide_reaction(reaction_id: int):  # type: ignore[no-untyped-def]
    reaction = _reaction_or_404(reaction_id)
    project = proposals.public_project(reaction.project_id)
    form = HideReactionForm()
    status = 200
    if form.validate_on_submit():
        try:
            reactions.hide_reaction(current_user, reaction.id, form.reason.data or "")
        except RuleViolation as exc:
            status = show_violation(form, exc)
        else:
            flash(_("The reaction is hidden; its reason is shown in its place."), "success")
            return redirect(url_for("residents.project", project_id=project.id) + f"#reactie-{reaction.id}")
    page = render_template("organise/reaction_hide.html", form=form, reaction=reaction, project=project)
    return page, 400 if form.errors and status == 200 else status


@bp.route("/reactie/<int:reaction_id>/meldingen-afhandelen", methods=["POST"])
@role_required(Role.ORGANISER)
def dismiss_reaction_reports(reaction_id: int):  # type: ignore[no-untyped-def]
    _reaction_or_404(reaction_id)
    if ConfirmForm().validate_on_submit():
        reactions.dismiss_reports(current_user, reaction_id)
        flash(_("The reports are handled; the reaction stays visible."), "success")
    return redirect(url_for(".reported_reactions"))


def _reaction_or_404(reaction_id: int) -> Reaction:
    """The reaction, if it is in a wijk the organiser holds; to others it does not exist."""
    try:
        return reactions.reaction_to_moderate(current_user, reaction_id)
    except NotFound:
        abort(404)
