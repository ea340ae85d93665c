"""Professionals: the feasibility review (haalbaarheidstoets) before voting."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Project, ProjectStatus, Role
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.proposals import review
from app.web.organise.feedback import show_violation
from app.web.organise.labels import label_helpers
from app.web.review.forms import FEASIBLE, ReviewForm
from app.web.security import owned_or_404, role_required

bp = Blueprint("review", __name__, url_prefix="/toets")
bp.context_processor(label_helpers)


@bp.route("/")
@role_required(Role.PROFESSIONAL)
def index():  # type: ignore[no-untyped-def]
    return render_template("review/index.html", rounds=review.rounds_in_review(current_user))


@bp.route("/voorstel/<int:project_id>", methods=["GET", "POST"])
@role_required(Role.PROFESSIONAL)
def project(project_id: int):  # type: ignore[no-untyped-def]
    proposal = owned_or_404(Project, project_id)
    form = ReviewForm(**(_current_verdict(proposal) if request.method == "GET" else {}))
    status = 200
    if form.validate_on_submit():
        try:
            review.review_project(
                current_user,
                proposal.id,
                feasible=form.verdict.data == FEASIBLE,
                reason=form.reason.data or "",
                new_cost_cents=form.new_cost_cents.data,
                cost_reason=form.cost_reason.data,
            )
        except (NotFound, NotAllowed) as exc:
            abort(404 if isinstance(exc, NotFound) else 403)
        except RuleViolation as exc:
            status = show_violation(form, exc)
        else:
            flash(_("Your review of “%(title)s” is saved.", title=proposal.title), "success")
            return redirect(url_for(".index"))
    open_for_review = proposal.round.phase in review.REVIEW_PHASES
    return render_template(
        "review/project.html", form=form, project=proposal, open_for_review=open_for_review
    ), status


def _current_verdict(proposal: Project) -> dict[str, Any]:
    """Pre-fill the form with the last verdict, so a re-review starts from what residents see now."""
    if proposal.status not in (ProjectStatus.FEASIBLE.value, ProjectStatus.INFEASIBLE.value):
        return {}
    return {"verdict": proposal.status, "reason": proposal.review_reason or ""}


# Register the help-request routes on this blueprint.
from app.web.review import help_views  # noqa: E402, F401
