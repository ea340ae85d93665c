"""Commitments after publication: the public delivery page of a round, progress updates by professionals,
organisers' settings and drops (comply or explain), residents' feedback, and the photos of updates."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.models import Commitment, ProgressUpdate, Role
from app.services.commitments import feedback as delivery_feedback
from app.services.commitments import photos, progress
from app.services.commitments import promises as commitments
from app.services.errors import NotAllowed, NotFound, RuleViolation
from app.services.results import drops as winner_drops
from app.services.results import publishing
from app.web.commitments import presenter
from app.web.commitments.forms import NOBODY, CommitmentForm, DropForm, FeedbackForm, ProgressForm
from app.web.organise.feedback import add_error, show_violation
from app.web.security import require_wijk, role_required, round_or_404

bp = Blueprint("commitments", __name__)

# A photo may be 5 MB; the rest of the form is small. Larger requests are refused before they are read.
MAX_PROGRESS_REQUEST = photos.MAX_PHOTO_BYTES + 512 * 1024


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    def panel(project: Any) -> presenter.CommitmentPanel | None:
        return presenter.commitment_panel(project, current_user if current_user.is_authenticated else None)

    return {
        "commitment_panel": panel,
        "winner_changes": presenter.winner_changes,
        "new_feedback_form": FeedbackForm,
    }


@bp.app_template_filter("long_date")
def _long_date(value: date | None) -> str:
    return "" if value is None else format_date(value, "d MMMM yyyy")


@bp.route("/uitslag/<int:round_id>/toezeggingen")
def round_page(round_id: int):  # type: ignore[no-untyped-def]
    try:
        published = publishing.published_result(round_id)
    except NotFound as missing:
        return render_template(
            "errors.html", code=404, title=_("No result yet"), message=missing.message
        ), 404
    return render_template(
        "commitments/round.html",
        round=published.round,
        commitments=commitments.round_commitments(round_id),
        changes=presenter.winner_changes(round_id),
    )


@bp.route("/toezeggingen/<int:commitment_id>/voortgang", methods=["GET", "POST"])
@role_required(Role.PROFESSIONAL, Role.ORGANISER)
def post_progress(commitment_id: int):  # type: ignore[no-untyped-def]
    request.max_content_length = MAX_PROGRESS_REQUEST
    commitment = _staff_commitment_or_404(commitment_id)
    form = ProgressForm(status=commitment.status) if request.method == "GET" else ProgressForm()
    status = 200
    if form.validate_on_submit():
        photo = form.photo.data.read(photos.MAX_PHOTO_BYTES + 1) if form.photo.data else None
        try:
            progress.post_progress(
                current_user,
                commitment.id,
                status=form.status.data or "",
                spent_cents=form.spent.data,
                text=form.text.data or "",
                photo=photo,
            )
        except RuleViolation as exc:
            status = _refusal_status(form, exc)
        else:
            flash(_("Your update on “%(title)s” is published.", title=commitment.project.title), "success")
            return redirect(
                url_for("residents.project", project_id=commitment.project_id, _anchor="levering")
            )
    return render_template("commitments/progress_form.html", form=form, commitment=commitment), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> Any:
    message = _("The photo is too large: at most 5 MB.")
    return render_template("errors.html", code=413, title=_("The file is too large"), message=message), 413


@bp.route("/toezeggingen/<int:commitment_id>/instellen", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def settings(commitment_id: int):  # type: ignore[no-untyped-def]
    commitment = _staff_commitment_or_404(commitment_id)
    form = CommitmentForm(**(_current_settings(commitment) if request.method == "GET" else {}))
    form.responsible_user_id.choices = [(NOBODY, _("Nobody yet"))] + [
        (str(user.id), user.name) for user in commitments.professionals(commitment.project.round.wijk_id)
    ]
    status = 200
    if form.validate_on_submit():
        try:
            commitments.update_commitment(
                current_user,
                commitment.id,
                department=form.department.data or "",
                responsible_user_id=form.responsible_id(),
                planned_delivery_on=form.planned_delivery_on.data,
                date_reason=form.date_reason.data or "",
            )
        except RuleViolation as exc:
            status = _refusal_status(form, exc)
        else:
            flash(_("The commitment for “%(title)s” is saved.", title=commitment.project.title), "success")
            return redirect(url_for(".round_page", round_id=commitment.round_id))
    return render_template("commitments/settings_form.html", form=form, commitment=commitment), status


def _current_settings(commitment: Commitment) -> dict[str, Any]:
    return {
        "department": commitment.responsible_department,
        "responsible_user_id": str(commitment.responsible_user_id or NOBODY),
        "planned_delivery_on": commitment.planned_delivery_on,
    }


@bp.route("/toezeggingen/<int:commitment_id>/reactie", methods=["POST"])
@login_required
def give_feedback(commitment_id: int):  # type: ignore[no-untyped-def]
    commitment = _commitment_or_404(commitment_id)
    form = FeedbackForm()
    status = 200
    if form.validate_on_submit():
        try:
            delivery_feedback.give_feedback(
                current_user, commitment.id, kind=form.kind.data or "", text=form.text.data or ""
            )
        except RuleViolation as exc:
            status = _refusal_status(form, exc)
        else:
            flash(_("Thank you. Your response is shown on this page."), "success")
            return redirect(
                url_for("residents.project", project_id=commitment.project_id, _anchor="levering")
            )
    from app.web.residents.views import project_page  # the project page, with this form's problems

    return project_page(commitment.project_id, status=status, feedback_form=form)


@bp.route("/toezeggingen/ronde/<int:round_id>/schrappen/<int:project_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def drop(round_id: int, project_id: int):  # type: ignore[no-untyped-def]
    round_or_404(round_id)
    try:
        rnd, project = winner_drops.winner_to_drop(round_id, project_id)
    except NotFound:
        abort(404)
    form = DropForm()
    status = 200
    if form.validate_on_submit():
        try:
            winner_drops.drop_winner(current_user, rnd.id, project.id, form.reason.data or "")
        except RuleViolation as exc:
            status = _refusal_status(form, exc)
        else:
            flash(_("“%(title)s” has been dropped; the reason is public.", title=project.title), "success")
            return redirect(url_for("public.results", round_id=rnd.id, _anchor="changes-heading"))
    return render_template("commitments/drop_form.html", form=form, round=rnd, project=project), status


@bp.route("/toezeggingen/foto/<name>")
def photo(name: str):  # type: ignore[no-untyped-def]
    path = photos.photo_file(name)
    published = db.session.scalar(select(ProgressUpdate.id).where(ProgressUpdate.photo_name == name))
    if path is None or published is None:
        abort(404)
    response = send_file(path, mimetype=photos.mimetype(name), max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _commitment_or_404(commitment_id: int) -> Commitment:
    try:
        return commitments.get_commitment(commitment_id)
    except NotFound:
        abort(404)


def _staff_commitment_or_404(commitment_id: int) -> Commitment:
    commitment = _commitment_or_404(commitment_id)
    require_wijk(commitment.project.round.wijk_id)
    return commitment


def _refusal_status(form: Any, exc: RuleViolation) -> int:
    """403 for who you are, otherwise the message next to its field (or above the form)."""
    if isinstance(exc, NotFound):
        abort(404)
    if isinstance(exc, NotAllowed):
        add_error(form, None, exc.message)
        return 403
    return show_violation(form, exc)
