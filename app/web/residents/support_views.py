"""Supporting a proposal and taking the support back (buttons on the project page; POST with CSRF)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.services.proposals import submissions as proposals
from app.services.proposals import support
from app.web.residents.blueprint import bp, refusal_page
from app.web.residents.forms import WithdrawForm


@bp.route("/project/<int:project_id>/steunen", methods=["POST"])
@login_required
def support_proposal(project_id: int):  # type: ignore[no-untyped-def]
    return _change(project_id, withdraw=False)


@bp.route("/project/<int:project_id>/steun-intrekken", methods=["POST"])
@login_required
def withdraw_support(project_id: int):  # type: ignore[no-untyped-def]
    return _change(project_id, withdraw=True)


def _change(project_id: int, *, withdraw: bool):  # type: ignore[no-untyped-def]
    project = proposals.public_project(project_id)
    problem = support.may_support(current_user, project)
    if problem is not None:
        return refusal_page(project.round, problem)
    if not WithdrawForm().validate_on_submit():  # only the CSRF token
        flash(_("Something went wrong. Please try again."), "error")
    elif withdraw:
        support.withdraw_support(current_user, project.id)
        flash(_("You no longer support this proposal."), "success")
    else:
        support.support_proposal(current_user, project.id)
        flash(_("Thank you for your support."), "success")
    return redirect(url_for("residents.project", project_id=project.id) + "#steun")
