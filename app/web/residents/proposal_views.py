"""Submitting, editing and withdrawing a proposal (only during the proposal phase)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.models import Project, ProjectStatus, Round
from app.services.errors import RuleViolation
from app.services.proposals import submissions as proposals
from app.services.rounds import buurt_maps
from app.web.residents.blueprint import bp, refusal_page, round_or_404
from app.web.residents.forms import ProposalForm, WithdrawForm


@bp.route("/ronde/<int:round_id>/voorstel", methods=["GET", "POST"])
@login_required
def propose(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    refusal = proposals.may_propose(current_user, rnd)
    if refusal is not None:
        return refusal_page(rnd, refusal)
    form = ProposalForm()
    form.set_choices(rnd)
    project = _save(form, rnd, lambda **v: proposals.submit_proposal(current_user, rnd.id, **v))
    if project is not None:
        flash(_("Thank you! Your proposal has been submitted."), "success")
        return redirect(url_for("residents.project", project_id=project.id))
    return _form_page(form, rnd, None)


@bp.route("/voorstel/<int:project_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_proposal(project_id: int):  # type: ignore[no-untyped-def]
    project = proposals.own_proposal(current_user, project_id)
    refusal = proposals.may_propose(current_user, project.round) or _not_editable(project)
    if refusal is not None:
        return refusal_page(project.round, refusal)
    form = ProposalForm(data=_form_data(project))
    form.set_choices(project.round)
    saved = _save(form, project.round, lambda **v: proposals.edit_proposal(current_user, project.id, **v))
    if saved is not None:
        flash(_("Your proposal has been changed."), "success")
        return redirect(url_for("residents.project", project_id=project.id))
    return _form_page(form, project.round, project)


@bp.route("/voorstel/<int:project_id>/intrekken", methods=["GET", "POST"])
@login_required
def withdraw_proposal(project_id: int):  # type: ignore[no-untyped-def]
    project = proposals.own_proposal(current_user, project_id)
    refusal = proposals.may_propose(current_user, project.round)
    if refusal is None and project.status == ProjectStatus.WITHDRAWN.value:
        refusal = RuleViolation(_("This proposal has already been withdrawn."))
    if refusal is not None:
        return refusal_page(project.round, refusal)
    form = WithdrawForm()
    if form.validate_on_submit():
        proposals.withdraw_proposal(current_user, project.id)
        flash(_("Your proposal has been withdrawn."), "success")
        return redirect(url_for("residents.my_proposals"))
    return render_template("residents/withdraw.html", project=project, round=project.round, form=form)


def _save(form: ProposalForm, rnd: Round, save: Callable[..., Project]) -> Project | None:
    """Check the form and the kaders together so every problem is shown at once; save when all is well."""
    if not form.is_submitted():
        return None
    if form.validate():
        try:
            return save(**form.values())
        except proposals.ProposalRejected as exc:
            problems = exc.problems
    else:
        problems = proposals.proposal_problems(rnd, **form.values())
    for problem in problems:
        field = form[problem.field or "title"]
        if not field.errors:
            field.errors = [*field.errors, problem.message]
    return None


def _form_page(form: ProposalForm, rnd: Round, project: Project | None) -> tuple[str, int]:
    page = render_template(
        "residents/proposal_form.html",
        form=form,
        round=rnd,
        project=project,
        has_map=buurt_maps.has_map(rnd.wijk),
    )
    return page, 400 if form.errors else 200


def _not_editable(project: Project) -> RuleViolation | None:
    if project.status == ProjectStatus.SUBMITTED.value:
        return None
    return RuleViolation(_("This proposal can no longer be changed."))


def _form_data(project: Project) -> dict[str, Any]:
    return {
        "title": project.title,
        "description": project.description,
        "cost": project.cost_cents,
        "category": project.category,
        "buurt_id": project.buurt_id,
        "latitude": project.latitude,
        "longitude": project.longitude,
    }
