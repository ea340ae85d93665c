"""Public amendments: an organiser corrects a text of a round whose kaders are frozen."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import Project, Role, Round
from app.services.errors import RuleViolation
from app.services.rounds import amendments
from app.web.organise.forms import AmendmentForm, amendment_target
from app.web.organise.views import _refuse, bp
from app.web.security import role_required, round_or_404


@bp.route("/ronde/<int:round_id>/correctie", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def round_amend(round_id: int):  # type: ignore[no-untyped-def]
    rnd = round_or_404(round_id)
    form = AmendmentForm()
    form.target.choices = _targets(rnd)
    if request.method == "GET":
        _prefill(form, rnd, request.args.get("doel", ""))
    status = 200 if rnd.kaders_frozen or request.method == "GET" else 409
    if rnd.kaders_frozen and form.validate_on_submit():
        project_id, field = amendment_target(form.target.data or "")
        try:
            amendments.amend_round(
                current_user,
                rnd.id,
                field=field,
                new_value=form.new_value.data or "",
                reason=form.reason.data or "",
                project_id=project_id,
            )
        except RuleViolation as exc:
            status = _refuse(form, exc)
        else:
            flash(_("The correction is saved and shown publicly with your reason."), "success")
            return redirect(url_for(".round_detail", round_id=rnd.id))
    return render_template(
        "organise/amend.html", round=rnd, form=form, amendments=amendments.amendments_of(rnd.id)
    ), status


def _targets(rnd: Round) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [
        ("round:title", _("Title of the round")),
        ("round:out_of_scope", _("What this budget cannot be used for")),
    ]
    labels = {"title": _("title"), "description": _("description"), "category": _("theme")}
    for project in rnd.projects:
        for field in amendments.amendable_fields(project=True):
            choices.append((f"project:{project.id}:{field}", f"{project.title}: {labels[field]}"))
    return choices


def _prefill(form: AmendmentForm, rnd: Round, target: str) -> None:
    """Start from the current text of the chosen target (links on the page choose one, no script needed)."""
    if target not in {value for value, _label in form.target.choices or []}:
        return
    project_id, field = amendment_target(target)
    holder: Round | Project | None = rnd if project_id is None else db.session.get(Project, project_id)
    form.target.data = target
    form.new_value.data = getattr(holder, field, "")
